"""Section-aware, sentence-aware chunking.

A chunk never mixes two sections and never cuts a sentence, so it can never
cut a number either. Chunk text is always an exact slice of the document
text, which is what makes every citation exact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from itertools import groupby

from .outline import default_period
from .types import Chunk, Document, Paragraph, content_hash

_SENTENCE_END = re.compile(r"[。！？；!?;]+[”’」』）)]*")
_CLAUSE_END = re.compile(r"[，、,](?!\d)")


@dataclass
class ChunkSizes:
    min_chars: int = 200
    max_chars: int = 500
    overlap_chars: int = 120  # the last sentence carries over when it is at most this long


@dataclass
class _Span:
    start: int
    end: int
    page: int | None
    page_end: int | None


def sentence_spans(p: Paragraph, max_chars: int) -> list[_Span]:
    """Sentence boundaries within a paragraph, as absolute document offsets.

    A table row is one unit: its cells are separated by semicolons, and a row
    cut in two would lose the label that gives its numbers their meaning.
    """
    if p.kind == "table_row":
        return _split_long(p, 0, len(p.text), max_chars)
    spans: list[_Span] = []
    pos = 0
    for m in _SENTENCE_END.finditer(p.text):
        spans.extend(_split_long(p, pos, m.end(), max_chars))
        pos = m.end()
    if pos < len(p.text):
        spans.extend(_split_long(p, pos, len(p.text), max_chars))
    return spans


def _split_long(p: Paragraph, start: int, end: int, max_chars: int) -> list[_Span]:
    """A sentence longer than a chunk is cut at clause commas, never inside a number."""
    out: list[_Span] = []
    while end - start > max_chars:
        window = p.text[start : start + max_chars]
        cuts = [m.end() for m in _CLAUSE_END.finditer(window)]
        cut = cuts[-1] if cuts else _safe_cut(p.text, start + max_chars) - start
        if cut <= 0:  # one unbroken number longer than a chunk: cut it rather than loop
            cut = max_chars
        out.append(_Span(p.start + start, p.start + start + cut, p.page, p.page_end))
        start += cut
    out.append(_Span(p.start + start, p.start + end, p.page, p.page_end))
    return out


def _safe_cut(text: str, at: int) -> int:
    """Move a forced cut back so that it does not fall inside a number like 5.86% or 3,326."""

    def in_number(i: int) -> bool:
        return text[i].isdigit() or (text[i] in ".,%‰" and i > 0 and text[i - 1].isdigit())

    while at > 0 and in_number(at) and (text[at - 1].isdigit() or text[at - 1] in ".,"):
        at -= 1
    return at


def chunk_document(doc: Document, sizes: ChunkSizes | None = None) -> list[Chunk]:
    sizes = sizes or ChunkSizes()
    chunks: list[Chunk] = []
    body = _body(doc)
    # Consecutive paragraphs of one section and one kind (prose or table) chunk together.
    for (_section, kind), group in groupby(body, key=lambda p: (id(p.section), _kind(p))):
        paragraphs = list(group)
        spans = [s for p in paragraphs for s in sentence_spans(p, sizes.max_chars)]
        for window in _pack(spans, sizes):
            chunks.append(_make_chunk(doc, paragraphs[0], window, kind, len(chunks)))
    seen: set[str] = set()
    for c in chunks:  # identical text twice in one document still needs two ids
        while c.id in seen:
            c.id = content_hash(c.id, str(c.ordinal))
        seen.add(c.id)
    return chunks


# A line that states something (a clause, a figure), not a title's few words.
_SAYS_SOMETHING = re.compile(r"[，,；;。]|\d")


def _body(doc: Document) -> list[Paragraph]:
    """The paragraphs that are text, and each heading with no text of its own under it.

    A plan's one-line items (（二）建成并开放某分馆，分馆总数达到4个。) are laid out as headings, yet
    nothing follows them but the next item: their words are the content, and kept as text of the
    section above, so that consecutive items chunk together.
    """
    parents = {s.path: s for s in doc.sections}
    paragraphs = [p for p in doc.paragraphs if p.kind != "title"]
    out: list[Paragraph] = []
    for i, p in enumerate(paragraphs):
        if p.kind != "heading":
            out.append(p)
            continue
        nxt = paragraphs[i + 1] if i + 1 < len(paragraphs) else None
        own = p.section
        bare = own is not None and (
            nxt is None
            or (nxt.kind == "heading" and nxt.section is not None and len(nxt.section.path) <= len(own.path))
        )
        if own is not None and bare and p.text != doc.title and _SAYS_SOMETHING.search(p.text):
            out.append(replace(p, kind="text", section=parents.get(own.path[:-1])))
    return out


def _kind(p: Paragraph) -> str:
    return "table" if p.kind == "table_row" else "text"


def _pack(spans: list[_Span], sizes: ChunkSizes) -> list[list[_Span]]:
    windows: list[list[_Span]] = []
    current: list[_Span] = []
    for span in spans:
        length = span.end - current[0].start if current else 0
        if current and length > sizes.max_chars:
            windows.append(current)
            last = current[-1]
            carry = len(current) > 1 and last.end - last.start <= sizes.overlap_chars
            current = [last] if carry and span.end - last.start <= sizes.max_chars else []
        current.append(span)
    if current:
        if (
            windows
            and current[-1].end - current[0].start < sizes.min_chars // 2
            and len(windows[-1])
            and current[-1].end - windows[-1][0].start <= sizes.max_chars * 1.2
        ):
            windows[-1].extend(s for s in current if s.start >= windows[-1][-1].end)
        else:
            windows.append(current)
    return windows


def _make_chunk(doc: Document, first: Paragraph, window: list[_Span], kind: str, ordinal: int) -> Chunk:
    start, end = window[0].start, window[-1].end
    text = doc.text[start:end]
    section = first.section
    pages = [s.page for s in window if s.page is not None] + [s.page_end for s in window if s.page_end is not None]
    if section is not None:
        period, year = section.period_kind, section.year
    else:
        period, year = default_period(doc.doc_type, doc.report_year, doc.plan_year)
    heading_path = section.path if section else ()
    return Chunk(
        # The id covers everything the embedder sees (title, headings, text): a vector is reused only
        # when the text it was computed from is unchanged.
        id=content_hash(doc.doc_id, doc.title, " > ".join(heading_path), text),
        doc_id=doc.doc_id,
        file_name=doc.file_name,
        text=text,
        heading_path=heading_path,
        page_start=min(pages) if pages else None,
        page_end=max(pages) if pages else None,
        char_start=start,
        char_end=end,
        ordinal=ordinal,
        year=year,
        period_kind=period,
        kind=kind,
        doc_title=doc.title,
    )
