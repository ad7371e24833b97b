"""One item per task: near-duplicates from two sources merged into one that keeps both citations.

A task can reach the draft twice: carried over from last year's plan and again as a standing
measure for a problem or a falling indicator, or as two recovery measures of the same wording.
The library's own wording is kept (an item of its plan before a standing measure); the other
item's citations, the problems it answered and its tags move onto it, and a recovery measure
absorbed names its indicators ("……，推动文献流通量止跌回升").
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from .model import CARRIED, RECOVERY, PlanItem, PlanSection
from .wording import likeness

# Set phrases many distinct items share; they say nothing about which task an item is.
_STOCK = re.compile(r"习近平新时代中国特色社会主义思想|党的二十大和二十届二中、三中全会精神|党的二十大精神")
_PREFIX = re.compile(r"^(?:针对“[^”]*”，|推动[^：]{2,24}止跌回升：|巩固提升：|争取[^：]{2,20}：)")
_RECOVERY_AIM = re.compile(r"^(推动[^：]{2,24}止跌回升)：")


def _han(text: str) -> str:
    return re.sub(r"[^\u4e00-\u9fff]", "", _STOCK.sub("", text))


def _longest_common(a: str, b: str) -> int:
    a, b = _han(a), _han(b)
    return SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b)).size


def _origin(item: PlanItem) -> str:
    if item.carried_from or CARRIED in item.tags:
        return "plan"
    if RECOVERY in item.tags:
        return "recovery"
    return "measure" if item.responds_to else "other"


def near_duplicates(a: PlanItem, b: PlanItem) -> bool:
    """The same task from two sources (two items of one source are two tasks, however alike)."""
    if _origin(a) == _origin(b) and _origin(a) != "recovery":
        return False
    core_a, core_b = _PREFIX.sub("", a.text), _PREFIX.sub("", b.text)
    alike = max(likeness(a.text, b.text), likeness(core_a, core_b))
    return alike >= 0.5 or (alike >= 0.2 and _longest_common(core_a, core_b) >= 8)


def _absorb(kept: PlanItem, other: PlanItem) -> None:
    aim, own_aim = _RECOVERY_AIM.match(other.text), _RECOVERY_AIM.match(kept.text)
    if aim and own_aim and other.text[aim.end() :] == kept.text[own_aim.end() :]:
        named = own_aim.group(1).removesuffix("止跌回升") + "、" + aim.group(1).removeprefix("推动")
        kept.text = named + kept.text[own_aim.end() - 1 :]  # one measure for both indicators
    elif aim and aim.group(1) not in kept.text:
        text = kept.text.rstrip("。；;")
        tail = re.search(r"，推动([^，：]+)止跌回升$", text)
        if tail:  # a second indicator joins the aim already appended
            kept.text = text[: tail.start(1)] + tail.group(1) + "、" + aim.group(1).removeprefix("推动")
        else:
            kept.text = text + "，" + aim.group(1)
    kept.chunk_ids = list(dict.fromkeys(kept.chunk_ids + other.chunk_ids))
    kept.responds_to = list(dict.fromkeys(kept.responds_to + other.responds_to))
    kept.tags = list(dict.fromkeys(kept.tags + other.tags))
    kept.figures = kept.figures + [f for f in other.figures if f not in kept.figures]
    if other.note and other.note not in kept.note:
        kept.note = "；".join(n for n in (kept.note, other.note) if n)


def merge_near_duplicates(sections: list[PlanSection]) -> None:
    """Merge near-duplicate items across these sections (in place); emptied sections keep no items."""
    seen: list[PlanItem] = []
    for section in sections:
        kept_here: list[PlanItem] = []
        for item in section.items:
            twin = next((s for s in seen if near_duplicates(s, item)), None)
            if twin is None:
                seen.append(item)
                kept_here.append(item)
                continue
            if _origin(item) == "plan" and _origin(twin) != "plan":  # the library's own wording wins
                mine = PlanItem(twin.text, twin.chunk_ids, twin.tags, twin.figures, twin.responds_to, twin.note)
                twin.text, twin.chunk_ids, twin.tags = item.text, list(item.chunk_ids), list(item.tags)
                twin.note, twin.carried_from, twin.responds_to = item.note, item.carried_from, list(item.responds_to)
                twin.figures = list(item.figures)
                _absorb(twin, mine)
            else:
                _absorb(twin, item)
        section.items = kept_here
