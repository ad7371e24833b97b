"""The 指标 tab's trend chart on the sample corpus: the data handed to the plot is the trend that
``lantai metrics trend --json`` reports, figure for figure from the metrics table."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import pandas as pd
import pytest
from typer.testing import CliRunner

from ui.cli import app
from ui.services.metrics import Metrics
from ui.web.tabs.metrics import ALL, MetricHandlers

pytestmark = pytest.mark.slow

QINGCHUAN = "青川区图书馆"


@pytest.fixture(scope="module")
def handlers(corpus_kb):
    return MetricHandlers(SimpleNamespace(metrics=Metrics(corpus_kb)), cache=None)


def plotted(result) -> pd.DataFrame:
    """The frame the trend handler hands to the plot component."""
    for part in result if isinstance(result, tuple) else (result,):
        if isinstance(part, dict) and isinstance(part.get("value"), pd.DataFrame):
            return part["value"]
    raise AssertionError(f"no plot data in {result!r}")


def of_library(frame: pd.DataFrame, library: str) -> pd.DataFrame:
    return frame[frame["图书馆"] == library] if "图书馆" in frame else frame


def cli_trend(kb, indicator: str, library: str | None = None, scope: str | None = None) -> dict:
    args = ["metrics", "trend", "--indicator", indicator, "--json", "--data-dir", str(kb.data_dir)]
    args += ["--org", library] if library else []
    args += ["--scope", scope] if scope else []
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_whole_library_trend_never_plots_a_branch(handlers):
    frame = of_library(plotted(handlers.trend("进馆人数", ALL)), QINGCHUAN)
    by_year = dict(zip(frame["年份"], frame["数值"]))
    assert by_year["2024"] == 208.37  # the library's total, not 临江分馆's 18.63万人次
    assert by_year == {"2022": 142.05, "2023": 196.48, "2024": 208.37}
    branch = plotted(handlers.trend("进馆人数", "临江分馆"))
    assert list(branch["数值"]) == [18.63]


def note_of(result) -> str:
    """What the trend handler says beside the chart."""
    return result[-1] if isinstance(result, tuple) and isinstance(result[-1], str) else ""


def test_whole_scope_names_the_libraries_it_does_not_draw(handlers, corpus_kb):
    libraries = sorted({r.org for r in corpus_kb.metrics.all() if r.org})
    if len(libraries) < 2:
        pytest.skip("only one library's documents are ingested")
    for library in (ALL, QINGCHUAN):
        result = handlers.trend("进馆人数", "全区", library)
        drawn = set(plotted(result).get("图书馆", []))
        assert drawn == {QINGCHUAN}  # one library a chart, never two mixed into one line
        note = note_of(result)
        others = [lib for lib in libraries if lib != QINGCHUAN]
        assert all(f"{lib}的" in note and "未画出" in note for lib in others), note
        assert QINGCHUAN in result[0]


def test_a_figure_stated_differently_is_named_beside_the_chart(handlers):
    note = note_of(handlers.trend("进馆人数", ALL, QINGCHUAN))
    assert "2023年另有19.86万人次" in note  # the reading stations' visits, not the library's
    assert "分馆、服务点等范围" in note and "计划目标" in note


def _check_against_cli_and_table(handlers, kb, indicator, library, scope):
    frame = plotted(handlers.trend(indicator, scope or ALL, library or ALL))
    if library is None:  # the library the chart chose when none was
        library = frame["图书馆"].iloc[0] if len(frame) else None
    reported = cli_trend(kb, indicator, library, scope)
    points = reported["points"]
    assert list(frame["年份"]) == [str(p["year"]) for p in points], indicator
    assert list(frame["数值"]) == [p["value"] for p in points], indicator
    assert list(frame["图书馆"]) == [p["library"] for p in points], indicator
    assert len({(p["library"], p["year"]) for p in points}) == len(points)  # one value a year and library
    rows = {r["id"]: r for r in Metrics(kb).rows(reported["indicator"]) for r in [r.as_dict()]}
    for p in points:
        row = rows[p["figure_id"]]
        assert row["year"] == p["year"] and row["stated"] == p["stated"] and not row["derived"]
        assert row["kind"] in ("actual", "cumulative", "asof")
        assert row["scope"] == scope if scope else row["scope"] in ("", "全区", "本馆", "合计")
        assert row["org"] == p["library"] and (library is None or row["org"] == library)
        if row["unit"] == p["unit"]:
            assert row["value"] == p["value"]
        number = re.search(r"\d+(?:\.\d+)?", row["stated"])
        assert number and number.group() in row["quote"].replace(",", ""), row  # the cited passage states it


def test_chart_is_what_the_command_line_reports_for_every_indicator(handlers, corpus_kb):
    metrics = Metrics(corpus_kb)
    indicators = metrics.indicators_known()
    assert len(indicators) > 50
    for indicator in indicators:
        for library in [None, *metrics.libraries()]:
            _check_against_cli_and_table(handlers, corpus_kb, indicator, library, None)
    for scope in ("临江分馆", "总馆"):
        _check_against_cli_and_table(handlers, corpus_kb, "进馆人数", QINGCHUAN, scope)
