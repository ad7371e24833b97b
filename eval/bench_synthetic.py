"""Large knowledge bases for the benchmark, written straight into the stores.

Embedding a million chunks with the real model takes days on two cores, and
retrieval speed does not depend on what the vectors mean: an HNSW search and a
BM25 scoring cost the same for random unit vectors and for real ones, given
the same count, dimension, vocabulary and text lengths. So a base of N chunks
is the real sample corpus (ingested by the real pipeline and embedder, so
answers and figures are real) plus synthetic filler documents: chunks made of
the sample corpus's own sentences (its vocabulary and word frequencies),
random unit vectors, written into the registry, Chroma and the keyword index
the way ingest writes them. Search results over the filler mean nothing; only
the timings and sizes do.
"""

from __future__ import annotations

import json
import random
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index import KnowledgeBase
from index.tokenize import tokenize
from index.vectors import VectorIndex
from index.writer import PIPELINE_VERSION

Log = Callable[[str], None]
CHUNKS_PER_DOCUMENT = 66  # ~15,000 documents make ~1M chunks, as in a provincial network's ten years
_MARKER = "lantai-synthetic.json"
_DISTRICTS = (
    "东湖区",
    "西林区",
    "北塘区",
    "南屿区",
    "云溪区",
    "临江区",
    "石门区",
    "桂山区",
    "白沙区",
    "长宁区",
    "清溪区",
    "龙泉区",
    "金港区",
    "松岭区",
    "梅川区",
    "平湖区",
    "玉泉区",
    "枫林区",
    "凤鸣区",
    "柳岸区",
)
_KINDS = ("工作总结", "工作计划", "年鉴（摘编）", "阅读推广典型案例")


@dataclass
class _Sentences:
    texts: list[str]
    tokens: list[list[str]]
    headings: list[str]
    heading_tokens: list[list[str]]


def _segmented(sentences: Sequence[str], headings: Sequence[str]) -> _Sentences:
    """Each source sentence segmented once; a chunk's tokens are its sentences' tokens."""
    return _Sentences(
        list(sentences), [tokenize(s) for s in sentences], list(headings), [tokenize(h) for h in headings]
    )


def _copy_base(template: Path, data: Path) -> None:
    """The real part's data directory, copied (without its lock) to grow into a bigger base."""
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(template, data, ignore=shutil.ignore_patterns(".lantai.lock*"))


def synthetic_base(
    template: Path,
    data: Path,
    size: int,
    sentences: Sequence[str],
    headings: Sequence[str],
    embedder,
    seed: int = 20251207,
    log: Log = print,
) -> dict:
    """A data directory of about ``size`` chunks: the real base in ``template`` plus synthetic filler.

    Reused when a complete one of the same recipe is already there. Returns what was built and
    how long it took (``build_s``: copying the real part, writing the filler, building the index).
    """
    recipe = {
        "size": size,
        "seed": seed,
        "pipeline": PIPELINE_VERSION,
        "dim": embedder.dim,
        "embedder": embedder.name,
        "template": _template_stamp(template),
    }
    marker = data / _MARKER
    if marker.exists():
        try:
            saved = json.loads(marker.read_text(encoding="utf-8"))
        except ValueError:
            saved = {}
        if saved.get("recipe") == recipe:
            log(f"  {size} chunks: reusing {data}")
            return {**saved["info"], "reused": True}
    started = time.perf_counter()
    _copy_base(template, data)
    kb = KnowledgeBase(data, embedder)
    try:
        real = kb.stats()["chunks"]
        info = _fill(kb, max(0, size - real), _segmented(sentences, headings), embedder.dim, seed, log)
        kb.refresh_keywords()
        info.update(real_chunks=real, chunks=kb.stats()["chunks"])
    finally:
        kb.close()
    info["build_s"] = time.perf_counter() - started
    marker.write_text(json.dumps({"recipe": recipe, "info": info}), encoding="utf-8")
    return {**info, "reused": False}


def _template_stamp(template: Path) -> str:
    registry = template / "registry.sqlite3"
    return f"{registry.stat().st_size}-{int(registry.stat().st_mtime)}" if registry.exists() else ""


def _chroma(kb: KnowledgeBase) -> VectorIndex:
    """The base's Chroma store, which the filler is written straight into; a base whose store did not open has none."""
    if not isinstance(kb.vectors, VectorIndex):
        raise RuntimeError("the vector store did not open (disk full?): no synthetic chunks can be written")
    return kb.vectors


def _fill(kb: KnowledgeBase, count: int, pool: _Sentences, dim: int, seed: int, log: Log) -> dict:
    """Write ``count`` synthetic chunks into the registry, Chroma and the keyword token cache."""
    rng = random.Random(seed)
    vectors_rng = np.random.default_rng(seed)
    batch = min(_chroma(kb).client.get_max_batch_size(), 5000)
    store = kb.keywords._token_store()
    conn = kb.registry.conn
    written = docs = 0
    pending: list[tuple] = []  # (chunk id, doc id, year, embed text)
    t_vectors = 0.0
    logged = 0
    started = time.perf_counter()
    while written < count:
        n = min(CHUNKS_PER_DOCUMENT, count - written)
        doc, chunk_rows, tokens = _document(rng, pool, docs, n)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            f"INSERT INTO documents ({index_base_columns()}, text, pipeline) VALUES ({', '.join('?' * len(doc))})", doc
        )
        conn.executemany("INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", [r[0] for r in chunk_rows])
        conn.execute("COMMIT")
        if store is not None:
            store.put(tokens)
        pending += [r[1] for r in chunk_rows]
        written += n
        docs += 1
        if len(pending) >= batch or written >= count:
            t = time.perf_counter()
            _add_vectors(kb, pending, vectors_rng, dim)
            t_vectors += time.perf_counter() - t
            pending = []
            if written >= logged + 50_000 or written >= count:
                logged = written
                spent = time.perf_counter() - started
                log(
                    f"    {written}/{count} synthetic chunks ({spent:.0f} s, {written / max(spent, 1e-9):.0f}/s, "
                    f"Chroma {t_vectors:.0f} s)"
                )
    kb.registry._bump(conn)  # one generation for the lot: the keyword index is rebuilt once
    return {"synthetic_chunks": written, "synthetic_documents": docs, "vectors_s": t_vectors}


def index_base_columns() -> str:
    from index.registry import DOC_COLUMNS

    return DOC_COLUMNS


def _document(rng: random.Random, pool: _Sentences, n: int, chunks: int):
    """One synthetic document's registry row, its chunk rows and their tokens."""
    year = rng.randint(2010, 2024)
    district = rng.choice(_DISTRICTS)
    title = f"{district}图书馆{year}年{rng.choice(_KINDS)}"
    doc_id = f"syn{n:07d}"
    title_tokens = tokenize(title)
    rows, tokens, texts = [], {}, []
    offset = 0
    for ordinal in range(chunks):
        h = rng.randrange(len(pool.headings))
        picked = [rng.randrange(len(pool.texts)) for _ in range(rng.randint(4, 8))]
        text = "".join(pool.texts[i] for i in picked)
        heading = pool.headings[h]
        chunk_id = f"{doc_id}c{ordinal:03d}"
        embed_text = f"{title} > {heading}\n{text}"
        rows.append(
            (
                (
                    chunk_id,
                    doc_id,
                    ordinal,
                    text,
                    json.dumps([heading], ensure_ascii=False),
                    None,
                    None,
                    offset,
                    offset + len(text),
                    year,
                    "report",
                    "text",
                ),
                (chunk_id, doc_id, year, embed_text),
            )
        )
        toks = title_tokens + pool.heading_tokens[h]
        for i in picked:
            toks = toks + pool.tokens[i]
        tokens[chunk_id] = toks or ["∅"]
        texts.append(text)
        offset += len(text) + 1
    body = "\n".join(texts)
    doc = (
        doc_id,
        f"/synthetic/{doc_id}.txt",
        f"{doc_id}.txt",
        doc_id,
        len(body.encode()),
        "工作总结",
        title,
        f"{district}图书馆",
        json.dumps([year]),
        year,
        None,
        None,
        None,
        "internal",
        "ready",
        chunks,
        time.time(),
        None,  # duplicate_of: a synthetic document copies none
        body,
        PIPELINE_VERSION,
    )
    return doc, rows, tokens


def _add_vectors(kb: KnowledgeBase, pending: list[tuple], rng: np.random.Generator, dim: int) -> None:
    """Random unit vectors, with the metadata keys ingest's vector store writes (doc_id, year, kind)."""
    vectors = rng.standard_normal((len(pending), dim), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    _chroma(kb).collection.add(
        ids=[p[0] for p in pending],
        embeddings=vectors,
        documents=[p[3] for p in pending],
        metadatas=[
            {"doc_id": p[1], "document_id": p[1], "ref_doc_id": p[1], "year": p[2], "kind": "text"} for p in pending
        ],
    )
    kb.vectors.forget_count()
