"""The sample corpus's PDF, laid out line by line with PyMuPDF from its Markdown-like source."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .source import is_as_of_line, parse_source

PDF_DATE = "D:20250110093000+08'00'"
FONT = "china-s"
_NO_LINE_START = set("，。、；：？！）》」』”’%")


class _PdfWriter:
    """Lays out lines on A4 pages: running header, page number footer, wrapped paragraphs."""

    def __init__(self, header: str) -> None:
        import pymupdf

        self.pymupdf = pymupdf
        self.doc = pymupdf.open()
        self.header = header
        self.width, self.height = pymupdf.paper_size("a4")
        self.left = 72.0
        self.right = self.width - 72.0
        self.top = 100.0
        self.bottom = 750.0
        self.size = 12.0
        self.leading = 22.0
        self.page: Any = None  # a pymupdf Page from new_page() on; PyMuPDF is read as untyped
        self.y = 0.0
        self.new_page()

    def text_len(self, text: str, size: float | None = None) -> float:
        return self.pymupdf.get_text_length(text, fontname=FONT, fontsize=size or self.size)

    def new_page(self) -> None:
        self.page = self.doc.new_page(width=self.width, height=self.height)
        number = self.doc.page_count
        hsize = 9.0
        hx = (self.width - self.text_len(self.header, hsize)) / 2
        self.page.insert_text((hx, 52), self.header, fontname=FONT, fontsize=hsize)
        self.page.draw_line((self.left, 60), (self.right, 60), width=0.5)
        footer = f"- {number} -"
        fx = (self.width - self.text_len(footer, 10.5)) / 2
        self.page.insert_text((fx, 805), footer, fontname=FONT, fontsize=10.5)
        self.y = self.top

    def ensure(self, lines: int) -> None:
        if self.y + self.leading * (lines - 1) > self.bottom:
            self.new_page()

    def line(self, x: float, text: str, size: float | None = None) -> None:
        self.ensure(1)
        self.page.insert_text((x, self.y), text, fontname=FONT, fontsize=size or self.size)
        self.y += self.leading

    def centered(self, text: str, size: float | None = None) -> None:
        self.line((self.width - self.text_len(text, size)) / 2, text, size)

    def wrap(self, text: str, first_indent: float) -> list[tuple[float, str]]:
        """Greedy character wrap at the page width; numbers and words may split."""
        lines: list[tuple[float, str]] = []
        x0 = self.left + first_indent
        current = ""
        for ch in text:
            if current and x0 + self.text_len(current + ch) > self.right + 0.01:
                carry = ""
                if ch in _NO_LINE_START and len(current) > 1:
                    current, carry = current[:-1], current[-1]  # no closing mark at a line start
                lines.append((x0, current))
                current, x0 = carry, self.left
            current += ch
        if current:
            lines.append((x0, current))
        return lines

    def paragraph(self, text: str) -> None:
        for x, part in self.wrap(text, 2 * self.size):
            self.line(x, part)

    def heading(self, text: str) -> None:
        self.ensure(2)  # keep a heading with the first line that follows it
        for x, part in self.wrap(text, 2 * self.size):
            self.line(x, part)

    def right_aligned(self, text: str) -> None:
        x = self.right - 2 * self.size - self.text_len(text)
        self.line(x, text)

    def tobytes(self, metadata: dict) -> bytes:
        self.doc.set_metadata(metadata)
        return self.doc.tobytes(garbage=4, deflate=True, no_new_id=True)


def build_pdf(source: Path, target: Path, title: str) -> Path:
    items = parse_source(source)
    writer = _PdfWriter(header=title)
    signature = False
    for item in items:
        if item.kind == "title":
            writer.y += 6
            writer.centered(item.text, 16.0)
            writer.y += 4
        elif item.kind == "heading":
            writer.heading(item.text)
        elif item.kind == "table":
            raise ValueError("tables are not supported in the PDF source")
        elif is_as_of_line(item.text):
            writer.centered(item.text)
        elif item.text == "青川区图书馆" or signature:
            if not signature:
                writer.y += writer.leading
            signature = True
            writer.right_aligned(item.text)
        else:
            writer.paragraph(item.text)
    data = writer.tobytes(
        {
            "title": title,
            "author": "青川区图书馆",
            "subject": "年度工作总结及工作计划",
            "keywords": "工作总结, 工作计划, 总分馆, 读书驿站",
            "creator": "青川区图书馆办公室",
            "producer": "PyMuPDF",
            "creationDate": PDF_DATE,
            "modDate": PDF_DATE,
        }
    )
    target.write_bytes(data)
    return target
