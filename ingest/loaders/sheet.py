"""Statistics tables: .xlsx workbooks and .csv files, one row one sentence."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import openpyxl

from ..errors import IngestError
from ..types import Block
from .rows import table_row
from .text import decode_text


def _header_index(rows: list[list[object]]) -> int:
    """The header is the first row with at least two filled cells (a merged title row has one)."""
    for i, row in enumerate(rows):
        if sum(1 for c in row if c not in (None, "")) >= 2:
            return i
    return 0


def _sheet_blocks(name: str, rows: list[list[object]]) -> list[Block]:
    rows = [r for r in rows if any(c not in (None, "") for c in r)]
    if not rows:
        return []
    h = _header_index(rows)
    blocks = [Block(text=str(rows[i][0]).strip(), kind="text") for i in range(h) if rows[i][0]]
    blocks.insert(0, Block(text=name, kind="heading", level=1))
    header = [("" if c is None else str(c)) for c in rows[h]]
    for row in rows[h + 1:]:
        block = table_row(header, list(row), None)
        if block is not None:
            block.table = name
            blocks.append(block)
    return blocks


def load_xlsx(path: Path) -> list[Block]:
    if not zipfile.is_zipfile(path):
        raise IngestError(path.name, "Excel 文件已损坏或不是 .xlsx 格式", "corrupt or not an .xlsx file")
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise IngestError(path.name, f"Excel 文件无法读取（{exc}）", f"cannot read the workbook ({exc})") from exc
    blocks: list[Block] = [Block(text=path.stem, kind="title")]
    for ws in wb.worksheets:
        blocks.extend(_sheet_blocks(ws.title, [list(r) for r in ws.iter_rows(values_only=True)]))
    wb.close()
    if len(blocks) == 1:
        raise IngestError(path.name, "Excel 文件中没有数据", "the workbook has no data")
    return blocks


def load_csv(path: Path) -> list[Block]:
    text = decode_text(path.read_bytes(), path.name)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;，")
    except csv.Error:
        dialect = csv.excel
    rows = [list(r) for r in csv.reader(io.StringIO(text), dialect)]
    blocks = [Block(text=path.stem, kind="title")] + _sheet_blocks(path.stem, rows)
    if len(blocks) <= 2:
        raise IngestError(path.name, "CSV 文件中没有数据", "the CSV file has no data")
    return blocks
