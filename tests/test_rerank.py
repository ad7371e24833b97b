"""The optional cross-encoder reranker, loaded from a local folder (the code path; no Chinese reranker ships)."""

import pytest

from index import SearchHit
from ingest.types import Chunk

pytest.importorskip("sentence_transformers")

from assistant.rerank import CrossEncoderReranker
from tests.test_embed import installed_minilm_path


def _hit(i: int, text: str) -> SearchHit:
    chunk = Chunk(
        id=f"c{i}",
        doc_id="d",
        file_name="a.txt",
        text=text,
        heading_path=(),
        page_start=None,
        page_end=None,
        char_start=0,
        char_end=len(text),
        ordinal=i,
    )
    return SearchHit(chunk=chunk, score=1.0 / (i + 1))


def test_reranker_orders_hits_by_its_own_scores():
    reranker = CrossEncoderReranker(str(installed_minilm_path()))
    hits = [_hit(i, t) for i, t in enumerate(["library visitors 2024", "weather today", "reading activities held"])]
    scores = reranker.scores("how many visitors came to the library", hits)
    ranked = reranker.rerank("how many visitors came to the library", hits)
    assert sorted(h.chunk.id for h in ranked) == ["c0", "c1", "c2"]
    expected = [hits[i].chunk.id for i in sorted(range(3), key=lambda i: (-scores[i], i))]
    assert [h.chunk.id for h in ranked] == expected


def test_reranker_refuses_a_missing_folder(tmp_path):
    with pytest.raises(ValueError, match="not found"):
        CrossEncoderReranker(str(tmp_path / "nope"))
