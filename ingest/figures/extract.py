"""A document's figures, in reading order, each tied to the chunk that holds it."""

from __future__ import annotations

from ..indicators import IndicatorList, load_indicators
from ..types import Document
from .changes import derive_prior_year
from .model import Figure, _Context
from .prose import _prose
from .tables import _table_row


def extract_figures(doc: Document, indicators: IndicatorList | None = None, with_derived: bool = True) -> list[Figure]:
    """All figures of a document, in reading order, each tied to the chunk that holds it.

    With ``with_derived`` the prior-year values implied by stated changes follow,
    marked ``derived`` with their formula.
    """
    ctx = _Context(doc, indicators or load_indicators())
    for p in doc.paragraphs:
        if p.kind == "table_row":
            _table_row(ctx, p)
        elif p.kind == "text":
            _prose(ctx, p)
    _attach_chunks(doc, ctx.figures)
    figures = ctx.figures
    if with_derived:
        # a year the document states itself (比上年的31.7万人次) is not worked back from its change as well
        stated = {_key(f) for f in figures}
        figures = figures + [d for d in map(derive_prior_year, figures) if d is not None and _key(d) not in stated]
    return figures


def _key(fig: Figure) -> tuple[object, ...]:
    return (fig.indicator, fig.scope, fig.org, fig.year, fig.base_unit, fig.kind)


def _attach_chunks(doc: Document, figures: list[Figure]) -> None:
    for fig in figures:
        for chunk in doc.chunks:
            if chunk.char_start <= fig.char_start < chunk.char_end:
                fig.chunk_id = chunk.id
                break
