"""What ✓ 已核实 promises, checked once for every answer.

An answer is 已核实 when every number in it was verified (``verify``) and the evidence it rests on is of
the year(s) and the library the question asks about, when the question names them. The evidence is the
citations the answer's statements rest on; the best retrieved passage offered beside them (另见) is not.
A year is the cited chunk's own (a report's 2025年工作计划 section is 2025), else its document's; a
passage that writes the year asked counts as of that year. What was checked is said in one line that the
surfaces show beside the badge (已核对：数字3处均见于引文或指标表；年份2023；单位某某图书馆).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from index import DocumentRecord, KnowledgeBase

from .query import Intent, Query
from .types import Answer, Citation
from .verify import numbers_in

_AGAINST_BEFORE = re.compile(r"同比|上年|上一年|前一年|去年同期")


@dataclass
class Evidence:
    """One cited passage as the check reads it: its number, years and library."""

    citation: Citation
    years: set[int] = field(default_factory=set)
    library: str = ""


def _document_years(record: DocumentRecord) -> set[int]:
    own = {y for y in (record.report_year, record.plan_year) if y}
    return own or set(record.years)


def gather(citations: list[Citation], kb: KnowledgeBase) -> list[Evidence]:
    """The passages the statements rest on, each with the year and library of its chunk and document."""
    registry = kb.registry
    resting = [c for c in citations if not c.see_also]
    chunks = registry.chunks([c.chunk_id for c in resting if c.chunk_id])
    out = []
    for c in resting:
        record = registry.get(c.doc_id) if c.doc_id else None
        chunk = chunks.get(c.chunk_id)
        years = {chunk.year} if chunk is not None and chunk.year else set()
        if not years and record is not None:
            years = _document_years(record)
        out.append(Evidence(c, years, record.org if record is not None else ""))
    return out


def _years_text(years: list[int] | set[int]) -> str:
    return "、".join(str(y) for y in sorted(years))


def _marks(evidence: list[Evidence]) -> str:
    return "".join(f"[{e.citation.n}]" for e in evidence)


def _writes(e: Evidence, words: list[str]) -> bool:
    text = f"{e.citation.title} {e.citation.section} {e.citation.quote}"
    return any(w and w in text for w in words)


def years_allowed(query: Query) -> set[int]:
    """The years asked, and the year before each when the question measures a change against it (同比, 比上年)."""
    if query.intent == Intent.CHANGE or _AGAINST_BEFORE.search(query.text):
        return set(query.years) | {y - 1 for y in query.years}
    return set(query.years)


def _said_with(answer_text: str, e: Evidence) -> str:
    """The words of the answer a citation mark closes: from the mark before it (or the sentence start)."""
    at = answer_text.find(f"[{e.citation.n}]")
    if at < 0:
        return ""
    before = answer_text[:at]
    start = max(before.rfind("]"), before.rfind("。"), before.rfind("\n"))
    return before[start + 1 :]


def year_problems(evidence: list[Evidence], query: Query, answer_text: str = "") -> list[str]:
    """Passages of a year the question does not ask about (a plan of 2025 for a question on 2026), unless
    the answer names that year where it cites them (…，2023年为196.47万次[2])."""
    asked = query.years
    if not asked:
        return []
    allowed = years_allowed(query)
    wrong = [
        e
        for e in evidence
        if e.years
        and not e.years & allowed
        and not _writes(e, [f"{y}年" for y in asked])
        and not any(f"{y}年" in _said_with(answer_text, e) for y in e.years)
    ]
    if not wrong:
        return []
    found = set().union(*(e.years for e in wrong))
    return [f"引文{_marks(wrong)}是{_years_text(found)}年的资料，问题问的是{_years_text(asked)}年"]


def _core(org: str) -> str:
    return re.sub(r"(?:公共)?图书馆$", "", org)


def library_problems(evidence: list[Evidence], query: Query) -> list[str]:
    """Passages of a library the question does not name, that do not name the library asked about."""
    asked = query.org
    if not asked:
        return []
    named = {asked, *query.orgs}
    wrong = [
        e
        for e in evidence
        if e.library
        and e.library not in named
        and _core(e.library) not in query.text
        and not _writes(e, [asked, _core(asked)])
    ]
    if not wrong:
        return []
    return [f"引文{_marks(wrong)}出自{'、'.join(sorted({e.library for e in wrong}))}，问题问的是{asked}"]


def checked_note(answer: Answer, evidence: list[Evidence], query: Query) -> str:
    """One line saying what was checked, for the badge's hover text."""
    count = len(numbers_in(answer.answer))
    missing = len(answer.unverified_numbers)
    if not count:
        numbers = "回答中没有需要核对的数字"
    elif missing:
        numbers = f"数字{count}处中{missing}处未在引文或指标表中找到"
    else:
        numbers = f"数字{count}处均见于引文或指标表"
    years = set(query.years) or {y for e in evidence for y in e.years}
    libraries = [query.org] if query.org else sorted({e.library for e in evidence if e.library})
    parts = [
        numbers,
        f"年份{_years_text(years)}" if years else "年份未指定",
        f"单位{'、'.join(libraries)}" if libraries else "单位未指定",
    ]
    return "已核对：" + "；".join(parts)


def review(answer: Answer, query: Query, kb: KnowledgeBase) -> Answer:
    """The answer with its evidence checked against the year(s) and library asked; a mismatch takes ✓ away."""
    if answer.refused:
        return answer
    evidence = gather(answer.citations, kb)
    problems = year_problems(evidence, query, answer.answer) + library_problems(evidence, query)
    answer.warnings = list(dict.fromkeys([*answer.warnings, *problems]))
    answer.checked = checked_note(answer, evidence, query)
    answer.grounded = answer.grounded and not problems
    return answer


__all__ = ["Evidence", "checked_note", "gather", "library_problems", "review", "year_problems"]
