"""What the plan adds to last year's focus areas: a measure for each problem the summary names,
recovery measures for falling indicators, case studies' experience, passed deadlines flagged."""

from __future__ import annotations

import re

from .items import PlanParts, SourceItem, SummaryParts
from .match import overlap
from .measures import Topic, topic, topics_of
from .model import (
    CARRIED,
    RECOVERY,
    TO_CHECK,
    CarryJudgement,
    CarryStatus,
    PlanDraft,
    PlanItem,
    PlanSection,
    Problem,
)
from .sources import PlanSources
from .status import best_sentence
from .targets import TargetProposal
from .wording import is_past_result, task_part


def carried_item(item: SourceItem, j: CarryJudgement) -> PlanItem:
    return PlanItem(item.text, list(j.chunk_ids), tags=[CARRIED], note=j.reason, carried_from=item.text)


def section_for(text: str, focus: list[PlanSection], minimum: float = 0.12) -> PlanSection | None:
    """The focus area a measure belongs in: the one sharing most words and topics with it."""
    topics = {t.name for t in topics_of(text)[:2]}
    best, best_score = None, minimum
    for section in focus:
        about = section.context or section.heading
        score = overlap(text, about) + 0.15 * len(topics & {t.name for t in topics_of(about)[:2]})
        if score > best_score:
            best, best_score = section, score
    return best


def respond_to_problems(
    focus: list[PlanSection], pp: PlanParts, problems: list[Problem], verdict: dict[int, CarryJudgement]
) -> None:
    for k, problem in enumerate(problems):
        about = problem.label + problem.text
        wanted = {t.name for t in topics_of(about)[:2]}
        # Last year's own measures that speak to the problem (a problem that persists keeps its measures).
        scored = []
        for area, section in zip(pp.areas, focus):  # the previous plan's areas come first in focus
            for item in area.items:
                if is_past_result(item.text):
                    continue
                shared = wanted & {t.name for t in topics_of(item.text)[:2]}
                score = overlap(item.text, about) + 0.1 * len(shared)
                if score >= 0.2 and shared:
                    scored.append((score, item, section))
        for _, item, section in sorted(scored, key=lambda s: -s[0])[:2]:
            existing = next((i for i in section.items if i.carried_from == item.text), None)
            if existing is None:
                j = verdict.get(id(item))
                if j is not None and j.status == CarryStatus.DONE:
                    continue  # done last year: the problem needs something else
                existing = carried_item(item, j) if j else PlanItem(item.text, item.chunk_ids, tags=[CARRIED])
                existing.note = (existing.note + "；" if existing.note else "") + "上年措施，问题仍存在，继续实施"
                section.items.append(existing)
            existing.responds_to.append(k)
        # A standing measure for the problem's main topic, placed in the area it belongs to.
        tops = topics_of(about)
        measure_topic = next((t for t in tops if t.measure), None)
        if measure_topic is not None:
            text = measure_topic.measure.format(problem=problem.label)
        else:
            text = f"针对“{problem.label}”，制定专项工作方案，明确责任部门、工作措施和完成时限，按季度督办"
        placed = section_for(about, focus)
        if placed is None:
            # Placed by its heading alone, as last year's areas are placed by their own text.
            placed = PlanSection(f"着力破解“{problem.label}”问题")
            focus.append(placed)
        placed.items.append(
            PlanItem(text, list(problem.chunk_ids), responds_to=[k], note=f"回应上年总结所列问题：{problem.label}")
        )


_RECOVERY_TOPIC = {
    "文献流通量": "流通",
    "外借册次": "流通",
    "新增注册读者": "读者",
    "累计持证读者": "读者",
    "新增文献": "资源",
    "文献购置经费": "经费",
    "阅读推广活动场次": "活动",
    "活动参与人次": "活动",
    "进馆人数": "到馆",
    "官网访问量": "数字",
    "公众号阅读量": "数字",
}


def recovery_measures(focus: list[PlanSection], proposals: list[TargetProposal], problems: list[Problem]) -> None:
    for p in proposals:
        if not (p.declining and p.rate_source == "stated"):
            continue
        t: Topic | None = topic(_RECOVERY_TOPIC.get(p.indicator, "")) or next(
            (t for t in topics_of(p.indicator) if t.recovery), None
        )
        template = (
            t.recovery if t and t.recovery else "推动{indicator}止跌回升：分析下降原因，制定专项提升措施，按季度跟踪"
        )
        text = template.format(indicator=p.indicator)
        ids = [p.base.chunk_id] if p.base.chunk_id else []
        named = [k for k, pr in enumerate(problems) if p.indicator in pr.label + pr.text]
        ids += [i for k in named for i in problems[k].chunk_ids[:1]]
        item = PlanItem(
            text,
            list(dict.fromkeys(ids)),
            tags=[RECOVERY],
            responds_to=named,
            note=f"{p.indicator}{p.base.year}年同比下降，需有回升措施",
        )
        section = None
        for k in named:  # beside the problem that names the indicator
            section = next((s for s in focus if any(k in i.responds_to for i in s.items)), None)
            if section:
                break
        (section or section_named(focus, "推动主要指标止跌回升")).items.append(item)


def case_experience(focus: list[PlanSection], src: PlanSources) -> None:
    for doc, chunks in src.cases:
        if not chunks:
            continue
        title = doc.title or doc.file_name
        name = re.search(r"“([^”]{2,12})”", title)
        core = re.sub(r"^.*——", "", title)
        text = (
            f"总结推广“{name.group(1)}”（{core}）的经验做法，将可复制的建设和运营模式在全区推广"
            if name
            else f"总结推广{core}的经验做法，将可复制的建设和运营模式在全区推广"
        )
        about = title + chunks[0].text
        best = max(
            focus,
            key=lambda s: overlap(s.context or s.heading, about) + overlap(about, s.context or s.heading),
            default=None,
        )
        if best is None:
            continue
        best.items.append(PlanItem(text, [chunks[0].id], note="来自案例材料"))


def flag_deadlines(focus: list[PlanSection], draft: PlanDraft) -> None:
    for d in draft.deadlines:
        text = f"⚠ 请核实：文件提出“{d.quote}”，该时间已过，请核实实际进展并更新相关表述"
        best = max(
            focus,
            key=lambda s: overlap(d.quote + s.heading, s.heading + "".join(i.text for i in s.items)),
            default=None,
        )
        item = PlanItem(text, [d.chunk_id], tags=[TO_CHECK], note="期限已过")
        if best is None or overlap(d.quote, best.heading + "".join(i.text for i in best.items)) == 0:
            best = section_named(focus, "需核实的事项")
        best.items.append(item)


def section_named(focus: list[PlanSection], heading: str) -> PlanSection:
    """The focus area with this heading, added at the end when there is none yet."""
    section = next((s for s in focus if s.heading == heading), None)
    if section is None:
        section = PlanSection(heading)
        focus.append(section)
    return section


def consolidate(focus: list[PlanSection], sp: SummaryParts) -> None:
    """An area with nothing left to carry keeps its place with last year's result as the base to build on."""
    evidence = [(s, ids) for _, s, ids in sp.achievements]
    labels = list(dict.fromkeys(label for label, _, _ in sp.achievements))
    for section in focus:
        if any(CARRIED in i.tags or i.responds_to for i in section.items) or not evidence:
            continue
        best = best_sentence(section.context or section.heading, evidence)
        area = max(labels, key=lambda lab: overlap(lab, section.context or section.heading), default=None)
        if area and overlap(area, section.context or section.heading) > 0 and (best is None or best[0] < 0.2):
            best = next((0.2, s, ids) for lab, s, ids in sp.achievements if lab == area)
        task = task_part(best[1]) if best and best[0] >= 0.2 else ""
        if best and task:  # the ongoing work the result came from, never the result itself
            section.items.append(PlanItem(f"巩固提升：{task}", list(best[2]), note="上年已完成，巩固成果"))
