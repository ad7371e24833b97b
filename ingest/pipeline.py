"""One file in, one structured, cleaned, chunked ``Document`` out."""

from __future__ import annotations

import hashlib
from pathlib import Path

from .chunk import ChunkSizes, chunk_document
from .clean import clean_blocks
from .errors import IngestError
from .figures.extract import extract_figures
from .indicators import IndicatorList
from .limits import ReadLimits
from .loaders import load_blocks, read_by_ocr
from .outline import (
    assign_periods,
    build_outline,
    detect_as_of,
    detect_org,
    detect_title,
    detect_type,
    detect_years,
    table_years,
)
from .page_progress import OnPage
from .script import simplified_blocks
from .types import Document, content_hash

DEFAULT_MAX_BYTES = 100 * 1024 * 1024


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def document_id(path: Path) -> str:
    """A document is identified by where it lives: editing the file replaces it."""
    return content_hash(str(path.resolve()), length=12)


def check_file(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> int:
    if not path.exists():
        raise IngestError(path.name, "文件不存在", "file does not exist")
    if not path.is_file():
        raise IngestError(path.name, "不是普通文件", "not a regular file")
    size = path.stat().st_size
    if size == 0:
        raise IngestError(path.name, "文件是空的（0 字节）", "file is empty (0 bytes)")
    if size > max_bytes:
        mb = max_bytes / 1024 / 1024
        raise IngestError(path.name, f"文件超过大小上限 {mb:.0f} MB", f"file exceeds the size limit of {mb:.0f} MB")
    return size


def parse_file(
    path: Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    sizes: ChunkSizes | None = None,
    sha256: str | None = None,
    indicators: IndicatorList | None = None,
    limits: ReadLimits | None = None,
    on_page: OnPage | None = None,
) -> Document:
    """Load, clean, outline and chunk one file. Raises ``IngestError`` with a reason.

    ``max_bytes`` caps the file on disk; ``limits`` caps what reading it may cost
    (inflated size, pages, pixels, rows, OCR pages, characters); ``on_page`` hears of
    each scanned page as OCR reads it (``ingest.page_progress``).
    """
    size = check_file(path, max_bytes)
    raw, page_count = load_blocks(path, limits, on_page)
    blocks = clean_blocks(simplified_blocks(raw))  # traditional script is read as simplified
    if not blocks:
        raise IngestError(path.name, "文件中没有可读取的文字", "no readable text in the file")
    text, paragraphs, sections = build_outline(blocks)
    title = detect_title(paragraphs, path.stem)
    doc_type = detect_type(title, path.name)
    report, plan = detect_years(title, doc_type, text)
    assign_periods(sections, doc_type, report, plan)
    years = sorted({y for y in (report, plan) if y} | {s.year for s in sections if s.year})
    if not years and doc_type == "统计报告":  # a statistics table covers the years in its headers
        years = table_years(text)
    doc = Document(
        doc_id=document_id(path),
        path=str(path.resolve()),
        file_name=path.name,
        sha256=sha256 or file_sha256(path),
        size=size,
        text=text,
        paragraphs=paragraphs,
        sections=sections,
        title=title,
        org=detect_org(title, text),
        doc_type=doc_type,
        years=years,
        report_year=report,
        plan_year=plan,
        as_of=detect_as_of(text),
        page_count=page_count,
        read_by_ocr=read_by_ocr(path, limits),
    )
    doc.chunks = chunk_document(doc, sizes)
    if not doc.chunks:
        raise IngestError(path.name, "文件中只有标题，没有正文", "the file has headings but no body text")
    doc.figures = extract_figures(doc, indicators)
    return doc


def with_doc_id(
    doc: Document, doc_id: str, sizes: ChunkSizes | None = None, indicators: IndicatorList | None = None
) -> Document:
    """The same document under another id (it replaces one already stored): chunks and figures cut again,
    since their ids and rows carry the document's id."""
    if doc.doc_id == doc_id:
        return doc
    doc.doc_id = doc_id
    doc.chunks = chunk_document(doc, sizes)
    doc.figures = extract_figures(doc, indicators)
    return doc
