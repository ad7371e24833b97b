"""A place's libraries together (某市全市公共图书馆, 某市…公共图书馆统计报告) are the place's, not its city library's."""

from __future__ import annotations

from assistant.named_in_question import find_orgs
from ingest.outline import detect_org

ORGS = ["岑州市图书馆", "岑州市", "柏溪县图书馆"]


def test_all_of_a_places_public_libraries_are_the_place():
    assert find_orgs("岑州全市公共图书馆2023年总藏量是多少？", ORGS) == ["岑州市"]
    assert find_orgs("岑州市各公共图书馆的从业人员有多少？", ORGS) == ["岑州市"]


def test_all_of_a_citys_public_libraries_with_no_place_named_is_the_one_city():
    assert find_orgs("全市公共图书馆2023年总藏量是多少？", ORGS) == ["岑州市"]
    assert find_orgs("全市公共图书馆2023年总藏量是多少？", [*ORGS, "柏溪市"]) == []


def test_the_city_library_named_is_still_the_library():
    assert find_orgs("岑州市图书馆2023年总藏量是多少？", ORGS)[0] == "岑州市图书馆"
    assert find_orgs("岑州2023年进馆人次是多少？", ORGS)[0] == "岑州市图书馆"


def test_a_statistics_report_on_a_places_public_libraries_is_the_places():
    text = "岑州市2021—2023年公共图书馆事业发展统计分析报告\n\n全市6个公共图书馆，即岑州市图书馆、柏溪县图书馆……"
    assert detect_org(text.splitlines()[0], text) == "岑州市"


def test_a_summary_titled_by_a_place_is_its_librarys():
    text = "柏溪县2023年工作总结\n\n柏溪县图书馆全年接待读者……柏溪县图书馆新馆……"
    assert detect_org(text.splitlines()[0], text) == "柏溪县图书馆"


def test_a_yearbooks_section_on_public_libraries_is_the_places():
    text = "岑州年鉴（2024）\n文化·公共图书馆\n\n【概况】2023年，岑州市有公共图书馆3个。全市公共图书馆总藏量…\n"
    assert detect_org("岑州年鉴（2024）", text) == "岑州市"


def test_a_yearbook_entry_headed_by_a_library_is_that_librarys():
    from ingest.figures.orgs import _subject_library

    entry = "【柏溪县图书馆】柏溪县图书馆现馆舍建于1991年，2023年全年总流通人次"
    assert _subject_library(entry, "岑州市") == "柏溪县图书馆"
    assert _subject_library("【柏溪县图书馆】位于县城，2023年，该馆总流通人次", "岑州市") == "柏溪县图书馆"


def test_a_yearbook_entrys_later_sentences_are_its_librarys():
    from ingest.figures.orgs import _entry_library

    entry = "【柏溪县图书馆】位于县城北部。2023年，该馆总流通人次12.1万人次。"
    assert _entry_library(entry, "岑州市") == "柏溪县图书馆"
    assert _entry_library("【概况】全市有公共图书馆3个。", "岑州市") == ""
    assert _entry_library("【城东分馆】位于…", "岑州市") == ""


def test_numbered_lines_under_a_lead_are_the_items_it_announces():
    from assistant.passages import before_numbered, enumerated_items_full

    text = "经过五年发展，品牌形成了三个子项目：\n1.“绘本屋”。面向幼儿。\n2.“小小朗读者”。面向小学生。\n3.“自然笔记”。每年两期。\n"
    assert [lead for lead, _ in enumerated_items_full(text)] == ["“绘本屋”", "“小小朗读者”", "“自然笔记”"]
    assert before_numbered(text) == "经过五年发展，品牌形成了三个子项目："


def test_a_table_captioned_by_one_library_is_that_librarys(tmp_path):
    from ingest import extract_figures, parse_file

    path = tmp_path / "岑州年鉴.txt"
    path.write_text(
        "岑州年鉴（2024）\n文化·公共图书馆\n\n【概况】2023年，岑州市有公共图书馆3个。\n\n"
        "表5  岑州市图书馆主要业务指标\n指标 | 2022年 | 2023年\n总流通人次（万人次） | 98.7 | 126.4\n",
        encoding="utf-8",
    )
    orgs = {f.value: f.org for f in extract_figures(parse_file(path))}
    assert orgs[126.4] == "岑州市图书馆" and orgs[98.7] == "岑州市图书馆"


def _after(question: str, before: str):
    from assistant.query import understand
    from ingest import load_indicators

    return understand(
        question, indicators=load_indicators(), reference_year=2024, orgs=["岑州市图书馆"], history=[before]
    )


def test_a_follow_up_compared_with_the_year_before_keeps_the_year_asked():
    assert _after("比上一年增长了多少？", "岑州市图书馆2023年书刊外借是多少万册次？").years == [2023]


def test_a_part_asked_after_a_figure_keeps_the_figure():
    query = _after("其中少儿的有多少？", "岑州市图书馆2023年书刊外借了多少册次？")
    assert "少儿" in query.text and "外借" in query.text
