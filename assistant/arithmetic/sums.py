"""Sums: the parts a question lists (甲和乙一共), the years it names, or counts listed and then named together."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ingest.indicators import units_compatible

from ..evidence import compound_parts
from .matching import asked_term, asked_unit, best_fit, fit
from .operands import UNIT_PATTERN, Operand, Result, letters_of, same_scale
from .wording import SUM_WORDS

# 一、二、三等奖 lists 一等奖、二等奖、三等奖: one-character items sharing the words after the last
_SHARED_TAIL = re.compile(
    r"((?:[一二三四五六七八九十甲乙丙丁\d]、)+[一二三四五六七八九十甲乙丙丁\d])([\u4e00-\u9fff]{1,3})(?=$|[和与及、])"
)


def _split_parts(text: str) -> list[str]:
    """The parts a sum lists, from the subject (its places already removed by ``question_subject``)."""
    text = re.split(r"[，,；;]", text)[-1]  # 捐赠文献中，诗词和史志: the clause before frames the list
    text = re.sub(r"^(?:另外|其他|其余|此外)", "", text)
    # 图书、报刊和书架三项采购: the count closes the list and what follows it names them all
    text = re.sub(r"(?:这|那)?[两二三四五六七八九十\d]+(?:项|个|类|者|部分|方面)[\u4e00-\u9fff]{0,4}$", "", text)
    text = _SHARED_TAIL.sub(lambda m: "、".join(i + m.group(2) for i in m.group(1).split("、")), text)
    text = re.sub(
        r"(?<![一二三四五六七八九十甲乙丙丁])等[\u4e00-\u9fff]{0,4}$", "", text
    )  # …等 ends a list; 三等奖 is a name
    parts = [asked_term(p) for p in re.split(r"和|与|及|以及|、|加上|跟|同", text)]
    return [p for p in parts if len(p) >= 2]


def sum_of_parts(
    question: str, subject: str, ops: list[Operand], years: Sequence[int] = (), rows: Sequence[Operand] = ()
) -> Result | None:
    m = SUM_WORDS.search(subject)
    head = subject[: m.start()] if m else subject
    if "加上" in subject:
        head = re.split(r"一共|合计|总共|共计", subject)[0]
    parts = _split_parts(head)
    if len(parts) == 1:
        parts = list(compound_parts(parts[0]))  # 报纸杂志合起来: 报纸 and 杂志
    if len(parts) < 2:
        # 一共有多少个分馆: with nothing before the word of adding, what is added up is named after it
        named = (
            parts[0]
            if parts
            else asked_term(re.sub(rf"^有|(?:多少|几)\s*(?:{UNIT_PATTERN})?", "", subject[m.end() :] if m else ""))
        )
        return _sum_of_years(question, subject, years, rows) or _listed_total(named, ops)
    asked = asked_unit(question)
    if asked is not None:
        chosen = _each_part(parts, ops, asked[1])
    else:
        # No unit asked (一共花了多少): like things add up, so the parts are read in the one unit in which
        # every part names a figure.
        found = [c for c in (_each_part(parts, ops, u) for u in dict.fromkeys(o.unit for o in ops)) if c]
        chosen = found[0] if len(found) == 1 else _each_part(parts, ops, None)
    if chosen is None:
        return None
    units = {o.unit for o in chosen}
    if len(units) != 1 and not (asked and all(units_compatible(u, asked[1]) for u in units)):
        return None  # 187家、19个、2间 add up as 多少个 asked; 册 and 人次 never
    magnitude, scale = same_scale(chosen)
    value = sum(o.plain for o in chosen) / scale
    unit = chosen[0].unit if len(units) == 1 or asked is None else asked[1]
    return Result(value, magnitude + unit, " + ".join(o.stated for o in chosen), chosen, "合计")


def total_of(chosen: list[Operand]) -> Result:
    """Figures of one unit added up, in the magnitude they share (8.20万 + 4.15万 = 12.35万)."""
    magnitude, scale = same_scale(chosen)
    return Result(
        sum(o.plain for o in chosen) / scale,
        magnitude + chosen[0].unit,
        " + ".join(o.stated for o in chosen),
        chosen,
        "合计",
    )


def _listed_total(term: str, ops: list[Operand]) -> Result | None:
    """7个乡镇、2个企业、4个学校为分馆: counts listed one after another and then named together (为分馆)
    add up to the whole the question asks about (一共有多少个分馆)."""
    if len(term) < 2:
        return None
    found: list[list[Operand]] = []
    for i, o in enumerate(ops):
        named = re.search(r"(?:为|作为|是)([\u4e00-\u9fff]{2,8})$", letters_of(o.after))
        if not named or fit(term, named.group(1)) < 0.99:
            continue
        group = [o]
        j = i - 1
        while (
            j >= 0
            and ops[j].quote == o.quote
            and ops[j].unit == o.unit
            and re.search(re.escape(ops[j].stated) + r"[\u4e00-\u9fff]{0,8}、" + re.escape(group[0].stated), o.quote)
        ):
            group.insert(0, ops[j])  # the item before, across a list comma (7个乡镇、2个企业)
            j -= 1
        if len(group) >= 2 and all(g[0].quote != o.quote for g in found):  # overlapping passages repeat it
            found.append(group)
    if len(found) != 1:
        return None
    chosen = found[0]
    return total_of(chosen)


def _sum_of_years(question: str, subject: str, years: Sequence[int], rows: Sequence[Operand]) -> Result | None:
    """1987年和1988年一共办理了多少本证件: one figure in each year named, added up (a table row per year)."""
    if len(set(years)) < 2 or not rows:
        return None
    asked = asked_unit(question)
    term = asked_term(
        re.sub(rf"{SUM_WORDS.pattern}|和|与|及|、|(?:多少|几)\s*(?:万|亿|千)?\s*(?:{UNIT_PATTERN})?", "", subject)
    )
    if len(term) < 2:
        return None
    chosen = []
    for year in sorted(set(years)):
        op = best_fit(term, [r for r in rows if r.year == year], asked[1] if asked else None)
        if op is None:
            return None
        chosen.append(op)
    if len({o.unit for o in chosen}) != 1:
        return None
    return total_of(chosen)


def _each_part(parts: list[str], ops: list[Operand], unit: str | None) -> list[Operand] | None:
    """One distinct figure for each part, or the figures a 分别 sentence gives them; None otherwise."""
    chosen: list[Operand] = []
    for part in parts:
        op = best_fit(part, ops, unit, exclude=chosen)
        if op is None:
            chosen = _respectively(parts, ops, unit)
            break
        chosen.append(op)
    if not chosen or len({(o.chunk_id, o.context, o.stated) for o in chosen}) != len(chosen):
        return None
    return chosen


def _respectively(parts: list[str], ops: list[Operand], unit: str | None) -> list[Operand]:
    """'A和B两个项目分别为x和y': one sentence naming every part, then as many figures after 分别."""
    found = []
    by_sentence: dict[str, list[Operand]] = {}
    for o in ops:
        by_sentence.setdefault(o.chunk_id + "\x00" + o.quote, []).append(o)
    for key, group in by_sentence.items():
        quote = key.split("\x00", 1)[1]
        if "分别" not in quote or not all(fit(p, quote) >= 0.6 for p in parts):
            continue
        tail = quote[quote.index("分别") :]
        listed = [o for o in group if o.stated in tail and (not unit or o.unit == unit)]
        by_unit: dict[str, list[Operand]] = {}
        for o in listed:
            by_unit.setdefault(o.unit, []).append(o)
        # 分别仍有509.22万元和242.12万元…两家: the figures in one unit, as many as the parts named
        fitting = [g for g in by_unit.values() if len(g) == len(parts)]
        if len(fitting) == 1:
            found.append(fitting[0])
    return found[0] if len(found) == 1 else []
