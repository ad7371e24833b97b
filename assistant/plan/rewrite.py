"""LLM mode: each section's items rewritten into fluent prose, citations and numbers kept.

The model sees one section at a time: its items, numbered, each with the
passages it cites. It returns the same number of items. A rewritten item is
taken only when every number in it stands in that item's passages or
projected figures (checked as answers are) and it cites nothing the item did
not; otherwise the composed wording stays. Targets (主要目标) keep their
composed form: their formulas are the point.
"""

from __future__ import annotations

import re

from index import KnowledgeBase

from ..types import AnswerMode
from .check import check_numbers
from .model import PlanDraft, PlanItem, PlanSection

SYSTEM = """你是图书馆工作计划的文字编辑。把给出的计划条目改写成通顺、规范的公文语言（工作计划的写法），要求：
1. 条目数量和顺序不变：输入几条，输出几条，每条一行，以“序号. ”开头。
2. 只改写措辞，不增加条目中没有的事实、数字、日期、名称；条目中的数字原样保留。
3. 保留每条末尾的引用标记（如 [3][7]），不新增别的标记。
4. 不写标题、不写解释，只输出改写后的条目。"""

_LINE = re.compile(r"^\s*(\d+)[.、．]\s*(.+?)\s*$")
_MARKS = re.compile(r"\[(\d+)\]")


def _section_prompt(
    section: PlanSection, items: list[PlanItem], passages: dict[str, str], numbers: dict[str, int]
) -> str:
    lines = [f"章节：{section.heading}", "条目："]
    for k, item in enumerate(items, start=1):
        lines.append(f"{k}. {item.text}{item.marks}")
    lines.append("引用的资料段落：")
    for chunk_id, n in numbers.items():
        if any(chunk_id in i.chunk_ids for i in items):
            lines.append(f"[{n}] {passages[chunk_id][:400]}")
    return "\n".join(lines)


def rewrite(draft: PlanDraft, kb: KnowledgeBase, llm) -> tuple[int, int]:
    """Rewrite the draft in place; returns (items rewritten, items kept as composed)."""
    from ..llm import LLMError

    ids = [i for item in draft.items() for i in item.chunk_ids]
    chunks = kb.registry.chunks(ids)
    passages = {i: c.text for i, c in chunks.items()}
    numbers = {c.chunk_id: c.n for c in draft.references}
    taken = kept = 0
    for section in _rewritable(draft):
        items = [i for i in section.items if not i.text.startswith("⚠")]
        if not items:
            continue
        messages = [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": _section_prompt(section, items, passages, numbers)},
        ]
        try:
            reply = llm.complete(messages)
        except LLMError:
            kept += len(items)
            continue
        lines = {int(m.group(1)): m.group(2) for m in map(_LINE.match, reply.splitlines()) if m}
        for k, item in enumerate(items, start=1):
            said = lines.get(k)
            if said and _acceptable(said, item, passages):
                item.text = _MARKS.sub("", said).rstrip("。；; ")
                taken += 1
            else:
                kept += 1
    draft.mode = AnswerMode.LLM
    return taken, kept


def _rewritable(draft: PlanDraft) -> list[PlanSection]:
    out = []
    for s in draft.sections:
        if s.heading == "主要目标":
            continue
        if s.items:
            out.append(s)
        out += s.subsections
    return out


def _acceptable(said: str, item: PlanItem, passages: dict[str, str]) -> bool:
    own = set(_MARKS.findall(item.marks))
    if not set(_MARKS.findall(said)) <= own:
        return False  # cites a passage the item does not rest on
    text = _MARKS.sub("", said)
    if len(text) < 6 or len(text) > 3 * len(item.text) + 40:
        return False
    return not check_numbers(text, [passages[i] for i in item.chunk_ids if i in passages], item.figures)
