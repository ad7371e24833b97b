"""The answer object every surface returns: text, citations, the figures it used."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class AnswerMode(StrEnum):
    """How an answer was written: from the documents' own sentences, or by a model and then checked."""

    EXTRACTIVE = "extractive"
    LLM = "llm"


@dataclass
class Citation:
    n: int
    source: str  # file name
    section: str
    page: int | None
    quote: str
    chunk_id: str = ""
    doc_id: str = ""
    title: str = ""  # the document's detected title
    library: str = ""  # the library the document is about, as detected at ingest
    see_also: bool = False  # offered beside the answer (the best retrieved passage), not a statement's evidence

    def as_dict(self) -> dict:
        return {
            "n": self.n,
            "source": self.source,
            "title": self.title,
            "library": self.library,
            "section": self.section,
            "page": self.page,
            "quote": self.quote,
        }


@dataclass
class FigureUsed:
    indicator: str
    year: int | None
    value: float
    unit: str
    source: str
    derived: bool = False
    formula: str | None = None
    stated: str = ""
    kind: str = "actual"
    quote: str = ""  # the sentence the metrics table read it from

    def as_dict(self) -> dict:
        out = {
            "indicator": self.indicator,
            "year": self.year,
            "value": self.value,
            "unit": self.unit,
            "source": self.source,
            "derived": self.derived,
        }
        if self.formula:
            out["formula"] = self.formula
        return out


@dataclass(frozen=True)
class ReviewedBy:
    """A staff-reviewed answer served in place of the assistant's: which one, who reviewed it, and when."""

    id: int
    reviewer: str
    reviewed_at: str  # local time, to the second

    def as_dict(self) -> dict:
        return {"id": self.id, "reviewer": self.reviewer, "reviewed_at": self.reviewed_at}


@dataclass
class Answer:
    question: str
    answer: str
    citations: list[Citation] = field(default_factory=list)
    figures: list[FigureUsed] = field(default_factory=list)
    grounded: bool = True
    unverified_numbers: list[str] = field(default_factory=list)
    mode: AnswerMode = AnswerMode.EXTRACTIVE
    latency_ms: float = 0.0
    refused: bool = False
    intent: str = ""
    reference_note: str = ""
    warnings: list[str] = field(default_factory=list)  # why the answer is not 已核实, beside unverified numbers
    checked: str = ""  # what the badge's check covered, one line (已核对：数字3处均见于引文或指标表；年份2023；…)
    reviewed: ReviewedBy | None = None  # a staff-reviewed answer, served for this question
    library: str = ""  # the library (or libraries, 、-joined) the answer speaks for
    candidates: list[str] = field(default_factory=list)  # the libraries to choose from, when it asks which

    def as_dict(self) -> dict:
        """The contract shared by `lantai ask --json` and the REST API."""
        return {
            "question": self.question,
            "answer": self.answer,
            "citations": [c.as_dict() for c in self.citations],
            "figures": [f.as_dict() for f in self.figures],
            "grounded": self.grounded,
            "unverified_numbers": list(self.unverified_numbers),
            "warnings": list(self.warnings),
            "checked": self.checked,
            "library": self.library,
            "candidates": list(self.candidates),
            "mode": self.mode,
            "latency_ms": round(self.latency_ms, 1),
            "refused": self.refused,
            "intent": self.intent,
            "reviewed": self.reviewed.as_dict() if self.reviewed else None,
        }


def distinct_figures(figures: list[FigureUsed]) -> list[FigureUsed]:
    """Each figure once, in the order first used."""
    seen = set()
    out = []
    for f in figures:
        key = (f.indicator, f.year, f.value, f.unit, f.source, f.derived)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out
