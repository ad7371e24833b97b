"""The rows and cells a workbook will hand out, counted from its XML before openpyxl opens it.

openpyxl sizes a read-only sheet from its ``<dimension>`` tag; when the tag is
missing it parses the whole sheet just to look for it, inside ``load_workbook``,
before a single row reaches the caller. So the sheets are measured first, in one
streaming pass that stops at the cap. The count follows openpyxl's padding:
rows skipped by a row number still come out as empty rows, and a row comes out
as wide as its last cell's column.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from lxml import etree

from ..errors import IngestError
from ..limits import ReadLimits

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL = _NS + "row", _NS + "c"
_COLUMN = re.compile(r"^\$?([A-Za-z]{1,3})")


def _column(ref: str | None, previous: int) -> int:
    m = _COLUMN.match(ref or "")
    if not m:
        return previous + 1
    n = 0
    for ch in m.group(1).upper():
        n = n * 26 + ord(ch) - 64
    return n


def _row_number(value: str | None, previous: int) -> int:
    return int(value) if value and value.isdigit() else previous + 1


def refuse_large_sheets(path: Path, limits: ReadLimits) -> None:
    """Raise before openpyxl parses a sheet past the row or cell cap (all sheets together)."""
    rows = cells = 0
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            # Every XML part, not only xl/worksheets/: the workbook may point a sheet anywhere.
            if not name.lower().endswith(".xml"):
                continue
            last_row = 0
            with zf.open(name) as member:
                width = 0
                parser = etree.iterparse(
                    member, events=("end",), tag=(_ROW, _CELL), resolve_entities=False, no_network=True
                )
                try:
                    for _, element in parser:
                        if element.tag == _CELL:
                            width = _column(element.get("r"), width)
                            continue
                        number = _row_number(element.get("r"), last_row)
                        rows += max(1, number - last_row)  # openpyxl yields the skipped rows too
                        cells += width
                        last_row, width = number, 0
                        element.clear()
                        while element.getprevious() is not None:
                            del element.getparent()[0]
                        _check(path.name, rows, cells, limits)
                except etree.XMLSyntaxError as exc:
                    raise IngestError(
                        path.name, f"Excel 文件无法读取（{exc}）", f"cannot read the workbook ({exc})"
                    ) from exc


def _check(file_name: str, rows: int, cells: int, limits: ReadLimits) -> None:
    if rows > limits.max_sheet_rows:
        raise too_many_rows(file_name, limits)
    if cells > limits.max_sheet_cells:
        raise too_many_cells(file_name, limits)


def too_many_rows(file_name: str, limits: ReadLimits) -> IngestError:
    return IngestError(
        file_name,
        f"表格超过 {limits.max_sheet_rows:,} 行上限，请拆分后再导入",
        f"the table has more than {limits.max_sheet_rows:,} rows; split it and try again",
    )


def too_many_cells(file_name: str, limits: ReadLimits) -> IngestError:
    return IngestError(
        file_name,
        f"表格超过 {limits.max_sheet_cells:,} 个单元格上限，请拆分后再导入",
        f"the table has more than {limits.max_sheet_cells:,} cells; split it and try again",
    )
