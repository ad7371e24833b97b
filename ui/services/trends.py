"""A trend: one value per year of one indicator, for each library, in one scope.

This is the one home of the rule that picks a trend's figures; the web app's chart, ``lantai metrics
trend`` and ``/api/metrics/trend`` all read it, so they cannot disagree. A point is a stated figure of
the library (never one computed from it), of the scope asked (the whole library, or one branch), and
of the whole quantity (not its 其中/少儿 part), as it actually was (not a plan's target). Where a
library's documents state a year differently, the document that gives most of the years speaks for it
(one source, one 口径). Everything the trend leaves out is listed with the reason, so a surface can say
what is not shown.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from assistant.figure_names import narrowing_words
from index.metrics import ACTUAL_KINDS, WHOLE_SCOPES, MetricRow, MetricsStore
from ingest.indicators import units_compatible

NO_LIBRARY = "未注明图书馆"

# Why a figure is not a point of the trend.
OTHER_LIBRARY = "other_library"
NO_ORG = "no_org"
OTHER_SCOPE = "other_scope"
TARGET = "target"
PART = "part"
DERIVED = "derived"
OTHER_UNIT = "other_unit"
NO_YEAR = "no_year"
APPROXIMATE = "approximate"
DIFFERS = "differs"


@dataclass(frozen=True)
class TrendPoint:
    library: str
    year: int
    value: float  # in the trend's unit
    unit: str
    row: MetricRow

    def as_dict(self) -> dict[str, Any]:
        r = self.row
        return {
            "library": self.library,
            "year": self.year,
            "value": self.value,
            "unit": self.unit,
            "stated": r.stated,
            "scope": r.scope,
            "figure_id": r.id,
            "file_name": r.file_name,
            "quote": r.quote,
        }


@dataclass(frozen=True)
class LeftOut:
    row: MetricRow
    library: str
    reason: str


@dataclass
class Trend:
    indicator: str
    scope: str  # "" for the whole library
    library: str | None  # None: every library, one line each
    points: list[TrendPoint] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)

    @property
    def unit(self) -> str:
        return self.points[0].unit if self.points else ""

    def libraries(self) -> list[str]:
        return list(dict.fromkeys(p.library for p in self.points))

    def as_dict(self) -> dict[str, Any]:
        return {
            "indicator": self.indicator,
            "scope": self.scope or "全区",
            "library": self.library,
            "unit": self.unit,
            "points": [p.as_dict() for p in self.points],
            "left_out": [
                {
                    "reason": x.reason,
                    "library": x.library,
                    "year": x.row.year,
                    "stated": x.row.stated,
                    "scope": x.row.scope,
                    "figure_id": x.row.id,
                    "file_name": x.row.file_name,
                }
                for x in self.left_out
            ],
        }


def is_whole(scope: str | None) -> bool:
    return scope is None or scope in WHOLE_SCOPES


def trend(store: MetricsStore, indicator: str, library: str | None = None, scope: str | None = None) -> Trend:
    """The trend of ``indicator`` for ``library`` (None: every library) in ``scope`` (None or 全区: the
    whole library)."""
    name = store.resolve(indicator)
    out = Trend(name, "" if is_whole(scope) else str(scope), library or None)
    rows = store.all(name)
    named = sorted({r.org for r in rows if r.org})
    by_library: dict[str, list[MetricRow]] = {}
    for r in rows:
        own = r.org or (named[0] if len(named) == 1 else NO_LIBRARY)
        reason = _reason(r, own, out, name)
        if reason:
            out.left_out.append(LeftOut(r, own, reason))
        else:
            by_library.setdefault(own, []).append(r)
    for own, candidates in by_library.items():
        out.points += _points(own, candidates, out.left_out)
    _one_unit(out)
    return out


def _reason(r: MetricRow, library: str, out: Trend, indicator: str) -> str | None:
    """Why a row is no point of the trend, or None when it may be one."""
    if r.year is None:
        return NO_YEAR
    if (out.scope == "" and r.scope not in WHOLE_SCOPES) or (out.scope and r.scope != out.scope):
        return OTHER_SCOPE
    if library == NO_LIBRARY:
        return NO_ORG
    if out.library and library != out.library:
        return OTHER_LIBRARY
    if r.kind not in ACTUAL_KINDS:
        return TARGET
    if r.derived:
        return DERIVED
    if narrowing_words(r.phrase) - narrowing_words(indicator) - narrowing_words(out.scope):
        return PART  # 少儿图书外借 is part of 外借册次
    return None


def _points(library: str, rows: list[MetricRow], left_out: list[LeftOut]) -> list[TrendPoint]:
    """One point a year: the document that gives most of the years speaks for each year it gives."""
    base = Counter(r.base_unit for r in rows).most_common(1)[0][0]
    fitting = []
    for r in rows:
        if units_compatible(r.base_unit, base):
            fitting.append(r)
        else:
            left_out.append(LeftOut(r, library, OTHER_UNIT))
    covers = Counter(doc for doc, _ in {(r.doc_id, r.year) for r in fitting})
    by_year: dict[int, list[MetricRow]] = {}
    for r in fitting:
        by_year.setdefault(r.year or 0, []).append(r)
    points = []
    for year in sorted(by_year):
        candidates = by_year[year]
        exact = [r for r in candidates if r.qualifier is None] or candidates
        left_out += [LeftOut(r, library, APPROXIMATE) for r in candidates if r not in exact]
        votes = Counter(round(r.plain_value, 6) for r in exact)
        pick = max(exact, key=lambda r: (covers[r.doc_id], votes[round(r.plain_value, 6)], -r.id))
        left_out += [
            LeftOut(r, library, DIFFERS) for r in exact if round(r.plain_value, 6) != round(pick.plain_value, 6)
        ]
        points.append(TrendPoint(library, year, pick.value, pick.unit, pick))
    return points


def _one_unit(out: Trend) -> None:
    """Every point in the unit most points are stated in (万次 and 万人次 are one unit here)."""
    if not out.points:
        return
    unit = Counter(p.unit for p in out.points).most_common(1)[0][0]
    ref = next(p.row for p in out.points if p.unit == unit)
    scale = ref.plain_value / ref.value if ref.value else 1.0
    out.points = [
        p if p.unit == unit else TrendPoint(p.library, p.year, round(p.row.plain_value / scale, 6), unit, p.row)
        for p in out.points
    ]


def _example(items: list[LeftOut]) -> str:
    r = items[0].row
    return f"如{r.scope + ' ' if r.scope else ''}{r.year}年{r.stated}" if r.year else f"如{r.stated}"


def notes(t: Trend) -> list[str]:
    """What the trend does not show and why, in Chinese, for the page and the command line."""
    lines = []
    if t.library is None and len(t.libraries()) > 1:
        lines.append(f"共 {len(t.libraries())} 个图书馆，各画一条线：{'、'.join(t.libraries())}。")
    groups: dict[str, list[LeftOut]] = {}
    for x in t.left_out:
        groups.setdefault(x.reason, []).append(x)
    others = Counter(x.library for x in groups.get(OTHER_LIBRARY, []))
    for library, n in others.items():
        lines.append(f"{library}的 {n} 个数字未画出（「单位」选的是{t.library}）。")
    if NO_ORG in groups:
        lines.append(f"{len(groups[NO_ORG])} 个数字未注明所属图书馆，未画出。")
    if OTHER_SCOPE in groups:
        where = "分馆、服务点等" if not t.scope else "全区及其他"
        lines.append(
            f"{where}范围的 {len(groups[OTHER_SCOPE])} 个数字未画出（{_example(groups[OTHER_SCOPE])}），"
            "可在「范围」中选择。"
        )
    simple = ((TARGET, "计划目标"), (DERIVED, "推算值"), (PART, "其中一部分（如少儿）的数字"), (APPROXIMATE, "约数"))
    for reason, label in simple:
        if reason in groups:
            lines.append(f"{label} {len(groups[reason])} 个未画出。")
    if OTHER_UNIT in groups:
        lines.append(f"单位不同的 {len(groups[OTHER_UNIT])} 个数字未画出（{_example(groups[OTHER_UNIT])}）。")
    for x in groups.get(DIFFERS, []):
        lines.append(
            f"{x.library}{x.row.year}年另有{x.row.stated}（{x.row.file_name}）与所画数值不同，"
            "以给出年份最多的文档为准。"
        )
    return lines


__all__ = ["LeftOut", "NO_LIBRARY", "Trend", "TrendPoint", "is_whole", "notes", "trend"]
