"""Statistics tables: .xlsx workbooks and .csv files, one row one sentence."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import openpyxl

from ..errors import IngestError
from ..limits import ReadLimits
from ..outline import looks_like_title
from ..types import Block
from .container import check_zip
from .rows import table_row
from .sheet_size import refuse_large_sheets, too_many_cells, too_many_rows
from .text import read_text


def _filled(row: list[object]) -> int:
    return sum(1 for c in row if c not in (None, ""))


def _header_index(rows: list[list[object]]) -> int:
    """The header is the first row filling more than half the table's width: a merged title row has one
    cell, and a form's 填报单位 … 统计时间 line two, before the column names come."""
    widest = max((_filled(r) for r in rows[:_HEADER_SEARCH]), default=0)
    for i, row in enumerate(rows):
        if _filled(row) >= 2 and _filled(row) * 2 > widest:
            return i
    return 0


_HEADER_SEARCH = 20  # rows looked at for the table's width: titles and notes above it are few


def _sheet_blocks(name: str, rows: list[list[object]]) -> list[Block]:
    rows = [r for r in rows if any(c not in (None, "") for c in r)]
    if not rows:
        return []
    h = _header_index(rows)
    above = ("　".join(str(c).strip() for c in rows[i] if c not in (None, "")) for i in range(h))
    blocks = [Block(text=line, kind="text") for line in above if line]
    blocks.insert(0, Block(text=name, kind="heading", level=1))
    header = [("" if c is None else str(c)) for c in rows[h]]
    for row in rows[h + 1 :]:
        block = table_row(header, list(row), None)
        if block is not None:
            block.table = name
            blocks.append(block)
    return blocks


class RowCounter:
    """Rows and cells read so far from one file, refused the moment a cap is passed.

    Counting happens as rows come off the parser, so whatever a file claims about
    its size, reading it costs at most the cap.
    """

    def __init__(self, file_name: str, limits: ReadLimits):
        self.file_name = file_name
        self.limits = limits
        self.rows = 0
        self.cells = 0

    def take(self, rows: Iterable[Iterable[object]]) -> Iterator[list[object]]:
        for row in rows:
            row = list(row)
            self.rows += 1
            self.cells += len(row)
            if self.rows > self.limits.max_sheet_rows:
                raise too_many_rows(self.file_name, self.limits)
            if self.cells > self.limits.max_sheet_cells:
                raise too_many_cells(self.file_name, self.limits)
            yield row


def load_xlsx(path: Path, limits: ReadLimits | None = None) -> list[Block]:
    limits = limits or ReadLimits()
    check_zip(path, limits, "Excel ", ".xlsx")
    # Counted again as openpyxl hands rows out: the pre-scan mirrors its padding, this enforces it.
    counter = RowCounter(path.name, limits)
    blocks: list[Block] = [Block(text=path.stem, kind="title")]
    try:
        refuse_large_sheets(path, limits)  # before openpyxl, which parses a sheet without <dimension> whole
        # read_only streams rows off the XML instead of building every cell first.
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            for ws in wb.worksheets:
                blocks.extend(_sheet_blocks(ws.title, list(counter.take(ws.iter_rows(values_only=True)))))
        finally:
            wb.close()
    except IngestError:
        raise
    except Exception as exc:  # openpyxl raises many types for damaged parts
        raise IngestError(path.name, f"Excel 文件无法读取（{exc}）", f"cannot read the workbook ({exc})") from exc
    if len(blocks) == 1:
        raise IngestError(path.name, "Excel 文件中没有数据", "the workbook has no data")
    return _titled(blocks)


def load_csv(path: Path, limits: ReadLimits | None = None) -> list[Block]:
    limits = limits or ReadLimits()
    text = read_text(path, limits)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;，")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        rows = list(RowCounter(path.name, limits).take(reader))
    except csv.Error as exc:
        raise IngestError(path.name, f"CSV 文件格式有误（{exc}）", f"malformed CSV ({exc})") from exc
    blocks = [Block(text=path.stem, kind="title")] + _sheet_blocks(path.stem, rows)
    if len(blocks) <= 2:
        raise IngestError(path.name, "CSV 文件中没有数据", "the CSV file has no data")
    return _titled(blocks)


def _titled(blocks: list[Block]) -> list[Block]:
    """A statistics form's title line above its first table (某市2024年主要业务指标统计表) names the
    workbook better than its file name does."""
    for i, block in enumerate(blocks[1:], start=1):
        if block.kind == "table_row":
            break
        if block.kind == "text" and looks_like_title(block.text) and not re.search(r"[:：]", block.text):
            # 单位：万元 or 填报单位：… is a form's field, not its title
            return [Block(text=block.text, kind="title"), *blocks[1:i], *blocks[i + 1 :]]
    return blocks
