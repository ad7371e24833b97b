"""Open-world figures, plain-text tables and figure lookups that answer only what is asked."""

from __future__ import annotations

from assistant.figure_names import Name, best_names
from ingest import parse_file


def _figures(path):
    return [f for f in parse_file(path).figures if not f.derived]


def test_markdown_table_gives_one_figure_per_label_and_year(tmp_path):
    path = tmp_path / "stats.md"
    path.write_text(
        "# 江河县图书馆2023年统计\n\n| 指标 | 2022年 | 2023年 |\n|---|---|---|\n"
        "| 志愿服务时长（小时） | 3200 | 4100 |\n| 数字资源访问量（万次） | 12.5 | 15.8 |\n",
        encoding="utf-8",
    )
    got = {(f.indicator, f.year, f.value, f.unit) for f in _figures(path)}
    assert ("志愿服务时长", 2023, 4100.0, "小时") in got
    assert ("数字资源访问量", 2022, 12.5, "万次") in got


def test_space_aligned_year_columns_with_interleaved_translation(tmp_path):
    path = tmp_path / "yearbook.txt"
    path.write_text(
        "3-2 文化设施情况\n项目  Item 2019 2020 2021\n"
        "    开馆天数(天) 300 280 310\n        Opening days(day)\n"
        "    总流通人次(千人次) 900 450 700\n        Total circulation(1000 person-times)\n",
        encoding="utf-8",
    )
    got = {(f.indicator, f.year, f.value, f.unit) for f in _figures(path)}
    assert ("开馆天数", 2020, 280.0, "天") in got
    # 流通人次 counts people: named as such, never as the 册次 count of 文献流通量
    assert ("流通人次", 2021, 700.0, "千人次") in got
    assert not any(f[0] == "文献流通量" for f in got)


def test_tab_separated_table(tmp_path):
    path = tmp_path / "staff.txt"
    path.write_text("馆别\t从业人员(人)\t高级职称占比(%)\n总馆\t58\t12.5\n东城分馆\t9\t0\n", encoding="utf-8")
    got = {(f.indicator, f.scope, f.value, f.unit) for f in _figures(path)}
    assert ("从业人员", "总馆", 58.0, "人") in got


def test_prose_name_drops_the_library_as_subject(tmp_path):
    path = tmp_path / "summary.txt"
    path.write_text(
        "江河县图书馆2023年工作总结\n2023年，我馆全年共新办读者证780个，修补了破旧图书2170册。\n", encoding="utf-8"
    )
    names = {f.indicator for f in _figures(path)}
    assert "修补破旧图书" in names


def test_anniversary_is_not_a_count_of_weeks(tmp_path):
    path = tmp_path / "summary.txt"
    path.write_text("江河县图书馆2021年工作总结\n2021年举办庆祝建党100周年主题展览3场。\n", encoding="utf-8")
    assert all(f.unit != "周" for f in _figures(path))


_TOTAL = Name("外借册次", "图书外借", "", "万册次", ("外借册次", "图书外借", "借出册次"))
_DEPT = Name("机关借阅部", "机关借阅部", "", "万册次")
_READING_ROOM = Name("进馆人数", "阅览室接待读者", "", "万人次", ("进馆人数", "接待读者"))
_ALL = Name("接待、服务市民", "接待、服务市民", "", "万人次")


def test_a_qualified_question_never_gets_the_total():
    groups = best_names("江河县图书馆机关借阅部2017年借出多少册次？", ["江河县图书馆"], [_TOTAL, _DEPT])
    assert groups and groups[0][0] == _DEPT
    assert best_names("江河县图书馆2017年少儿借出多少册次？", ["江河县图书馆"], [_TOTAL]) is None


def test_a_plain_question_never_gets_the_qualified_figure():
    groups = best_names("江河县图书馆2017年接待服务了多少人次？", ["江河县图书馆"], [_READING_ROOM, _ALL])
    assert groups and groups[0][0] == _ALL


def test_two_figures_in_one_question_are_both_found():
    lectures = Name("各类讲座参加人次", "各类讲座参加人次", "", "千人次")
    training = Name("参加培训班人次", "参加培训班人次", "", "千人次")
    count = Name("组织各类讲座次数", "组织各类讲座次数", "", "次")
    groups = best_names("河东2017年讲座参加人次和培训班参加人次各多少？", [], [lectures, training, count])
    assert groups and [g[0] for g in groups] == [lectures, training]


def test_a_share_is_not_answered_with_a_count():
    count = Name("读书驿站覆盖村居", "读书驿站覆盖村居", "", "个")
    assert best_names("江河区读书驿站在村居的覆盖率是多少？", [], [count]) is None


def test_a_year_per_row_and_dashes_for_values_not_reported(tmp_path):
    path = tmp_path / "history.txt"
    path.write_text(
        "云溪县图书馆借阅情况表\n年份\t接待读者（万人次）\t办证（个）\n1998\t2.10\t300\n1999\t2.50\t—\n",
        encoding="utf-8",
    )
    got = {(f.year, f.value, f.unit, f.scope) for f in _figures(path)}
    assert (1998, 2.1, "万人次", "") in got and (1999, 2.5, "万人次", "") in got
    assert (1998, 300.0, "个", "") in got
    assert not any(f[0] == 1999 and f[2] == "个" for f in got)  # — is a value not reported


def test_year_columns_that_name_their_part_and_rows_that_are_part_of_the_row_above(tmp_path):
    path = tmp_path / "yearbook.txt"
    path.write_text(
        "公共图书馆情况\n项目 | 合计 2006 | 合计 2007 | 县级 2006 | 县级 2007\n"
        "总支出（万元） | 100 | 120 | 40 | 50\n其中：购书费 | 20 | 30 | 8 | 9\n",
        encoding="utf-8",
    )
    got = {(f.indicator, f.year, f.value, f.unit, f.scope) for f in _figures(path)}
    assert ("总支出", 2007, 120.0, "万元", "全区") in got  # 合计: the whole, however the place is called
    assert ("总支出", 2006, 40.0, "万元", "县级") in got
    # 其中：购书费 is counted in the unit of the row it is part of
    assert ("购书费", 2007, 9.0, "万元", "县级") in got


def test_a_name_may_wrap_around_its_number(tmp_path):
    path = tmp_path / "summary.txt"
    path.write_text("云溪县图书馆2023年工作总结\n2023年，全馆新办证320个、总流通5200人次。\n", encoding="utf-8")
    got = {(f.indicator, f.value) for f in _figures(path)}
    assert ("流通人次", 5200.0) in got  # 总流通5200人次 is the 总流通人次 of the indicator list


def test_a_stated_amount_of_change_gives_the_earlier_year_marked_as_computed(tmp_path):
    path = tmp_path / "report.txt"
    path.write_text(
        "云溪县图书馆2021年年报\n截至2021年底，全县通借通还的图书馆和服务点共694个，较2020年增加128个。\n",
        encoding="utf-8",
    )
    figures = parse_file(path).figures
    stated = {(f.year, f.value) for f in figures if not f.derived}
    assert (2021, 694.0) in stated and not any(v == 128.0 for _, v in stated)  # the change is no count
    derived = [f for f in figures if f.derived]
    assert [(f.year, f.value) for f in derived] == [(2020, 566.0)]
    assert derived[0].formula == "推算：694个 - 128个 = 566个"
