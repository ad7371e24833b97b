from ingest.clean import clean_blocks, normalize
from ingest.types import Block


def test_normalize_numbers_units_and_fullwidth():
    assert normalize("进馆人数 392.88 万次，同比增长 5.86 %") == "进馆人数392.88万次，同比增长5.86%"
    assert normalize("２０２４ 年新增文献４．５４万册") == "2024年新增文献4.54万册"
    assert normalize("**新馆开馆后：**开展活动") == "新馆开馆后：开展活动"
    assert normalize("覆盖率达 79 .1%") == "覆盖率达79.1%"


def test_normalize_keeps_spaces_between_latin_words():
    assert normalize("open  data  portal 上线") == "open data portal上线"


def test_page_break_split_is_rejoined_but_complete_paragraphs_are_not():
    blocks = [
        Block("青川区图书馆2023年工作总结"),
        Block("（数据截至2023年12月31日）"),
        Block("一是加强意识形"),
        Block(""),
        Block("态工作，定期召开会议。"),
        Block("二是规范组织生活。"),
        Block("一、主要工作"),
        Block("正文。"),
    ]
    out = [b.text for b in clean_blocks(blocks)]
    assert out == [
        "青川区图书馆2023年工作总结",
        "（数据截至2023年12月31日）",
        "一是加强意识形态工作，定期召开会议。",
        "二是规范组织生活。",
        "一、主要工作",
        "正文。",
    ]


def test_heading_is_never_glued_to_its_body():
    out = clean_blocks([Block("标题"), Block("（二）人员紧缺"), Block("目前人员紧缺。")])
    assert [b.text for b in out] == ["标题", "（二）人员紧缺", "目前人员紧缺。"]


def test_seed_page_break_splits_are_repaired(seed_txt):
    from ingest import parse_file

    doc = parse_file(seed_txt)
    assert "意识形态工作专题会议" in doc.text
    assert "\n\n态工作" not in doc.text
    assert "**" not in doc.text
    assert "392.88万次" in doc.text and "同比负增长19.42%" in doc.text
