"""A citation as staff check it: its document, the passage inside its section, and for a PDF the page.

An answer's citation names one chunk (``assistant.citing``). What a reader needs to check it is
more than the chunk: the document's title, library and year; the text around the passage, taken
from the chunk's neighbours in the same section (the document's cleaned text between them, which
every chunk span points into); and, for a PDF, the page the chunk starts on with the passage boxed
(``ui.services.page_images``). Bases made before chunks had pages still show the passage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from index import KnowledgeBase
from ingest import Chunk, ReadLimits

from .documents import DocumentNotFound
from .page_images import PageImage, PageImages, PageNotFound
from .passage_boxes import Box

NEIGHBOURS = 2  # chunks of the same section shown before and after the cited one
NOT_LOCATED = "未能在页面上定位原文"
NO_PAGE = "此引文没有页码，无法显示页面"
FILE_GONE = "原文件已不存在，无法显示页面"


class CitationNotFound(LookupError):
    def __init__(self, chunk_id: str):
        super().__init__(f"找不到引文「{chunk_id}」/ no cited passage with id '{chunk_id}'")


class NotAPdf(LookupError):
    def __init__(self, file_name: str):
        super().__init__(f"「{file_name}」不是 PDF，没有页面图像 / '{file_name}' is not a PDF: it has no page images")


class FileGone(LookupError):
    def __init__(self, file_name: str):
        super().__init__(f"{FILE_GONE}：{file_name} / the document's file no longer exists")


@dataclass
class CitationContext:
    """The cited passage in its section, and where its page image is."""

    doc_id: str
    chunk_id: str
    title: str
    library: str
    file_name: str
    year: int | None
    section: str
    before: str  # the section's text before the passage
    passage: str
    after: str  # and after it
    page: int | None  # the page the image shows (None: no image)
    is_pdf: bool
    located: bool = False  # the passage's boxes are drawn on that page
    boxes: tuple[Box, ...] = ()
    note: str = ""  # why no image or no box, in Chinese
    image: PageImage | None = field(default=None, repr=False)

    def as_dict(self) -> dict:
        out = {k: v for k, v in self.__dict__.items() if k not in ("image", "boxes")}
        out["boxes"] = [[b.x0, b.y0, b.x1, b.y1] for b in self.boxes]
        return out


def _span_of(text: str, passage: str) -> tuple[int, int] | None:
    """Where ``passage`` stands in ``text``, whitespace aside (the quote and the text may break lines apart)."""
    start = text.find(passage)
    if start >= 0:
        return start, start + len(passage)
    chars = [re.escape(c) for c in passage if not c.isspace()]
    if not chars:
        return None
    found = re.search(r"\s*".join(chars), text)
    return (found.start(), found.end()) if found else None


def _pages_of(chunk: Chunk) -> list[int]:
    if chunk.page_start is None:
        return []
    last = chunk.page_end if chunk.page_end is not None else chunk.page_start
    return list(range(chunk.page_start, max(chunk.page_start, last) + 1))


class CitationViews:
    """Citations of one knowledge base as the panel and ``/api/documents/{id}/chunks/{id}/context`` show them."""

    def __init__(self, kb: KnowledgeBase, limits: ReadLimits | None = None):
        self.kb = kb
        self.pages = PageImages(Path(kb.data_dir), limits or kb.read_limits or ReadLimits())

    def _record(self, doc_id: str):
        record = next((r for r in self.kb.documents() if r.id == doc_id), None)
        if record is None:
            raise DocumentNotFound(doc_id)
        return record

    def _chunk(self, chunk_id: str, doc_id: str | None) -> Chunk:
        chunk = self.kb.registry.chunks([chunk_id]).get(chunk_id)
        if chunk is None or (doc_id is not None and chunk.doc_id != doc_id):
            raise CitationNotFound(chunk_id)
        return chunk

    def context(self, chunk_id: str, quote: str = "", doc_id: str | None = None) -> CitationContext:
        """The cited chunk ``chunk_id`` with ``quote`` (its passage as the answer quoted it) marked in its
        section; for a PDF, the page with the passage boxed."""
        if doc_id is not None:
            self._record(doc_id)
        chunk = self._chunk(chunk_id, doc_id)
        record = self._record(chunk.doc_id)
        before, passage, after = self._surroundings(chunk, quote.strip())
        view = CitationContext(
            doc_id=record.id,
            chunk_id=chunk.id,
            title=record.title or chunk.doc_title or record.file_name,
            library=record.org,
            file_name=record.file_name,
            year=chunk.year or record.report_year or record.plan_year,
            section=" > ".join(chunk.heading_path),
            before=before,
            passage=passage,
            after=after,
            page=chunk.page_start,
            is_pdf=record.file_name.lower().endswith(".pdf"),
        )
        if view.is_pdf:
            self._attach_page(view, record, chunk, passage)
        return view

    def _surroundings(self, chunk: Chunk, quote: str) -> tuple[str, str, str]:
        """(before, passage, after): the section's text around the passage, from the neighbouring chunks."""
        same_section = [c for c in self.kb.registry.chunks_of(chunk.doc_id) if c.heading_path == chunk.heading_path]
        place = next(i for i, c in enumerate(same_section) if c.id == chunk.id)
        shown = same_section[max(0, place - NEIGHBOURS) : place + NEIGHBOURS + 1]
        text = self.kb.registry.document_text(chunk.doc_id)
        if text[chunk.char_start : chunk.char_end] == chunk.text:
            start = min(c.char_start for c in shown)
            section, offset = text[start : max(c.char_end for c in shown)], start
        else:  # a chunk whose text is not its span (a table row written out): shown alone
            section, offset = chunk.text, chunk.char_start
        span = _span_of(section, quote) if quote else None
        if span is None:  # the quote stands in the headings, or none was given: the chunk itself
            span = (chunk.char_start - offset, chunk.char_end - offset)
        return section[: span[0]], section[span[0] : span[1]], section[span[1] :]

    def _attach_page(self, view: CitationContext, record, chunk: Chunk, passage: str) -> None:
        """The first of the chunk's pages the passage is found on (else its first page, with a note)."""
        pages = _pages_of(chunk)
        if not pages:
            view.note = NO_PAGE
            return
        if not Path(record.path).is_file():
            view.page, view.note = None, FILE_GONE
            return
        image = None
        for page in pages[:3]:  # a passage may start at the foot of a page: its next pages too
            shown = self.pages.page(record.id, record.sha256, Path(record.path), page, passage)
            image = shown if image is None or shown.located else image
            if shown.located:
                break
        assert image is not None
        view.image, view.page, view.boxes, view.located = image, image.page, image.boxes, image.located
        view.note = "" if image.located else NOT_LOCATED

    def page_image(self, doc_id: str, page: int, chunk_id: str | None = None, quote: str = "") -> PageImage:
        """Page ``page`` of a PDF document; with a chunk (or a quote) its passage is boxed on it."""
        record = self._record(doc_id)
        if not record.file_name.lower().endswith(".pdf"):
            raise NotAPdf(record.file_name)
        if not Path(record.path).is_file():
            raise FileGone(record.file_name)
        passage = quote.strip()
        if chunk_id:
            chunk = self._chunk(chunk_id, doc_id)
            passage = self._surroundings(chunk, passage)[1]
        return self.pages.page(record.id, record.sha256, Path(record.path), page, passage)


__all__ = [
    "CitationContext",
    "CitationNotFound",
    "CitationViews",
    "FILE_GONE",
    "FileGone",
    "NOT_LOCATED",
    "NO_PAGE",
    "NotAPdf",
    "PageNotFound",
]
