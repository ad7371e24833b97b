"""Stated changes (增长12%, 较上年增加128个, 是2018年的2.6倍) and the prior-year figures they imply (推算)."""

from __future__ import annotations

import re

from .model import Direction, Figure, FigureKind
from .patterns import split_unit

_CHANGE = re.compile(
    r"(?:(?:同比|较|比)(?P<base>(?:19|20)\d{2})\s*年(?:同期)?|同比|较上年|比上年|较去年|比去年|环比)?(?P<dir>负增长|增长|增加|上升|提高|提升|下降|减少|降低|回落|下滑|增幅|降幅)"
    r"(?:了|为|达)?(?P<num>[+-]?\d+(?:\.\d+)?)(?P<unit>%|个百分点)"
)


_ABS_CHANGE = re.compile(
    r"(?:较|比)(?:上年|去年|上一年|(?P<year>(?:19|20)\d{2})\s*年(?:底|末)?)(?:同期)?"
    r"(?P<dir>增加|增长|新增|多|减少|下降|少)了?$"
)


_DOWN_WORDS = ("减少", "下降", "少")


_CHANGE_SIGNED = re.compile(r"^[+-]\d+(?:\.\d+)?%$")


_DOWN = ("负增长", "下降", "减少", "降低", "回落", "下滑", "降幅")


_COMPLETION = re.compile(r"(?:目标|任务|计划)[^，。；]{0,12}的$|完成率?(?:为|达)?$|^(?:的)")


# 新增注册读者近60万，是2018年的2.6倍: the figure is a multiple of that year's
_TIMES_OF = re.compile(r"[，,]?是(?P<year>(?:19|20)\d{2})\s*年(?:同期)?的(?P<num>\d+(?:\.\d+)?)倍")


def _as_change(mtext: str, m: re.Match[str]) -> tuple[float, Direction, str, int | None] | None:
    """If the number is the percentage (or amount) of a stated change, return it."""
    window = mtext[max(0, m.start() - 12) : m.end()]
    cm = None
    for cm in _CHANGE.finditer(window):  # noqa: B007 - the last match is the one kept
        pass
    if cm is not None and window.endswith(cm.group(0)) and m.group("pct"):
        direction = Direction.DOWN if cm.group("dir") in _DOWN else Direction.UP
        value = float(cm.group("num"))
        if value < 0:
            direction, value = Direction.DOWN, -value
        return value, direction, cm.group(0), int(cm.group("base")) if cm.group("base") else None
    return None


def _set_change(fig: Figure, pct: float, direction: Direction, text: str, base_year: int | None = None) -> None:
    fig.change_pct, fig.change_dir, fig.change_text = pct, direction, text
    fig.change_base_year = base_year


def _check_percentages(found: list[Figure], counts: list[tuple[float, str, str]]) -> None:
    """A stated share checked against two counts in the same sentence: 231/292 → 79.1% ✓."""
    for f in found:
        if f.unit != "%":
            continue
        decimals = len(f.stated.split(".")[1].rstrip("%‰")) if "." in f.stated else 0
        for i, (a, a_unit, a_text) in enumerate(counts):
            for j, (b, b_unit, b_text) in enumerate(counts):
                if i == j or b == 0 or a_unit != b_unit or a > b:
                    continue
                share = round(a / b * 100, decimals)
                if abs(share - f.value) < 10**-decimals / 2 + 1e-9:
                    f.check = f"{a_text}/{b_text}={share:.{decimals}f}% ✓"
                    break
            if f.check:
                break


def derive_prior_year(fig: Figure) -> Figure | None:
    """The previous year's value implied by a stated change (marked 推算, with its formula)."""
    if fig.change_amount is not None and fig.change_pct is None and fig.year is not None and fig.unit != "%":
        return _prior_from_amount(fig)
    if fig.year is None or fig.unit == "%":
        return None
    decimals = len(fig.stated.split(".")[1]) - len(fig.unit) if "." in fig.stated else 0
    decimals = max(1 if fig.times_of else 0, decimals)  # 60万 ÷ 2.6 is not a whole number of 万
    if fig.times_of is not None and fig.change_pct is None:
        times, year = fig.times_of
        if times <= 0 or year >= fig.year:
            return None
        prior = round(fig.value / times, decimals)
        formula = f"{fig.stated} ÷ {times:g} ≈ {_plain_number(prior, decimals)}{fig.unit}"
    else:
        if fig.change_pct is None or fig.change_dir is None:
            return None
        sign = 1 if fig.change_dir == Direction.UP else -1
        factor = 1 + sign * fig.change_pct / 100
        year = fig.change_base_year or fig.year - 1
        if factor <= 0 or year >= fig.year:
            return None
        prior = round(fig.value / factor, decimals)
        op = "+" if sign > 0 else "-"
        formula = f"{fig.stated} ÷ (1 {op} {fig.change_pct:g}%) ≈ {_plain_number(prior, decimals)}{fig.unit}"
    scale, base = split_unit(fig.unit)
    return Figure(
        indicator=fig.indicator,
        phrase=fig.phrase,
        value=prior,
        unit=fig.unit,
        plain_value=prior * scale,
        base_unit=base,
        year=year,
        kind=FigureKind.ACTUAL if fig.kind in (FigureKind.ACTUAL, FigureKind.AS_OF) else fig.kind,
        scope=fig.scope,
        derived=True,
        formula=f"推算：{formula}",
        char_start=fig.char_start,
        char_end=fig.char_end,
        quote=fig.quote,
        chunk_id=fig.chunk_id,
        org=fig.org,
        stated=f"{_plain_number(prior, decimals)}{fig.unit}",
    )


def _plain_number(value: float, decimals: int) -> str:
    """As reports write a number: 112, not 112.0."""
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _prior_from_amount(fig: Figure) -> Figure | None:
    """共694个，较2020年增加128个 → 2020年566个 (推算：694个 - 128个)."""
    assert fig.change_amount is not None and fig.year is not None  # the caller checks both
    amount, direction, year = fig.change_amount
    year = year or fig.year - 1
    if year >= fig.year:
        return None
    prior = fig.value - amount if direction == Direction.UP else fig.value + amount
    if prior < 0:
        return None
    decimals = max(
        len(f"{fig.value:g}".split(".")[1]) if "." in f"{fig.value:g}" else 0,
        len(f"{amount:g}".split(".")[1]) if "." in f"{amount:g}" else 0,
    )
    prior = round(prior, decimals)
    op = "-" if direction == Direction.UP else "+"
    shown = f"{_plain_number(prior, decimals)}{fig.unit}"
    formula = f"{fig.stated} {op} {amount:g}{fig.unit} = {shown}"
    scale, base = split_unit(fig.unit)
    return Figure(
        indicator=fig.indicator,
        phrase=fig.phrase,
        value=prior,
        unit=fig.unit,
        plain_value=prior * scale,
        base_unit=base,
        year=year,
        kind=FigureKind.ACTUAL if fig.kind in (FigureKind.ACTUAL, FigureKind.AS_OF) else fig.kind,
        scope=fig.scope,
        derived=True,
        formula=f"推算：{formula}",
        char_start=fig.char_start,
        char_end=fig.char_end,
        quote=fig.quote,
        chunk_id=fig.chunk_id,
        org=fig.org,
        stated=shown,
    )
