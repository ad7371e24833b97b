"""The plan draft as data: sections of items, each item with the passages it rests on.

Composers fill a :class:`PlanDraft`; renderers (Markdown, Word, the web tab)
only read it, so numbering citations and checking numbers happen once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from ..types import AnswerMode, Citation, FigureUsed

# Tags an item can carry; the renderer shows them, the checks count them.
CARRIED = "延续"
PROJECTED = "推算"
TO_CHECK = "待核实"
RECOVERY = "回升措施"


@dataclass
class PlanItem:
    text: str
    chunk_ids: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    figures: list[FigureUsed] = field(default_factory=list)  # projected targets, with their formulas
    responds_to: list[int] = field(default_factory=list)  # indexes into PlanDraft.problems
    note: str = ""  # a word to the author: why this item is here, what to check
    carried_from: str = ""  # the previous plan's item, when carried over
    marks: str = ""  # "[1][3]", filled when citations are numbered
    unverified: list[str] = field(default_factory=list)


@dataclass
class PlanSection:
    heading: str
    items: list[PlanItem] = field(default_factory=list)
    subsections: list[PlanSection] = field(default_factory=list)
    intro: str = ""
    context: str = ""  # what the area is about (its source text), for placing measures; not shown

    def all_items(self) -> list[PlanItem]:
        out = list(self.items)
        for sub in self.subsections:
            out += sub.all_items()
        return out


@dataclass
class Problem:
    label: str
    text: str
    chunk_ids: list[str]


class CarryStatus(StrEnum):
    """What became of an item of the previous plan, as the latest summary tells."""

    DONE = "done"  # the summary says it was done
    CONTINUING = "continuing"  # begun, not finished: carried over
    DROPPED = "dropped"  # the summary does not mention it: staff decide
    PENDING = "pending"  # no summary of that year yet


@dataclass
class CarryJudgement:
    """What became of one item of the previous plan, judged from the latest summary."""

    item: str
    status: CarryStatus
    reason: str
    chunk_ids: list[str]
    area: str = ""
    marks: str = ""
    unverified: list[str] = field(default_factory=list)


@dataclass
class Deadline:
    quote: str
    year: int
    month: int | None
    chunk_id: str


@dataclass
class PlanDraft:
    org: str
    year: int
    title: str
    sources: list[str]  # titles of the documents drawn on
    sections: list[PlanSection]
    problems: list[Problem] = field(default_factory=list)
    carry: list[CarryJudgement] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    references: list[Citation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    mode: AnswerMode = AnswerMode.EXTRACTIVE
    summary_year: int | None = None
    plan_year: int | None = None

    def items(self) -> list[PlanItem]:
        out: list[PlanItem] = []
        for s in self.sections:
            out += s.all_items()
        return out


STATUS_LABELS = {
    CarryStatus.DONE: "已完成",
    CarryStatus.CONTINUING: "未完成，延续",
    CarryStatus.DROPPED: "总结未提及，待定",
    CarryStatus.PENDING: "执行情况待总结，延续",
}
