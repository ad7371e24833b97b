"""The parts of last year's documents a plan is built from.

From the previous plan: its focus areas (重点工作 sub-sections, or the
一是…二是… items of a flat 重点工作 section), their items (clauses), its
targets and its 保障措施. From the summary: the problems it names under
面临的困难与问题, and its achievements, sentence by sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.types import Chunk

from ..passages import enumerated_items_full, heading_label, merged_text, sentences

_PROBLEM = re.compile(r"困难|问题|不足|短板|挑战")
_TARGET = re.compile(r"目标|指标")
_GUARANTEE = re.compile(r"保障|措施")
_GUIDING = re.compile(r"思路|总体要求|指导思想|总体目标")
_GENERIC_FOCUS = re.compile(
    r"^(?:\d{4}年)?(?:重点工作|重点任务|主要任务|工作重点|工作计划|工作重点与思路|重点工作与思路)$"
)
# A signature block (机构名 + 日期) closes many plans: it is not an item.
_SIGNATURE = re.compile(r"^\s*\S{2,20}(?:图书馆|中心|局)\s*\d{4}年\d{1,2}月(?:\d{1,2}日)?\s*$")
_CLAUSE = re.compile(r"[^。；;]+[。；;]?")


@dataclass
class SourceItem:
    text: str
    chunk_ids: list[str]
    group: str  # target | task | guarantee | guiding
    area: str  # label of the focus area or guarantee heading it belongs to


@dataclass
class FocusArea:
    label: str
    items: list[SourceItem] = field(default_factory=list)
    chunk_ids: list[str] = field(default_factory=list)


@dataclass
class PlanParts:
    guiding: list[SourceItem] = field(default_factory=list)
    targets: list[SourceItem] = field(default_factory=list)
    areas: list[FocusArea] = field(default_factory=list)
    guarantees: list[FocusArea] = field(default_factory=list)

    def all_items(self) -> list[SourceItem]:
        out = self.targets + [i for a in self.areas + self.guarantees for i in a.items]
        return out


def covering(members: list[Chunk], text: str) -> list[str]:
    """The chunks a piece of section text comes from (it may run across a chunk boundary)."""
    flat = text.replace("\n", "")
    ids = [c.id for c in members if flat[:16] in c.text.replace("\n", "") or flat[-16:] in c.text.replace("\n", "")]
    if not ids:
        ids = [c.id for c in members if any(s[:12] in c.text.replace("\n", "") for s in sentences(flat))][:2]
    return ids or [members[0].id]


def clauses(text: str) -> list[str]:
    """Sentences and 分号 clauses, short fragments joined to the one before."""
    out: list[str] = []
    for part in _CLAUSE.findall(text.replace("\n", "")):
        part = part.strip()
        if not part:
            continue
        if out and len(part) < 10:
            out[-1] += part
        else:
            out.append(part)
    out = [re.sub(r"^[一二三四五六七八九十]是", "", c).rstrip("。；;") for c in out]
    return [c for c in out if not _SIGNATURE.match(c)]


def _paths(chunks: list[Chunk]) -> list[tuple[str, ...]]:
    """Each heading path once, in reading order."""
    return list(dict.fromkeys(tuple(c.heading_path) for c in chunks))


def plan_parts(chunks: list[Chunk]) -> PlanParts:
    parts = PlanParts()
    for path in _paths(chunks):
        members = [c for c in chunks if tuple(c.heading_path) == path]
        text = _own_text(members)
        if not text.strip():
            continue
        labels = [heading_label(h) for h in path]
        joined = " ".join(labels)
        if (
            not path
            or _GUIDING.search(labels[-1])
            or (
                len(path) == 1
                and _GENERIC_FOCUS.match(labels[0]) is None
                and not _TARGET.search(joined)
                and not _GUARANTEE.search(joined)
                and not enumerated_items_full(text)
            )
        ):
            parts.guiding.append(SourceItem(text.replace("\n", ""), [c.id for c in members], "guiding", ""))
            continue
        if _TARGET.search(joined) and not _GUARANTEE.search(joined):
            for clause in clauses(text):
                if re.search(r"\d", clause):
                    parts.targets.append(SourceItem(clause, covering(members, clause), "target", labels[-1]))
            continue
        group = "guarantee" if _GUARANTEE.search(joined) else "task"
        items = enumerated_items_full(text)
        if group == "task" and len(items) >= 2 and _GENERIC_FOCUS.match(labels[-1]):
            for lead, body in items:  # a flat 重点工作: each 一是… is an area of its own
                area = FocusArea(lead.rstrip("。；"), chunk_ids=covering(members, body))
                rest = body[len(lead) :].lstrip("。；;")
                for clause in clauses(rest) or [lead]:
                    area.items.append(SourceItem(clause, covering(members, clause), group, area.label))
                parts.areas.append(area)
            continue
        area = FocusArea(labels[-1], chunk_ids=[c.id for c in members])
        bodies = [body for _, body in items] if len(items) >= 2 else clauses(text)
        for body in bodies:
            area.items.append(SourceItem(body.rstrip("。；;"), covering(members, body), group, area.label))
        (parts.guarantees if group == "guarantee" else parts.areas).append(area)
    return parts


def _own_text(members: list[Chunk]) -> str:
    # A signature block (机构名 + 日期) closes many plans: it is not an item.
    text = merged_text(members).strip()
    return re.sub(r"\n[^\n]{2,20}(?:图书馆|中心)\s*\n\s*\d{4}年\d{1,2}月(?:\d{1,2}日)?\s*$", "", text)


@dataclass
class SummaryParts:
    problems: list[tuple[str, str, list[str]]] = field(default_factory=list)  # (label, text, chunk ids)
    achievements: list[tuple[str, str, list[str]]] = field(default_factory=list)  # (area label, sentence, chunk ids)
    lead: list[tuple[str, list[str]]] = field(default_factory=list)  # opening sentences


def summary_parts(chunks: list[Chunk]) -> SummaryParts:
    parts = SummaryParts()
    for path in _paths(chunks):
        members = [c for c in chunks if tuple(c.heading_path) == path]
        text = _own_text(members)
        if not text.strip():
            continue
        root = next((i for i, h in enumerate(path) if _PROBLEM.search(h)), None)
        if root is not None:
            if len(path) > root + 1:
                parts.problems.append((heading_label(path[root + 1]), text.replace("\n", ""), [c.id for c in members]))
            else:
                items = enumerated_items_full(text)
                for lead, body in items:
                    parts.problems.append((lead.rstrip("。；"), body, covering(members, body)))
                if not items and len(text) > 20:
                    for sent in sentences(text):
                        if len(sent) > 12:
                            parts.problems.append((sent[:30].rstrip("，。"), sent, covering(members, sent)))
            continue
        label = heading_label(path[-1]) if path else ""
        for sent in sentences(text):
            if len(sent) < 8:
                continue
            if path:
                parts.achievements.append((label, sent, covering(members, sent)))
            else:
                parts.lead.append((sent, covering(members, sent)))
    return parts
