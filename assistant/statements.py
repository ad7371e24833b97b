"""A draft answer: statements, each with the chunks that support it.

Composers (figures, extractive text, LLM) produce drafts; one renderer turns
a draft into the answer text with numbered citations, so numbering and
quoting work the same whichever way the answer was composed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from index import SearchHit

from .citing import cite
from .types import Citation, FigureUsed


@dataclass
class Statement:
    text: str
    chunk_ids: list[str] = field(default_factory=list)
    quote: str = ""  # the passage sentence the statement rests on, when narrower than the chunk


@dataclass
class Draft:
    statements: list[Statement] = field(default_factory=list)
    figures: list[FigureUsed] = field(default_factory=list)
    refused: bool = False
    intro: str = ""
    as_list: bool = False

    def add(self, text: str, chunk_ids: Sequence[str | None] | str | None = None, quote: str = "") -> None:
        """A statement resting on these chunks (ids left empty, as a row without a passage has, are dropped)."""
        ids = [chunk_ids] if isinstance(chunk_ids, str) else list(chunk_ids or [])
        self.statements.append(Statement(text, [i for i in ids if i], quote))


def render(draft: Draft, chunk_lookup) -> tuple[str, list[Citation]]:
    """Answer text with [n] marks and the numbered citations, in order of first use."""
    numbers: dict[str, int] = {}
    citations: list[Citation] = []
    lines: list[str] = []
    for i, st in enumerate(draft.statements, start=1):
        marks = ""
        for chunk_id in dict.fromkeys(st.chunk_ids):  # two points of one table row cite it once
            if chunk_id not in numbers:
                chunk = chunk_lookup(chunk_id)
                if chunk is None:
                    continue
                numbers[chunk_id] = len(numbers) + 1
                citations.append(cite(chunk, numbers[chunk_id], st.quote))
            marks += f"[{numbers[chunk_id]}]"
        text = st.text.rstrip("。；;")
        if draft.as_list and len(draft.statements) > 1:
            lines.append(f"{i}. {text}{marks}；" if i < len(draft.statements) else f"{i}. {text}{marks}。")
        else:
            lines.append(f"{text}{marks}。")
    body = ("\n" if draft.as_list and len(draft.statements) > 1 else "").join(lines)
    intro = draft.intro
    if intro and draft.as_list and len(draft.statements) > 1:
        return f"{intro}\n{body}", citations
    return f"{intro}{body}", citations


def with_top_passage(
    text: str, citations: list[Citation], hits: list[SearchHit], best_unit=None
) -> tuple[str, list[Citation]]:
    """The best retrieved passage is always cited: an answer never shows less than retrieval alone.

    When the answer rests on other passages, the sentence of the best passage that holds most of the
    question (``best_unit`` picks it) is quoted too, so the evidence retrieval ranks first is read,
    not only pointed at.
    """
    if not hits or any(c.chunk_id == hits[0].chunk.id for c in citations):
        return text, citations
    n = len(citations) + 1
    top = hits[0].chunk
    quoted = best_unit(top.text) if best_unit is not None else ""
    cited = cite(top, n, quote=quoted, see_also=True)
    if quoted:
        return f"{text}\n另见最相关的原文[{n}]：{quoted.rstrip('。；;')}。", [*citations, cited]
    return f"{text}\n另见最相关的原文段落[{n}]。", [*citations, cited]
