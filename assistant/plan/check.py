"""Number the draft's citations, check every number, and measure the draft against its duties.

Numbers are checked as in answers (``assistant.verify``): a number stands in
a passage the item cites, or is a projected target whose formula states it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index import KnowledgeBase

from ..types import Citation
from ..verify import numbers_in, verify
from .model import CARRIED, CarryJudgement, PlanDraft


def finalize(draft: PlanDraft, kb: KnowledgeBase) -> PlanDraft:
    chunks = kb.registry.chunks([i for item in draft.items() + draft.carry for i in item.chunk_ids])
    numbers: dict[str, int] = {}
    draft.references = []
    for item in draft.items() + draft.carry:  # the items, then the table of last year's items
        item.chunk_ids = [i for i in dict.fromkeys(item.chunk_ids) if i in chunks]
        marks = ""
        for chunk_id in item.chunk_ids:
            if chunk_id not in numbers:
                c = chunks[chunk_id]
                numbers[chunk_id] = len(numbers) + 1
                draft.references.append(
                    Citation(
                        n=numbers[chunk_id],
                        source=c.file_name,
                        section=" > ".join(c.heading_path),
                        page=c.page_start,
                        quote=c.text[:300],
                        chunk_id=c.id,
                        doc_id=c.doc_id,
                    )
                )
            marks += f"[{numbers[chunk_id]}]"
        item.marks = marks
        passages = [chunks[i].text for i in item.chunk_ids]
        if isinstance(item, CarryJudgement):  # its item and its reason both quote the documents
            item.unverified = check_numbers(judged_text(item), passages, [])
        else:
            item.unverified = check_numbers(item.text, passages, item.figures)
    return draft


def judged_text(j: CarryJudgement) -> str:
    return f"{j.item}。{j.reason}"


def check_numbers(text: str, passages: list[str], figures) -> list[str]:
    return verify(text, [], list(figures), passages).unverified


@dataclass
class PlanChecks:
    problems: int
    problems_answered: int
    items: int
    items_cited: int
    numbers: int
    numbers_verified: int
    carried: int
    projected: int

    @property
    def problem_share(self) -> float:
        return self.problems_answered / self.problems if self.problems else 1.0

    @property
    def cited_share(self) -> float:
        return self.items_cited / self.items if self.items else 1.0

    @property
    def verified_share(self) -> float:
        return self.numbers_verified / self.numbers if self.numbers else 1.0

    def as_dict(self) -> dict:
        return {
            "problems": self.problems,
            "problems_answered": self.problems_answered,
            "items": self.items,
            "items_cited": self.items_cited,
            "numbers": self.numbers,
            "numbers_verified": self.numbers_verified,
            "carried_over": self.carried,
            "projected_targets": self.projected,
            "problem_share": round(self.problem_share, 4),
            "cited_share": round(self.cited_share, 4),
            "verified_share": round(self.verified_share, 4),
        }


def measure(draft: PlanDraft) -> PlanChecks:
    items = draft.items()
    # The guiding paragraph names every problem; only a measure (outside 总体思路) answers one.
    guiding = {id(i) for s in draft.sections if s.heading == "总体思路" for i in s.all_items()}
    answered = {k for item in items if id(item) not in guiding for k in item.responds_to}
    numbers = sum(len(numbers_in(_without_marks(i.text))) for i in items)
    numbers += sum(len(numbers_in(judged_text(j))) for j in draft.carry)
    unverified = sum(len(i.unverified) for i in items + draft.carry)
    return PlanChecks(
        problems=len(draft.problems),
        problems_answered=len(answered & set(range(len(draft.problems)))),
        items=len(items) + len(draft.carry),
        items_cited=sum(1 for i in items if i.chunk_ids) + sum(1 for j in draft.carry if j.chunk_ids),
        numbers=numbers,
        numbers_verified=numbers - unverified,
        carried=sum(1 for i in items if CARRIED in i.tags),
        projected=sum(1 for i in items if i.figures),
    )


def _without_marks(text: str) -> str:
    return re.sub(r"\[\d+\]", "", text)
