"""Figures read from prose, sentence by sentence."""

from __future__ import annotations

import re

from ..types import Paragraph
from .changes import _ABS_CHANGE, _COMPLETION, _DOWN_WORDS, _TIMES_OF, _as_change, _check_percentages, _set_change
from .model import Direction, Figure, FigureKind, _Context
from .naming import _ADMIN_UNITS, _CONTEXT_PHRASE, _each, _indicator, _right_phrase
from .orgs import _entry_library, _section_library, _subject_library
from .patterns import _NUMBER, _SENTENCE_END, _last_break, _masked, _not_a_figure, _qualifier, _unit_of, split_unit
from .period import _NORM_WORDS, _kind, _period, _scope, _year


def _prose(ctx: _Context, p: Paragraph) -> None:
    period_kind, section_year = _period(ctx, p)
    masked = _masked(p.text)
    start = 0
    for m in _SENTENCE_END.finditer(p.text + "。"):
        end = min(m.end(), len(p.text))
        _sentence(ctx, p, start, end, masked, period_kind, section_year)
        start = end


# 比2021年的31.5万人次增长16.8%: the figure compared against, whose change is the figure's before it
_COMPARED_WITH = re.compile(r"(?:比|较|相比|同比)(?:(?:19|20)\d{2}\s*年(?:同期)?|上年|去年|上一年)的?$")


# 比上年的31.7万人次, 较2022年的: the figure compared against is the one before it, a year (or the year named) earlier
_AGAINST_BEFORE = re.compile(r"^[，,]?\s*(?:比|较|相比|同比)(?:(?P<year>(?:19|20)\d{2})\s*年|上年|去年|上一年)的?$")


def _as_compared(fig: Figure, found: list[Figure], between: str) -> None:
    """比上年的31.7万人次 right after 总流通人次40.2万人次 is 总流通人次 of the year before, not a figure named 比上年的."""
    m = _AGAINST_BEFORE.match(between)
    if not found or m is None:
        return
    prev = found[-1]
    year = int(m.group("year")) if m.group("year") else (prev.year - 1 if prev.year else None)
    if year is None or split_unit(prev.unit)[1] != split_unit(fig.unit)[1]:
        return
    fig.indicator, fig.phrase, fig.scope, fig.kind, fig.year = prev.indicator, prev.phrase, prev.scope, prev.kind, year


def _changed(found: list[Figure], mtext: str, offset: int) -> Figure:
    """The figure a stated change belongs to: the last one, unless that one is what it is compared with."""
    last = found[-1]
    before = mtext[: last.char_start - offset]
    if len(found) >= 2 and _COMPARED_WITH.search(before):
        return found[-2]
    return last


def _sentence(
    ctx: _Context, p: Paragraph, s0: int, s1: int, masked: str, period_kind: str, section_year: int | None
) -> None:
    text = p.text[s0:s1]
    mtext = masked[s0:s1]
    found: list[Figure] = []
    counts: list[tuple[float, str, str]] = []  # every count in the sentence, figure or not, for share checks
    last_end = 0
    for m in _NUMBER.finditer(mtext):
        if _not_a_figure(mtext, m):
            continue
        if not m.group("pct"):
            unit = _unit_of(m, mtext[: m.start()])
            if not unit:
                continue  # a bare 万 whose name gives no unit
            scale, base = split_unit(unit)
            counts.append((float(m.group("num")) * scale, base, text[m.start() : m.end()]))
        change = _as_change(mtext, m)
        if change is not None:
            if found:
                _set_change(_changed(found, mtext, p.start + s0), *change[:3], base_year=change[3])
            continue
        if m.group("pct") and _COMPLETION.search(mtext[max(0, m.start() - 16) : m.start()]):
            continue  # 完成年度目标的109.16%: an attribute of the figure before, not a figure
        amount = _ABS_CHANGE.search(mtext[max(last_end, _last_break(mtext, m.start())) : m.start()])
        changed = (
            [f for f in found if f.unit == _unit_of(m, mtext[: m.start()])] if amount and not m.group("pct") else []
        )
        if amount and changed and changed[-1].change_amount is None:
            # 共694个，较2020年增加128个: the change of the last figure in that unit (开放24小时 between them
            # counts hours), not a count of its own
            year = int(amount.group("year")) if amount.group("year") else None
            changed[-1].change_amount = (
                float(m.group("num")),
                Direction.DOWN if amount.group("dir") in _DOWN_WORDS else Direction.UP,
                year,
            )
            continue
        fig = _prose_figure(ctx, p, text, mtext, m, last_end, period_kind, section_year, s0, found)
        if fig is None:
            continue
        stock = (
            [
                f
                for f in found
                if f.unit == fig.unit
                and f.kind in (FigureKind.CUMULATIVE, FigureKind.AS_OF)
                and f.year == fig.year
                and not f.phrase.startswith("新增")
            ]
            if fig.phrase.startswith("新增")
            else []
        )
        if stock and stock[-1].change_amount is None and stock[-1].change_pct is None:
            stock[-1].change_amount = (
                fig.value,
                Direction.UP,
                None,
            )  # the stock a year before is the stock less the addition
        _as_compared(fig, found, mtext[last_end : m.start()] if found else "")
        _of_one_day(fig, mtext, m.start())
        fig.org = (
            _subject_library(text[: m.start()], ctx.doc.org)
            or _entry_library(p.text, ctx.doc.org)
            or _section_library(p.section, ctx.doc.org)
        )
        times = _TIMES_OF.match(mtext, m.end())
        if times:
            fig.times_of = (float(times.group("num")), int(times.group("year")))
        found.append(fig)
        found.extend(_each(ctx, fig, text[max(last_end, _last_break(mtext, m.start())) : m.start()]))
        last_end = m.end()
    # A change stated after several figures belongs to the one right before it; done above.
    _check_percentages(found, counts)
    ctx.figures.extend(found)


def _prose_figure(
    ctx: _Context,
    p: Paragraph,
    text: str,
    mtext: str,
    m: re.Match[str],
    last_end: int,
    period_kind: str,
    section_year: int | None,
    s0: int,
    found: list[Figure],
) -> Figure | None:
    unit = _unit_of(m, mtext[: m.start()])
    if not unit:
        return None
    value = float(m.group("num"))
    qualifier = _qualifier(mtext[: m.start()], m)
    clause_start = max(last_end, _last_break(mtext, m.start()))
    left = mtext[clause_start : m.start()]
    right = _right_phrase(mtext[m.end() :])
    unmasked_left = text[clause_start : m.start()]
    indicator, phrase = _indicator(ctx, unmasked_left, right, text[: m.start()], found, unit)
    if indicator is None and (not phrase or _ADMIN_UNITS.match(right) or _CONTEXT_PHRASE.search(phrase)):
        return None  # 全区292个村（社区）, 常住人口68万人: the district's make-up, not the library's work
    year, as_of = _year(mtext[: m.start()], section_year, period_kind)
    kind = _kind(ctx, indicator or phrase, period_kind, mtext[: m.start()], left, as_of, right)
    if qualifier in ("不少于", "不低于", "至少") and _NORM_WORDS.search(text):
        kind = FigureKind.TARGET  # "每间驿站使用面积原则上不少于40平方米": a standard set, not a result
    scale, base = split_unit(unit)
    stated = text[m.start() : m.end()]
    return Figure(
        indicator=indicator or phrase,
        phrase=phrase,
        value=value,
        unit=unit,
        plain_value=value * scale,
        base_unit=base,
        year=year,
        kind=kind,
        scope=_scope(left, mtext[: m.start()]),
        as_of=as_of,
        qualifier=qualifier,
        char_start=p.start + s0 + m.start(),
        char_end=p.start + s0 + m.end(),
        quote=text.strip(),
        stated=stated,
    )


# 开馆首日…外借图书8600余册次, 活动当天…: a sentence framed by one day counts that day, not the year
_ONE_DAY = re.compile(r"首日|当天|当日|单日")


def _of_one_day(fig: Figure, text: str, at: int) -> None:
    """A figure in a sentence about one day is scoped to that day (unless a branch scopes it already)."""
    start = max(text.rfind(c, 0, at) for c in "。！？!?\n") + 1
    day = _ONE_DAY.search(text[start:at])
    if day and not fig.scope:
        fig.scope = day.group(0)
