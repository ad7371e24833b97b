"""PDFs with a text layer, read line by line with their positions (PyMuPDF), ruled tables row by row."""

from __future__ import annotations

from pathlib import Path

import pymupdf

from ..errors import IngestError
from ..limits import SQUARE_METRE_PT2, ReadLimits, TextBudget
from ..page_progress import OnPage
from ..types import Block
from .layout import Line, paragraphs_from_pages, strip_running_lines
from .pdf_tables import page_tables, with_tables

# A page with fewer characters than this has no usable text layer (a scan).
_MIN_TEXT_CHARS = 20
# Text only: by default "dict" also decodes every image on the page, and an image
# can be a decompression bomb of its own.
_TEXT_FLAGS = pymupdf.TEXTFLAGS_DICT & ~pymupdf.TEXT_PRESERVE_IMAGES
# What MuPDF raises for a damaged page tree or object (FileDataError is a RuntimeError).
_DAMAGED = (pymupdf.mupdf.FzErrorBase, RuntimeError)


def damaged(file_name: str, exc: BaseException) -> IngestError:
    return IngestError(file_name, f"PDF 文件已损坏，无法读取（{exc}）", f"corrupt PDF, cannot read it ({exc})")


def check_pages(file_name: str, count: int, limits: ReadLimits) -> None:
    if count > limits.max_pages:
        raise IngestError(
            file_name,
            f"PDF 页数 {count} 超过 {limits.max_pages} 页上限，请拆分后再导入",
            f"the PDF has {count} pages, more than the {limits.max_pages}-page limit; split it and try again",
        )


def check_page_size(file_name: str, number: int, width: float, height: float, limits: ReadLimits) -> None:
    """A page larger than the cap is refused before anything renders it (pixels grow with its area)."""
    if width * height > limits.max_page_area:
        cap = limits.max_page_area / SQUARE_METRE_PT2
        raise IngestError(
            file_name,
            f"PDF 第 {number} 页尺寸 {width / 72 * 2.54:.0f}×{height / 72 * 2.54:.0f} 厘米，超过 {cap:g} 平方米上限",
            f"page {number} is {width / 72 * 2.54:.0f}×{height / 72 * 2.54:.0f} cm, beyond the {cap:g} m² page limit",
        )


def open_pdf(path: Path, limits: ReadLimits | None = None) -> pymupdf.Document:
    """An open PDF whose page count and page sizes are within the caps."""
    limits = limits or ReadLimits()
    try:
        doc = pymupdf.open(path, filetype="pdf")
    except Exception as exc:  # PyMuPDF raises several types for damaged files
        raise IngestError(path.name, f"PDF 文件已损坏，无法打开（{exc}）", f"corrupt PDF, cannot open ({exc})") from exc
    if doc.needs_pass:
        doc.close()
        raise IngestError(path.name, "PDF 文件已加密，需要密码才能读取", "PDF is encrypted and needs a password")
    try:
        if doc.page_count == 0:
            raise IngestError(path.name, "PDF 文件没有页面", "PDF has no pages")
        check_pages(path.name, doc.page_count, limits)
        for page in doc:
            check_page_size(path.name, page.number + 1, page.rect.width, page.rect.height, limits)
    except _DAMAGED as exc:
        doc.close()
        raise damaged(path.name, exc) from exc
    except BaseException:
        doc.close()
        raise
    return doc


def page_lines(page: pymupdf.Page) -> list[Line]:
    lines: list[Line] = []
    for block in page.get_text("dict", sort=True, flags=_TEXT_FLAGS)["blocks"]:
        for line in block.get("lines", []):
            text = "".join(span["text"] for span in line["spans"])
            if text.strip():
                x0, y0, x1, y1 = line["bbox"]
                lines.append(Line(text, x0, y0, x1, y1))
    return lines


def has_text_layer(path: Path, limits: ReadLimits | None = None) -> bool:
    with open_pdf(path, limits) as doc:
        chars = sum(len(page.get_text().strip()) for page in doc)
        enough: bool = chars >= _MIN_TEXT_CHARS * doc.page_count / 2
        return enough


def load_pdf(path: Path, limits: ReadLimits | None = None, on_page: OnPage | None = None) -> tuple[list[Block], int]:
    """Paragraph and table-row blocks with page numbers, running headers and page numbers removed.

    Scanned pages are read by OCR; ``on_page`` hears of each of them as it is read."""
    limits = limits or ReadLimits()
    budget = TextBudget(path.name, limits)
    with open_pdf(path, limits) as doc:
        try:
            pages: list[list[Line]] = []
            scans: list[int] = []
            height = 0.0
            for page in doc:
                lines = page_lines(page)
                for line in lines:
                    budget.take(line.text)
                height = height or page.rect.height
                # Scanned pages inside a typed PDF (a typed cover, then scans) are read by OCR too.
                if sum(len(l.text) for l in lines) < _MIN_TEXT_CHARS and page.get_images():
                    scans.append(len(pages))
                pages.append(with_tables(lines, page_tables(page)) if lines else lines)
        except _DAMAGED as exc:
            raise damaged(path.name, exc) from exc
        # Read off the pages actually loaded: MuPDF may rebuild a damaged page tree while loading.
        count = len(pages)
        if not count:
            raise IngestError(path.name, "PDF 文件没有页面", "PDF has no pages")
    if sum(len(l.text) for lines in pages for l in lines) < _MIN_TEXT_CHARS:
        from .ocr import load_scanned_pdf

        return load_scanned_pdf(path, limits, on_page)
    if scans:
        from .ocr import ocr_pdf_pages

        for i, lines in zip(scans, ocr_pdf_pages(path, scans, limits, on_page)[0]):
            pages[i] = lines
    return paragraphs_from_pages(strip_running_lines(pages, height)), count
