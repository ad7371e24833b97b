"""How a document's script, digit grouping, cited titles and year-end dates are read.

A document typed in traditional characters reads as simplified; 2,911 is one number; a year inside a
cited title (《…2021-2025年规划》) does not date the document or its figures; 截至2023年底 is an as-of date.
Every test runs the real ingest path on a file it writes, or the real function.
"""

from __future__ import annotations

from ingest import parse_file
from ingest.clean import normalize
from ingest.figures.period import _year
from ingest.outline import detect_as_of, detect_years
from ingest.script import to_simplified, traditional_share


def _write(tmp_path, text, name="doc.txt"):
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    return f


def _stated(doc):
    return [f for f in doc.figures if not f.derived]


# --- traditional script -------------------------------------------------------------------------


def test_traditional_text_is_converted_and_simplified_text_is_left_alone():
    assert to_simplified("全年進館人數達到120.5萬人次，新增註冊讀者1.6萬人。") == (
        "全年进馆人数达到120.5万人次，新增注册读者1.6万人。"
    )
    quoting = "本馆举办《紅樓夢》导读讲座12场，全年进馆人数达到120.5万人次，新增注册读者1.6万人，开展阅读推广活动。"
    assert 0 < traditional_share(quoting) < 0.10
    assert to_simplified(quoting) == quoting  # one traditional title quoted in a simplified text stays


def test_a_traditional_document_is_read_as_simplified(tmp_path):
    doc = parse_file(
        _write(
            tmp_path,
            "青川區圖書館2023年工作總結\n\n一、主要工作及成效\n\n"
            "全年進館人數達到120.5萬人次，同比增長5.2%；新增註冊讀者1.6萬人。\n\n"
            "二、存在的問題\n\n館舍面積不足，數字資源更新較慢。\n",
        )
    )
    assert doc.title == "青川区图书馆2023年工作总结"
    assert (doc.doc_type, doc.report_year, doc.org) == ("工作总结", 2023, "青川区图书馆")
    assert [s.heading for s in doc.sections] == ["一、主要工作及成效", "二、存在的问题"]
    assert "进馆人数达到120.5万人次" in doc.chunks[0].text
    visits, readers = _stated(doc)
    assert (visits.indicator, visits.year, visits.value, visits.unit) == ("进馆人数", 2023, 120.5, "万人次")
    assert (visits.change_dir, visits.change_pct) == ("up", 5.2)
    assert (readers.indicator, readers.value, readers.unit) == ("新增注册读者", 1.6, "万人")
    assert "進" not in doc.text and "讀" not in doc.text


def test_a_traditional_table_reads_its_headers_as_simplified(tmp_path):
    doc = parse_file(_write(tmp_path, "指標,2023年\n進館人數（萬人次）,120.5\n", name="stats.csv"))
    (visits,) = _stated(doc)
    assert (visits.indicator, visits.year, visits.value, visits.unit) == ("进馆人数", 2023, 120.5, "万人次")


def test_a_simplified_document_quoting_a_traditional_name_keeps_it(tmp_path):
    doc = parse_file(
        _write(
            tmp_path,
            "青川区图书馆2023年工作总结\n\n一、主要工作\n\n"
            "举办《紅樓夢》导读讲座12场，全年进馆人数达到120.5万人次，新增注册读者1.6万人。\n",
        )
    )
    assert "《紅樓夢》" in doc.text


# --- thousands separators -----------------------------------------------------------------------


def test_thousands_separators_are_dropped_from_numbers():
    assert normalize("进馆人数2,911万人次") == "进馆人数2911万人次"
    assert normalize("外借1,234,567册次") == "外借1234567册次"
    assert normalize("外借1，234，567册次") == "外借1234567册次"
    assert normalize("馆藏２，９１１册") == "馆藏2911册"
    assert normalize("共4,123.5平方米") == "共4123.5平方米"
    assert normalize("全年，1,200人参加") == "全年，1200人参加"


def test_lists_and_years_separated_by_commas_are_left_alone():
    for text in ("第1,2,3项", "2021,2022年", "2021，2022，2023年", "比例为12,34", "编号1,2345", "1,234,56"):
        assert normalize(text) == text


def test_figures_written_with_thousands_separators_read_whole(tmp_path):
    doc = parse_file(
        _write(
            tmp_path,
            "青川区图书馆2023年工作总结\n\n一、主要工作\n\n全年进馆人数2,911万人次，外借图书1,234,567册次。\n",
        )
    )
    visits, loans = _stated(doc)
    assert (visits.indicator, visits.value, visits.unit) == ("进馆人数", 2911, "万人次")
    assert (loans.indicator, loans.value, loans.unit) == ("外借册次", 1234567, "册次")
    assert doc.text[loans.char_start : loans.char_end] == "1234567册次"


def test_a_table_cell_with_a_full_width_separator_is_a_figure_its_span_points_to(tmp_path):
    doc = parse_file(_write(tmp_path, '指标,2023年\n外借册次（册次）,"2，911"\n', name="stats.csv"))
    (loans,) = _stated(doc)
    assert (loans.indicator, loans.year, loans.value) == ("外借册次", 2023, 2911)
    assert doc.text[loans.char_start : loans.char_end] == "2911"


# --- cited titles -------------------------------------------------------------------------------

_CITING = (
    "2023年，本馆对照《某某市公共文化服务体系建设2021-2025年规划》推进各项工作。"
    "按照《2025年全民阅读行动方案》的要求开展活动，《2025年阅读推广工作指引》同步落实。"
)


def test_a_year_in_a_cited_title_does_not_date_the_document():
    assert detect_years("青川区图书馆工作总结", "工作总结", _CITING) == (2023, None)
    assert detect_years("关于落实《某某2021-2025年规划》的2023年工作总结", "工作总结", "") == (2023, None)
    assert detect_years("《青川区图书馆2023年工作总结》", "工作总结", "") == (2023, None)  # its own title


def test_a_document_citing_a_plan_keeps_its_own_year(tmp_path):
    doc = parse_file(_write(tmp_path, f"青川区图书馆工作总结\n\n一、主要工作\n\n{_CITING}\n"))
    assert (doc.report_year, doc.years) == (2023, [2023])


def test_a_figure_after_a_cited_title_keeps_its_own_year():
    assert _year("根据《某某2021-2025年发展规划》，全年", 2023) == (2023, None)
    assert _year("《2025年全民阅读行动方案》提出，全年", 2023) == (2023, None)
    assert _year("2024年，全年", 2023) == (2024, None)  # a year said outside a title still counts


def test_a_section_citing_a_plan_in_its_heading_keeps_the_documents_year(tmp_path):
    doc = parse_file(
        _write(
            tmp_path,
            "青川区图书馆2023年工作总结\n\n一、主要工作\n\n（一）落实《某某2021-2025年发展规划》\n\n"
            "全年新建读书驿站12个，举办阅读活动300场。\n",
        )
    )
    assert [(s.period_kind, s.year) for s in doc.sections] == [("report", 2023), ("report", 2023)]
    assert {(f.indicator, f.year) for f in _stated(doc)} >= {("新建读书驿站", 2023)}
    assert all(f.year == 2023 for f in _stated(doc))


# --- year-end as-of dates -----------------------------------------------------------------------


def test_the_end_of_a_year_is_an_as_of_date():
    assert detect_as_of("截至2023年年底，全区共建成读书驿站120个。") == "2023-12-31"
    assert detect_as_of("截至2023年末，累计注册读者12万人。") == "2023-12-31"
    assert detect_as_of("截止2023年底，馆藏总量达到150万册。") == "2023-12-31"
    assert detect_as_of("数据截至2024年12月31日。") == "2024-12-31"
    assert detect_as_of("截至2024年6月，累计注册读者12万人。") == "2024-06"


def test_a_document_and_its_figures_read_a_year_end_as_of_date(tmp_path):
    doc = parse_file(
        _write(tmp_path, "青川区图书馆工作总结\n\n一、主要工作\n\n截至2023年年底，全区共建成读书驿站120个。\n")
    )
    assert (doc.as_of, doc.report_year) == ("2023-12-31", 2023)
    (stations,) = _stated(doc)
    assert (stations.year, stations.value, stations.as_of) == (2023, 120, "2023-12-31")
