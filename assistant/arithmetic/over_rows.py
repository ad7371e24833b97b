"""A sum or an average over the rows of one table: 年鉴表里四个县馆的外借加起来, 6个馆平均每个馆办了多少场.

A yearbook or a network report gives one quantity for each library, branch or service point, a row
each. A question naming a group of them by its size and kind (四个县馆, 12个分馆) or all of them (各馆)
asks for their total or their mean. The rows are read from one table of one document; the group must
hold as many rows as the question says, or the answer is not computed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import cn2an

from ..figure_rows import MAIN_SCOPES
from .matching import fit
from .operands import UNIT_PATTERN, Operand, Result, letters_of, row_operand, same_scale
from .sums import total_of
from .wording import SUM_WORDS

_KINDS = r"(?:分馆|县馆|区馆|市馆|图书馆|馆|书房|驿站|服务点)"
# 四个县馆, 12个分馆, 6家图书馆: a group by its size and kind; 各馆, 各分馆: all of that kind
_GROUP = re.compile(rf"(?P<n>\d+|[两二三四五六七八九十]+)\s*(?:个|家|座|所)\s*(?P<kind>{_KINDS})")
_EVERY = re.compile(rf"(?:各|所有|全部)(?:个)?(?P<kind>{_KINDS})")
# What a question says besides the quantity: adding up, averaging, the table it reads, the question word.
_FRAMING = re.compile(
    rf"{SUM_WORDS.pattern}|平均(?:每(?:个|家|座)?{_KINDS}?)?|每(?:个|家|座)?{_KINDS}|年鉴(?:里|中|上)?|表(?:里|中|上|格)"
    rf"|(?:多少|几)\s*(?:万|亿|千)?\s*(?:{UNIT_PATTERN})?|办了|办|有|是|的|了"
)
_TOTAL_ROWS = ("合计", "总计", "全区", "全市", "全县", "小计")
_TABLE_SEP = "｜"


def over_rows(
    op: str, question: str, subject: str, years: Sequence[int], metrics, indicator: str | None
) -> Result | None:
    """The total or the mean of one table's rows for the group the question names, or None."""
    group = _GROUP.search(question) or _EVERY.search(question)
    if group is None or metrics is None or len(set(years)) > 1:
        return None
    size = _count(group.groupdict().get("n"))
    kind = group.group("kind")
    term = letters_of(_FRAMING.sub("", subject.replace(group.group(0), "")))
    tables: dict[tuple[str, str, int | None], dict[str, object]] = {}
    for row in metrics.all(year=years[0] if years else None, include_derived=False):
        if _TABLE_SEP not in (row.quote or "") or row.kind == "target" or not _names(row, indicator, term):
            continue
        entity = row.scope if row.scope not in MAIN_SCOPES else row.org
        if not entity or entity in _TOTAL_ROWS or not _of_kind(entity, kind):
            continue
        key = (row.doc_id, row.quote.split(_TABLE_SEP)[0], row.year)
        tables.setdefault(key, {}).setdefault(entity, row)
    fitting = [rows for rows in tables.values() if size is None or len(rows) == size]
    if len(fitting) != 1 or len(fitting[0]) < 2:
        return None
    chosen: list[Operand] = [row_operand(r) for r in fitting[0].values()]
    if len({o.unit for o in chosen}) != 1:
        return None
    total = total_of(chosen)
    if op == "sum":
        return total
    magnitude, _ = same_scale(chosen)
    return Result(
        total.value / len(chosen), magnitude + chosen[0].unit, f"({total.formula}) ÷ {len(chosen)}", chosen, "平均"
    )


def _count(numeral: str | None) -> int | None:
    if numeral is None:
        return None
    try:
        return int(numeral) if numeral.isdigit() else int(cn2an.cn2an(numeral, "normal"))
    except (ValueError, KeyError):
        return None


def _names(row, indicator: str | None, term: str) -> bool:
    """The row states the quantity asked: the indicator the question names, or a name that fits its words."""
    if indicator and row.indicator == indicator:
        return True
    name = row.phrase or row.indicator
    return len(term) >= 2 and len(name) >= 2 and max(fit(term, name), fit(name, term)) >= 0.6  # 外借 of 外借册次


def _of_kind(entity: str, kind: str) -> bool:
    """县馆 is a library of a county, 分馆 a branch, 馆 a library, 书房 a study room."""
    if kind in ("馆", "图书馆"):
        return entity.endswith("馆") and not entity.endswith("分馆")  # 6个馆: libraries, not one's branches
    if kind.endswith("馆") and kind != "分馆":
        return entity.endswith("馆") and kind[0] in entity and not entity.endswith("分馆")
    return entity.endswith(kind) or kind in entity


__all__ = ["over_rows"]
