"""The reranker's ordering, with a cross-encoder whose scores are known in advance.

The real cross-encoder's scores cannot be predicted by a test, so the model object is replaced by one
that scores each passage from a table: the order that comes out is then fixed and checked exactly.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.rerank import CrossEncoderReranker
from index import SearchHit
from ingest.types import Chunk

QUESTION = "2024年进馆人数是多少？"


class ScoreTable:
    """Stands in for ``sentence_transformers.CrossEncoder``: ``predict`` scores a (question, passage)
    pair by the first table entry whose key the passage contains, and records the pairs it was given."""

    def __init__(self, scores: dict[str, float]):
        self.table = scores
        self.pairs: list[tuple[str, str]] = []

    def predict(self, pairs: Sequence[tuple[str, str]], show_progress_bar: bool = False) -> list[float]:
        self.pairs.extend(pairs)
        return [next(score for key, score in self.table.items() if key in passage) for _, passage in pairs]


def _reranker(scores: dict[str, float]) -> tuple[CrossEncoderReranker, ScoreTable]:
    reranker = CrossEncoderReranker.__new__(CrossEncoderReranker)  # no model folder to load
    reranker.model = model = ScoreTable(scores)
    return reranker, model


def _hits(texts: list[str]) -> list[SearchHit]:
    hits = []
    for i, text in enumerate(texts):
        chunk = Chunk(
            id=f"c{i}",
            doc_id="d",
            file_name="总结.txt",
            text=text,
            heading_path=(),
            page_start=None,
            page_end=None,
            char_start=0,
            char_end=len(text),
            ordinal=i,
        )
        hits.append(SearchHit(chunk=chunk, score=1.0 / (i + 1)))  # retrieval order: c0 first
    return hits


def test_hits_come_out_by_the_cross_encoders_score_highest_first() -> None:
    reranker, model = _reranker({"天气": -3.0, "进馆人数": 8.5, "读者活动": 1.25, "借阅": 4.0})
    hits = _hits(["今日天气晴", "读者活动120场", "2024年进馆人数350万人次", "借阅量80万册"])
    ranked = reranker.rerank(QUESTION, hits)
    assert [h.chunk.text for h in ranked] == ["2024年进馆人数350万人次", "借阅量80万册", "读者活动120场", "今日天气晴"]
    # The model scored each passage once, paired with the question.
    assert sorted(model.pairs) == sorted((QUESTION, h.chunk.embed_text()) for h in hits)


def test_equal_scores_keep_the_retrieval_order() -> None:
    reranker, _ = _reranker({"甲": 2.0, "乙": 2.0, "丙": 5.0, "丁": 2.0})
    hits = _hits(["甲馆", "乙馆", "丙馆", "丁馆"])
    assert [h.chunk.id for h in reranker.rerank(QUESTION, hits)] == ["c2", "c0", "c1", "c3"]


def test_scores_are_plain_floats_in_the_order_of_the_hits() -> None:
    reranker, _ = _reranker({"甲": 0.5, "乙": -1.0})
    scores = reranker.scores(QUESTION, _hits(["乙馆", "甲馆"]))
    assert scores == [-1.0, 0.5] and all(type(s) is float for s in scores)


def test_a_single_hit_is_not_sent_to_the_model() -> None:
    reranker, model = _reranker({"甲": 1.0})
    hits = _hits(["甲馆"])
    assert reranker.rerank(QUESTION, hits) == hits
    assert model.pairs == []
