"""Next year's indicator targets, proposed from the series and always labelled 推算.

The base is the latest actual the summary states; a rising indicator is
carried forward at its latest growth rate (stated 同比, else computed from the
year before), for as many years as lie between the base and the plan; a
falling one gets a recovery target (止跌回升: at least the latest level) and,
elsewhere in the draft, a recovery measure. Every target says its formula.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from index.metrics import MetricRow, MetricsStore

from ..types import FigureUsed

_WHOLE = ("", "全区", "本馆", "合计")
# Counts of whole things: their targets are whole numbers.
_COUNT_UNITS = ("次", "场次", "场", "期", "所", "种", "篇", "条", "间", "个", "名", "人", "项", "台", "册")
# A growth rate above this (a rebound, a new service's first years) is not carried forward.
MAX_EXTRAPOLATED_RATE = 30.0


@dataclass
class TargetProposal:
    indicator: str
    base: MetricRow
    rate: float | None  # percent, signed
    rate_source: str  # "stated" | "computed"
    previous: MetricRow | None  # the prior year's actual the rate was computed from
    value: float
    unit: str
    declining: bool
    falls: int  # consecutive years of decline, up to the base year
    formula: str
    prior_target: MetricRow | None = None  # the last plan's target for a later year than the base
    missed_target: MetricRow | None = None  # the base year's target, when it was not met

    def figure(self, year: int) -> FigureUsed:
        return FigureUsed(
            self.indicator,
            year,
            self.value,
            self.unit,
            self.base.file_name,
            derived=True,
            formula=self.formula,
            stated=f"{_fmt(self.value)}{self.unit}",
            kind="target",
        )


def _fmt(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text


def round_target(value: float, unit: str = "") -> float:
    """Targets are round numbers: whole units from 100 up (and for counts), one decimal from 10, two below."""
    if value >= 100 or unit in _COUNT_UNITS:
        return float(round(value))
    if value >= 10:
        return round(value, 1)
    return round(value, 2)


def ceil_target(value: float, unit: str = "") -> float:
    """A recovery target: the latest level, rounded up to a round number."""
    if value >= 10 or unit in _COUNT_UNITS:
        return float(math.ceil(value - 1e-9))
    return math.ceil(value * 10 - 1e-9) / 10


def propose(
    metrics: MetricsStore,
    org: str,
    summary_doc_id: str | None,
    base_year: int | None,
    plan_year: int,
    previous_plan_doc_id: str | None = None,
) -> list[TargetProposal]:
    if base_year is None or summary_doc_id is None:
        return []
    rows = [
        r
        for r in metrics.all(year=base_year, include_derived=False)
        if r.doc_id == summary_doc_id
        and r.kind == "actual"
        and r.scope in _WHOLE
        and r.qualifier is None
        and r.unit != "%"
    ]
    targeted = {r.indicator for r in metrics.all(include_derived=False) if r.kind == "target" and r.org == org}
    out: list[TargetProposal] = []
    seen: set[str] = set()
    for base in sorted(rows, key=lambda r: r.char_start):
        if base.indicator in seen:
            continue
        series = metrics.series(base.indicator, org=org, kinds=("actual",))
        previous = _previous(series, base)
        if base.change_pct is None and previous is None:
            continue  # no growth to carry forward
        if base.change_pct is None and base.indicator not in targeted:
            continue  # a figure the library does not set targets for, with no stated change
        seen.add(base.indicator)
        out.append(_proposal(base, previous, series, plan_year, metrics, org, previous_plan_doc_id))
    return out


def _previous(series: dict[int, list[MetricRow]], base: MetricRow) -> MetricRow | None:
    rows = [r for r in series.get((base.year or 0) - 1, []) if r.scope in _WHOLE and r.base_unit == base.base_unit]
    stated = [r for r in rows if not r.derived]
    return stated[0] if stated else (rows[0] if rows else None)


def _falls(series: dict[int, list[MetricRow]], base: MetricRow) -> int:
    falls, year, value = 0, base.year or 0, base.plain_value
    while True:
        prior = [r for r in series.get(year - 1, []) if r.scope in _WHOLE and r.base_unit == base.base_unit]
        if not prior or prior[0].plain_value <= value:
            break
        falls, year, value = falls + 1, year - 1, prior[0].plain_value
    return falls


def _proposal(
    base: MetricRow,
    previous: MetricRow | None,
    series,
    plan_year: int,
    metrics: MetricsStore,
    org: str,
    previous_plan_doc_id: str | None,
) -> TargetProposal:
    if base.change_pct is not None:
        rate = base.change_pct if base.change_dir != "down" else -base.change_pct
        source = "stated"
    else:
        rate = (
            round((base.plain_value / previous.plain_value - 1) * 100, 2) if previous and previous.plain_value else 0.0
        )
        source = "computed"
    years = plan_year - (base.year or plan_year)
    declining = rate < 0
    falls = max(_falls(series, base), 1 if declining else 0)
    if declining:
        value = ceil_target(base.value, base.unit)
        formula = (
            f"推算：{base.year}年{base.stated}（{'同比' if source == 'stated' else '较上年'}{rate:+.2f}%）呈下降，"
            f"目标按止跌回升、不低于{base.year}年水平取整为{_fmt(value)}{base.unit}"
        )
    elif rate > MAX_EXTRAPOLATED_RATE:
        value = ceil_target(base.value, base.unit)
        formula = (
            f"推算：{base.year}年增幅{rate:.2f}%偏高，不宜外推，目标按不低于{base.year}年水平"
            f"取整为{_fmt(value)}{base.unit}"
        )
    else:
        raw = base.value * (1 + rate / 100) ** years
        value = round_target(raw, base.unit)
        power = f"^{years}" if years > 1 else ""
        formula = (
            f"推算：{_fmt(base.value)}×(1+{rate:.2f}%){power}≈{raw:.2f}，取整为{_fmt(value)}{base.unit}"
            f"（按{base.year}年同比增速{rate:.2f}%{'连续' + str(years) + '年' if years > 1 else ''}推算）"
        )
    proposal = TargetProposal(base.indicator, base, rate, source, previous, value, base.unit, declining, falls, formula)
    targets = [r for r in metrics.lookup(base.indicator, kinds=("target",), org=org) if not r.derived]
    assert base.year is not None  # a base figure is of a year: it was picked from the year series
    later = [r for r in targets if r.year and base.year < r.year < plan_year and r.doc_id == previous_plan_doc_id]
    proposal.prior_target = later[-1] if later else None
    prior = proposal.prior_target
    if (
        prior is not None
        and prior.base_unit == base.base_unit
        and (declining or rate > MAX_EXTRAPOLATED_RATE)
        and base.value
    ):
        scale = base.plain_value / base.value
        ambition = round_target(prior.plain_value / scale, base.unit)
        if ambition > value:  # a recovery target below what last year's plan already asked for is no target
            proposal.value = ambition
            proposal.formula += (
                f"；上年计划提出{prior.year}年目标{prior.stated}，高于此值，目标取{_fmt(ambition)}{base.unit}"
            )
    for st in metrics.target_status(base.indicator, base.year):
        if st.status == "not_met" and st.actual is not None and st.target.org == org:
            proposal.missed_target = st.target
            break
    return proposal
