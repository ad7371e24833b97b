"""Days between two dated events a question names: 从开工到开放一共用了多少天.

Each event is read from a retrieved sentence that names its kind of step (开工, 封顶, 开放…) beside a
date, in the clause that names it; a month and day with no year take the year of the passage. When a
step is dated more than once, the sentences on the question's subject (新馆) decide; still two dates,
nothing is computed.
"""

from __future__ import annotations

import re
from datetime import date

from .matching import question_subject
from .operands import Operand, Result

ASKS_DAYS = re.compile(
    r"从(?P<a>[^，,？?从]{1,12}?)(?:到|至)(?P<b>[^，,？?]{1,12}?)(?:一共|总共|共|前后)?"
    r"(?:用了|花了|历时|经过|隔了|相隔)?(?:多少|几)天"
)

# Kinds of step a date may be asked of, each with the words reports write for it.
_STEPS = (
    ("开工", "动工", "奠基"),
    ("封顶",),
    ("竣工", "验收", "完工"),
    ("开放", "开馆", "启用", "开门", "迎客", "揭牌", "挂牌", "投入使用", "建成"),
    ("立项",),
)
_FULL = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_MONTH_DAY = re.compile(r"(?<![\d年])(\d{1,2})\s*月\s*(\d{1,2})\s*日")


def days_between(question: str, hits, org: str | None = None) -> Result | None:
    m = ASKS_DAYS.search(question)
    if m is None:
        return None
    subject = re.sub(r"[的在了]", "", question_subject(question[: m.start()], org))
    first = _event_date(m.group("a"), subject, hits)
    last = _event_date(m.group("b"), subject, hits)
    if first is None or last is None:
        return None
    (start, a), (end, b) = first, last
    if end <= start:
        return None
    days = (end - start).days
    return Result(float(days), "天", f"{b.stated} - {a.stated}", [a, b], "共")


def spanned_events(question: str) -> list[str]:
    """The two events a question spans, each with what it is about: 新馆开工, 新馆开放."""
    m = ASKS_DAYS.search(question)
    if m is None:
        return []
    subject = re.sub(r"[的在了]", "", question_subject(question[: m.start()]))
    return [f"{subject}{m.group('a')}", f"{subject}{m.group('b')}"]


def _event_date(words: str, subject: str, hits) -> tuple[date, Operand] | None:
    """The one date the passages give the step the words name."""
    step = next((s for s in _STEPS if any(w in words for w in s)), None)
    if step is None:
        return None
    found: dict[date, Operand] = {}
    on_subject: dict[date, Operand] = {}
    for hit in hits:
        chunk = hit.chunk
        for clause in re.split(r"[。；;！!？?\n]", chunk.text):
            if not any(w in clause for w in step):
                continue
            dated = _date_in(clause, chunk.year)
            if dated is None:
                continue
            when, stated = dated
            operand = Operand(
                float(when.toordinal()),
                "",
                "日",
                stated,
                step[0],
                "",
                chunk.id,
                clause.strip(),
                chunk.file_name,
                when.year,
            )
            found.setdefault(when, operand)
            if subject and subject in clause:
                on_subject.setdefault(when, operand)
    pick = on_subject if len(on_subject) == 1 else found
    return next(iter(pick.items())) if len(pick) == 1 else None


def _date_in(clause: str, year: int | None) -> tuple[date, str] | None:
    """The clause's one date, written in full or as month and day of the passage's year."""
    full = _FULL.findall(clause)
    if len(full) == 1:
        y, mo, d = (int(x) for x in full[0])
        return _valid(y, mo, d, f"{y}年{mo}月{d}日")
    if full or year is None:
        return None
    short = _MONTH_DAY.findall(clause)
    if len(short) != 1:
        return None
    mo, d = (int(x) for x in short[0])
    return _valid(year, mo, d, f"{year}年{mo}月{d}日")


def _valid(y: int, mo: int, d: int, stated: str) -> tuple[date, str] | None:
    try:
        return date(y, mo, d), stated
    except ValueError:
        return None
