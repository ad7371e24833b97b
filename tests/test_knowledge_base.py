"""The knowledge base on real Chroma and SQLite in temp dirs, with the real embedder.

Every test runs twice: Chroma embedded in the data dir, and a real Chroma server (``chroma_url``).
"""

import json
import sqlite3

import pytest

from index import KnowledgeBase, SearchFilters

pytestmark = pytest.mark.slow


@pytest.fixture
def kb(tmp_path, embedder, chroma_url):
    base = KnowledgeBase(tmp_path / "data", embedder, chroma_url=chroma_url)
    yield base
    base.close()


def _write(path, body, title="青川区图书馆2023年工作总结"):
    path.write_text(f"{title}\n\n一、主要工作\n\n{body}\n", encoding="utf-8")
    return path


def _consistent(kb: KnowledgeBase) -> None:
    """Registry, Chroma and BM25 agree: same chunk ids, nothing half-indexed, no duplicates."""
    chunk_ids = [c.id for c in kb.registry.ready_chunks()]
    assert len(chunk_ids) == len(set(chunk_ids))
    assert all(d.status == "ready" for d in kb.documents())
    assert sum(d.chunk_count for d in kb.documents()) == len(chunk_ids)
    vector_ids = kb.vectors.collection.get(include=[])["ids"]
    assert sorted(vector_ids) == sorted(chunk_ids)
    kb.refresh_keywords()
    assert sorted(kb.keywords._ids) == sorted(chunk_ids)


def test_unchanged_file_is_skipped_and_changed_file_replaced(tmp_path, kb):
    f = _write(tmp_path / "a.txt", "全年开展阅读推广活动412场次，吸引读者3.2万人次。")
    g = _write(tmp_path / "b.txt", "新建读书驿站12间，全区读书驿站达到240间。", "青川区图书馆2024年工作总结")
    first = kb.ingest([f, g])
    assert first.added == ["a.txt", "b.txt"] and first.chunks_embedded == 2

    again = kb.ingest([f, g])
    assert again.unchanged == ["a.txt", "b.txt"] and again.chunks_embedded == 0

    _write(f, "全年开展阅读推广活动455场次，吸引读者3.6万人次。")
    changed = kb.ingest([f])
    assert changed.updated == ["a.txt"] and changed.chunks_embedded == 1
    texts = [c.text for c in kb.registry.ready_chunks()]
    assert any("455场次" in t for t in texts) and not any("412场次" in t for t in texts)
    assert kb.search("阅读推广活动场次", k=1)[0].chunk.text.startswith("全年开展阅读推广活动455场次")
    _consistent(kb)


def test_remove_deletes_everywhere(tmp_path, kb):
    f = _write(tmp_path / "a.txt", "全年开展阅读推广活动412场次。")
    g = _write(tmp_path / "b.txt", "新建读书驿站12间。")
    kb.ingest([f, g])
    doc = kb.find_documents("a.txt")[0]
    kb.remove(doc.id)
    assert [d.file_name for d in kb.documents()] == ["b.txt"]
    assert all(h.chunk.file_name == "b.txt" for h in kb.search("阅读推广活动", k=5))
    _consistent(kb)


def test_visibility_and_year_filters(tmp_path, kb):
    internal = _write(tmp_path / "internal.txt", "内部核算：应付未付款509.22万元。")
    public = _write(tmp_path / "public.txt", "面向公众：新建读书驿站12间。", "青川区图书馆2024年工作总结")
    kb.ingest([internal])
    kb.ingest([public], visibility="public")
    public_hits = kb.search("应付未付款是多少", k=5, filters=SearchFilters(visibility="public"))
    assert public_hits and all(h.chunk.file_name == "public.txt" for h in public_hits)
    assert kb.search("应付未付款是多少", k=1)[0].chunk.file_name == "internal.txt"
    by_year = kb.search("读书驿站", k=5, filters=SearchFilters(years=[2023]))
    assert by_year and all(h.chunk.year == 2023 for h in by_year)


def test_reopened_base_sees_the_same_index(tmp_path, embedder, chroma_url):
    f = _write(tmp_path / "a.txt", "全年开展阅读推广活动412场次。")
    first = KnowledgeBase(tmp_path / "data", embedder, chroma_url=chroma_url)
    first.ingest([f])
    first.close()
    second = KnowledgeBase(tmp_path / "data", embedder, chroma_url=chroma_url)
    hit = second.search("阅读推广活动多少场", k=1)[0]
    assert hit.vector_rank == 1 and hit.keyword_rank == 1
    _consistent(second)
    second.close()


def test_registry_records_metadata(tmp_path, kb, seed_txt):
    kb.ingest([seed_txt], visibility="public")
    rec = kb.documents()[0]
    assert rec.doc_type == "总结暨计划" and rec.years == [2024, 2025] and rec.visibility == "public"
    assert rec.sha256 and rec.size == seed_txt.stat().st_size and rec.ingested_at
    conn = sqlite3.connect(kb.data_dir / "registry.sqlite3")
    pages = conn.execute("SELECT heading_path FROM chunks").fetchall()
    assert any("三、2025年工作重点与思路" in json.loads(p[0]) for p in pages)


def test_reindex_reads_an_unchanged_file_again_and_reuses_its_vectors(tmp_path, kb):
    f = _write(tmp_path / "a.txt", "全年开展阅读推广活动412场次，吸引读者3.2万人次。")
    kb.ingest([f])
    doc = kb.documents()[0]
    assert kb.ingest([f]).unchanged == ["a.txt"]
    report = kb.reindex(doc.id)
    assert report.updated == ["a.txt"] and report.chunks_embedded == 0  # same chunks: vectors kept
    assert kb.documents()[0].status == "ready"
    _consistent(kb)
