"""Duplicate awareness at ingest: a copy of a document the base holds is not indexed twice, a text copy
takes a scan's place, and different documents that share their wording are both kept."""

from __future__ import annotations

import sqlite3

from duplicate_texts import write_summary, year_summary

from index import KnowledgeBase
from ingest import parse_file


def _similarity(a: str, b: str) -> float:
    from index.near_duplicates import signature, similarities

    return float(similarities(signature(a), [signature(b)])[0])


def test_threshold_separates_copies_from_other_years(seed_txt, seed_pdf):
    """The seed's two text readings agree far above the threshold; two years' summaries of one
    library, from the same outline and phrases, stay far below it."""
    from index.near_duplicates import THRESHOLD

    other_years = _similarity(year_summary(2023), year_summary(2024))
    assert other_years < THRESHOLD - 0.15, other_years
    same = _similarity(parse_file(seed_txt).text, parse_file(seed_pdf).text)
    assert same > THRESHOLD + 0.1, same


def test_the_same_wording_with_other_figures_is_another_document():
    from index.near_duplicates import THRESHOLD, signature, similarities

    def report(year: int) -> str:
        rows = "".join(
            f"第{j + 1}项：全年开展阅读推广活动{400 + 7 * j + year}场次，服务读者{j + year}人次。" for j in range(60)
        )
        return f"某区图书馆{year}年工作总结\n{rows}"

    first, second = signature(report(2023)), signature(report(2024))
    assert len(first) == 1024  # the text's signature, then its numbers'
    assert similarities(first, [second])[0] < THRESHOLD  # a template filled in with the next year's figures
    assert similarities(first, [signature(report(2023) + "。")])[0] >= THRESHOLD  # the same report again


def test_two_years_summaries_are_both_indexed(kb, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    write_summary(docs, 2023)
    write_summary(docs, 2024)
    report = kb.ingest([docs])
    assert len(report.added) == 2 and not report.duplicate and not report.notices
    assert {d.status for d in kb.documents()} == {"ready"}


def test_a_copy_under_another_name_is_kept_out_and_said(kb, tmp_path):
    first = write_summary(tmp_path, 2024)
    copy = write_summary(tmp_path, 2024, name="2024总结-转发件.md")
    kb.ingest([first])
    report = kb.ingest([copy])
    assert report.duplicate == [copy.name] and report.ok
    zh, en = report.notices[copy.name]
    assert first.name in zh and "未重复导入" in zh and "--keep-duplicates" in en
    original = kb.find_documents(str(first))[0]
    row = kb.find_documents(str(copy))[0]
    assert (row.status, row.duplicate_of, row.chunk_count) == ("duplicate", original.id, 0)
    assert kb.registry.document_text(row.id)  # its text is kept
    assert {h.chunk.doc_id for h in kb.search("2024年举办阅读推广活动多少场", k=10)} == {original.id}
    assert kb.stats()["documents"] == 1 and kb.stats()["documents_pending"] == 0

    again = kb.ingest([copy])  # told again, not read again
    assert again.duplicate == [copy.name] and copy.name in again.notices
    kept = kb.ingest([copy], keep_duplicates=True)
    assert kept.added == [copy.name]
    assert kb.find_documents(str(copy))[0].status == "ready"


def test_a_copy_whose_original_is_gone_is_indexed(kb, tmp_path):
    first = write_summary(tmp_path, 2024)
    copy = write_summary(tmp_path, 2024, name="copy.txt")
    kb.ingest([first, copy])
    kb.remove(kb.find_documents(str(first))[0].id)
    report = kb.ingest([copy])
    assert report.added == [copy.name]
    assert kb.find_documents(str(copy))[0].status == "ready"


def test_a_reissued_file_of_the_same_name_replaces_itself_in_place(kb, tmp_path):
    path = write_summary(tmp_path, 2023, name="临江区图书馆年度总结.txt")
    kb.ingest([path], visibility="public")
    before = kb.find_documents(str(path))[0]
    path.write_text(year_summary(2023).replace("186.4万人次", "188.1万人次"), encoding="utf-8")
    report = kb.ingest([path])
    assert report.updated == [path.name] and not report.duplicate
    after = kb.find_documents(str(path))[0]
    assert (after.id, after.visibility, after.status) == (before.id, "public", "ready")
    assert "188.1" in kb.registry.document_text(after.id)


def test_a_base_made_before_signatures_opens_and_finds_copies(tmp_path, embedder):
    data = tmp_path / "data"
    first = write_summary(tmp_path, 2024)
    kb = KnowledgeBase(data, embedder)
    kb.ingest([first])
    kb.close()
    with sqlite3.connect(data / "registry.sqlite3") as conn:  # the registry as an older Lantai left it
        conn.execute("DROP TABLE signatures")
        conn.execute("ALTER TABLE documents DROP COLUMN duplicate_of")
        conn.execute("ALTER TABLE documents DROP COLUMN read_by_ocr")
    kb = KnowledgeBase(data, embedder)
    try:
        assert [d.status for d in kb.documents()] == ["ready"]
        assert kb.search("接待读者", k=3)
        assert kb.ingest([first]).unchanged == [first.name]
        copy = write_summary(tmp_path, 2024, name="copy.txt")
        assert kb.ingest([copy]).duplicate == [copy.name]
    finally:
        kb.close()
