"""Ruled tables of a text-layer PDF page, read as rows of cells (PyMuPDF's table finder).

Word and WPS export a table as loose text lines on a grid of drawn rules; read as lines, its cells
run together with the header and the text around it. The table finder sees the grid; each cell's
text is then read from the page's words inside the cell, in reading order: the finder's own text
splits wrapped cells mid-word and, for some fonts, moves a decimal point or thousands comma out of
its number ('21 4\\n.' for 21.4). The finder is slow, so it runs only on pages whose drawings hold
enough straight rules to make a grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pymupdf

from .layout import Line, join_wrapped

# A grid needs rules above and below a header and a data row, and two sides.
_MIN_HORIZONTAL = 3
_MIN_VERTICAL = 2
# A caption is a short line (表1 2024年主要业务指标完成情况), as Word tables' captions are read,
# at most this many line heights above the table.
_CAPTION_CHARS = 40
_CAPTION_GAP_LINES = 2.0
# Points: a rule is at most this thick, and at least this long.
_RULE_THICKNESS = 2.0
_MIN_RULE_LENGTH = 10.0


@dataclass(frozen=True)
class PageTable:
    bbox: tuple[float, float, float, float]
    rows: tuple[tuple[str, ...], ...]  # cell texts, the header row first


def may_hold_table(page: pymupdf.Page) -> bool:
    """Whether the page's vector drawings have enough horizontal and vertical rules for a grid."""
    horizontal = vertical = 0
    for path in page.get_cdrawings():
        for item in path.get("items", ()):
            h, v = _rules(item)
            horizontal, vertical = horizontal + h, vertical + v
        if horizontal >= _MIN_HORIZONTAL and vertical >= _MIN_VERTICAL:
            return True
    return False


def _rules(item: tuple[Any, ...]) -> tuple[int, int]:
    """(horizontal, vertical) rules one drawing command makes: a line, or a rectangle's edges."""
    if item[0] == "l":
        (x0, y0), (x1, y1) = item[1], item[2]
    elif item[0] == "re":
        x0, y0, x1, y1 = item[1]
    else:
        return 0, 0
    width, height = abs(x1 - x0), abs(y1 - y0)
    if item[0] == "re" and width > _RULE_THICKNESS and height > _RULE_THICKNESS:
        return 2, 2  # a box: its four edges
    if height <= _RULE_THICKNESS and width >= _MIN_RULE_LENGTH:
        return 1, 0
    if width <= _RULE_THICKNESS and height >= _MIN_RULE_LENGTH:
        return 0, 1
    return 0, 0


def page_tables(page: pymupdf.Page) -> list[PageTable]:
    """The ruled tables of a page with a header row and at least one data row, top to bottom."""
    if not may_hold_table(page):
        return []
    found = page.find_tables()
    if not found.tables:
        return []
    words = page.get_text("words", sort=True)
    tables = []
    for table in found.tables:
        rows = tuple(tuple(_cell_text(words, cell) for cell in row.cells) for row in table.rows)
        rows = tuple(r for r in rows if any(r))
        if len(rows) >= 2:
            tables.append(PageTable(tuple(table.bbox), rows))
    return sorted(tables, key=lambda t: (t.bbox[1], t.bbox[0]))


def _cell_text(words: list[tuple[Any, ...]], cell: tuple[float, float, float, float] | None) -> str:
    """The words whose middle lies in the cell, a line at a time; a wrapped line is joined as in prose.
    A cell covered by a merged one (None) is empty."""
    if cell is None:
        return ""
    x0, y0, x1, y1 = cell
    lines: dict[tuple[int, int], list[str]] = {}
    for w in words:
        if x0 <= (w[0] + w[2]) / 2 <= x1 and y0 <= (w[1] + w[3]) / 2 <= y1:
            lines.setdefault((w[5], w[6]), []).append(w[4])
    text = ""
    for parts in lines.values():
        text = join_wrapped(text, _joined(parts))
    return text.strip()


def _joined(words: list[str]) -> str:
    line = ""
    for word in words:
        line = _join_words(line, word)
    return line


def _join_words(left: str, right: str) -> str:
    """Words of one line: a space between two Latin words or numbers, none beside a Chinese character."""
    if left and left[-1].isascii() and left[-1].isalnum() and right[0].isascii() and right[0].isalnum():
        return left + " " + right
    return left + right


def with_tables(lines: list[Line], tables: list[PageTable]) -> list[Line]:
    """The page's lines with each table's lines replaced by one line holding its rows and caption,
    where the table stands."""
    if not tables:
        return lines
    boxes = [pymupdf.Rect(t.bbox) for t in tables]
    kept = [l for l in lines if not any(pymupdf.Point((l.x0 + l.x1) / 2, (l.y0 + l.y1) / 2) in b for b in boxes)]
    for table in tables:
        x0, y0, x1, y1 = table.bbox
        at = next((i for i, l in enumerate(kept) if not l.rows and l.y0 >= y0), len(kept))
        kept.insert(at, Line("", x0, y0, x1, y1, rows=table.rows, caption=_caption(kept[:at], y0)))
    return kept


def _caption(above: list[Line], top: float) -> str | None:
    """The short row of text just above a table (its pieces joined left to right), if there is one."""
    texts = [l for l in above if l.text.strip() and not l.rows]
    if not texts:
        return None
    last = max(texts, key=lambda l: l.y1)
    if top - last.y1 > _CAPTION_GAP_LINES * (last.y1 - last.y0):
        return None
    row = sorted((l for l in texts if last.y0 <= (l.y0 + l.y1) / 2 <= last.y1), key=lambda l: l.x0)
    caption = _joined([w for l in row for w in l.text.split()])
    return caption if len(caption) <= _CAPTION_CHARS else None
