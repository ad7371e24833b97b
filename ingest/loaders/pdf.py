"""PDFs with a text layer, read line by line with their positions (PyMuPDF)."""

from __future__ import annotations

from pathlib import Path

import pymupdf

from ..errors import IngestError
from ..types import Block
from .layout import Line, paragraphs_from_pages, strip_running_lines

# A page with fewer characters than this has no usable text layer (a scan).
_MIN_TEXT_CHARS = 20


def open_pdf(path: Path) -> pymupdf.Document:
    try:
        doc = pymupdf.open(path)
    except Exception as exc:  # PyMuPDF raises several types for damaged files
        raise IngestError(path.name, f"PDF 文件已损坏，无法打开（{exc}）", f"corrupt PDF, cannot open ({exc})") from exc
    if doc.needs_pass:
        raise IngestError(path.name, "PDF 文件已加密，需要密码才能读取", "PDF is encrypted and needs a password")
    if doc.page_count == 0:
        raise IngestError(path.name, "PDF 文件没有页面", "PDF has no pages")
    return doc


def page_lines(page: pymupdf.Page) -> list[Line]:
    lines: list[Line] = []
    for block in page.get_text("dict", sort=True)["blocks"]:
        for line in block.get("lines", []):
            text = "".join(span["text"] for span in line["spans"])
            if text.strip():
                x0, y0, x1, y1 = line["bbox"]
                lines.append(Line(text, x0, y0, x1, y1))
    return lines


def has_text_layer(path: Path) -> bool:
    with open_pdf(path) as doc:
        chars = sum(len(page.get_text().strip()) for page in doc)
        return chars >= _MIN_TEXT_CHARS * doc.page_count / 2


def load_pdf(path: Path) -> tuple[list[Block], int]:
    """Paragraph blocks with page numbers, running headers and page numbers removed."""
    with open_pdf(path) as doc:
        pages = [page_lines(page) for page in doc]
        height = doc[0].rect.height
        count = doc.page_count
        # Scanned pages inside a typed PDF (a typed cover, then scans) are read by OCR too.
        scans = [
            i for i, lines in enumerate(pages)
            if sum(len(l.text) for l in lines) < _MIN_TEXT_CHARS and doc[i].get_images()
        ]
    if sum(len(l.text) for lines in pages for l in lines) < _MIN_TEXT_CHARS:
        from .ocr import load_scanned_pdf

        return load_scanned_pdf(path)
    if scans:
        from .ocr import ocr_pdf_pages

        for i, lines in zip(scans, ocr_pdf_pages(path, scans)[0]):
            pages[i] = lines
    return paragraphs_from_pages(strip_running_lines(pages, height)), count
