"""What became of each item of the previous plan: done, continuing, dropped, or not yet reported.

Targets are judged from the metrics table (the plan's target against the
summary's actual). Other items are judged from the summary's own sentences:
the sentence that shares most with the item says whether it was done or is
still under way; an item no sentence speaks of was, as far as the summary
tells, dropped, and the author decides.
"""

from __future__ import annotations

import re

from index.metrics import MetricRow, MetricsStore, TargetStatus

from .items import SourceItem
from .match import overlap, shared_names, words
from .model import CarryJudgement, CarryStatus

_UNFINISHED = re.compile(
    r"未完成|未能|尚未|未达|差距较大|顺延至|推迟|延后|滞后|未实现|没有完成|正在推进|进行中|紧锣密鼓|仍有"
)
_MATCH = 0.34


def judge(
    items: list[SourceItem],
    summary_sentences: list[tuple[str, list[str]]],
    metrics: MetricsStore,
    plan_year: int | None,
    summary_year: int | None,
    org: str,
) -> list[CarryJudgement]:
    out: list[CarryJudgement] = []
    for item in items:
        if plan_year is None or summary_year is None or plan_year > summary_year:
            out.append(
                CarryJudgement(
                    item.text,
                    CarryStatus.PENDING,
                    f"尚无{plan_year}年工作总结，执行情况待核实",
                    item.chunk_ids,
                    item.area,
                )
            )
            continue
        by_target = _judge_targets(item, metrics, plan_year, org)
        if by_target is not None and by_target[0] == "unreported":
            # Some targets met, others the metrics table cannot link to an actual: the summary's own words decide,
            # and they must speak of what was not linked.
            _, missing, ids = by_target
            text = _judge_text(item, summary_sentences)
            sentence = text.reason.removeprefix("总结表述：")
            spoken = all(words(m) & words(sentence) for m in missing)
            if text.status == CarryStatus.DONE and spoken:
                out.append(
                    CarryJudgement(
                        item.text, CarryStatus.DONE, text.reason, item.chunk_ids + ids + text.chunk_ids[1:], item.area
                    )
                )
            else:
                detail = "、".join(missing)
                out.append(
                    CarryJudgement(
                        item.text,
                        CarryStatus.CONTINUING,
                        f"部分目标（{detail}）总结未报告完成情况",
                        item.chunk_ids + ids,
                        item.area,
                    )
                )
            continue
        if by_target is not None:
            status, reason, ids = by_target
            out.append(CarryJudgement(item.text, status, reason, item.chunk_ids + ids, item.area))
            continue
        out.append(_judge_text(item, summary_sentences))
    return out


def _judge_targets(item: SourceItem, metrics: MetricsStore, year: int, org: str):
    """met / not met from the metrics table, when the item states targets the table links to actuals."""
    results: list[tuple[TargetStatus, MetricRow]] = []  # each target judged, with its actual
    unreported: list[TargetStatus] = []
    for chunk_id in item.chunk_ids:
        for row in metrics.figures_in(chunk_id):
            if row.kind != "target" or row.year != year or row.stated not in item.text or row.derived:
                continue
            for st in metrics.target_status(row.indicator, year):
                if st.target.id == row.id:
                    if st.status != "not_reported" and st.actual is not None:
                        results.append((st, st.actual))
                    else:
                        unreported.append(st)
    if not results:
        return None
    if unreported and not any(s.status == "not_met" for s, _ in results):
        missing = [f"{s.indicator}{s.target.stated}" for s in unreported]
        return "unreported", missing, [a.chunk_id for _, a in results if a.chunk_id]
    missed = [(s, a) for s, a in results if s.status == "not_met"]
    ids = [a.chunk_id for _, a in results if a.chunk_id]
    if missed:
        detail = "；".join(f"{s.indicator}目标{s.target.stated}，实际{a.stated}" for s, a in missed)
        return CarryStatus.CONTINUING, f"未完成：{detail}", ids
    detail = "；".join(f"{s.indicator}目标{s.target.stated}，实际{a.stated}" for s, a in results)
    return CarryStatus.DONE, f"已完成：{detail}", ids


def best_sentence(text: str, sentences: list[tuple[str, list[str]]]) -> tuple[float, str, list[str]] | None:
    best = None
    for sent, ids in sentences:
        score = overlap(text, sent) + 0.4 * bool(shared_names(text, sent))
        if best is None or score > best[0]:
            best = (score, sent, ids)
    return best


def _judge_text(item: SourceItem, sentences: list[tuple[str, list[str]]]) -> CarryJudgement:
    best = best_sentence(item.text, sentences)
    if best is None or best[0] < _MATCH or len(words(item.text) & words(best[1])) < 2:
        return CarryJudgement(
            item.text, CarryStatus.DROPPED, "上年总结未提及该事项，请确认是否继续", item.chunk_ids, item.area
        )
    _, sent, ids = best
    if _UNFINISHED.search(sent):
        return CarryJudgement(item.text, CarryStatus.CONTINUING, f"总结表述：{sent}", item.chunk_ids + ids, item.area)
    return CarryJudgement(item.text, CarryStatus.DONE, f"总结表述：{sent}", item.chunk_ids + ids, item.area)
