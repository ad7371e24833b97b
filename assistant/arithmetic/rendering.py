"""A computed result as the answer states it: rounded, marked 推算, with its formula and figures used."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from ..statements import Draft
from ..types import FigureUsed
from .matching import figure_label
from .operands import Result


def _fmt(value: float, decimals: int = 2) -> str:
    """Rounded half up (四舍五入, as reports round: 211.125 → 211.13), trailing zeros dropped."""
    rounded = Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{rounded:f}".rstrip("0").rstrip(".") if decimals else f"{rounded:f}"
    return text if text not in ("-0", "") else "0"


def _rounded(result: Result) -> str:
    """Two decimals at most; a head count worked back from a share is a whole number."""
    if result.unit == "%":
        return _fmt(result.value, 2)
    if result.unit in ("人", "名", "个", "家", "间", "所") and result.label == "总数":
        return str(round(result.value))
    if result.label.endswith("年"):  # a value worked back is known no finer than the one it came from
        return _fmt(result.value, min(2, max(_decimals(o.stated) for o in result.operands)))
    return _fmt(result.value, 2)


def _decimals(stated: str) -> int:
    """25.3万册次 → 1, 10870人次 → 0: the decimals a figure was stated with."""
    m = re.search(r"\d+(?:\.(\d+))?", stated)
    return len(m.group(1)) if m and m.group(1) else 0


def computed_draft(result: Result, question: str) -> Draft:
    shown = _rounded(result)
    approx = "约" if any(o.approx for o in result.operands) or abs(float(shown) - result.value) > 1e-9 else ""
    unit = result.unit
    words = {"总数": "推算总数"}.get(result.label, result.label)
    if result.label.endswith("年"):
        words = f"据此推算{result.label}"
    formula = f"{result.formula} = {shown}{unit}"
    draft = Draft()
    ids = list(dict.fromkeys(o.chunk_id for o in result.operands if o.chunk_id))
    quote = "；".join(dict.fromkeys(o.quote for o in result.operands))[:300] if len(ids) == 1 else ""
    at_least = result.label == "合计" and all(o.stated.endswith("以上") for o in result.operands)
    if at_least:  # 40次以上 + 15次以上: the sum is a floor, not an estimate
        approx, unit = "", unit + "以上"
    draft.add(f"{words}{approx}{shown}{unit}（推算：{result.formula}）", ids, quote)
    for o in result.operands:
        draft.figures.append(
            FigureUsed(figure_label(o), o.year, o.value, o.magnitude + o.unit, o.source, stated=o.stated)
        )
    draft.figures.append(
        FigureUsed(
            f"{words}（推算）",
            result.operands[0].year,
            float(shown),
            unit,
            result.operands[0].source,
            derived=True,
            formula=f"推算：{formula}",
            stated=f"{shown}{unit}",
        )
    )
    return draft
