"""Search's parts: its filters, its hits and how vector and keyword rankings are fused into one."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ingest import Chunk

from .registry import DocumentRecord
from .states import Visibility

_YEAR_IN_QUERY = re.compile(r"(?<!\d)(19[5-9]\d|20\d{2})(?!\d)")


@dataclass(frozen=True)
class FusionWeights:
    """How vector and keyword rankings are fused (weighted reciprocal rank).

    Jieba BM25 is the stronger signal on this kind of text; the small 4-bit
    embedder adds recall for paraphrases. A chunk of a year the question names
    is preferred, not required: "2023年的目标完成了吗" may be answered in 2024's
    summary. Chosen on half of the retrieval gold set and checked on the other
    half (eval/retrieval.py).
    """

    rrf_k: int = 10
    vector: float = 0.5
    keyword: float = 1.0
    year_boost: float = 0.3


def query_years(query: str) -> set[int]:
    return {int(y) for y in _YEAR_IN_QUERY.findall(query)}


@dataclass
class SearchFilters:
    visibility: str | None = None  # "public" restricts to public documents
    doc_types: Sequence[str] | None = None
    years: Sequence[int] | None = None
    org: str | None = None  # documents of one organisation (those naming none are kept)
    # other readings of the words that named ``org`` (某市 as its library or as the city itself), also kept
    also_orgs: Sequence[str] = ()


@dataclass
class SearchHit:
    chunk: Chunk
    score: float
    vector_rank: int | None = None
    vector_score: float | None = None
    keyword_rank: int | None = None
    keyword_score: float | None = None
    doc_title: str = ""
    doc_type: str = ""


def fuse(
    vector_hits: list[tuple[str, float]],
    keyword_hits: list[tuple[str, float]],
    chunks: dict[str, Chunk],
    docs: dict[str, DocumentRecord],
    filters: SearchFilters,
    fusion: FusionWeights,
    years: set[int],
) -> list[SearchHit]:
    """Both rankings, kept to the allowed documents and chunks, fused by weighted reciprocal rank; best first.

    A chunk of one of ``years`` has its score lifted by ``fusion.year_boost``.
    """
    hits: dict[str, SearchHit] = {}
    for field_rank, field_score, weight, ranked in (
        ("vector_rank", "vector_score", fusion.vector, vector_hits),
        ("keyword_rank", "keyword_score", fusion.keyword, keyword_hits),
    ):
        rank = 0
        for chunk_id, score in ranked:
            chunk = chunks.get(chunk_id)
            if chunk is None or chunk.doc_id not in docs or not _chunk_allowed(chunk, filters):
                continue
            rank += 1
            doc = docs[chunk.doc_id]
            hit = hits.setdefault(chunk_id, SearchHit(chunk, 0.0, doc_title=doc.title, doc_type=doc.doc_type))
            setattr(hit, field_rank, rank)
            setattr(hit, field_score, score)
            hit.score += weight / (fusion.rrf_k + rank)
    if years:
        for hit in hits.values():
            if hit.chunk.year in years:
                hit.score *= 1.0 + fusion.year_boost
    return sorted(hits.values(), key=lambda h: -h.score)


def _doc_allowed(doc: DocumentRecord, f: SearchFilters) -> bool:
    if f.visibility == Visibility.PUBLIC and doc.visibility != Visibility.PUBLIC:
        return False
    if f.doc_types and doc.doc_type not in f.doc_types:
        return False
    if f.org and doc.org and doc.org != f.org and doc.org not in f.also_orgs:
        return False
    return True


def _chunk_allowed(chunk: Chunk, f: SearchFilters) -> bool:
    return not f.years or chunk.year in f.years
