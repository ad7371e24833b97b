"""Figures read from table cells, never guessed back from text."""

from __future__ import annotations

import re

from ..outline import library_names
from ..types import Paragraph
from .changes import _CHANGE_SIGNED, _set_change
from .model import Direction, Figure, FigureKind, _Context
from .patterns import split_unit
from .period import _period

_HEADER_UNIT = re.compile(r"[（(]([^（）()]+)[）)]\s*$")


_CELL_NUMBER = re.compile(r"^([+-]?\d[\d,]*(?:\.\d+)?)(%?)$")


_CHANGE_HEADER = re.compile(r"同比|增减|增长|变化|增幅|环比")


# A year column, alone (2023年) or with the part of the whole it reports (总计 2006, 2007 市级).
_YEAR_COLUMN = re.compile(
    r"^(?:(?!截|至|到)([\u4e00-\u9fff]{1,6})\s*)?((?:19|20)\d{2})\s*年?(?:度)?"
    r"(?:\s*(?!末|底|年)([\u4e00-\u9fff]{1,6}))?$"
)


_YEAR_IN_HEADER = re.compile(r"((?:19|20)\d{2})\s*年(?:末|底|度)?")


_YEAR_LABEL = re.compile(r"^((?:19|20)\d{2})\s*年?(?:度)?$")


_PART_OF = re.compile(r"^(?:其中|内含|含)[：:]?\s*")


_SKIP_LABELS = re.compile(r"^(?:注|说明|备注|资料来源|数据来源)")


def _table_row(ctx: _Context, p: Paragraph) -> None:
    if not p.cells or _SKIP_LABELS.match(p.label):
        return
    cells, label = list(p.cells), p.label
    unit_cell = next((v for h, v in cells if h in ("单位", "计量单位")), None)
    year_cell = next((v for h, v in cells if h in ("年度", "年份", "年")), None)
    period_kind, section_year = _period(ctx, p)
    year_label = _YEAR_LABEL.match(p.label or "")
    # 1985 | 1.10 | 600: a year per row, an indicator per column
    table_year = int(year_label.group(1)) if year_label else _table_year(ctx, p, year_cell, section_year)
    header_years = {int(y) for h, _ in cells for y in _YEAR_IN_HEADER.findall(h)}
    if table_year is None and len(header_years) == 1:
        table_year = header_years.pop()  # 建筑面积 beside "2024年进馆人次" is of 2024 too
    year_columns = [(h, v) for h, v in cells if _YEAR_COLUMN.match(h)] if not year_label else []
    change_cells = [(h, v) for h, v in cells if _CHANGE_HEADER.search(h)]
    made: list[Figure] = []
    if year_columns and label:
        # An indicator per row, a year per column: 进馆人数 | 万次 | 2022年 | 2023年 …
        stated_unit = unit_cell or _header_unit(label)
        part_of = _PART_OF.match(label)
        if stated_unit is None and part_of and ctx.table_unit and ctx.table_unit[0] == p.table:
            stated_unit = ctx.table_unit[1]  # 其中：藏量购置费 is counted as the row it is part of
        name = _strip_unit(_PART_OF.sub("", label))
        row_indicator = ctx.indicators.canonical(name, stated_unit)
        if row_indicator is None and _library_row(ctx, p, name, year_columns, period_kind):
            return  # 表2 各馆总流通人次（单位：万人次）| 苓溪县图书馆 | 29.8 | 31.5
        unit = stated_unit or _default_unit(ctx, row_indicator)
        if stated_unit and not part_of:
            ctx.table_unit = (p.table, stated_unit)
        indicator = row_indicator or name
        for header, value in year_columns:
            column = _YEAR_COLUMN.match(header)
            assert column is not None  # year_columns holds only the headers that match
            part = (column.group(1) or column.group(3) or "").strip()
            kind = _column_kind(ctx, indicator, name, part) if part else None
            if kind is not None:  # 2024年实际 | 2025年目标: what kind of figure, not a part of the whole
                part = ""
            fig = _cell_figure(
                ctx,
                p,
                indicator,
                name,
                header,
                value,
                unit,
                int(column.group(2)),
                period_kind,
                scope=_row_scope(part) if part else "",
                kind=kind,
            )
            if fig:
                made.append(fig)
    elif label and _aimed_and_done(cells):
        made = _aimed_and_done_row(ctx, p, cells, label, unit_cell, table_year, period_kind)
    else:
        made = _entity_row(ctx, p, cells, label, unit_cell, table_year, bool(year_label), period_kind)
    owner = _caption_library(p.table or "", ctx.doc.org)
    for fig in made:  # 表5 某某图书馆主要业务指标: a table of one library is that library's
        fig.org = fig.org or owner
    if made and change_cells:
        latest = max(made, key=lambda f: f.year or 0)
        for _, value in change_cells:
            if _CHANGE_SIGNED.match(value.replace(" ", "")):
                pct = float(value.strip().rstrip("%"))
                _set_change(latest, abs(pct), Direction.DOWN if pct < 0 else Direction.UP, value)
    ctx.figures.extend(made)


def _entity_row(
    ctx: _Context,
    p: Paragraph,
    cells: list[tuple[str, str]],
    label: str,
    unit_cell: str | None,
    table_year: int | None,
    year_label: bool,
    period_kind: str,
) -> list[Figure]:
    """An entity per row, an indicator per column: 临江分馆 | 进馆人次（万人次） | …; a row named by another
    library (某县图书馆 in a yearbook's table of libraries) holds that library's figures."""
    made: list[Figure] = []
    named_library = bool(_OTHER_LIBRARY.search(label or ""))
    library = label if named_library and label != ctx.doc.org else ""
    for header, value in cells:
        if header in ("单位", "计量单位", "年度", "年份", "年") or _CHANGE_HEADER.search(header):
            continue
        name = _strip_unit(_YEAR_IN_HEADER.sub("", header)).strip()
        stated_unit = _header_unit(header) or unit_cell
        indicator = ctx.indicators.canonical(name, stated_unit) or name
        unit = stated_unit or _default_unit(ctx, indicator)
        y = _YEAR_IN_HEADER.search(header)
        year = int(y.group(1)) if y else table_year
        fig = _cell_figure(
            ctx,
            p,
            indicator,
            name,
            header,
            value,
            unit,
            year,
            period_kind,
            scope="" if year_label or named_library else _row_scope(label),
        )
        if fig:
            fig.org = library or fig.org
            made.append(fig)
    return made


# A table of targets against results: 指标 | 年度目标 | 实际完成 | 完成率
_AIMED_COLUMN = re.compile(r"目标|计划|预期|任务数")
_DONE_COLUMN = re.compile(r"实际|完成(?!率|比例)|实绩|实现")
_RATE_COLUMN = re.compile(r"完成率|完成比例|达成率|完成进度")


def _column_kind(ctx: _Context, indicator: str, phrase: str, header: str) -> FigureKind | None:
    """A column of targets (年度目标, 2025年目标) or of results (实际完成, 2024年实际), whatever the section."""
    if _RATE_COLUMN.search(header):
        return None
    if _AIMED_COLUMN.search(header):
        return FigureKind.TARGET
    if not _DONE_COLUMN.search(header):
        return None
    stock = ctx.indicators.is_stock(indicator) or "累计" in phrase or "年末" in header
    return FigureKind.CUMULATIVE if stock else FigureKind.ACTUAL


def _aimed_and_done(cells: list[tuple[str, str]]) -> bool:
    heads = [h for h, _ in cells if not _RATE_COLUMN.search(h)]
    return any(_AIMED_COLUMN.search(h) for h in heads) and any(_DONE_COLUMN.search(h) for h in heads)


def _aimed_and_done_row(
    ctx: _Context,
    p: Paragraph,
    cells: list[tuple[str, str]],
    label: str,
    unit_cell: str | None,
    table_year: int | None,
    period_kind: str,
) -> list[Figure]:
    """总流通人次（万人次）| 22 | 21.4 | 97.3%: the row's figure aimed at (a target) and the one reached."""
    name = _strip_unit(_PART_OF.sub("", label))
    stated_unit = unit_cell or _header_unit(label)
    indicator = ctx.indicators.canonical(name, stated_unit) or name
    unit = stated_unit or _default_unit(ctx, indicator)
    made = []
    for header, value in cells:
        if _RATE_COLUMN.search(header) or header in ("单位", "计量单位"):
            continue
        kind = _column_kind(ctx, indicator, name, header)
        if kind is None:
            continue
        fig = _cell_figure(ctx, p, indicator, name, header, value, unit, table_year, period_kind, "", kind)
        if fig:
            made.append(fig)
    return made


def _caption_library(caption: str, own: str) -> str:
    """The one library a table's caption names (表5 某某图书馆主要业务指标), unless it is the document's own."""
    named = {n.name for n in library_names(caption) if "公共图书馆" not in n.name}
    name = next(iter(named)) if len(named) == 1 else ""
    return name if name and name != own and not name.endswith("分馆") else ""


# A row label naming a library in full (某县图书馆), not one of its branches (某某分馆)
_OTHER_LIBRARY = re.compile(r"^[\u4e00-\u9fff]{2,12}(?<!分)图书馆$")

# A row label that is a library (苓溪县图书馆, 城东分馆), not a quantity.
_LIBRARY_ROW = re.compile(r"馆$")
# 表2, 表3-1 and the years a caption spans (2022—2023年), and 各公共图书馆: what a caption says besides its quantity
_CAPTION_NOISE = re.compile(
    r"^\s*表\s*[\d一二三四五六七八九十]+(?:[-.－]\d+)?\s*|(?:19|20)\d{2}\s*(?:年)?\s*(?:[—\-－~至到]\s*(?:19|20)\d{2}\s*)?年(?:度)?"
)
_CAPTION_ENTITIES = re.compile(r"^.*各[\u4e00-\u9fff]{0,6}?(?:图书馆|馆|县（区）|县区|区县|单位)(?:的)?")


def _caption_quantity(caption: str) -> tuple[str, str] | None:
    """(quantity, unit) a table's caption names: 各公共图书馆总流通人次（单位：万人次） → (总流通人次, 万人次)."""
    unit = _header_unit(caption)
    if not unit:
        return None
    unit = re.sub(r"^单位\s*[：:]\s*", "", unit)
    name = _CAPTION_ENTITIES.sub("", _CAPTION_NOISE.sub("", _strip_unit(caption))).strip()
    return (name, unit) if re.fullmatch(r"[\u4e00-\u9fff]{2,12}", name) else None


def _library_row(
    ctx: _Context, p: Paragraph, library: str, year_columns: list[tuple[str, str]], period_kind: str
) -> bool:
    """A library's row of a table whose caption names the quantity, a year per column: the library's own
    figures. False when the row is not a library's or the caption names no quantity with its unit."""
    quantity = _caption_quantity(p.table or "") if _LIBRARY_ROW.search(library) else None
    if quantity is None:
        return False
    name, unit = quantity
    indicator = ctx.indicators.canonical(name, unit) or name
    for header, value in year_columns:
        column = _YEAR_COLUMN.match(header)
        assert column is not None  # year_columns holds only the headers that match
        fig = _cell_figure(ctx, p, indicator, name, header, value, unit, int(column.group(2)), period_kind, scope="")
        if fig:
            fig.org = library
            ctx.figures.append(fig)
    return True


def _strip_unit(text: str) -> str:
    return _HEADER_UNIT.sub("", text).strip()


def _header_unit(text: str) -> str | None:
    m = _HEADER_UNIT.search(text)
    return m.group(1).strip() if m else None


def _default_unit(ctx: _Context, indicator: str | None) -> str:
    ind = ctx.indicators.get(indicator) if indicator else None
    return (ind.unit if ind and ind.unit else "") or ""


def _row_scope(label: str) -> str:
    label = _strip_unit(label)
    return "全区" if label in ("合计", "总计", "全区") else label


def _table_year(ctx: _Context, p: Paragraph, year_cell: str | None, section_year: int | None) -> int | None:
    if year_cell and re.fullmatch(r"\d{4}", year_cell.strip()):
        return int(year_cell)
    for text in (p.table or "", " ".join(p.section.path) if p.section else ""):
        y = _YEAR_IN_HEADER.search(text)
        if y:
            return int(y.group(1))
    if section_year:
        return section_year
    years = ctx.doc.years
    return years[-1] if len(years) == 1 else (ctx.doc.report_year or None)


def _cell_figure(
    ctx: _Context,
    p: Paragraph,
    indicator: str,
    phrase: str,
    header: str,
    value: str,
    unit: str,
    year: int | None,
    period_kind: str,
    scope: str,
    kind: FigureKind | None = None,
) -> Figure | None:
    m = _CELL_NUMBER.match(value.strip())
    if not m or (not unit and not m.group(2)):
        return None
    number = float(m.group(1).replace(",", ""))
    unit = "%" if m.group(2) else unit
    scale, base = split_unit(unit)
    if kind is not None:
        pass  # the column says it: 年度目标, 实际完成
    elif period_kind == "plan":
        kind = FigureKind.TARGET
    elif ctx.indicators.is_stock(indicator) or "累计" in phrase or "年末" in header:
        kind = FigureKind.CUMULATIVE
    else:
        kind = FigureKind.ACTUAL
    start = p.text.find(f"{header}：{value}")
    start = p.start + (start + len(header) + 1 if start >= 0 else 0)
    return Figure(
        indicator=indicator,
        phrase=phrase,
        value=number,
        unit=unit,
        plain_value=number * scale,
        base_unit=base,
        year=year,
        kind=kind,
        scope=scope,
        char_start=start,
        char_end=start + len(value),
        quote=p.text,
        stated=value + ("" if m.group(2) else unit),
    )
