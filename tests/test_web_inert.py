"""What the web UI shows and exports stays inert: document text rendered as words, formulas written as text.

The hostile document of ``hostile_server`` (HTML, Markdown images and links, a full-page overlay) is
rendered by the UI's own functions; the metrics exports get cells that a spreadsheet would read as
formulas. The same text in a real browser is in ``test_web_hostile.py``.
"""

from __future__ import annotations

import csv
import html
import io

import pytest
from hostile_server import hostile_text

pytestmark = [pytest.mark.browser, pytest.mark.slow]


# -- 2. document text is shown as text ------------------------------------------------------------
def _hostile_answer(port: int):
    from assistant.types import Answer, Citation, FigureUsed

    text = hostile_text(port)
    return Answer(
        question="维护安排",
        answer=text,
        grounded=False,
        unverified_numbers=[f"<img src=http://127.0.0.1:{port}/n>"],
        citations=[
            Citation(
                1,
                f"![f](http://127.0.0.1:{port}/f).txt",
                "一、维护安排\n\n![s](http://x/s)",
                3,
                "前文\n\n" + text + "\n\n<script>alert(1)</script>",
            )
        ],
        figures=[
            FigureUsed(
                "<b onmouseover=x>指标</b>",
                2024,
                1.0,
                "[单位](http://127.0.0.1:1/u)",
                f"<img src=http://127.0.0.1:{port}/s>",
                derived=True,
                formula="![f](http://x/f)",
            )
        ],
    )


ALLOWED_TAGS = {
    "div",
    "span",
    "b",
    "br",
    "details",
    "summary",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}


def _tags(markup: str) -> list[tuple[str, list]]:
    from html.parser import HTMLParser

    found: list[tuple[str, list]] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Collect(convert_charrefs=True).feed(markup)
    return found


def _assert_inert(markup: str) -> None:
    for tag, attrs in _tags(markup):
        assert tag in ALLOWED_TAGS, tag
        assert all(name == "class" for name, _ in attrs), (tag, attrs)
    for construct in ("![", "](", "<http", "http://", "\n\n", "$$"):
        assert construct not in markup, construct


def test_render_answer_shows_document_text_as_text():
    from ui.web import render_answer

    answer = _hostile_answer(9)
    markup = render_answer(answer)
    _assert_inert(markup)
    shown = html.unescape(markup)
    assert "<img src=http://127.0.0.1:9/x>" in shown and "![x](http://127.0.0.1:9/y)" in shown
    assert "会话已过期，请重新登录" in shown and "position:fixed" in shown  # visible, as words


def test_status_texts_and_plan_preview_are_inert():
    from ui import web
    from ui.web import job_markdown, plan_preview

    snap = {
        "job_id": "abcdef123456",
        "state": "failed",
        "files_done": 1,
        "files_total": 1,
        "chunks_embedded": 0,
        "chunks_planned": 0,
        "error": "![e](http://127.0.0.1:9/e)",
        "files": [
            {
                "name": "<img src=http://127.0.0.1:9/n>.txt",
                "status": "failed",
                "error": '[点此](http://127.0.0.1:9/r) <div style="position:fixed">x</div>',
            }
        ],
    }
    out = job_markdown(snap)
    for construct in ("![", "](", "<img", "<div", "http://"):
        assert construct not in out, construct
    assert "<img src=http://127.0.0.1:9/n>.txt" in html.unescape(out)

    plan = (
        "# 2025年工作计划\n\n## 一、总体思路\n\n- 推进读书驿站建设![x](http://127.0.0.1:9/p)\n"
        "- 见<http://127.0.0.1:9/q>与[链接](http://127.0.0.1:9/l)<img src=http://127.0.0.1:9/i>\n"
        "| 指标 | 目标 |\n|---|---|\n| 进馆人数 | 210万人次 |\n"
    )
    preview = plan_preview(plan)
    for construct in ("![", "](", "<img", "<http", "http://"):
        assert construct not in preview, construct
    assert (
        preview.startswith("# 2025年工作计划")
        and "## 一、总体思路" in preview
        and "| 进馆人数 | 210万人次 |" in preview
    )
    assert "<" not in web.inert("<b>") and html.unescape(web.inert("<b>")) == "<b>"


# -- 3. exports carry no formulas -----------------------------------------------------------------
def _metric_row(**changes):
    from index import MetricRow

    base = dict(
        id=1,
        doc_id="d",
        file_name="青川区图书馆2024年工作总结.txt",
        title="t",
        doc_type="工作总结",
        org="青川区图书馆",
        chunk_id=None,
        indicator="进馆人数",
        phrase="进馆人数",
        value=208.37,
        unit="万人次",
        plain_value=2083700.0,
        base_unit="人次",
        year=2024,
        kind="actual",
        scope="",
        as_of=None,
        qualifier=None,
        change_pct=6.05,
        change_dir="down",
        change_text=None,
        derived=False,
        formula=None,
        char_start=0,
        char_end=1,
        stated="208.37万人次",
        quote="全年进馆人数208.37万人次",
        check_note=None,
    )
    base.update(changes)
    return MetricRow(**base)


HOSTILE_CELLS = {
    "indicator": '=HYPERLINK("http://127.0.0.1:9/x","点击")',
    "org": "+1+cmd|' /C calc'!A0",
    "phrase": "-2+3",
    "file_name": "@SUM(A1:A9).txt",
    "qualifier": "\t=1+1",
    "quote": "\r=2+2",
    "scope": "=1",
}


def test_exports_write_formula_like_text_as_text(tmp_path):
    from openpyxl import load_workbook

    from ui.metrics_export import COLUMNS, to_csv, to_xlsx

    rows = [_metric_row(**HOSTILE_CELLS), _metric_row(id=2, value=-3.5, change_pct=None)]
    keys = [key for key, _ in COLUMNS]
    records = list(csv.reader(io.StringIO(to_csv(rows))))
    first = dict(zip(keys, records[1]))
    for key, raw in HOSTILE_CELLS.items():
        assert first[key] == "'" + (raw if key != "quote" else raw[:200]), key
    assert first["change"] == "'-6.05%"  # a text cell that happens to start with "-"
    assert records[1][keys.index("value")] == "208.37" and records[2][keys.index("value")] == "-3.5"

    path = tmp_path / "指标表.xlsx"
    to_xlsx(rows, path)
    sheet = load_workbook(path).active
    cells = {key: sheet.cell(row=2, column=i + 1) for i, key in enumerate(keys)}
    for key, raw in HOSTILE_CELLS.items():
        assert cells[key].data_type == "s" and cells[key].value == "'" + raw, key
    assert cells["value"].data_type == "n" and cells["value"].value == 208.37
    assert cells["year"].data_type == "n" and cells["year"].value == 2024
    negative = sheet.cell(row=3, column=keys.index("value") + 1)
    assert negative.data_type == "n" and negative.value == -3.5
    with path.open("rb") as fh:  # no formula element anywhere in the sheet
        import zipfile

        with zipfile.ZipFile(fh) as z:
            assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")
