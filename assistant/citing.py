"""A citation is one chunk: its number's label (title, library, file, section, page) and its passage
come from that one chunk, however the answer was composed or its parts merged."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from index import DocumentRecord
from ingest.types import Chunk

from .types import Citation

QUOTE_CHARS = 300


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def passage_of(chunk: Chunk, quote: str = "", length: int = QUOTE_CHARS) -> str:
    """The quoted sentence when it stands in this chunk (or its headings); otherwise the chunk's own text.
    A statement resting on two chunks (a plan's target, a summary's result) quotes each from itself."""
    if quote and _squash(quote) in _squash(" ".join([*chunk.heading_path, chunk.text])):
        return quote[:length]
    return chunk.text[:length]


def cite(chunk: Chunk, n: int, quote: str = "", length: int = QUOTE_CHARS, see_also: bool = False) -> Citation:
    """Citation number ``n`` of this chunk, its passage taken from the chunk itself."""
    return Citation(
        n=n,
        source=chunk.file_name,
        section=" > ".join(chunk.heading_path),
        page=chunk.page_start,
        quote=passage_of(chunk, quote, length),
        chunk_id=chunk.id,
        doc_id=chunk.doc_id,
        title=chunk.doc_title,
        see_also=see_also,
    )


def renumbered(citation: Citation, n: int) -> Citation:
    """The same cited chunk under another number (parts of a question merged)."""
    return replace(citation, n=n)


def labelled(citations: list[Citation], document: Callable[[str], DocumentRecord | None]) -> list[Citation]:
    """Each citation with its document's detected title and library (the file name stays as a detail)."""
    out = []
    for c in citations:
        record = document(c.doc_id) if c.doc_id else None
        if record is None:
            out.append(c)
            continue
        out.append(replace(c, title=record.title or c.title, library=record.org or c.library))
    return out


__all__ = ["QUOTE_CHARS", "cite", "labelled", "passage_of", "renumbered"]
