"""The metrics table as rows for people: JSON, CSV and Excel, with Chinese column names.

Cells hold text taken from documents (indicator phrases, quotes, file names), so an
export must never hand a spreadsheet a formula: text that a spreadsheet would read
as one is written with a leading apostrophe (OWASP's CSV-injection guidance), and
Excel cells are typed as text; real numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import IO

from index import MetricRow

KIND_ZH = {"actual": "实际", "target": "目标", "cumulative": "累计/存量", "asof": "截至"}
COLUMNS = [
    ("indicator", "指标"),
    ("year", "年份"),
    ("value", "数值"),
    ("unit", "单位"),
    ("kind", "类型"),
    ("scope", "范围"),
    ("org", "单位名称"),
    ("qualifier", "限定"),
    ("change", "同比/变化"),
    ("derived", "推算"),
    ("formula", "公式"),
    ("check_note", "核对"),
    ("stated", "原文数字"),
    ("file_name", "来源文件"),
    ("phrase", "原文指标"),
    ("quote", "原文"),
]


def row_values(r: MetricRow) -> dict:
    change = None
    if r.change_pct is not None:
        change = f"{'+' if r.change_dir == 'up' else '-'}{r.change_pct:g}%"
    return {
        "indicator": r.indicator,
        "year": r.year,
        "value": r.value,
        "unit": r.unit,
        "kind": KIND_ZH.get(r.kind, r.kind),
        "scope": r.scope,
        "org": r.org,
        "qualifier": r.qualifier or "",
        "change": change or "",
        "derived": "是" if r.derived else "",
        "formula": r.formula or "",
        "check_note": r.check_note or "",
        "stated": r.stated,
        "file_name": r.file_name,
        "phrase": r.phrase,
        "quote": r.quote[:200],
    }


# What a spreadsheet reads as the start of a formula (or of a cell it re-parses as one).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A cell value a spreadsheet shows, never evaluates: formula-like text gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def export_row(r: MetricRow) -> list:
    values = row_values(r)
    return [safe_cell(values[key]) for key, _ in COLUMNS]


def to_csv(rows: list[MetricRow]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([zh for _, zh in COLUMNS])
    for r in rows:
        writer.writerow(export_row(r))
    return buf.getvalue()


def to_xlsx(rows: list[MetricRow], path: Path | IO[bytes]) -> None:
    """The workbook, saved to a path or a binary file object."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.worksheet import Worksheet

    wb = Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)  # a new workbook opens on one empty worksheet
    ws.title = "指标"
    ws.append([zh for _, zh in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append(export_row(r))
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text stays text, whatever it starts with
    ws.freeze_panes = "A2"
    wb.save(path)
