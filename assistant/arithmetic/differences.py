"""Differences, gaps to a target, rates of change and ratios (几倍): one figure against another."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ingest.indicators import units_compatible

from ..figure_names import narrowing_words
from .matching import asked_term, asked_unit, best_fit, fit
from .operands import UNIT_PATTERN, Operand, Result, same_scale
from .wording import REMAINDER


def difference_of(
    question: str, subject: str, ops: list[Operand], years: list[int], rows: list[Operand]
) -> Result | None:
    asked = asked_unit(question)
    unit = asked[1] if asked else None
    if len(years) >= 2 or re.search(r"比上年|较上年|比去年|比前一年|上年", question):
        # One figure in two years: the asked years, or the year and the one before. Without a unit
        # asked (增长了多少) the change the document states, in %, answers: nothing computed.
        amount = unit is not None or bool(_AMOUNT_ASKED.search(question))  # 多了多少 asks an amount, not a rate
        pair = _two_years(question, subject, years, rows, unit, ops) if amount else None
        if pair is None:
            return None
        before, after = pair
        if unit is None and after.change_pct is not None and before.year == (after.year or 0) - 1:
            return None  # 比上年少了多少, and the report states its change on the year before: that answers
        magnitude, scale = same_scale([after, before])
        value = (after.plain - before.plain) / scale
        return Result(
            abs(value),
            magnitude + after.unit,
            f"{after.stated} - {before.stated}",
            [after, before],
            "增加" if value >= 0 else "减少",
        )
    m = re.search(r"(.+?)(?:比|和|与|跟|较)(.+?)(?:相差|差距|高出|多出|低|少|多|差)", subject)
    if not m:
        return None
    a = best_fit(asked_term(m.group(1)), ops, unit)
    b = best_fit(asked_term(m.group(2)), ops, unit, exclude=[a] if a else [])
    if a is None or b is None or a.unit != b.unit or a.plain == b.plain or a.source != b.source:
        return None
    big, small = (a, b) if a.plain >= b.plain else (b, a)
    return _less(big, small, "相差")


_AMOUNT_ASKED = re.compile(r"(?:多|少)了?(?:多少|几)|多出|少出|相差|差了?多少")


def remainder_of(question: str, ops: list[Operand]) -> Result | None:
    """新增图书14.8万册（其中电子图书14.6万册）, asked what is left without the e-books: the whole less
    the part, both stated in one sentence."""
    m = REMAINDER.search(question)
    if m is None:
        return None
    part_words = asked_term(re.sub(r"[“”\"'「」‘’\s]", "", m.group("part")))
    whole_words = asked_term(re.sub(r"(?:里|中|当中|之中)[，,]?$", "", question[: m.start()].rstrip("，, ")))
    whole_words = re.sub(r"^.*?(?:19|20)\d{2}\s*年(?:度)?", "", whole_words)
    asked = asked_unit(question)
    unit = asked[1] if asked else None
    part = best_fit(part_words, ops, unit)
    if part is None:
        return None
    same_sentence = [o for o in ops if o.quote == part.quote and o is not part and o.unit == part.unit]
    whole = best_fit(whole_words, same_sentence, unit)
    if whole is None or whole.plain <= part.plain:
        return None
    return _less(whole, part, "其余")


def gap_left(question: str, subject: str, ops: list[Operand]) -> Result | None:
    """What is left: the whole (or target) less what is done, both stated in one sentence on the subject."""
    term = asked_term(re.sub(r"还差|缺口|还有|没有|尚未|未|距离|目标|离", "", subject))
    asked = re.search(rf"多少\s*({UNIT_PATTERN})", question)
    by_quote: dict[str, list[Operand]] = {}
    for o in ops:
        by_quote.setdefault(o.chunk_id + o.quote, []).append(o)
    fitting = []
    for group in by_quote.values():
        same = [o for o in group if not asked or o.unit == asked.group(1)]
        if len(same) == 2 and same[0].unit == same[1].unit and fit(term, same[0].quote) >= 0.6:
            fitting.append(same)
    if len(fitting) != 1:
        return None
    whole, done = sorted(fitting[0], key=lambda o: -o.plain)
    return _less(whole, done, "还差")


def gap_to_target(subject: str, years: list[int], rows: list[Operand], targets: list[Operand]) -> Result | None:
    """离目标还差多少: the year's target less what the year's report says was done, when it fell short."""
    term = asked_term(re.sub(r"还差|缺口|距离|离|年初|定的|确定的|提出的|目标|计划|任务|多少|几", "", subject))
    if not term:
        return None
    target = best_fit(term, [t for t in targets if not years or t.year in years])
    if target is None:
        return None
    in_year = [r for r in rows if r.year == target.year and units_compatible(r.unit, target.unit)]
    # the result the table names as the target is named (进馆人数 for 进馆人次达到 and 接待到馆读者), else by words
    same = {round(r.plain, 6): r for r in in_year if target.indicator and r.indicator == target.indicator}
    if len(same) > 1:  # 少儿图书外借 is part of the 外借册次 the target is set for
        same = {v: r for v, r in same.items() if not narrowing_words(r.context) - narrowing_words(term)} or same
    if len(same) > 1:
        # a yearbook's row and the library's own report differ: the report that set or restates the target
        # is the one that measures against it
        planned_in = {t.source for t in targets if t.indicator == target.indicator and t.plain == target.plain}
        same = {v: r for v, r in same.items() if r.source in planned_in} or same
    done = next(iter(same.values())) if len(same) == 1 else best_fit(term, in_year)
    if done is None or done.plain >= target.plain:
        return None  # met or passed: nothing is left, and the plan-against-outcome answer says so
    return _less(target, done, "距目标还差")


def _two_years(
    question: str,
    subject: str,
    years: list[int],
    rows: list[Operand],
    unit: str | None = None,
    ops: Sequence[Operand] = (),
) -> tuple[Operand, Operand] | None:
    """One figure in two years: the years asked, or the year asked and the one before (比上年, 同比)."""
    if len(years) >= 2:
        first, last = sorted(years)[0], sorted(years)[-1]
    elif years and re.search(r"比上年|较上年|比去年|比前一年|同比|上年|去年", question):
        first, last = years[0] - 1, years[0]
    else:
        return None
    term = asked_term(
        re.split(
            r"比|较|从|到|至|一共|同比|增长|增加|提高|上升|下降|减少|降低|多了|少了|增幅|降幅|变化|是(?!否)", subject
        )[0]
    ) or asked_term(subject)
    term = re.sub(r"上年|去年|前一年", "", term)
    # the metrics table's figures first; a figure it does not hold (新办读者证4180张) as each year's passage states it
    for pool in (rows, ops):
        before = best_fit(term, [r for r in pool if r.year == first], unit)
        after = best_fit(term, [r for r in pool if r.year == last], unit)
        if before is not None and after is not None and before.unit == after.unit:
            return before, after
    return None


def rate_of_change(question: str, subject: str, years: list[int], rows: list[Operand]) -> Result | None:
    """增长了百分之几: the change between two years' values, in per cent of the earlier one. A change the
    document states itself answers instead (its own rounding), so nothing is computed then."""
    pair = _two_years(question, subject, years, rows)
    if pair is None:
        return None
    before, after = pair
    if (after.change_pct is not None and before.year == (after.year or 0) - 1) or not before.plain:
        return None  # the year's own stated change (on the year before) answers; two years apart it does not
    value = (after.plain - before.plain) / before.plain * 100
    return Result(
        abs(value),
        "%",
        f"({after.stated} - {before.stated}) ÷ {before.stated}",
        [after, before],
        "增长" if value >= 0 else "下降",
    )


def times_over(question: str, subject: str, ops: list[Operand], years: list[int], rows: list[Operand]) -> Result | None:
    """A是B的几倍: one figure divided by another of the same unit."""
    m = re.search(r"(.+?)(?:是|为|相当于|有)(.*?)的?(?:几|多少)倍", subject)
    if not m:
        return None
    a: Operand | None
    b: Operand | None
    if len(years) == 2 and len(asked_term(m.group(2))) < 2:
        # 2023年的场次是2022年的几倍: one figure, the year named first over the other
        pair = _two_years(question, subject, years, rows)
        if pair is None:
            return None
        first = min(years, key=lambda y: question.find(str(y)))
        a, b = pair if pair[0].year == first else (pair[1], pair[0])
        if not b.plain:
            return None
        return Result(a.plain / b.plain, "倍", f"{a.stated} ÷ {b.stated}", [a, b], f"{a.year}年是{b.year}年的")
    pool = ops + [r for r in rows if not years or r.year in years]
    a = best_fit(asked_term(m.group(1)), pool)
    if a is None:
        return None
    # The other figure of the same sentence first: 配送图书400余册，期刊1200余册 compares those two.
    b = (
        best_fit(asked_term(m.group(2)), [o for o in pool if o.quote == a.quote], exclude=[a])
        or best_fit(asked_term(m.group(2)), pool, exclude=[a])
        or _same_measure_of(asked_term(m.group(2)), a, pool)
    )
    if b is None or a.unit != b.unit or not b.plain or a.plain == b.plain:
        return None
    return Result(
        a.plain / b.plain,
        "倍",
        f"{a.stated} ÷ {b.stated}",
        [a, b],
        f"{asked_term(m.group(1))}是{asked_term(m.group(2))}的",
    )


def _same_measure_of(named: str, a: Operand, pool: list[Operand]) -> Operand | None:
    """新馆的面积是老馆的几倍: the other thing (老馆) is named alone; its figure is the one in A's unit whose
    sentence names it, and one value only."""
    if len(named) < 2 or named in a.quote:
        return None
    found = {round(o.plain, 6): o for o in pool if o.unit == a.unit and named in o.quote and o.plain != a.plain}
    return next(iter(found.values())) if len(found) == 1 else None


def _less(more: Operand, less: Operand, label: str) -> Result:
    """The larger figure less the smaller, in the scale both were stated in (万 with 万), with its formula."""
    magnitude, scale = same_scale([more, less])
    return Result(
        (more.plain - less.plain) / scale, magnitude + more.unit, f"{more.stated} - {less.stated}", [more, less], label
    )
