"""A table row written out as a sentence that names its columns."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..figures.patterns import COUNT_UNIT_PATTERN
from ..types import Block


def table_row(header: Sequence[object], row: Sequence[object], table: str | None = None) -> Block | None:
    """A row as a ``table_row`` block: readable text plus the (column header, cell) pairs.

    The text is what search and citations see; the cells keep the structure so
    figures are read from the table itself, not guessed back from prose.
    """
    text = row_text(header, row, table)
    if not text:
        return None
    cells = [_cell(c) for c in row]
    names = [_cell(h) for h in header]
    at = _label_column(cells)
    pairs = tuple((names[i] if i < len(names) else "", v) for i, v in enumerate(cells) if v and i != at)
    return Block(text=text, kind="table_row", table=table, label=cells[at], cells=pairs)


def _cell(value: object) -> str:
    return value.strip() if isinstance(value, str) else ("" if value is None else _fmt(value))


def row_text(header: Sequence[object], row: Sequence[object], table: str | None = None) -> str:
    """['指标','2023年'] + ['进馆人数','350'] → '进馆人数：2023年：350。'

    The first column usually names the row (an indicator or a branch); each
    other non-empty cell is written with its column header so that the figure
    keeps its meaning outside the table.
    """
    cells = [_cell(c) for c in row]
    header = [_cell(h) for h in header]
    if not any(cells):
        return ""
    at = _label_column(cells)
    label = cells[at]
    row_unit = _UNIT_NOTE.search(label)
    if row_unit:  # 参考咨询（条）：2023年：2310 reads 参考咨询：2023年：2310条
        label = label[: row_unit.start()]
    parts = []
    for i, value in enumerate(cells):
        if i == at or not value:
            continue
        name = str(header[i]) if i < len(header) and header[i] else f"第{i + 1}列"
        percent = _PERCENT_HEADER.search(name)
        column_unit = _UNIT_NOTE.search(name)
        if re.fullmatch(r"[+-]?\d[\d,.]*", value):  # a bare number takes the unit its row or column gives
            if percent:  # 比上年增长（%）：12.2 reads 比上年增长：12.2%
                name, value = name[: percent.start()] + name[percent.end() :], f"{value}%"
            elif column_unit:
                name, value = name[: column_unit.start()], value + column_unit.group(1)
            elif row_unit and not _CHANGE_COLUMN.search(name):
                value += row_unit.group(1)
        parts.append(f"{name}：{value}")
    body = "；".join(parts)
    prefix = f"{table}｜" if table else ""
    if label:
        return f"{prefix}{label}：{body}。" if body else f"{prefix}{label}。"
    return f"{prefix}{body}。"


# A header giving its cells' unit as a percentage: 增长（%）, 占比(%)
_PERCENT_HEADER = re.compile(r"\s*[（(]\s*%\s*[)）]")
# A row's name or a column's header giving its cells' unit: 参考咨询（条）, 2024年（万人次）, 经费（单位：万元）
_UNIT_NOTE = re.compile(rf"\s*[（(]\s*(?:单位\s*[:：]\s*)?((?:千|万|亿)?(?:{COUNT_UNIT_PATTERN}))\s*[)）]\s*$")
# A column of changes or shares holds no quantity in the row's unit: 增减 12.5 is a percentage or a difference
_CHANGE_COLUMN = re.compile(r"同比|增减|增长|变化|增幅|降幅|环比|完成率|占比|比例|比重|率")
_NUMERIC = re.compile(r"^[+-]?\d[\d,.]*%?$")
# The shape `row_text` writes: an optional table title and ｜, the row's name, then 列名：值 pairs joined by ；.
_ROW_SHAPE = re.compile(r"^(?:[^｜。]*｜)?[^：。]+：(?:[^：；。]+：[^；。]+；)*[^：；。]+：[^；。]+。?$")


def is_row_text(line: str) -> bool:
    """Whether a line is a table row as `row_text` writes it (one unit: its ； do not end sentences)."""
    return bool(_ROW_SHAPE.match(line.strip()))


def _label_column(cells: list[str]) -> int:
    """The row's name: the first non-numeric cell (a year or serial number column is skipped; a dash
    marking a value not reported names nothing); the first cell when all are numbers (a year per row)."""
    for i, cell in enumerate(cells):
        if cell and not _NUMERIC.match(cell) and not _NOT_REPORTED.match(cell):
            return i
    return 0


_NOT_REPORTED = re.compile(r"^[-—–…/]+$")


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)
