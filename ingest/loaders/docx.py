"""Word documents: paragraphs in order, heading styles as levels, tables as rows."""

from __future__ import annotations

import re
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.table import Table
from docx.text.paragraph import Paragraph as DocxParagraph
from lxml import etree

from ..errors import IngestError
from ..limits import ReadLimits, TextBudget
from ..types import Block
from .container import check_zip
from .rows import table_row

_HEADING_STYLE = re.compile(r"(?:heading|标题)\s*(\d)", re.IGNORECASE)
# Word tables have at most 63 columns; python-docx repeats a cell once per spanned
# column, so a forged span of millions would be millions of cells.
_MAX_GRID_SPAN = 63
# Compiled with its own namespace map: a damaged body may not declare the w: prefix.
_GRID_SPANS = etree.XPath(
    "//w:gridSpan/@w:val", namespaces={"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
)


def _open(path: Path, limits: ReadLimits) -> DocxDocument:
    check_zip(path, limits, "Word ", ".docx")
    try:
        document = docx.Document(str(path))
    except Exception as exc:
        raise IngestError(path.name, f"Word 文件无法读取（{exc}）", f"cannot read the Word file ({exc})") from exc
    spans = _GRID_SPANS(document.element)
    if any(not s.isdigit() or int(s) > _MAX_GRID_SPAN for s in spans):
        raise IngestError(
            path.name, "Word 文件中的表格结构已损坏", "a table in the Word file is corrupt (impossible column span)"
        )
    return document


def _heading_level(p: DocxParagraph) -> int | None:
    name = p.style.name if p.style is not None else ""
    if name.lower() == "title":
        return 0
    m = _HEADING_STYLE.search(name or "")
    return int(m.group(1)) if m else None


def _table_blocks(table: Table, caption: str | None) -> list[Block]:
    """Each data row becomes text naming its column headers, so a figure in a table reads like prose."""
    rows: list[list[str]] = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = cell.text.strip()
            cells.append(text)
        rows.append(cells)
    rows = [r for r in rows if any(r)]
    if len(rows) < 2:
        return [Block(text="；".join(c for c in rows[0] if c), kind="table_row", table=caption)] if rows else []
    header, data = rows[0], rows[1:]
    return [b for b in (table_row(header, r, caption) for r in data) if b is not None]


def load_docx(path: Path, limits: ReadLimits | None = None) -> list[Block]:
    limits = limits or ReadLimits()
    document = _open(path, limits)
    try:
        blocks = _blocks(document, TextBudget(path.name, limits))
    except IngestError:
        raise
    except Exception as exc:  # python-docx meets damaged XML lazily, as it walks, with assorted types
        raise IngestError(
            path.name, f"Word 文件内容已损坏（{exc}）", f"the Word file's content is corrupt ({exc})"
        ) from exc
    if not any(b.text for b in blocks):
        raise IngestError(path.name, "Word 文件中没有文字内容", "the Word file has no text")
    return blocks


def _blocks(document: DocxDocument, budget: TextBudget) -> list[Block]:
    blocks: list[Block] = []
    last_text: str | None = None
    for item in document.iter_inner_content():
        if isinstance(item, DocxParagraph):
            text = budget.take(item.text.strip())
            if not text:
                continue
            level = _heading_level(item)
            if level == 0:
                blocks.append(Block(text=text, kind="title"))
            elif level is not None:
                blocks.append(Block(text=text, kind="heading", level=level))
            else:
                blocks.append(Block(text=text))
            last_text = text
        elif isinstance(item, Table):
            caption = last_text if last_text and len(last_text) <= 40 else None
            rows = _table_blocks(item, caption)
            for row in rows:
                budget.take(row.text)
            blocks.extend(rows)
    return blocks
