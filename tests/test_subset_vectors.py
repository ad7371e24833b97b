"""Search within a few documents: the in-memory exact ranking agrees with Chroma's filtered search,
follows every change to the base, and holds no more vectors than its budget."""

from __future__ import annotations

import numpy as np

from index import KnowledgeBase
from index.search import SearchFilters
from index.subset_vectors import SubsetVectors


def _doc(path, org, year, lines):
    body = "\n".join(f"{line}。" for line in lines)
    path.write_text(f"{org}{year}年工作总结\n\n一、主要工作\n\n{body}\n", encoding="utf-8")
    return path


TOPICS = ["进馆人数", "外借册次", "阅读推广活动", "读书驿站", "数字资源", "志愿者服务", "古籍保护", "少儿阅读"]


def _base(tmp_path, embedder) -> KnowledgeBase:
    kb = KnowledgeBase(tmp_path / "data", embedder)
    files = []
    for n, org in enumerate(["青川区图书馆", "南海区图书馆", "临江市图书馆"]):
        lines = [f"{org}{topic}工作全年推进顺利，第{i}项任务完成{10 + i * n}项" for i, topic in enumerate(TOPICS)]
        files.append(_doc(tmp_path / f"doc{n}.txt", org, 2023, lines))
    assert kb.ingest(files).ok
    return kb


def test_exact_ranking_within_documents_agrees_with_chromas_filter(tmp_path, embedder):
    kb = _base(tmp_path, embedder)
    try:
        docs = {d.id: d for d in kb.documents() if d.title.startswith("南海")}
        subsets = SubsetVectors()
        for question in ["南海区图书馆进馆人数", "古籍保护工作", "少儿阅读推广"]:
            vector = kb.embedder.embed_query(question)
            chroma = kb.vectors.search(vector, 5, list(docs))
            exact = subsets.search(
                vector,
                5,
                frozenset(docs),
                kb.registry.generation(),
                lambda: kb.registry.chunk_ids_in(docs),
                kb.vectors.vectors_of,
            )
            assert [i for i, _ in exact] == [i for i, _ in chroma]
            assert np.allclose([s for _, s in exact], [s for _, s in chroma], atol=1e-4)
    finally:
        kb.close()


def test_search_by_library_reads_new_documents_at_once(tmp_path, embedder):
    kb = _base(tmp_path, embedder)
    try:
        kb._subsets.largest = 10_000  # every library's documents are searched in memory
        filters = SearchFilters(org="南海区图书馆")
        before = kb.search("古籍修复的进展", k=3, filters=filters, mode="vector")
        assert before and all(h.chunk.doc_id in {d.id for d in kb.documents()} for h in before)
        extra = _doc(tmp_path / "extra.txt", "南海区图书馆", 2024, ["南海区图书馆古籍修复中心全年修复古籍善本326册"])
        assert kb.ingest([extra]).ok
        after = kb.search("古籍修复的进展", k=3, filters=filters, mode="vector")
        assert "326册" in after[0].chunk.text  # the library's new document is searched at once
    finally:
        kb.close()


def test_the_budget_bounds_the_vectors_held(tmp_path):
    subsets = SubsetVectors(budget=10, largest=6)
    assert subsets.fits(6) and not subsets.fits(7) and not subsets.fits(0)
    rng = np.random.default_rng(0)

    def load(ids):
        return list(ids), rng.normal(size=(len(ids), 4)).astype(np.float32)

    for n in range(4):
        ids = [f"d{n}-{i}" for i in range(5)]
        hits = subsets.search(rng.normal(size=4), 3, frozenset({f"d{n}"}), 1, lambda ids=ids: ids, load)
        assert len(hits) == 3 and hits[0][1] >= hits[1][1] >= hits[2][1]
    assert sum(len(i) for i, _ in subsets._sets.values()) <= 10
