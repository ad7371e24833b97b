"""The draft as Markdown: what staff read, edit and export (the Word export reads this text)."""

from __future__ import annotations

from .model import PROJECTED, STATUS_LABELS, TO_CHECK, PlanDraft, PlanItem
from .writer import cn_number

_TAG_SHOWN = {"延续": "**（延续）**", "回升措施": "（回升措施）"}


def _line(item: PlanItem) -> str:
    text = item.text.rstrip("。；;")
    tags = "".join(_TAG_SHOWN.get(t, "") for t in item.tags if t not in (PROJECTED, TO_CHECK))
    flag = f" ⚠未核实：{'、'.join(item.unverified)}" if item.unverified else ""
    return f"{text}{item.marks}{tags}{flag}"


def to_markdown(draft: PlanDraft, with_status: bool = True) -> str:
    out = [f"# {draft.title}", ""]
    basis = "、".join(f"《{t}》" for t in draft.sources)
    out.append(
        f"> 起草依据：{basis}。本稿由兰台根据文档自动起草，方括号数字为出处（见文末参考来源）；"
        "目标值除注明“计划已提出”的外均为推算，标“延续”的是上年计划未完成或待核实的事项，请作者逐项核定后使用。"
    )
    for note in draft.notes:
        out.append(f"> ⚠ {note}")
    out.append("")
    for n, section in enumerate(draft.sections, start=1):
        out += [f"## {cn_number(n)}、{section.heading}", ""]
        if section.heading == "总体思路":
            out += [f"{_line(i)}。" for i in section.items for _ in (0,)]
            out.append("")
        elif section.items:
            for k, item in enumerate(section.items, start=1):
                out.append(f"{k}. {_line(item)}")
            out.append("")
        for m, sub in enumerate(section.subsections, start=1):
            out += [f"### （{cn_number(m)}）{sub.heading}", ""]
            for k, item in enumerate(sub.items, start=1):
                out.append(f"{k}. {_line(item)}")
            out.append("")
    if with_status and draft.carry:
        out += [
            "## 附：上年计划事项执行情况",
            "",
            f"| {draft.plan_year or ''}年计划事项 | 判断 | 依据 |",
            "|---|---|---|",
        ]
        for j in draft.carry:
            carried = j.item.replace("|", "｜")
            flag = f" ⚠未核实：{'、'.join(j.unverified)}" if j.unverified else ""
            out.append(
                f"| {carried} | {STATUS_LABELS.get(j.status, j.status)} | {j.reason.replace('|', '｜')}{j.marks}{flag} |"
            )
        out.append("")
    if draft.references:
        out += ["## 参考来源", ""]
        for c in draft.references:
            page = f" · 第{c.page}页" if c.page else ""
            out.append(f"[{c.n}] {c.source} · {c.section or '正文'}{page}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"
