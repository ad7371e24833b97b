"""Dates a document set for something still to happen, which have passed by the plan's year."""

from __future__ import annotations

import re

from ingest.types import Chunk

from .model import Deadline

_ACTION = r"(?:建成|开放|开馆|完成|上线|投用|投入使用|竣工|交付|启用|落成|运营)"
_DATE = re.compile(
    r"(\d{4})年(?:(\d{1,2})月)?(?:底|末|中旬|上旬|下旬|份)?(?:前|以前|之前)?[^。；，,]{0,8}?"
    + _ACTION
    + r"(?:开放|开馆|运营|使用)?"
)
# A date is a deadline when the text looks ahead to it, not back on it ("于2024年6月开放" is done).
_INTENT = re.compile(r"(?:计划|力争|确保|争取|预计|拟|将|要|若要|实现|力求|目标|按期|如期)[^。；]{0,6}$")


def passed_deadlines(chunks: list[Chunk], year: int) -> list[Deadline]:
    out: list[Deadline] = []
    seen: set[str] = set()
    for c in chunks:
        text = c.text.replace("\n", "")
        for m in _DATE.finditer(text):
            y, month = int(m.group(1)), int(m.group(2)) if m.group(2) else None
            if y >= year:
                continue
            before = text[max(0, m.start() - 12) : m.start()]
            if c.period_kind != "plan" and not _INTENT.search(before):
                continue
            quote = m.group(0)
            if quote in seen:
                continue
            seen.add(quote)
            out.append(Deadline(quote, y, month, c.id))
    return out
