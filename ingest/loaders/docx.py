"""Word documents: paragraphs in order, heading styles as levels, tables as rows."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.table import Table
from docx.text.paragraph import Paragraph as DocxParagraph

from ..errors import IngestError
from ..types import Block
from .rows import table_row

_HEADING_STYLE = re.compile(r"(?:heading|标题)\s*(\d)", re.IGNORECASE)


def _open(path: Path) -> DocxDocument:
    if not zipfile.is_zipfile(path):
        raise IngestError(path.name, "Word 文件已损坏或不是 .docx 格式", "corrupt or not a .docx file")
    try:
        return docx.Document(str(path))
    except Exception as exc:
        raise IngestError(path.name, f"Word 文件无法读取（{exc}）", f"cannot read the Word file ({exc})") from exc


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


def load_docx(path: Path) -> list[Block]:
    document = _open(path)
    blocks: list[Block] = []
    last_text: str | None = None
    for item in document.iter_inner_content():
        if isinstance(item, DocxParagraph):
            text = item.text.strip()
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
            blocks.extend(_table_blocks(item, caption))
    if not any(b.text for b in blocks):
        raise IngestError(path.name, "Word 文件中没有文字内容", "the Word file has no text")
    return blocks
