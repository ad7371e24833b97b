"""Which documents a plan for a year is drafted from.

For the plan of year Y: the latest summary reporting a year before Y, the
latest plan for a year before Y (the plan of Y itself, if one exists, is
left out: it is what is being written), and the organisation's case studies.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from index import KnowledgeBase
from index.registry import DocumentRecord
from ingest.types import Chunk

SUMMARY_TYPES = ("工作总结", "总结暨计划")
PLAN_TYPES = ("工作计划", "总结暨计划")
CASE_TYPES = ("案例",)


class PlanError(ValueError):
    """A plan cannot be drafted; the message is bilingual (Chinese first)."""


@dataclass
class PlanSources:
    org: str
    year: int
    summary: DocumentRecord | None = None
    summary_year: int | None = None
    summary_chunks: list[Chunk] = field(default_factory=list)
    plan: DocumentRecord | None = None
    plan_year: int | None = None
    plan_chunks: list[Chunk] = field(default_factory=list)
    cases: list[tuple[DocumentRecord, list[Chunk]]] = field(default_factory=list)

    @property
    def titles(self) -> list[str]:
        docs = [self.summary, self.plan] + [d for d, _ in self.cases]
        return list(dict.fromkeys(d.title or d.file_name for d in docs if d is not None))


def _ready(kb: KnowledgeBase) -> list[DocumentRecord]:
    return [d for d in kb.documents() if d.status == "ready"]


def organisations(kb: KnowledgeBase, docs: list[DocumentRecord] | None = None) -> list[str]:
    """Organisations with a summary or a plan, the one with most documents first."""
    docs = _ready(kb) if docs is None else docs
    counts = Counter(d.org for d in docs if d.org and d.doc_type in SUMMARY_TYPES + PLAN_TYPES)
    return [org for org, _ in counts.most_common()]


def _period_chunks(kb: KnowledgeBase, doc: DocumentRecord, kind: str, year: int | None) -> list[Chunk]:
    chunks = kb.registry.chunks_of(doc.id)
    picked = [c for c in chunks if c.period_kind == kind and c.year == year]
    if not picked and kind == "report" and doc.doc_type == "工作总结":
        picked = [c for c in chunks if c.period_kind != "plan"]  # a plain summary: all of it reports
    if not picked and kind == "plan" and doc.doc_type == "工作计划":
        picked = [c for c in chunks if c.period_kind != "report"]
    return sorted(picked, key=lambda c: c.char_start)


def default_year(kb: KnowledgeBase, org: str, docs: list[DocumentRecord] | None = None) -> int:
    """The year after the latest one any summary or plan of the organisation covers."""
    docs = _ready(kb) if docs is None else docs
    years = [y for d in docs if d.org == org for y in (d.report_year, d.plan_year) if y]
    if not years:
        raise PlanError(f"文档库中没有{org}的工作总结或工作计划 / no summary or plan of {org} in the knowledge base")
    return max(years) + 1


def select_sources(kb: KnowledgeBase, year: int | None = None, org: str | None = None) -> PlanSources:
    everything = _ready(kb)  # one read of the registry serves every choice below
    orgs = organisations(kb, everything)
    if not orgs:
        raise PlanError(
            "文档库中没有工作总结或工作计划，无法起草计划；请先导入上一年的总结和计划。"
            " / No work summary or plan in the knowledge base: ingest last year's summary and plan first."
        )
    if org is None:
        org = _latest_org(everything, orgs)
    elif org not in orgs:
        match = [o for o in orgs if org in o or o in org]
        if not match:
            raise PlanError(
                f"文档库中没有“{org}”的总结或计划；已有：{'、'.join(orgs)} / "
                f"no summary or plan of {org}; known: {', '.join(orgs)}"
            )
        org = match[0]
    year = year or default_year(kb, org, everything)
    docs = [d for d in everything if d.org == org]
    src = PlanSources(org=org, year=year)

    summaries = [d for d in docs if d.doc_type in SUMMARY_TYPES and d.report_year and d.report_year < year]
    if summaries:
        src.summary = max(summaries, key=lambda d: (d.report_year, d.ingested_at or 0))
        src.summary_year = src.summary.report_year
        src.summary_chunks = _period_chunks(kb, src.summary, "report", src.summary_year)
    plans = [d for d in docs if d.doc_type in PLAN_TYPES and d.plan_year and d.plan_year < year]
    if plans:
        src.plan = max(plans, key=lambda d: (d.plan_year, d.ingested_at or 0))
        src.plan_year = src.plan.plan_year
        src.plan_chunks = _period_chunks(kb, src.plan, "plan", src.plan_year)
    if src.summary is None and src.plan is None:
        raise PlanError(
            f"没有找到{org}在{year}年之前的工作总结或工作计划，无法起草{year}年计划 / "
            f"no summary or plan of {org} before {year}"
        )
    recent = (src.summary_year or src.plan_year or year) - 2
    for d in docs:
        if d.doc_type in CASE_TYPES and max(d.years or [0]) >= recent:
            src.cases.append((d, kb.registry.chunks_of(d.id)))
    return src


def _latest_org(docs: list[DocumentRecord], orgs: list[str]) -> str:
    def latest(org: str) -> int:
        return max((d.report_year or 0 for d in docs if d.org == org and d.doc_type in SUMMARY_TYPES), default=0)

    return max(orgs, key=lambda o: (latest(o), -orgs.index(o)))
