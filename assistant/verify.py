"""Every number in an answer is checked against the cited passages and the figures used.

A number counts as verified when the same number (with its unit, 万 scaling
understood) stands in a passage the answer cites, or is a figure from the
metrics table the answer used (derived figures carry their formula). Years,
citation marks and list numbers are not figures and are not checked. A figure
its sentence states per member of another group (每名党员至少联系1间驿站 read as
读书驿站数) is not that indicator's: its number is unverified, with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.figures.patterns import COUNT_UNIT_PATTERN

from .arithmetic.operands import UNIT_PATTERN
from .types import Citation, FigureUsed

_NUMBER = re.compile(r"(?<![\d.\[])([+-]?\d+(?:\.\d+)?)\s*(万|亿)?\s*(%|[\u4e00-\u9fff]{0,3})")
_NOT_CHECKED = re.compile(r"^(?:年|月|日|号|届|期间|\.)")
UNVERIFIED_MARK = "⚠未核实"
# what follows a number as its unit: 余/多, then the longest unit (个工作日 before 个, 万册次 before 万)
_UNITS = sorted({*UNIT_PATTERN.split("|"), *COUNT_UNIT_PATTERN.split("|"), "%", "‰"}, key=len, reverse=True)
_UNIT_AFTER = re.compile(rf"\s*(?:余|多)?(?:{'|'.join(_UNITS)})")
# 每名党员 / 每个分馆: a number after it counts something per member of that group
_PER_MEMBER = re.compile(r"每(?:名|位|个|人|间|所|家|座|户)([\u4e00-\u9fff]{2,4})")


@dataclass
class Verification:
    unverified: list[str]
    reasons: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.unverified


def _plain(number: str, magnitude: str | None) -> float:
    return float(number) * {"万": 1e4, "亿": 1e8}.get(magnitude or "", 1.0)


def numbers_in(text: str) -> list[tuple[str, float, int, int]]:
    """(as written, plain value, start, end) for each figure-like number; years and [n] marks skipped."""
    out = []
    titles = [(t.start(), t.end()) for t in re.finditer(r"《[^》]*》", text)]
    for m in _NUMBER.finditer(text):
        if any(a <= m.start() < b for a, b in titles):
            continue  # 《…年鉴（2024）》: part of a title
        number, magnitude, tail = m.group(1), m.group(2), m.group(3)
        if text[m.end(1) : m.end(1) + 1] == "]" or text[max(0, m.start() - 1) : m.start()] == "[":
            continue
        if not magnitude and _NOT_CHECKED.match(tail or "") and len(number.lstrip("+-")) <= 4:
            continue  # 2024年, 12月, 31日
        if re.fullmatch(r"\d{1,2}", number) and text[m.end(1) : m.end(1) + 2] in (". ", "．"):
            continue
        if not magnitude and not tail and text[m.end(1) : m.end(1) + 1] in (".", "．"):
            continue  # "1. " list numbering
        out.append(
            (text[m.start() : m.end(1)] + (magnitude or ""), _plain(number.lstrip("+"), magnitude), m.start(), m.end())
        )
    return out


def _passage_values(text: str) -> set[float]:
    values = set()
    for _, value, _, _ in numbers_in(text):
        values.add(round(abs(value), 6))
        values.add(round(abs(value) / 1e4, 6))
    return values


def of_another_group(f: FigureUsed) -> bool:
    """The figure's own sentence counts it per member of a group its indicator is not about:
    每名党员至少联系1间驿站 is no target of 读书驿站数; 每间读书驿站每季度至少开展1场 is one of 驿站季度活动场次."""
    at = f.quote.find(f.stated) if f.quote and f.stated else -1
    if at < 0:
        return False
    member = _PER_MEMBER.search(re.split(r"[，,。；;：:]", f.quote[:at])[-1])
    if member is None:
        return False
    group = member.group(1)
    return not any(group[i : i + 2] in f.indicator for i in range(len(group) - 1))


def verify(answer_text: str, citations: list[Citation], figures: list[FigureUsed], passages: list[str]) -> Verification:
    stray = [f for f in figures if not f.derived and of_another_group(f)]
    figures = [f for f in figures if f not in stray]
    known: set[float] = set()
    for text in [c.quote for c in citations] + passages:
        known |= _passage_values(text)
    for f in figures:
        scale = 1e4 if f.unit.startswith("万") else (1e8 if f.unit.startswith("亿") else 1.0)
        known |= {round(abs(f.value), 6), round(abs(f.value) * scale, 6)}
        if f.formula:
            known |= _passage_values(f.formula)
    unverified = []
    for written, value, _, _ in numbers_in(answer_text):
        v = round(abs(value), 6)
        if v in known:  # 万 is understood through the plain values: 208.37万 = 2083700, never 208.37亿
            continue
        if written.endswith("万") and round(v / 1e4, 6) in known:
            continue  # "208.37万次" against a table cell "208.37" under a （万次） header
        unverified.append(written)
    reasons = []
    for f in stray:
        unit = f.unit.lstrip("万亿")
        said = [
            w
            for w, value, start, _ in numbers_in(answer_text)
            if round(abs(value), 6) == round(abs(f.value), 6) and answer_text[start + len(w) :].startswith(unit)
        ]
        unverified += [w for w in said if w not in unverified]
        if said:
            reasons.append(f"{f.stated}取自无关语句（{_clause(f.quote, f.stated)}），不是{f.indicator}")
    return Verification(unverified, reasons)


def _clause(text: str, part: str) -> str:
    """The clause of ``text`` that holds ``part``."""
    at = text.find(part)
    start = max(text.rfind(p, 0, at) for p in "，,。；;：:") + 1
    ends = [e for e in (text.find(p, at) for p in "，,。；;") if e >= 0]
    return text[start : min(ends) if ends else len(text)]


def flag(answer_text: str, unverified: list[str]) -> str:
    """Mark each unverified number where the check found it (never inside a title), after its whole
    number and unit: 215万人次⚠未核实, not 215万⚠未核实人次."""
    wanted = set(unverified)
    ends = []
    for written, _, start, _ in numbers_in(answer_text):
        if written not in wanted:
            continue
        after = start + len(written)
        unit = _UNIT_AFTER.match(answer_text, after)
        ends.append(unit.end() if unit else after)
    for end in sorted(set(ends), reverse=True):
        answer_text = answer_text[:end] + UNVERIFIED_MARK + answer_text[end:]
    return answer_text
