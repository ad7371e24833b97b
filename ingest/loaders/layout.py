"""Turn positioned text lines of a page into paragraphs.

Office PDFs wrap lines mid-word and mid-number ("3326⏎941册", "79⏎.1%"). The
text alone cannot tell a wrap from a paragraph end, the geometry can: a line
that stops short of the right margin ends its paragraph, a line that starts
indented begins one. Shared by the text-layer PDF loader and OCR. A ruled table
the PDF loader has read stands in its page's lines as one ``Line`` holding its
rows, and becomes one ``table_row`` block per data row in that place.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import cast

from ..types import Block
from .rows import table_row

_PAGE_NUMBER = re.compile(
    r"^(?:[-—–\s]*\d{1,4}[-—–\s]*|第\s*\d+\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+|page\s*\d+(?:\s*of\s*\d+)?)$",
    re.IGNORECASE,
)


@dataclass
class Line:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    # A table in place of its lines: its rows of cell texts, the header row first, and its caption.
    rows: tuple[tuple[str, ...], ...] = ()
    caption: str | None = None


def _key(text: str) -> str:
    """Text with digits removed: running headers differ only by page number."""
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def strip_running_lines(pages: list[list[Line]], page_height: float) -> list[list[Line]]:
    """Drop page numbers and headers/footers repeated in the top or bottom margin."""
    margin = page_height * 0.1
    counts: Counter[str] = Counter()
    for lines in pages:
        seen = {_key(l.text) for l in lines if not l.rows and (l.y1 < margin or l.y0 > page_height - margin)}
        counts.update(seen)
    repeated = {k for k, n in counts.items() if len(pages) > 1 and n >= max(2, len(pages) // 2)}
    kept: list[list[Line]] = []
    for lines in pages:
        out = []
        for line in lines:
            in_margin = not line.rows and (line.y1 < margin or line.y0 > page_height - margin)
            stripped = line.text.strip()
            if in_margin and (_key(stripped) in repeated or _PAGE_NUMBER.match(stripped)):
                continue
            out.append(line)
        kept.append(out)
    return kept


def join_wrapped(left: str, right: str) -> str:
    """Join a wrapped line: no space in Chinese or inside numbers, a space between words."""
    if left and right and left[-1].isascii() and left[-1].isalpha() and right[0].isascii() and right[0].isalpha():
        return left + " " + right
    return left + right


def paragraphs_from_pages(pages: list[list[Line]]) -> list[Block]:
    """Rejoin wrapped lines into paragraph blocks, each tagged with the page it starts on;
    a table's rows take its place among them."""
    blocks: list[Block] = []
    # Margins of the whole document are a floor: on a page whose lines are all short,
    # the longest line is not full width.
    rights = sorted(l.x1 for lines in pages for l in lines if l.text.strip())
    doc_right = rights[int(len(rights) * 0.9)] if rights else 0.0
    lefts = [l.x0 for lines in pages for l in lines if l.text.strip()]
    doc_left = min(lefts) if lefts else 0.0
    open_text: str | None = None
    open_page = 0
    table: _Table | None = None  # the table just read, while nothing but tables follows it

    def close(last_page: int) -> None:
        # Called only while a paragraph is open, so the text is set.
        blocks.append(Block(text=cast(str, open_text), page=open_page, page_end=last_page))

    for page_no, lines in enumerate(pages, start=1):
        texts = [l for l in lines if l.text.strip()]
        right = max([l.x1 for l in texts] + [doc_right])
        left = min([l.x0 for l in texts] + [doc_left])
        char_w = _char_width(texts)
        for line in lines:
            text = line.text.strip()
            if line.rows:
                if open_text is not None:
                    close(page_no if line is not lines[0] else page_no - 1)
                    open_text = None
                table = _Table.place(line, table if line is lines[0] else None)
                blocks.extend(table.blocks(page_no))
                continue
            if not text:
                continue
            indented = line.x0 > left + char_w * 1.2
            if open_text is not None and indented:
                close(page_no if line is not lines[0] else page_no - 1)
                open_text = None
            if open_text is None:
                open_text, open_page, table = text, page_no, None
            else:
                open_text = join_wrapped(open_text, text)
            if line.x1 < right - char_w * 1.5:  # stops short: the paragraph ends here
                close(page_no)
                open_text = None
    if open_text:
        close(len(pages))
    return blocks


@dataclass
class _Table:
    header: tuple[str, ...]
    caption: str | None
    data: tuple[tuple[str, ...], ...]

    @classmethod
    def place(cls, line: Line, previous: _Table | None) -> _Table:
        """The table's header, caption and data rows. A table at the top of a page, right after a table
        of as many columns, goes on with that one: its header and caption, its header row repeated or not."""
        rows = line.rows
        if previous is not None and line.caption is None and len(previous.header) == len(rows[0]):
            data = rows[1:] if rows[0] == previous.header else rows
            return cls(previous.header, previous.caption, data)
        return cls(rows[0], line.caption, rows[1:])

    def blocks(self, page: int) -> list[Block]:
        blocks = [b for b in (table_row(self.header, row, self.caption) for row in self.data) if b is not None]
        for block in blocks:
            block.page = block.page_end = page
        return blocks


def _char_width(lines: list[Line]) -> float:
    widths = sorted((l.x1 - l.x0) / max(1, len(l.text.strip())) for l in lines if l.text.strip())
    return widths[len(widths) // 2] if widths else 10.0
