"""Figure extraction on small documents written by the test, and on the real seed."""

import docx
import openpyxl
import pytest

from ingest import derive_prior_year, parse_file


def _doc(tmp_path, body, title="青川区图书馆2024年工作总结", name="doc.txt"):
    f = tmp_path / name
    f.write_text(f"{title}\n\n一、主要工作\n\n{body}\n", encoding="utf-8")
    return parse_file(f)


def _stated(doc):
    return [f for f in doc.figures if not f.derived]


def test_figures_with_units_changes_and_magnitude(tmp_path):
    doc = _doc(
        tmp_path, "2024年，全区总分馆进馆人数392.88万次，同比增长5.86%；文献流通量101.21万册次，同比负增长19.42%。"
    )
    visits, loans = _stated(doc)
    assert (visits.indicator, visits.year, visits.value, visits.unit, visits.kind) == (
        "进馆人数",
        2024,
        392.88,
        "万次",
        "actual",
    )
    assert visits.plain_value == pytest.approx(3928800) and visits.base_unit == "次"
    assert (visits.change_dir, visits.change_pct) == ("up", 5.86)
    assert (loans.indicator, loans.change_dir, loans.change_pct) == ("文献流通量", "down", 19.42)
    assert doc.text[visits.char_start : visits.char_end] == "392.88万次"
    assert visits.chunk_id == doc.chunks[0].id


def test_prior_year_is_derived_to_the_stated_precision(tmp_path):
    doc = _doc(tmp_path, "全年进馆人数392.88万次，同比增长5.86%；新增注册读者1.60万人，同比负增长34.76%。")
    derived = {f.indicator: f for f in doc.figures if f.derived}
    assert derived["进馆人数"].year == 2023 and derived["进馆人数"].stated == "371.13万次"
    assert "392.88万次 ÷ (1 + 5.86%)" in derived["进馆人数"].formula and derived["进馆人数"].formula.startswith("推算")
    assert derived["新增注册读者"].stated == "2.45万人"  # 1.60 / (1 - 0.3476) = 2.4525…
    assert derive_prior_year(_stated(doc)[0]).value == pytest.approx(371.13)


def test_percentage_checked_against_its_counts(tmp_path):
    doc = _doc(tmp_path, "292个村（社区）当中，已建成读书驿站的有231个，覆盖率达79.1%。")
    share = next(f for f in doc.figures if f.unit == "%")
    assert share.indicator == "读书驿站覆盖率" and share.value == 79.1
    assert share.check and "✓" in share.check
    wrong = _doc(tmp_path, "292个村（社区）当中，已建成读书驿站的有231个，覆盖率达81.5%。", name="b.txt")
    assert next(f for f in wrong.figures if f.unit == "%").check is None


def test_qualifiers_are_kept_not_turned_into_exact_values(tmp_path):
    doc = _doc(
        tmp_path, "近20名专家学者已同意加入；活动吸引超11万群众参与；收到捐书300多册；公众号阅读量达16.07万余人次。"
    )
    by_value = {f.value: f for f in _stated(doc)}
    assert by_value[20].qualifier == "近"
    assert by_value[11].qualifier == "超" and by_value[11].unit == "万人"
    assert by_value[300].qualifier == "多"
    assert by_value[16.07].qualifier == "余" and by_value[16.07].unit == "万人次"


def test_numbers_that_are_not_figures(tmp_path):
    doc = _doc(
        tmp_path,
        "截至2024年12月31日，严格落实“第一议题”制度，紧扣“4·23世界读书日”，入选2022年-2023年全民阅读基地，"
        "《南海图书馆年鉴2023》获评特优年鉴，认真贯彻“1128”总思路，第四届阅读月于3月开幕。",
    )
    assert _stated(doc) == []


def test_plan_section_figures_are_targets_and_report_targets_too(tmp_path):
    f = tmp_path / "combined.txt"
    f.write_text(
        "青川区图书馆2024年工作总结暨2025年工作计划\n\n一、2024年主要工作\n\n"
        "全年进馆人数208.37万次，为年度目标210万次的99.22%。\n\n"
        "二、2025年工作计划\n\n进馆人数达到215万次，新建读书驿站8间。\n",
        encoding="utf-8",
    )
    figs = {(f.indicator, f.value): f for f in parse_file(f).figures if not f.derived}
    assert figs[("进馆人数", 208.37)].kind == "actual" and figs[("进馆人数", 208.37)].year == 2024
    assert figs[("进馆人数", 210)].kind == "target" and figs[("进馆人数", 210)].year == 2024
    assert figs[("进馆人数", 215)].kind == "target" and figs[("进馆人数", 215)].year == 2025
    assert figs[("新建读书驿站", 8)].kind == "target"
    assert not any(f.value == 99.22 for f in figs.values())  # a completion rate is no figure of its own


def test_cumulative_and_asof(tmp_path):
    doc = _doc(
        tmp_path, "累计馆藏量384.83万册。截至2024年12月，共开展集中学习5次。截止12月30日，官网访问量达213.79万次。"
    )
    kinds = {f.indicator: f.kind for f in _stated(doc)}
    assert kinds["累计馆藏量"] == "cumulative"
    assert kinds["集中学习"] == "asof"
    assert kinds["官网访问量"] == "asof"


def test_unknown_indicator_is_kept_under_its_own_phrase(tmp_path):
    doc = _doc(tmp_path, "全年开展古籍修复培训班3期。")
    (fig,) = _stated(doc)
    assert fig.value == 3 and fig.unit == "期" and "古籍修复培训班" in fig.indicator


def test_number_with_no_indicator_invents_nothing(tmp_path):
    doc = _doc(tmp_path, "其中有3个。数字1128。")
    assert all(f.indicator for f in doc.figures)
    assert not any(f.value == 1128 for f in doc.figures)


def test_table_figures_from_cells_with_years_units_and_change(tmp_path):
    d = docx.Document()
    d.add_heading("青川区图书馆2023年工作总结", level=0)
    d.add_heading("一、主要指标", level=1)
    t = d.add_table(rows=3, cols=5)
    rows = [
        ["指标", "单位", "2022年", "2023年", "同比"],
        ["外借册次", "万册次", "61.38", "58.94", "-3.98%"],
        ["读书驿站数", "间", "38", "52", "+36.84%"],
    ]
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            t.cell(i, j).text = value
    f = tmp_path / "t.docx"
    d.save(f)
    figs = {(x.indicator, x.year): x for x in parse_file(f).figures if not x.derived}
    assert figs[("外借册次", 2023)].value == 58.94 and figs[("外借册次", 2023)].unit == "万册次"
    assert figs[("外借册次", 2023)].change_dir == "down" and figs[("外借册次", 2023)].change_pct == 3.98
    assert figs[("外借册次", 2022)].value == 61.38
    assert figs[("读书驿站数", 2023)].kind == "cumulative"
    assert not any(x.value in (3.98, 36.84) for x in figs.values())


def test_broken_and_merged_cell_tables_do_not_crash_or_invent(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "分馆"
    ws.append(["2024年分馆运行情况（合并标题）"])
    ws.merge_cells("A1:D1")
    ws.append(["分馆名称", "2024年进馆人次（万人次）", "建筑面积（平方米）", "备注"])
    ws.append(["临江分馆", 18.63, 2400, "—"])
    ws.append(["白鹭湖分馆", None, "不详", ""])  # empty and non-numeric cells
    ws.append([None, None, None, None])
    ws.append(["合计", "#REF!", None, None])  # a broken formula result
    f = tmp_path / "s.xlsx"
    wb.save(f)
    figs = [x for x in parse_file(f).figures if not x.derived]
    got = sorted((x.indicator, x.scope, x.value, x.unit, x.year) for x in figs)
    assert got == [("建筑面积", "临江分馆", 2400.0, "平方米", 2024), ("进馆人数", "临江分馆", 18.63, "万人次", 2024)]


def test_percentage_with_no_base_is_a_share_without_a_check(tmp_path):
    doc = _doc(tmp_path, "读者满意率为96.3%。")
    (fig,) = _stated(doc)
    assert fig.unit == "%" and fig.value == 96.3 and fig.check is None


def test_seed_figures(seed_txt):
    figs = [f for f in parse_file(seed_txt).figures if not f.derived]
    keys = {(f.indicator, f.value, f.unit) for f in figs}
    assert ("进馆人数", 392.88, "万次") in keys
    assert ("应付未付款", 509.22, "万元") in keys and ("应付未付款", 242.12, "万元") in keys
    assert ("轮换图书", 3326941, "册") in keys
    assert len(figs) >= 45


def test_staff_can_extend_indicators_with_their_own_file(tmp_path):
    from ingest import load_indicators

    extra = tmp_path / "mine.yaml"
    extra.write_text(
        "古籍修复:\n  aliases: [古籍修复培训班]\n  unit: 期\n进馆人数:\n  aliases: [来馆人次]\n", encoding="utf-8"
    )
    indicators = load_indicators(extra)
    f = tmp_path / "d.txt"
    f.write_text(
        "青川区图书馆2024年工作总结\n\n一、主要工作\n\n全年开展古籍修复培训班3期，来馆人次210万次。\n", encoding="utf-8"
    )
    figs = {x.indicator: x for x in parse_file(f, indicators=indicators).figures}
    assert figs["古籍修复"].value == 3 and figs["进馆人数"].value == 210
    assert "古籍修复" not in {x.indicator for x in parse_file(f).figures}  # the bundled list is untouched
