"""The metrics table on the sample corpus: real SQLite, real Chroma, the real embedder."""

import json

import openpyxl
import pytest
from typer.testing import CliRunner

from ui.cli import app

pytestmark = pytest.mark.slow


def test_exactly_the_deliberate_conflict_is_listed(corpus_kb):
    conflicts = corpus_kb.metrics.conflicts()
    assert [(c.indicator, c.year) for c in conflicts] == [("文献流通量", 2023)]
    values = {(r.file_name, r.value) for r in conflicts[0].rows}
    assert ("qingchuan-yearbook-2023-excerpt.md", 86.32) in values
    assert ("qingchuan-2023-summary.docx", 86.23) in values


def test_same_value_in_another_form_is_no_conflict(corpus_kb):
    rows = corpus_kb.metrics.lookup("新增注册读者", 2023, kinds=["actual"])
    assert {r.plain_value for r in rows if not r.derived} == {23700.0}
    assert {r.unit for r in rows if not r.derived} >= {"万人", "人"}


def test_targets_linked_to_later_actuals(corpus_kb):
    status = {(t.indicator, t.year, t.target.file_name): t for t in corpus_kb.metrics.target_status()}
    visits_2024 = status[("进馆人数", 2024, "qingchuan-2024-plan.txt")]
    assert visits_2024.status == "not_met" and visits_2024.actual.value == 208.37
    assert status[("新建读书驿站", 2024, "qingchuan-2024-plan.txt")].status == "met"
    assert status[("进馆人数", 2023, "qingchuan-2023-plan.txt")].status == "met"
    assert status[("新建读书驿站", 2023, "qingchuan-2023-plan.txt")].status == "not_met"
    future = status[("进馆人数", 2025, "qingchuan-2024-summary-2025-plan.pdf")]
    assert future.status == "not_reported" and future.actual is None


def test_series_shows_the_three_year_decline(corpus_kb):
    series = corpus_kb.metrics.series("文献流通量", org="青川区图书馆")
    stated = {y: [r.value for r in rows if not r.derived] for y, rows in series.items()}
    assert stated[2022][0] == 92.41 and stated[2023][0] == 86.23 and stated[2024][0] == 79.65
    derived_2021 = [r for r in series[2021] if r.derived]
    assert derived_2021 and derived_2021[0].stated == "98.73万册次"  # 92.41 at -6.40%


def test_lookup_by_alias_and_by_chunk(corpus_kb):
    rows = corpus_kb.metrics.lookup("到馆人次", 2024)
    assert rows and all(r.indicator == "进馆人数" for r in rows)
    first = next(r for r in rows if r.file_name.endswith(".pdf") and not r.derived)
    in_chunk = corpus_kb.metrics.figures_in(first.chunk_id)
    assert any(r.id == first.id for r in in_chunk)
    chunk = corpus_kb.registry.chunks([first.chunk_id])[first.chunk_id]
    assert first.stated in chunk.text


def test_figures_follow_their_document(tmp_path, kb):
    f = tmp_path / "report.txt"
    f.write_text("青川区图书馆2023年工作总结\n\n一、主要工作\n\n全年开展阅读推广活动412场次。\n", encoding="utf-8")
    kb.ingest([f])
    assert [r.value for r in kb.metrics.lookup("阅读推广活动场次")] == [412]
    f.write_text("青川区图书馆2023年工作总结\n\n一、主要工作\n\n全年开展阅读推广活动455场次。\n", encoding="utf-8")
    kb.ingest([f])
    assert [r.value for r in kb.metrics.lookup("阅读推广活动场次")] == [455]
    kb.remove(kb.documents()[0].id)
    assert kb.metrics.all() == []


def test_cli_metrics_outputs(tmp_path, corpus_kb):
    runner = CliRunner()
    data = ["--data-dir", str(corpus_kb.data_dir)]
    rows = json.loads(
        runner.invoke(app, ["metrics", "--indicator", "进馆人数", "--year", "2024", "--json", *data]).output
    )
    assert rows and {r["indicator"] for r in rows} == {"进馆人数"} and {r["year"] for r in rows} == {2024}
    csv_out = runner.invoke(app, ["metrics", "--year", "2023", "--csv", *data]).output
    assert csv_out.splitlines()[0].startswith("指标,年份,数值,单位,类型")
    xlsx = tmp_path / "m.xlsx"
    result = runner.invoke(app, ["metrics", "--xlsx", str(xlsx), *data])
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(xlsx).active
    assert ws.cell(1, 1).value == "指标" and ws.max_row > 300
    conflicts = runner.invoke(app, ["metrics", "conflicts", *data]).output
    assert "86.32万册次" in conflicts and "86.23万册次" in conflicts and "共 1 处冲突" in conflicts
    bad = runner.invoke(app, ["metrics", "--xlsx", str(tmp_path / "m.txt"), *data])
    assert bad.exit_code == 2 and ".xlsx" in bad.output


def test_sum_over_branches_matches_the_stated_total_and_shares(corpus_kb):
    from index.metrics import share

    summed, whole = corpus_kb.metrics.branch_total("外借册次", 2024, org="青川区图书馆")
    assert summed is not None and summed.formula.startswith("推算")
    assert any(abs(w.value - summed.value) < 1e-6 for w in whole)  # 合计 55.17 = the branches added up
    linjiang = next(r for r in corpus_kb.metrics.lookup("进馆人数", 2024, scope="临江分馆") if not r.derived)
    total = next(
        r
        for r in corpus_kb.metrics.lookup("进馆人数", 2024, org="青川区图书馆")
        if r.scope in ("", "全区") and not r.derived and r.kind != "target"
    )
    result = share(linjiang, total)
    assert result.value == round(18.63 / 208.37 * 100, 2) and "÷" in result.formula
    runner = CliRunner()
    out = runner.invoke(
        app, ["metrics", "sum", "--indicator", "外借册次", "--year", "2024", "--data-dir", str(corpus_kb.data_dir)]
    ).output
    assert "合计" in out and "✓ 一致" in out
