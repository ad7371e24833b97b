"""From a question to a computed draft: the operation asked, the figures gathered, the result checked."""

from __future__ import annotations

import re

from ingest.outline import heading_library

from ..evidence import places_named
from ..figure_rows import MAIN_SCOPES
from ..statements import Draft
from .averages import average_of
from .differences import difference_of, gap_left, gap_to_target, rate_of_change, remainder_of, times_over
from .durations import days_between
from .matching import asked_term, asked_unit, best_fit, question_subject
from .operands import UNIT_PATTERN, Operand, Result, passage_operands, row_operand, same_scale
from .over_rows import over_rows
from .rendering import computed_draft
from .shares import completion_of, share_of
from .sums import sum_of_parts, total_of
from .wording import SUM_WORDS, as_each, operation
from .worked_back import prior_year, whole_from_share

_STATED_KINDS = ("actual", "cumulative", "asof")


def compute(query, hits, metrics) -> Draft | None:
    """A draft stating the computed value with its formula, or None when it cannot be computed surely."""
    question = as_each(query.text)
    op = operation(question)
    if op is None or getattr(query, "follow_up", False):
        return None
    if op == "days":  # 从开工到开放用了多少天: two dated events
        spanned = days_between(question, hits, getattr(query, "org", None))
        return computed_draft(spanned, question) if spanned is not None else None
    subject = question_subject(question, getattr(query, "org", None))
    years = list(query.years or [])
    # 甲馆和乙馆: two libraries each named in full (a short form two libraries share names neither surely)
    orgs = [o for o in getattr(query, "orgs", None) or [] if o and o in question]
    if len(orgs) >= 2 and op in ("sum", "difference") and metrics is not None:
        result = _across_orgs(op, question, orgs, years, metrics)
        return computed_draft(result, question) if result is not None else None
    if op in ("sum", "average") and metrics is not None:
        # 四个县馆加起来, 6个馆平均每馆: a group of a table's rows
        indicator = metrics.resolve(query.indicator) if getattr(query, "indicator", None) else None
        grouped = over_rows(op, question, subject, years, metrics, indicator)
        if grouped is not None:
            return computed_draft(grouped, question)
    ops = _passage_figures(query, hits, op, years)
    rows: list[Operand] = []
    targets: list[Operand] = []
    wholes: list[Operand] = []
    if metrics is not None and op in ("sum", "difference", "share", "prior", "rate", "times", "completion", "gap"):
        rows, targets, wholes = _table_figures(query, hits, op, years, metrics)
    try:
        result = _operate(op, query, subject, years, ops, rows, targets, wholes)
    except (ValueError, ZeroDivisionError, IndexError):
        return None
    if result is None:
        return None
    if (
        op in ("sum", "share", "average", "gap")
        and not all(o.from_table for o in result.operands)
        and len({o.source for o in result.operands}) > 1
    ):
        return None  # the parts of one sum, share or average are stated in one document
    return computed_draft(result, question)


def _passage_figures(query, hits, op: str, years: list[int]) -> list[Operand]:
    """The figures the retrieved passages state, less those of plans, other libraries and other years."""
    asks_plan = bool(re.search(r"计划|目标|规划|打算|拟|预计|力争", query.text))
    ops: list[Operand] = []
    for h in hits:
        chunk = h.chunk
        if chunk.period_kind == "plan" and not asks_plan and op != "gap":
            continue  # a plan's figures are targets, not what was done
        if query.org and any(heading_library(x) not in ("", query.org) for x in chunk.heading_path[-1:]):
            continue  # a section headed by another library's name holds that library's figures
        if (
            years
            and chunk.year
            and chunk.year not in years
            and not any(str(y) in chunk.text for y in years)
            and op not in ("difference", "prior")
        ):
            continue
        ops.extend(passage_operands(chunk))
    return ops


def _table_figures(
    query, hits, op: str, years: list[int], metrics
) -> tuple[list[Operand], list[Operand], list[Operand]]:
    """The metrics table's stated figures, its targets, and (for a scope's share) the whole area's figures,
    of the documents retrieval found, in the years asked and those beside them."""
    wanted = set(years) | {y - 1 for y in years} | {y + 1 for y in years}
    docs = {h.chunk.doc_id for h in hits}  # the documents retrieval found on the subject
    scope = getattr(query, "scope", None)
    # a rate may start from a year worked back from a stated amount (比2013年增加33.35万人次); a year
    # worked back from a stated rate never needs one computed
    found = [
        r
        for r in metrics.all(org=query.org, include_derived=op == "rate")
        if r.chunk_id and (r.doc_id in docs or (op == "gap" and query.org)) and (not wanted or r.year in wanted)
    ]  # a target's plan is seldom among the passages a question on the year's result finds
    stored = [r for r in found if ((r.scope or "") == scope if scope else (r.scope or "") in MAIN_SCOPES)]
    rows = [row_operand(r) for r in stored if r.kind in _STATED_KINDS]
    targets = [row_operand(r) for r in stored if r.kind == "target"]
    wholes: list[Operand] = []
    if scope and op == "share":
        # 市级…占总计的比重: the whole is the same figure for the whole area
        wholes = [row_operand(r) for r in found if (r.scope or "") in MAIN_SCOPES and r.kind in _STATED_KINDS]
    return rows, targets, wholes


def _operate(
    op: str,
    query,
    subject: str,
    years: list[int],
    ops: list[Operand],
    rows: list[Operand],
    targets: list[Operand],
    wholes: list[Operand],
) -> Result | None:
    """The operation asked, on the figures it reads."""
    question = as_each(query.text)
    if op == "sum":
        return sum_of_parts(question, subject, ops, years, rows)
    if op == "difference":
        return difference_of(question, subject, ops, years, rows)
    if op == "gap":
        return gap_left(question, subject, ops) or gap_to_target(subject, years, rows, targets)
    if op == "remainder":
        return remainder_of(question, ops)
    if op == "share":
        return share_of(
            question, subject, ops, years, rows, wholes, getattr(query, "org", None), places_named(question)
        )
    if op == "average":
        return average_of(question, subject, ops, years)
    if op == "prior":
        return prior_year(question, subject, years, rows)
    if op == "rate":
        return rate_of_change(question, subject, years, rows)
    if op == "times":
        return times_over(question, subject, ops, years, rows)
    if op == "completion":
        return completion_of(subject, years, rows, targets)
    return whole_from_share(question, ops)


def _across_orgs(op: str, question: str, orgs: list[str], years: list[int], metrics) -> Result | None:
    """甲馆和乙馆一共…, 甲馆比乙馆多…: one figure of each library named, by the words left once the
    libraries are taken out, added or subtracted in the order named."""
    text = question
    for org in orgs:
        text = text.replace(org, "")
    words = question_subject(text)
    term = asked_term(
        re.sub(
            rf"{SUM_WORDS.pattern}|比|和|与|及|、|(?:多|少)了?(?=多少|几)|多少\s*(?:万|亿|千)?\s*(?:{UNIT_PATTERN})?|几",
            "",
            words,
        )
    )
    if len(term) < 2:
        return None
    asked = asked_unit(question)
    chosen = []
    for org in orgs[:2] if op == "difference" else orgs:
        rows = [
            row_operand(r)
            for r in metrics.all(org=org, include_derived=False)
            if r.org == org and r.kind in _STATED_KINDS and (not years or r.year in years)
        ]
        best = best_fit(term, rows, asked[1] if asked else None)
        if best is None:
            return None
        chosen.append(best)
    if len({o.unit for o in chosen}) != 1:
        return None
    if op == "sum":
        return total_of(chosen)
    magnitude, scale = same_scale(chosen)
    unit = magnitude + chosen[0].unit
    first, second = chosen
    value = (first.plain - second.plain) / scale
    return Result(
        abs(value),
        unit,
        f"{first.stated} - {second.stated}" if value >= 0 else f"{second.stated} - {first.stated}",
        chosen,
        "相差",
    )
