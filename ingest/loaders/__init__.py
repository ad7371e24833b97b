"""File loaders: each turns one file format into paragraph ``Block``s."""

from __future__ import annotations

from pathlib import Path

from ..errors import IngestError
from ..limits import ReadLimits
from ..page_progress import OnPage
from ..types import Block

SUPPORTED_SUFFIXES = (".txt", ".md", ".markdown", ".pdf", ".docx", ".xlsx", ".csv")


def read_by_ocr(path: Path, limits: ReadLimits | None = None) -> bool:
    """True for a PDF whose pages are images without a text layer (a scan, read by OCR)."""
    if path.suffix.lower() != ".pdf":
        return False
    from .pdf import has_text_layer

    return not has_text_layer(path, limits)


def load_blocks(
    path: Path, limits: ReadLimits | None = None, on_page: OnPage | None = None
) -> tuple[list[Block], int | None]:
    """Blocks of a file and its page count (PDFs only), read within ``limits``; ``on_page`` hears of scanned
    pages as OCR reads them."""
    limits = limits or ReadLimits()
    suffix = path.suffix.lower()
    if suffix in (".txt", ".md", ".markdown"):
        from .text import load_text

        return load_text(path, limits), None
    if suffix == ".pdf":
        from .pdf import load_pdf

        return load_pdf(path, limits, on_page)
    if suffix == ".docx":
        from .docx import load_docx

        return load_docx(path, limits), None
    if suffix == ".xlsx":
        from .sheet import load_xlsx

        return load_xlsx(path, limits), None
    if suffix == ".csv":
        from .sheet import load_csv

        return load_csv(path, limits), None
    raise IngestError(
        path.name,
        f"不支持的文件类型「{suffix or '无扩展名'}」，支持：{'、'.join(SUPPORTED_SUFFIXES)}",
        f"unsupported file type '{suffix or 'none'}'; supported: {', '.join(SUPPORTED_SUFFIXES)}",
    )


__all__ = ["load_blocks", "SUPPORTED_SUFFIXES", "Block"]
