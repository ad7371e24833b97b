"""Compose next year's plan, deterministically, from last year's documents.

The draft follows the usual shape of a Chinese work plan: 总体思路, 主要目标
(targets projected from the series, labelled 推算), 重点工作 (last year's focus
areas with their unfinished items carried over as 延续, a measure for every
problem the summary names, recovery measures for falling indicators, case
studies' experience, passed deadlines flagged) and 保障措施. Every item rests
on cited passages; nothing is invented but the connecting words and the
standing measures of ``measures.yaml``, which hold no figures.
"""

from __future__ import annotations

import re

from index import KnowledgeBase

from ..passages import sentences
from .check import finalize
from .deadlines import passed_deadlines
from .items import FocusArea, PlanParts, SummaryParts, plan_parts, summary_parts
from .measures import topic, topics_of
from .model import (
    CARRIED,
    PROJECTED,
    CarryJudgement,
    CarryStatus,
    PlanDraft,
    PlanItem,
    PlanSection,
    Problem,
)
from .responses import (
    carried_item,
    case_experience,
    consolidate,
    flag_deadlines,
    recovery_measures,
    respond_to_problems,
)
from .sources import PlanSources, select_sources
from .status import judge
from .targets import MAX_EXTRAPOLATED_RATE, TargetProposal, propose

_CN = "一二三四五六七八九十"

_GUIDE = re.compile(r"“[^”]{2,30}”的?(?:总体要求|总思路|总体思路|工作思路|年度要求|要求|思路)")


def cn_number(n: int) -> str:
    if n <= 10:
        return _CN[n - 1]
    return ("" if n < 20 else _CN[n // 10 - 1]) + "十" + (_CN[n % 10 - 1] if n % 10 else "")


def draft_plan(
    kb: KnowledgeBase, year: int | None = None, org: str | None = None, visibility: str | None = None, llm=None
) -> PlanDraft:
    """The draft plan of ``year`` for ``org``; with ``llm``, its items rewritten into fluent prose."""
    src = select_sources(kb, year, org)
    metrics = kb.metrics.for_visibility(visibility)
    pp = plan_parts(src.plan_chunks)
    sp = summary_parts(src.summary_chunks)
    problems = [Problem(label, text, ids) for label, text, ids in sp.problems]
    evidence = [(s, ids) for _, s, ids in sp.achievements] + list(sp.lead)
    evidence += [(s, p.chunk_ids) for p in problems for s in sentences(p.text)]
    source_items = pp.all_items()
    judgements = judge(source_items, evidence, metrics, src.plan_year, src.summary_year, src.org)
    verdict = {id(item): j for item, j in zip(source_items, judgements)}
    proposals = propose(
        metrics,
        src.org,
        src.summary.id if src.summary else None,
        src.summary_year,
        src.year,
        src.plan.id if src.plan else None,
    )

    draft = PlanDraft(
        org=src.org,
        year=src.year,
        title=f"{src.org}{src.year}年工作计划（草稿）",
        sources=src.titles,
        sections=[],
        problems=problems,
        carry=judgements,
        summary_year=src.summary_year,
        plan_year=src.plan_year,
    )
    draft.deadlines = passed_deadlines(src.summary_chunks + src.plan_chunks, src.year)
    focus = _focus_sections(pp, verdict)
    respond_to_problems(focus, pp, problems, verdict)
    recovery_measures(focus, proposals, problems)
    case_experience(focus, src)
    flag_deadlines(focus, draft)
    consolidate(focus, sp)
    draft.sections = [
        PlanSection("总体思路", items=_guiding(src, pp, sp, problems)),
        PlanSection("主要目标", items=[_target_item(p, src.year) for p in proposals]),
        PlanSection("重点工作", subsections=[s for s in focus if s.items]),
        PlanSection("保障措施", subsections=_guarantees(pp, verdict, problems, sp)),
    ]
    draft.sections = [s for s in draft.sections if s.items or s.subsections]
    _notes(draft, src)
    draft = finalize(draft, kb)
    if llm is not None:
        from .rewrite import rewrite

        rewrite(draft, kb, llm)
        draft = finalize(draft, kb)  # numbers re-checked on the rewritten wording
    return draft


# -- 总体思路 -------------------------------------------------------------------
def _guiding(src: PlanSources, pp: PlanParts, sp: SummaryParts, problems: list[Problem]) -> list[PlanItem]:
    items: list[PlanItem] = []
    phrase, guide_ids = "", []
    for g in pp.guiding:
        m = _GUIDE.search(g.text)
        if m:
            phrase, guide_ids = m.group(0), g.chunk_ids
            break
    if not phrase:
        for s, ids in sp.lead:
            m = _GUIDE.search(s)
            if m:
                phrase, guide_ids = m.group(0), ids
                break
    areas = list(dict.fromkeys(label for label, _, _ in sp.achievements if label))[:4]
    area_ids = [next(ids for label, _, ids in sp.achievements if label == a)[0] for a in areas]
    text = f"{src.year}年，{src.org}将"
    text += f"继续围绕{phrase}，" if phrase else "立足公共文化服务职能，"
    if areas:
        text += f"在巩固{src.summary_year}年{'、'.join(areas)}等成果的基础上，"
    if problems:
        text += f"着力解决{'、'.join(p.label for p in problems)}等问题，"
    text += "推动服务体系提质增效"
    ids = guide_ids + area_ids + [i for p in problems for i in p.chunk_ids[:1]]
    items.append(PlanItem(text, list(dict.fromkeys(ids)), responds_to=list(range(len(problems)))))
    basis = [(s, ids) for s, ids in sp.lead if re.search(r"\d+(?:\.\d+)?(?:万|%)", s)][:4]
    if basis:
        said = "；".join(s.rstrip("。；") for s, _ in basis)
        said = re.sub(r"^（数据截至[^）]*）", "", said)
        items.append(
            PlanItem(f"{src.summary_year}年工作基础：{said}", list(dict.fromkeys(i for _, ids in basis for i in ids)))
        )
    return items


# -- 主要目标 -------------------------------------------------------------------
def _fmt(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


def _target_item(p: TargetProposal, year: int) -> PlanItem:
    base = p.base
    if p.rate_source == "stated":
        change = f"同比{p.rate:+.2f}%".replace("+", "+").replace("-", "−")
    else:
        change = f"较上年{p.rate:+.2f}%".replace("-", "−")
    ids = [base.chunk_id] + ([p.previous.chunk_id] if p.previous and p.rate_source == "computed" else [])
    if p.declining and p.rate_source == "stated":
        falls = f"，已连续{p.falls}年下降" if p.falls >= 2 else ""
        text = (
            f"{p.indicator}：{base.year}年{base.stated}（{change}{falls}）→ {year}年目标：止跌回升，"
            f"不低于{_fmt(p.value)}{p.unit}（推算）"
        )
    elif p.declining or (p.rate or 0) > MAX_EXTRAPOLATED_RATE:
        text = f"{p.indicator}：{base.year}年{base.stated}（{change}）→ {year}年目标：不低于{_fmt(p.value)}{p.unit}（推算）"
    else:
        text = f"{p.indicator}：{base.year}年{base.stated}（{change}）→ {year}年目标约{_fmt(p.value)}{p.unit}（推算，按近年增速）"
    if p.prior_target is not None:
        text += f"；上年计划提出{p.prior_target.year}年目标{p.prior_target.stated}"
        ids.append(p.prior_target.chunk_id)
    if p.missed_target is not None:
        text += f"；{base.year}年目标{p.missed_target.stated}未完成"
        ids.append(p.missed_target.chunk_id)
    tags = [PROJECTED] + ([CARRIED] if p.missed_target is not None else [])
    return PlanItem(
        text,
        [i for i in dict.fromkeys(ids) if i],
        tags=tags,
        figures=[p.figure(year)],
        note=p.formula,
        carried_from=p.missed_target.quote if p.missed_target is not None else "",
    )


# -- 重点工作 -------------------------------------------------------------------
def _focus_sections(pp: PlanParts, verdict: dict[int, CarryJudgement]) -> list[PlanSection]:
    out = []
    for area in pp.areas:
        section = PlanSection(area.label, context=area_text(area))
        for item in area.items:
            j = verdict.get(id(item))
            if j is not None and j.status in (CarryStatus.CONTINUING, CarryStatus.PENDING):
                section.items.append(carried_item(item, j))
        out.append(section)
    return out


def area_text(area: FocusArea) -> str:
    return area.label + "".join(i.text for i in area.items)


# -- 保障措施 -------------------------------------------------------------------
def _guarantees(
    pp: PlanParts, verdict: dict[int, CarryJudgement], problems: list[Problem], sp: SummaryParts
) -> list[PlanSection]:
    out = []
    for area in pp.guarantees:
        # A 保障措施 section without sub-headings gives its own name: not repeated under itself.
        section = PlanSection(area.label if not re.fullmatch(r"(?:\S{0,4})?保障措施", area.label) else "落实各项保障")
        for item in area.items:
            j = verdict.get(id(item))
            if j is not None and j.status in (CarryStatus.CONTINUING, CarryStatus.PENDING):
                section.items.append(carried_item(item, j))
            else:
                section.items.append(PlanItem(item.text, list(item.chunk_ids), note="上年保障措施，继续执行"))
        out.append(section)
    covered = {t.name for s in out for t in topics_of(s.heading + "".join(i.text for i in s.items))[:1]}
    for k, problem in enumerate(problems):
        t = next((t for t in topics_of(problem.label + problem.text) if t.guarantee), None)
        if t is None or t.name in covered:
            continue
        covered.add(t.name)
        heading, _, body = t.guarantee.partition("。")
        out.append(
            PlanSection(
                heading,
                items=[
                    PlanItem(
                        body, list(problem.chunk_ids), responds_to=[k], note=f"回应上年总结所列问题：{problem.label}"
                    )
                ],
            )
        )
    party_topic = topic("党建")
    if not pp.guarantees and party_topic is not None:
        party = next(
            ((s, ids) for label, s, ids in sp.achievements if any(w in label for w in party_topic.words + ("党",))),
            None,
        )
        if party is not None:
            heading, _, body = party_topic.guarantee.partition("。")
            out.insert(0, PlanSection(heading, items=[PlanItem(body, list(party[1]))]))
    return out


def _notes(draft: PlanDraft, src: PlanSources) -> None:
    if src.summary is None:
        draft.notes.append("未找到上一年度工作总结，执行情况和问题无法判断。")
    if src.plan is None:
        draft.notes.append("未找到上一年度工作计划，无延续事项。")
    elif src.plan_year and src.summary_year and src.plan_year > src.summary_year:
        draft.notes.append(
            f"尚无{src.plan_year}年工作总结：{src.plan_year}年计划各项按“延续”列入，请作者据实核对完成情况。"
        )
    for d in draft.deadlines:
        draft.notes.append(f"文件中“{d.quote}”的期限已过，请核实。")
