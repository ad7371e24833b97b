"""Values worked back (倒推): last year's from this year's and its change, a whole from a part and its share."""

from __future__ import annotations

import re

from ..figure_names import AREA_LIBRARIES
from .matching import asked_term, best_fit
from .operands import UNIT_PATTERN, Operand, Result

# 按2022年总结里的同比增幅推算，…: how to compute, not what is computed
_METHOD = re.compile(
    r"^(?:按|根据|依据|按照|照)[^，,。？]*?(?:推算|计算|倒推|反推|来算|算|增幅|降幅|增长率|增速|同比)[^，,。？]{0,4}[，,]?"
)


def prior_year(question: str, subject: str, years: list[int], rows: list[Operand]) -> Result | None:
    # 全市公共图书馆书刊外借: the area's libraries together are whose figure it is, not the figure's name
    subject = AREA_LIBRARIES.sub("", re.sub(r"^馆", "", _METHOD.sub("", subject)))
    term = asked_term(
        re.sub(
            r"按|同比|增长率|变化|倒推|反推|推算|据此|大约|上一年|去年|上年|万|亿|千|"
            rf"(?:{UNIT_PATTERN})$",
            "",
            subject,
        )
    )
    pool = [r for r in rows if r.change_pct is not None and (not years or r.year == years[0] + 1)]
    row = best_fit(term, pool)
    if row is None or row.change_pct is None or row.change_pct <= -100:
        return None
    value = row.value / (1 + row.change_pct / 100)
    sign = "+" if row.change_pct >= 0 else "-"
    formula = f"{row.stated} ÷ (1 {sign} {abs(row.change_pct):g}%)"
    label = f"{row.year - 1}年" if row.year else "上一年"
    return Result(value, row.magnitude + row.unit, formula, [row], label)


def whole_from_share(question: str, ops: list[Operand]) -> Result | None:
    """'按102人占63.4%倒推，总数多少': the part stated with its share gives the whole."""
    part = re.search(rf"(\d+(?:\.\d+)?)\s*({UNIT_PATTERN})", question)
    pct = re.search(r"(\d+(?:\.\d+)?)\s*%", question)
    if not part or not pct or part.group(2) == "%" or not float(pct.group(1)):
        return None
    stated_part = part.group(0).replace(" ", "")
    stated_pct = pct.group(0).replace(" ", "")
    source = next(
        (o for o in ops if o.stated.startswith(part.group(1)) and stated_pct in o.quote.replace(" ", "")), None
    )
    if source is None:
        return None
    value = float(part.group(1)) / (float(pct.group(1)) / 100)
    return Result(value, part.group(2), f"{stated_part} ÷ {stated_pct}", [source], "总数")
