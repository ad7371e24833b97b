"""The structure of a passage's text: its sentences, its 一是…二是… items, a section's text and headings."""

from __future__ import annotations

import re

_SENTENCE = re.compile(r"[^。！？；]+[。！？；]?")
# 一是…二是…: the marks that number a passage's points
ITEM_MARK = re.compile(r"([一二三四五六七八九十]是)")
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+[.、．])\s*")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text.replace("\n", "")) if s.strip()]


def enumerated_items_full(text: str) -> list[tuple[str, str]]:
    """(first sentence, whole item) for each 一是/二是 item, or else each numbered line (1.… 2.…)."""
    parts = ITEM_MARK.split(text.replace("\n", ""))
    bodies = [body for _marker, body in zip(parts[1::2], parts[2::2])]
    if len(bodies) < 2:
        bodies = [m.group(1) for m in NUMBERED_LINE.finditer(text)]
    items = []
    for body in bodies:
        body = body.strip()
        lead = re.split(r"[。；;]", body, maxsplit=1)[0].strip()
        if lead:
            items.append((lead[:90], body.rstrip("。；;")))
    return items


# 1."某某绘本屋"。面向…: an item on a line of its own, numbered
NUMBERED_LINE = re.compile(r"(?m)^\s*\d{1,2}\s*[.．、]\s*(\S.*)$")


def section_text(chunks: list, path: tuple[str, ...]) -> tuple[str, list]:
    """The text of a section (its sub-sections included), chunk overlaps removed, and its chunks."""
    members = sorted(
        (c for c in chunks if tuple(c.heading_path[: len(path)]) == tuple(path)), key=lambda c: c.char_start
    )
    return merged_text(members), members


def merged_text(members: list) -> str:
    """The text of chunks in reading order, each overlap with the chunk before said once."""
    text, end = "", -1
    for c in sorted(members, key=lambda c: c.char_start):
        start = max(c.char_start, end)
        if start < c.char_end:
            text += c.text[start - c.char_start :]
            end = c.char_end
    return text


def chunk_for(members: list, needle: str):
    """The chunk of a section that holds a piece of its text (the first, when none does)."""
    for c in members:
        if needle[:20] in c.text:
            return c
    return members[0] if members else None


def heading_label(heading: str) -> str:
    return _NUMBERING.sub("", heading).strip()


def before_numbered(text: str) -> str:
    """The words before a section's first numbered line (形成了五个子项目：), which say what the items are."""
    first = NUMBERED_LINE.search(text)
    if first is None:
        return ""
    lines = [ln.strip() for ln in text[: first.start()].splitlines() if ln.strip()]
    return lines[-1] if lines else ""
