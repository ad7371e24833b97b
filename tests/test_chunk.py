import re

from ingest import ChunkSizes, parse_file
from ingest.types import Paragraph


def _number_cut(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else ""
    first = text[start] if start < len(text) else ""
    last = text[end - 1] if end > 0 else ""
    after = text[end] if end < len(text) else ""
    numeric = re.compile(r"[\d.%]")
    return bool(numeric.match(before or " ") and numeric.match(first or " ")) or bool(
        numeric.match(last or " ") and numeric.match(after or " ")
    )


def test_seed_chunks_are_exact_slices_within_bounds(seed_txt):
    doc = parse_file(seed_txt)
    sizes = ChunkSizes()
    for c in doc.chunks:
        assert doc.text[c.char_start : c.char_end] == c.text
        assert len(c.text) <= sizes.max_chars * 1.2
        assert not _number_cut(doc.text, c.char_start, c.char_end), c.text[:40]
    assert len({c.id for c in doc.chunks}) == len(doc.chunks)


def test_chunks_never_mix_sections(seed_txt):
    doc = parse_file(seed_txt)
    owners: dict[int, Paragraph] = {}
    for p in doc.paragraphs:
        for i in range(p.start, p.end):
            owners[i] = p
    for c in doc.chunks:
        sections = {id(owners[i].section) for i in range(c.char_start, c.char_end) if i in owners}
        assert len(sections) == 1


def test_plan_chunks_are_marked_plan(seed_txt):
    doc = parse_file(seed_txt)
    plan = [c for c in doc.chunks if c.period_kind == "plan"]
    report = [c for c in doc.chunks if c.period_kind == "report"]
    assert plan and report
    assert all(c.year == 2025 for c in plan) and all(c.year == 2024 for c in report)
    assert any("392.88万次" in c.text for c in report)


def test_long_section_is_split_with_overlap(tmp_path):
    sentence = "本年度新建读书驿站7间，累计服务读者12.5万人次，其中青少年读者占比达到35.6%。"
    text = "青川区图书馆2023年工作总结\n\n一、主要工作\n\n" + sentence * 30
    f = tmp_path / "long.txt"
    f.write_text(text, encoding="utf-8")
    doc = parse_file(f, sizes=ChunkSizes(min_chars=200, max_chars=300, overlap_chars=120))
    assert len(doc.chunks) >= 3
    for a, b in zip(doc.chunks, doc.chunks[1:]):
        assert b.char_start < a.char_end  # the last sentence carries over
        assert len(a.text) <= 300
    for c in doc.chunks:
        assert c.text.startswith("本年度") and c.text.endswith("。")


def test_a_sentence_longer_than_a_chunk_is_never_cut_inside_a_number(tmp_path):
    # No commas to cut at: the forced cut must step back out of "5.86%" and "3326941".
    body = "".join(f"第{i}批次同比增长5.86%轮换书籍3326941册" for i in range(40)) + "。"
    f = tmp_path / "long.txt"
    f.write_text("青川区图书馆2024年工作总结\n\n一、主要工作\n\n" + body + "\n", encoding="utf-8")
    doc = parse_file(f, sizes=ChunkSizes(min_chars=100, max_chars=150, overlap_chars=0))
    assert len(doc.chunks) > 3
    for c in doc.chunks:
        assert not _number_cut(doc.text, c.char_start, c.char_end), (c.text[:12], c.text[-12:])
