"""Reads of the metrics table are kept while nothing changes and never outlive a change.

Real SQLite and Chroma on a temp dir, the real embedder.
"""

from index import KnowledgeBase


def _write(path, visits):
    path.write_text(
        f"青川区图书馆2024年工作总结\n\n一、主要工作\n\n全年进馆人数{visits}万人次，同比增长6.05%。\n", encoding="utf-8"
    )
    return path


def _visits(store):
    return [r.value for r in store.lookup("进馆人数", 2024) if not r.derived]


def test_a_changed_document_or_visibility_is_seen_by_the_next_read(tmp_path, embedder):
    kb = KnowledgeBase(tmp_path / "data", embedder)
    try:
        f = _write(tmp_path / "a.txt", "208.37")
        kb.ingest([f], visibility="public")
        public = kb.metrics.for_visibility("public")
        assert _visits(kb.metrics) == [208.37] and _visits(public) == [208.37]

        _write(f, "210.5")
        kb.ingest([f])
        assert _visits(kb.metrics) == [210.5]

        kb.set_visibility(kb.documents()[0].id, "internal")
        assert _visits(public) == [] and _visits(kb.metrics) == [210.5]

        kb.remove(kb.documents()[0].id)
        assert _visits(kb.metrics) == []
    finally:
        kb.close()


def test_a_row_changed_by_its_reader_does_not_change_the_next_read(tmp_path, embedder):
    kb = KnowledgeBase(tmp_path / "data", embedder)
    try:
        kb.ingest([_write(tmp_path / "a.txt", "208.37")])
        first = kb.metrics.lookup("进馆人数", 2024)
        first[0].value = -1
        assert _visits(kb.metrics) == [208.37]
    finally:
        kb.close()


def test_document_texts_are_read_at_once(tmp_path, embedder):
    kb = KnowledgeBase(tmp_path / "data", embedder)
    try:
        kb.ingest([_write(tmp_path / "a.txt", "208.37")])
        doc = kb.documents()[0]
        assert kb.registry.document_texts([doc.id, "missing"]) == {doc.id: kb.registry.document_text(doc.id)}
        assert "208.37" in kb.registry.document_texts([doc.id])[doc.id]
    finally:
        kb.close()
