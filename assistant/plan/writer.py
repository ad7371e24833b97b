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
from .merge import merge_near_duplicates
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
from .stated import target_items
from .status import judge
from .targets import MAX_EXTRAPOLATED_RATE, TargetProposal, propose
from .wording import framing_clauses, framing_sentence, is_past_result, likeness

_CN = "一二三四五六七八九十"


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
    guarantees = _guarantees(pp, verdict, problems, sp)
    merge_near_duplicates(focus + guarantees)
    draft.sections = [
        PlanSection("总体思路", items=_guiding(src, pp, sp, problems)),
        PlanSection("主要目标", items=target_items(kb, metrics, src.org, src.year, proposals, _target_item)),
        PlanSection("重点工作", subsections=[s for s in focus if s.items]),
        PlanSection("保障措施", subsections=[s for s in guarantees if s.items]),
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
    """The year's framing in the documents' own words: the summary's opening sentence, then what the
    previous plan's opening adds, cited; then the problems it takes up, without last year's figures."""
    items: list[PlanItem] = []
    said: list[str] = []
    ids: list[str] = []
    for texts, chunk_ids in (
        ([s for s, _ in sp.lead], [i for _, lead_ids in sp.lead for i in lead_ids]),
        ([g.text for g in pp.guiding], [i for g in pp.guiding for i in g.chunk_ids]),
    ):
        sentence = framing_sentence(texts)
        new = [c for c in framing_clauses(sentence, src.org) if all(likeness(c, old) < 0.5 for old in said)]
        if new:
            said += new
            ids += [i for i in chunk_ids if _holds(sentence, i, sp, pp)] or chunk_ids[:1]
    text = f"{src.year}年，{src.org}将" + (
        "继续" + "，".join(said) if said else "立足公共文化服务职能，推动服务体系提质增效"
    )
    items.append(PlanItem(text, list(dict.fromkeys(ids))))
    if problems:
        count = cn_number(len(problems)) if len(problems) > 1 else "一"
        items.append(
            PlanItem(
                f"针对{src.summary_year}年工作总结指出的{count}方面问题，逐项明确应对措施，在重点工作和保障措施中加以落实",
                list(dict.fromkeys(i for p in problems for i in p.chunk_ids[:1])),
                responds_to=list(range(len(problems))),
            )
        )
    return items


def _holds(sentence: str, chunk_id: str, sp: SummaryParts, pp: PlanParts) -> bool:
    """Whether the passage ``chunk_id`` (of the summary's lead or the plan's opening) holds ``sentence``."""
    head = sentence[:12]
    return any(chunk_id in ids and head in s for s, ids in sp.lead) or any(
        chunk_id in g.chunk_ids and head in g.text for g in pp.guiding
    )


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
            if (
                j is not None
                and j.status in (CarryStatus.CONTINUING, CarryStatus.PENDING)
                and not is_past_result(item.text)
            ):
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
            if is_past_result(item.text):
                continue  # a statement of last year's result is no measure
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
