"""Several documents' vectors go to Chroma in one write; each document stays whole.

Real Chroma and SQLite on a temp dir, the real embedder. Chroma's ``add`` is wrapped only to
count its calls, or to fail one of them the way a Chroma error would.
"""

import pytest

from index import KnowledgeBase


def _write(path, body, title):
    path.write_text(f"{title}\n\n一、主要工作\n\n{body}\n", encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path):
    return [
        _write(tmp_path / "a.txt", "全年开展阅读推广活动412场次，吸引读者3.2万人次。", "青川区图书馆2022年工作总结"),
        _write(tmp_path / "b.txt", "新建读书驿站12间，全区读书驿站达到240间。", "青川区图书馆2023年工作总结"),
        _write(tmp_path / "c.txt", "全年进馆人数208.37万次，同比增长6.05%。", "青川区图书馆2024年工作总结"),
    ]


class CountedAdds:
    """Chroma's real ``add``, counted; ``fail_first`` makes the first call raise as a Chroma error would."""

    def __init__(self, kb, fail_first=False):
        self.real, self.calls, self.fail_first = kb.vectors.add, [], fail_first

    def __call__(self, chunks, vectors):
        self.calls.append(len(chunks))
        if self.fail_first and len(self.calls) == 1:
            raise RuntimeError("simulated Chroma write error")
        return self.real(chunks, vectors)


def _consistent(kb):
    ids = sorted(c.id for c in kb.registry.ready_chunks())
    assert ids and sorted(kb.vectors.collection.get(include=[])["ids"]) == ids
    kb.refresh_keywords()
    assert sorted(kb.keywords._ids) == ids


def test_a_folder_of_small_documents_is_written_in_one_chroma_call(tmp_path, embedder, files):
    kb = KnowledgeBase(tmp_path / "data", embedder)
    kb.write_wait_at_most = 3600  # however slow the embedder on a busy machine
    try:
        kb.vectors.add = adds = CountedAdds(kb)
        report = kb.ingest(files)
        assert report.added == ["a.txt", "b.txt", "c.txt"] and not report.failed
        assert adds.calls == [3]
        assert all(d.status == "ready" for d in kb.documents())
        _consistent(kb)
        assert kb.search("读书驿站", k=1)[0].chunk.text.startswith("新建读书驿站12间")
    finally:
        kb.close()


def test_a_failed_write_leaves_none_of_its_documents_visible_and_the_next_ingest_finishes_them(
    tmp_path, embedder, files
):
    kb = KnowledgeBase(tmp_path / "data", embedder)
    kb.write_wait_at_most = 3600  # one write for all three, however slow the embedder on a busy machine
    try:
        kb.vectors.add = CountedAdds(kb, fail_first=True)
        report = kb.ingest(files)
        assert report.added == [] and sorted(e.file_name for e in report.failed) == ["a.txt", "b.txt", "c.txt"]
        assert "simulated Chroma write error" in report.failed[0].en
        assert all(d.status == "indexing" for d in kb.documents())
        assert kb.search("读书驿站") == [] and kb.vectors.count() == 0

        again = kb.ingest(files)
        assert sorted(again.added + again.updated) == ["a.txt", "b.txt", "c.txt"] and not again.failed
        assert all(d.status == "ready" for d in kb.documents())
        _consistent(kb)
    finally:
        kb.close()


def test_documents_spanning_several_writes_each_turn_ready_whole(tmp_path, embedder, files):
    kb = KnowledgeBase(tmp_path / "data", embedder)
    kb.vectors_per_write = 2  # a write after the second document's vectors, then one at the end
    kb.write_wait_at_most = 3600
    try:
        kb.vectors.add = adds = CountedAdds(kb)
        report = kb.ingest(files)
        assert report.added == ["a.txt", "b.txt", "c.txt"]
        assert adds.calls == [2, 1]
        _consistent(kb)
    finally:
        kb.close()


def test_a_finished_document_waits_no_longer_than_the_bound(tmp_path, embedder, files):
    kb = KnowledgeBase(tmp_path / "data", embedder)
    kb.write_wait_at_most = 0  # every document is written as soon as it is embedded
    try:
        kb.vectors.add = adds = CountedAdds(kb)
        assert kb.ingest(files).added == ["a.txt", "b.txt", "c.txt"]
        assert adds.calls == [1, 1, 1]
        _consistent(kb)
    finally:
        kb.close()


def test_one_file_added_on_its_own_is_ready_on_return(tmp_path, embedder, files):
    kb = KnowledgeBase(tmp_path / "data", embedder)
    try:
        assert kb.add_file(files[0]) == "added"
        assert [d.status for d in kb.documents()] == ["ready"]
        assert kb.vectors.count() == 1
    finally:
        kb.close()
