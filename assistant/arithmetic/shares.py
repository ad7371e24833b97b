"""Shares (占…比重) of a whole, stated or listed beside the part, and completion of a target (完成率)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ingest.indicators import units_compatible

from .matching import asked_term, best_fit
from .operands import Operand, Result

_AREA = re.compile(r"全(?:国|省|市|区|县)")


def share_of(
    question: str,
    subject: str,
    ops: list[Operand],
    years: list[int],
    rows: list[Operand],
    wholes: Sequence[Operand] = (),
    org: str | None = None,
    places: tuple[str, ...] = (),
) -> Result | None:
    # 图书藏量在总藏量中占多大比例 names the part first and the whole inside 在…中
    m = re.search(r"(.+?)在(.+?)(?:中|里|当中|之中)占", subject) or re.search(
        r"(.+?)(?:占|相当于)(.*?)(?:的)?(?:比重|比例|百分之几|百分之多少|百分比|多少|占比|几成)", subject
    )
    if not m:
        return None
    part_words, whole_words = m.group(1), m.group(2)
    framed = re.fullmatch(r"(.+?)(?:当中|之中|中间|中|里面|里边|里)[，,]?(.+)", part_words)
    if (
        len(asked_term(re.sub(r"多大|多高|多少", "", whole_words))) < 2 and framed
    ):  # 捐赠文献里诗词作品占多大比例: the whole frames the part
        whole_words, part_words = framed.group(1), framed.group(2)
    pool = [o for o in rows + ops if not years or o.year in years or (o.year is None and not o.from_table)]
    area = _AREA.search(whole_words)
    marker = org or (places[0] if places else None)
    if marker and area:
        part, whole = _area_operands(part_words, whole_words, pool, ops, marker, area)
    elif len(items := _listed_items(whole_words)) >= 2:
        # 新书占新书、期刊和合订本总数的比例: the whole is the sum of the figures the question lists
        return _share_of_items(asked_term(part_words), items, pool)
    else:
        part = best_fit(asked_term(part_words), pool)
        whole = _whole_beside(asked_term(whole_words), part, pool)
        if whole is not None and part is not None and whole.plain <= part.plain:
            whole = None
    if part is not None and whole is not None and _same_figure(part, whole):
        whole = None  # one figure fits both words: it is not its own whole
    if part is not None and part.from_table and wholes and _WHOLE.search(whole_words):
        # the part's own figure for the whole area, in the same year and unit
        same = {
            round(w.plain, 6): w
            for w in wholes
            if w.context == part.context and w.year == part.year and w.unit == part.unit
        }
        whole = next(iter(same.values())) if len(same) == 1 else whole
    if part is not None and whole is None and _WHOLE.search(whole_words):
        return _share_of_listed(part, ops)
    if (
        part is None
        or whole is None
        or not (units_compatible(part.unit, whole.unit) or _compared(subject, part, whole))
        or not whole.plain
        or (part.plain > whole.plain and not _compared(subject, part, whole))
    ):
        return None
    if years and any(o.year not in years for o in (part, whole) if o.year):
        return None
    return Result(part.plain / whole.plain * 100, "%", f"{part.stated} ÷ {whole.stated}", [part, whole], "占比")


def _area_operands(
    part_words: str, whole_words: str, pool: list[Operand], ops: list[Operand], marker: str, area: re.Match[str]
) -> tuple[Operand | None, Operand | None]:
    """某馆接待读者占全省公共图书馆接待读者的比例, 某省入选的占全国入选总数: one quantity, the library's or
    place's own (its clause or sentence names it; the table's rows are the library's already) over the
    area's (a clause naming the area, or a sentence not about the library)."""
    named = asked_term(_AREA.sub("", re.sub(r"(?:公共)?图书馆", "", whole_words)))
    part = best_fit(
        asked_term(part_words),
        [
            o
            for o in pool
            if o.from_table or marker in o.context + o.after or (marker in o.quote and area.group(0) not in o.context)
        ],
    )
    areas = [
        o
        for o in ops
        if (area.group(0) in o.context or marker not in o.quote) and (part is None or o.source == part.source)
    ]  # a share's two figures are of one document
    whole = best_fit(named, areas, exclude=[part] if part else [])
    if whole is None and part is not None:  # 全国共有204个…: the area's one count in the part's unit
        counts = {
            round(o.plain, 6): o
            for o in areas
            if area.group(0) in o.context and o is not part and units_compatible(o.unit, part.unit)
        }
        whole = next(iter(counts.values())) if len(counts) == 1 else None
    return part, whole


def _whole_beside(term: str, part: Operand | None, pool: list[Operand]) -> Operand | None:
    """The whole a part is a share of: first among the figures of the part's own sentence (书刊外借25.8万册次，
    其中少儿图书外借9.7万册次 states both), else the best fit anywhere."""
    if part is None:
        return best_fit(term, pool)
    others = [o for o in pool if not _same_figure(o, part) and o.plain > part.plain]  # a whole exceeds its part
    beside = [o for o in others if o.quote == part.quote and units_compatible(o.unit, part.unit)]
    passage = [o for o in others if o.chunk_id == part.chunk_id and units_compatible(o.unit, part.unit)]
    named = _WHOLE.sub("", term) if len(_WHOLE.sub("", term)) >= 2 else term  # 全部外借: the loans, all of them
    return best_fit(named, beside) or best_fit(named, passage) or best_fit(term, pool, exclude=[part])


def _compared(subject: str, part: Operand, whole: Operand) -> bool:
    """外借册次相当于总藏量的百分之几: one quantity set against another of the same things counted another
    way (册次 against 册), which a share proper (占) never is."""
    return "相当于" in subject and part.unit.rstrip("次") == whole.unit.rstrip("次") and part.unit != "%"


def _same_figure(a: Operand, b: Operand) -> bool:
    """The same statement read twice: from its passage and from the metrics table."""
    return (
        round(a.plain, 6) == round(b.plain, 6) and a.unit == b.unit and (a.chunk_id == b.chunk_id or a.quote == b.quote)
    )


# The whole a share is taken of, when the question names no figure for it: 占总数, 占全部.
_WHOLE = re.compile(r"总数|总量|全部|所有|总和|合计|总计|总共|一共|全市|全省|全区|全县")


def _listed_items(words: str) -> list[str]:
    """新书、外架期刊和合订本总数 → 新书, 外架期刊, 合订本: the things a whole is named as the sum of."""
    words = re.sub(rf"(?:的)?(?:{_WHOLE.pattern})$", "", words.strip())
    items = [asked_term(w) for w in re.split(r"、|以及|和|与|及|加上", words)]
    return items if all(len(i) >= 2 for i in items) else []


def _share_of_items(part_term: str, items: list[str], pool: list[Operand]) -> Result | None:
    """The part over the sum of the listed figures, each one figure of one document in the part's unit."""
    part = best_fit(part_term, pool)
    if part is None:
        return None
    same = [o for o in pool if o.source == part.source and units_compatible(o.unit, part.unit)]
    found: list[Operand] = []
    for item in items:
        figure = best_fit(item, same, exclude=found)
        if figure is None:
            return None
        found.append(figure)
    if not any(_same_figure(part, o) for o in found):
        return None  # the part is one of the things summed, or the question is not a share of them
    part = next(o for o in found if _same_figure(part, o))
    total = sum(o.plain for o in found)
    if not total:
        return None
    formula = f"{part.stated} ÷ ({' + '.join(o.stated for o in found)})"
    return Result(part.plain / total * 100, "%", formula, found, "占比")


def _share_of_listed(part: Operand, ops: list[Operand]) -> Result | None:
    """占总数的比例 with no total stated: the part over the sum of the figures listed with it in its sentence,
    in its unit (少儿图书3万册、成人图书7万册: 少儿 is 30% of the 10万册 listed)."""
    # The part as its passage states it (a metrics-table row quotes its sentence its own way)
    part = next(
        (
            o
            for o in ops
            if o.chunk_id == part.chunk_id and o.unit == part.unit and round(o.plain, 6) == round(part.plain, 6)
        ),
        part,
    )
    listed = [o for o in ops if o.quote == part.quote and o.chunk_id == part.chunk_id and o.unit == part.unit]
    listed = list({round(o.plain, 6): o for o in listed}.values())
    if len(listed) < 2 or not any(o is part or o.plain == part.plain for o in listed):
        return None
    total = sum(o.plain for o in listed)
    if not total:
        return None
    formula = f"{part.stated} ÷ ({' + '.join(o.stated for o in listed)})"
    return Result(part.plain / total * 100, "%", formula, listed, "占比")


def completion_of(subject: str, years: list[int], rows: list[Operand], targets: list[Operand]) -> Result | None:
    """完成了目标的百分之几: the year's actual figure over its target, in per cent."""
    term = asked_term(
        re.sub(r"完成率|达成率|完成|达到|年度|全年|目标|计划|任务|百分之几|百分之多少|多少|几成|%", "", subject)
    )
    if not term:
        return None
    in_year = (lambda o: o.year in years) if years else (lambda o: True)
    target = best_fit(term, [t for t in targets if in_year(t)])
    if target is None or not target.plain:
        return None
    actual = best_fit(term, [r for r in rows if r.year == target.year], target.unit)
    if actual is None:
        return None
    return Result(
        actual.plain / target.plain * 100, "%", f"{actual.stated} ÷ {target.stated}", [actual, target], "完成目标的"
    )
