"""Whether a follow-up asks another figure than the question before: a count in another unit (全年开了多少天
after 每周开放多少小时) or a figure of a thing the question before did not name (总投资多少？ after
建筑面积是多少？). Such a follow-up keeps the library and year, not the figure."""

from __future__ import annotations

import re

from ingest.indicators import units_compatible

from .evidence import key_terms

# 多少万人次 asks 人次 in tens of thousands: the magnitude is the scale, the unit what is counted.
UNIT_HINT = re.compile(
    r"(?:多少|几)\s*(?:万|千|亿)?\s*(人次|册次|场次|个人|个|间|家|所|名|人|次|场|期|篇|条|种|项|天|小时|平方米|元|钱|册)"
    r"|(占多少|占比|比例|百分之)"
)


def asks_another_figure(text: str, before: str) -> bool:
    return _asks_another_unit(text, before) or _names_another_thing(text, before)


def _names_another_thing(text: str, before: str) -> bool:
    """总投资多少？ after 建筑面积是多少？: a figure asked of a thing the question before did not name is
    another figure of the same library and year, not the one before (其中… asks a part of it)."""
    if text.lstrip("那么").startswith("其中") or not re.search(r"多少|几|什么", text):
        return False
    return any(len(t) >= 2 and t not in before for t in key_terms(text))


def _asks_another_unit(text: str, before: str) -> bool:
    """全年开了多少天 after 每周开放多少小时: a count in another unit is another figure, not the one before."""
    now, then = UNIT_HINT.search(text), UNIT_HINT.search(before)
    if not now or not then or not now.group(1) or not then.group(1):
        return False
    return not units_compatible(now.group(1), then.group(1))
