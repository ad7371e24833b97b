"""The library's own targets for the plan year, when the base already holds that year's plan.

A document like 《…2024年工作总结暨2025年工作计划》 states 2025's targets under its 主要目标; a
draft of the 2025 plan uses those (cited, never re-computed) and proposes a computed target only
for an indicator the library stated none for.
"""

from __future__ import annotations

import re

from index import KnowledgeBase
from index.metrics import MetricRow, MetricsStore

from .model import CARRIED, PlanItem
from .sources import PLAN_TYPES
from .targets import TargetProposal

_TARGET_HEADING = re.compile(r"目标|指标")


def stated_targets(kb: KnowledgeBase, metrics: MetricsStore, org: str, year: int) -> list[MetricRow]:
    """Targets for ``year`` the organisation's plans state under a 目标/指标 heading, one per indicator."""
    rows = [
        r
        for r in metrics.all(year=year, include_derived=False)
        if r.kind == "target" and r.org == org and r.doc_type in PLAN_TYPES and r.chunk_id
    ]
    chunks = kb.registry.chunks({r.chunk_id for r in rows if r.chunk_id})
    out: dict[str, MetricRow] = {}
    for r in sorted(rows, key=lambda r: r.char_start):
        chunk = chunks.get(r.chunk_id or "")
        if chunk is None or chunk.period_kind == "report":
            continue
        if not any(_TARGET_HEADING.search(h) for h in chunk.heading_path):
            continue
        out.setdefault(r.indicator, r)
    return list(out.values())


def _change(p: TargetProposal) -> str:
    """The stated change of the base year (a computed one stays in the formulas of projected targets)."""
    if p.rate_source != "stated" or p.rate is None:
        return ""
    return f"（同比{p.rate:+.2f}%）".replace("-", "−")


def stated_item(target: MetricRow, proposal: TargetProposal | None, year: int) -> PlanItem:
    """A target the library stated for ``year``: its own figure, with the base year's actual beside it."""
    qualifier = target.qualifier if target.qualifier in ("不少于", "不低于", "超过", "以上") else ""
    text = f"{target.indicator}：{year}年目标{qualifier}{target.stated}（{year}年计划已提出）"
    ids = [target.chunk_id]
    tags: list[str] = []
    carried_from = ""
    if proposal is not None:
        base = proposal.base
        text += f"；{base.year}年实际{base.stated}{_change(proposal)}"
        ids.append(base.chunk_id)
        if proposal.missed_target is not None:
            text += f"，{base.year}年目标{proposal.missed_target.stated}未完成"
            ids.append(proposal.missed_target.chunk_id)
            tags.append(CARRIED)
            carried_from = proposal.missed_target.quote
    return PlanItem(
        text,
        [i for i in dict.fromkeys(ids) if i],
        tags=tags,
        note=f"采用{year}年计划已提出的目标",
        carried_from=carried_from,
    )


def target_items(
    kb: KnowledgeBase, metrics: MetricsStore, org: str, year: int, proposals: list[TargetProposal], projected
) -> list[PlanItem]:
    """主要目标: the stated targets first (in the plan's order), then computed ones where none is stated."""
    stated = stated_targets(kb, metrics, org, year)
    by_indicator = {p.indicator: p for p in proposals}
    named = {t.indicator for t in stated}
    items = [stated_item(t, by_indicator.get(t.indicator), year) for t in stated]
    return items + [projected(p, year) for p in proposals if p.indicator not in named]
