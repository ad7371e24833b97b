"""The small typed models that flow through ingest.

A loader turns a file into ``Block``s (paragraphs, headings, table rows with
their page); cleaning and outline detection turn those into a ``Document``
whose cleaned text is the single source every ``Chunk`` span points into.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from .figures.model import Figure

BlockKind = Literal["text", "heading", "table_row", "title"]
PeriodKind = Literal["report", "plan", "unknown"]

DOC_TYPES = ("工作总结", "工作计划", "总结暨计划", "案例", "年鉴", "统计报告", "其他")


@dataclass
class Block:
    """One paragraph-like unit read from a file, before cleaning."""

    text: str
    page: int | None = None
    kind: BlockKind = "text"
    page_end: int | None = None  # last page the block runs onto, when it crosses a page break
    level: int | None = None  # heading level when the format states it (docx styles, markdown #)
    table: str | None = None  # table or sheet name for table rows
    label: str = ""  # a table row's name (its first non-numeric cell)
    cells: tuple[tuple[str, str], ...] = ()  # a table row's other cells: (column header, value)


@dataclass
class Section:
    """A heading and its place in the outline."""

    heading: str
    level: int
    path: tuple[str, ...]
    period_kind: PeriodKind = "unknown"
    year: int | None = None


@dataclass
class Paragraph:
    """A cleaned block placed in the document text: ``text == doc.text[start:end]``."""

    text: str
    start: int
    end: int
    page: int | None
    kind: BlockKind
    section: Section | None
    page_end: int | None = None
    label: str = ""
    cells: tuple[tuple[str, str], ...] = ()
    table: str | None = None


@dataclass
class Chunk:
    """A citable piece of a document, identified by a hash of its content."""

    id: str
    doc_id: str
    file_name: str
    text: str
    heading_path: tuple[str, ...]
    page_start: int | None
    page_end: int | None
    char_start: int
    char_end: int
    ordinal: int
    year: int | None = None
    period_kind: PeriodKind = "unknown"
    kind: str = "text"  # "text" or "table"
    doc_title: str = ""

    def embed_text(self) -> str:
        """Text given to the embedder and keyword index.

        The document title and heading path go in front: a passage alone rarely
        says which year or which document it belongs to, its headings do.
        """
        context = " > ".join(p for p in (self.doc_title, *self.heading_path) if p)
        return f"{context}\n{self.text}" if context else self.text


@dataclass
class Document:
    """A parsed, cleaned, structured document ready to be chunked and indexed."""

    doc_id: str
    path: str
    file_name: str
    sha256: str
    size: int
    text: str
    paragraphs: list[Paragraph]
    sections: list[Section]
    title: str = ""
    org: str = ""
    doc_type: str = "其他"
    years: list[int] = field(default_factory=list)
    report_year: int | None = None
    plan_year: int | None = None
    as_of: str | None = None
    page_count: int | None = None
    read_by_ocr: bool = False  # read from page images (a scan), not a text layer
    chunks: list[Chunk] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)


def content_hash(*parts: str, length: int = 16) -> str:
    """Stable short hash used for chunk and document ids."""
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()[:length]
