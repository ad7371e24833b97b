"""Rows of the metrics table as an answer states them: which rows answer, their values, changes and clauses."""

from __future__ import annotations

import re

from index import MetricRow

from .figure_names import narrowing_words
from .query import Query
from .types import FigureUsed

ACTUAL_KINDS = ("actual", "cumulative", "asof")

# The scopes that mean the whole library or area, not one part of it.
MAIN_SCOPES = ("", "全区", "本馆", "合计")

KIND_WORD = {"target": "目标"}


def named_rows(rows: list[MetricRow], query: Query) -> list[MetricRow]:
    phrases = getattr(query, "phrases", ())
    return [r for r in rows if r.phrase in phrases] if phrases else rows


def figure_used(row: MetricRow) -> FigureUsed:
    return FigureUsed(
        row.indicator,
        row.year,
        row.value,
        row.unit,
        row.file_name,
        row.derived,
        row.formula,
        row.stated,
        row.kind,
        quote=row.quote,
    )


def in_scope(row: MetricRow, query: Query) -> bool:
    """The row is of the scope asked; a question about the whole library is never answered with one
    branch's figure. A scope that is the library asked about itself (a yearbook's row for it) takes its
    own documents' figures for the whole library too."""
    if not query.scope:
        return row.scope in MAIN_SCOPES
    if row.scope == query.scope:
        return True
    return query.scope == query.org and row.org == query.org and row.scope in MAIN_SCOPES


def pick_rows(rows: list[MetricRow], query: Query) -> list[MetricRow]:
    """The rows that answer: the asked scope (or the whole system), stated before derived, exact first."""
    rows = [r for r in rows if in_scope(r, query)]
    # 少儿图书外借 is part of the 外借册次 asked, unless the question asks for the children's part
    asked = narrowing_words(query.text)
    rows = [r for r in rows if not narrowing_words(r.phrase) - asked] or rows
    stated = [r for r in rows if not r.derived]
    rows = stated or rows
    exact = [r for r in rows if r.qualifier is None]
    rows = exact or rows
    # a sentence reads better as a quote than a statistics table's row; a different value there still counts
    ranked = sorted(rows, key=lambda r: (r.doc_type == "统计报告", _source_rank(r)))
    return _finest_first(ranked, rows)


def last_place(stated: str, scale: float) -> float:
    """The last place a figure is written to, in plain units: 1000 for 126.4万人次 (scale 1e4), 1 for
    1263857人次; a number in words is exact."""
    m = re.search(r"\d+(?:\.(\d+))?", stated.replace(",", ""))
    return 10.0 ** -len((m.group(1) or "") if m else "") * scale


def _step(row: MetricRow) -> float:
    return last_place(row.stated, row.plain_value / row.value if row.value else 1.0)


def _finest_first(ranked: list[MetricRow], pool: list[MetricRow]) -> list[MetricRow]:
    """The first row's figure as another source states it more exactly (126.4万人次 and 1263857人次):
    the exact statement speaks first."""
    if not ranked:
        return ranked
    first = ranked[0]
    finer = [
        r for r in pool if _step(r) < _step(first) and 1e-9 < abs(r.plain_value - first.plain_value) <= _step(first) / 2
    ]  # 2.37万人 and 23700人 are equal: the first source's way of writing it stands
    if not finer:
        return ranked
    best = min(finer, key=_step)
    return [best, *(r for r in ranked if r is not best)]


def _source_rank(row: MetricRow) -> int:
    """A target is best read in the plan that set it; an actual in the year's own summary."""
    if row.kind == "target":
        return 0 if row.doc_type == "工作计划" else 1 + _SOURCE_RANK.get(row.doc_type, 9)
    return _SOURCE_RANK.get(row.doc_type, 9)


# Which document speaks first for a figure: the year's own summary, then yearbooks and tables, then cases.
_SOURCE_RANK = {"工作总结": 0, "总结暨计划": 0, "工作计划": 1, "年鉴": 2, "统计报告": 3, "案例": 4}


def distinct_rows(rows: list[MetricRow]) -> list[MetricRow]:
    """One row per distinct value (2.37万人 and 23700人 are one value; so are 126.4万人次 and 1263857人次,
    the one rounded from the other)."""
    out: list[MetricRow] = []
    for r in rows:
        if not any(
            abs(r.plain_value - o.plain_value) <= max(1e-6 * max(1.0, abs(o.plain_value)), _step(r) / 2, _step(o) / 2)
            for o in out
        ):
            out.append(r)
    return out


def org_label(query: Query, row: MetricRow) -> str:
    return row.org or query.org or ""


def value_text(row: MetricRow) -> str:
    return f"{row.qualifier if row.qualifier in ('近', '超', '约', '不少于', '不低于', '远超') else ''}{row.stated}" + (
        "余" if row.qualifier in ("余",) and "余" not in row.stated else ""
    )


# A second quantity glued to a figure counts the same things another way: 12种100余册 (titles, volumes).
_COMPANION = re.compile(
    r"(\d[\d.,]*\s*(?:万|亿)?\s*(?:余|多)?\s*(?:册次|册|件|种|人次|人|场次|场|个|次|万元|元))(?![\d\u4e00-\u9fff]{0,1}[年月日])"
)


def companion(row: MetricRow) -> str:
    """The quantity written right after the figure, with nothing between (12种100余册 → （100余册）)."""
    pos = row.quote.find(row.stated)
    if pos < 0:
        return ""
    m = _COMPANION.match(row.quote, pos + len(row.stated))
    return f"（{m.group(1)}）" if m else ""


def change_text(row: MetricRow) -> str:
    if row.change_pct is None:
        return ""
    word = "增长" if row.change_dir == "up" else "下降"
    written = re.search(r"\d+(?:\.\d+)?%", row.change_text or "")
    return f"，同比{word}{written.group(0) if written else f'{row.change_pct:g}%'}"


def clause_of(row: MetricRow) -> str:
    """The sentence part (up to ；/。) that states a figure."""
    pos = row.quote.find(row.stated)
    if pos < 0:
        return ""
    start = max(row.quote.rfind(p, 0, pos) for p in "。；;") + 1
    ends = [e for e in (row.quote.find(p, pos) for p in "。；;") if e >= 0]
    return row.quote[start : min(ends) if ends else len(row.quote)].strip()[:80]


def words_up_to(row: MetricRow) -> str:
    """The document's own words for a figure: its clause, from the comma before up to the figure."""
    pos = row.quote.find(row.stated)
    if pos < 0:
        return ""
    start = max(row.quote.rfind(p, 0, pos) for p in "，,。；;：:") + 1
    return row.quote[start : pos + len(row.stated)].strip()


def decimals_of(row: MetricRow) -> int:
    number = row.stated[: len(row.stated) - len(row.unit)] if row.stated.endswith(row.unit) else row.stated
    return len(number.split(".")[1]) if "." in number else 0


def run_length(points: list[MetricRow]) -> int:
    """How many consecutive years the latest direction has held."""
    if len(points) < 2:
        return 0
    down = points[-1].plain_value < points[-2].plain_value
    runs = 0
    for a, b in zip(reversed(points[:-1]), reversed(points[1:])):
        if (
            (b.plain_value < a.plain_value) == down
            and b.plain_value != a.plain_value
            and a.year is not None
            and b.year == a.year + 1
        ):
            runs += 1
        else:
            break
    return runs
