"""The LLM mode: the model writes the answer from the passages, and every claim is checked against them.

A model that errs, or whose claims the passages do not hold even when asked again, leaves the
extractive answer standing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from index import SearchHit

from . import grounding
from .citing import cite
from .prompts import NO_ANSWER, Passage, build_messages, build_retry_messages
from .query import Query
from .statements import Draft, with_top_passage
from .types import Answer, AnswerMode, FigureUsed, distinct_figures


def rewrite(
    llm, query: Query, draft: Draft, hits: list[SearchHit], fallback: Answer, note: str, lookup: Callable[[str], Any]
) -> Answer:
    """The model's answer from the passages the extractive answer cites and those retrieved, its claims
    checked against them (asked again once with the problems found); ``fallback`` when it fails."""
    from .llm import LLMError

    chunks = {c.chunk_id: lookup(c.chunk_id) for c in fallback.citations}
    for h in hits:
        chunks.setdefault(h.chunk.id, h.chunk)
    ordered = [c for c in chunks.values() if c is not None][:8]
    passages = [
        Passage(i, c.file_name, " > ".join(c.heading_path), c.page_start, c.text)
        for i, c in enumerate(ordered, start=1)
    ]
    figure_lines = [
        f"{f.indicator} {f.year}年：{f.stated or f.value}{'（推算）' if f.derived else ''}（{f.source}）"
        for f in draft.figures
    ]
    question = query.text
    if query.follow_up:  # "那前年呢？" means nothing to a model that did not see the turn before
        said = "、".join(x for x in (query.org, query.indicator, "、".join(f"{y}年" for y in query.years)) if x)
        question = f"{query.text}（即：{said}）" if said else query.text
    messages = build_messages(question, passages, figure_lines, None, note.rstrip("："))
    for _attempt in range(2):
        try:
            text = llm.complete(messages)
        except LLMError:
            return fallback
        answer, problems = _checked(text, ordered, draft.figures, question)
        if answer.refused and draft.figures:
            return fallback  # the metrics table answered; the model's refusal would drop a verified figure
        if not problems:
            answer.question = query.text
            if not answer.refused:
                answer.answer, answer.citations = with_top_passage(answer.answer, answer.citations, hits)
            return answer
        messages = build_retry_messages(messages, text, problems)
    return fallback


def _checked(text: str, ordered, figures: list[FigureUsed], question: str = "") -> tuple[Answer, list[str]]:
    """The model's text with its marks checked and renumbered, and the problems to send it back with."""
    text = _marks_before_stop(text.strip())
    if re.fullmatch(re.escape(NO_ANSWER) + r"[。.！!\s]*", text):  # only the refusal itself, nothing after it
        return Answer(question="", answer=text, refused=True, mode=AnswerMode.LLM), []
    shown = {n: ordered[n - 1] for n in range(1, len(ordered) + 1)}
    text = re.sub(r"\[(\d+)\]", lambda m: m.group(0) if int(m.group(1)) in shown else "", text)
    # Each claim against the passages it cites itself; marks supporting nothing are removed.
    checked = grounding.check(text, {n: _source(c) for n, c in shown.items()}, figures, question)
    text = checked.text
    kept = sorted({int(n) for n in re.findall(r"\[(\d+)\]", text)})
    renumber = {old: new for new, old in enumerate(kept, start=1)}
    text = re.sub(r"\[(\d+)\]", lambda m: f"[{renumber[int(m.group(1))]}]", text)
    citations = [cite(c, renumber[n]) for n, c in shown.items() if n in renumber]
    problems = []
    if not citations:
        problems.append("回答没有标注引用编号，或所标引用不支持对应的句子")
    problems += checked.problems
    unverified = list(dict.fromkeys(checked.unverified))
    answer = Answer(
        question="",
        answer=text,
        citations=citations,
        figures=distinct_figures(figures),
        grounded=not problems,
        unverified_numbers=unverified,
        mode=AnswerMode.LLM,
    )
    return answer, problems


def _source(chunk) -> grounding.Source:
    """A passage with what its text leaves unsaid: the document's title, headings and year."""
    context = " ".join([chunk.doc_title, *chunk.heading_path, f"{chunk.year}年" if chunk.year else ""])
    return grounding.Source(chunk.text, chunk.file_name, context)


def _marks_before_stop(text: str) -> str:
    """'…万次。[1]' → '…万次[1]。': a mark written after the full stop belongs to the sentence before it."""
    return re.sub(r"([。！？；])((?:\[\d+\])+)", r"\2\1", text)
