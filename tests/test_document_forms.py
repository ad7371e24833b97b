"""Forms official documents write figures in: years and counts in Chinese numerals, the year before stated
beside the year's figure, and a report split into parts (第一部分 / 第二部分 …计划)."""

from __future__ import annotations

import pytest

from ingest.cn_dates import with_arabic_dates
from ingest.pipeline import parse_file


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("二〇二三年，全年开馆", "2023年，全年开馆"),
        ("截至二〇二三年十二月三十一日", "截至2023年12月31日"),
        ("二○二二年较二零二一年", "2022年较2021年"),
        ("一九九八年建馆", "1998年建馆"),
        ("一年比一年多", "一年比一年多"),  # no four-digit year: left alone
        ("第十二届读书节", "第十二届读书节"),
        ("十二月三十一日", "十二月三十一日"),  # a month and day only after a year
    ],
)
def test_dates_in_chinese_numerals_are_read_in_digits(written, read):
    assert with_arabic_dates(written) == read


def _figures(tmp_path, body: str, title: str = "青川区图书馆2023年工作总结"):
    path = tmp_path / "doc.txt"
    path.write_text(f"{title}\n\n一、主要工作\n\n{body}\n", encoding="utf-8")
    return parse_file(path).figures


def test_a_year_in_chinese_numerals_gives_its_figures_their_year(tmp_path):
    figures = _figures(tmp_path, "二〇二二年，全馆新办读者证4210张。", title="青川区图书馆工作情况通报")
    assert [(f.year, f.value, f.unit) for f in figures] == [(2022, 4210.0, "张")]


def test_counts_in_chinese_numerals_are_figures(tmp_path):
    figures = _figures(tmp_path, "全年开馆三百四十八天，举办公益讲座一百零六场、展览二十七个，七、八两个月为借阅高峰。")
    found = {(f.value, f.unit, f.stated) for f in figures}
    assert {(348.0, "天", "三百四十八天"), (106.0, "场", "一百零六场"), (27.0, "个", "二十七个")} <= found
    assert not any(f.value == 82 for f in figures)  # 八两个月 is no number


def test_an_age_is_no_count_of_weeks(tmp_path):
    figures = _figures(tmp_path, "新办证读者中，十八周岁以下的少年儿童读者2160人。")
    assert not any(f.unit == "周" for f in figures)


def test_the_year_before_stated_beside_a_figure_is_that_figure_a_year_earlier(tmp_path):
    figures = _figures(
        tmp_path,
        "全年总流通人次52.6万人次，比上年的47.3万人次增长11.2%；外借图书33.1万册次，较2021年的29.8万册次有所回升。",
    )
    rows = {(f.indicator, f.year, f.value, f.derived) for f in figures}
    assert ("流通人次", 2023, 52.6, False) in rows and ("流通人次", 2022, 47.3, False) in rows
    assert ("外借册次", 2021, 29.8, False) in rows
    assert not any(f.derived and f.year == 2022 for f in figures)  # stated, so not worked back from 11.2% too
    assert not any(f.indicator.startswith(("比", "较")) for f in figures)


def test_a_report_in_parts_plans_in_its_planning_part(tmp_path):
    body = (
        "全年举办阅读推广活动288场。\n\n"
        "第二部分  2024年工作计划\n\n"
        "一、完成主要业务指标。全年举办阅读推广活动320场以上。"
    )
    figures = _figures(tmp_path, body, title="青川区图书馆2023年工作总结暨2024年工作计划")
    by_value = {f.value: (f.year, f.kind) for f in figures if f.unit == "场"}
    assert by_value[288.0] == (2023, "actual")
    assert by_value[320.0] == (2024, "target")


def test_a_table_of_libraries_by_year_gives_each_library_the_captions_quantity(tmp_path):
    table = (
        "表4  2022—2023年石门市各公共图书馆书刊外借册次（单位：万册次）\n"
        "馆名 | 2022年 | 2023年\n"
        "石门市图书馆 | 61.2 | 70.4\n"
        "东江县图书馆 | 12.5 | 14.1\n"
    )
    figures = _figures(tmp_path, table, title="石门年鉴2024·公共图书馆")
    rows = {(f.org, f.indicator, f.year, f.value, f.unit) for f in figures}
    assert ("东江县图书馆", "外借册次", 2023, 14.1, "万册次") in rows
    assert ("石门市图书馆", "外借册次", 2022, 61.2, "万册次") in rows
    assert len(rows) == 4


def test_how_many_asks_for_things_counted_not_an_amount():
    from assistant.counting import counts_in

    assert counts_in("个", "全市有公共图书馆5个，其中市级馆1个")
    assert counts_in("个", "机构数：2023年：5家")
    # 53118千册 of books or 3.2万人次 of visits does not say how many there are of anything
    assert not counts_in("个", "公共图书馆图书总藏量：2021：53118千册")
    assert not counts_in("个", "全年接待读者3.2万人次，开放2800小时")
