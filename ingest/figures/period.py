"""A figure's year, as-of date, kind (actual, target, cumulative, as-of) and scope (全区, 本馆, a branch)."""

from __future__ import annotations

import re

from ..outline import default_period, mask_titles
from ..types import Paragraph
from .model import FigureKind, _Context
from .patterns import _last_break

_YEAR_MENTION = re.compile(r"(20\d{2}|19\d{2})\s*年")


_YEAR_RANGE_END = re.compile(r"(?:20\d{2})年?\s*(?:至|到|—|-|~)\s*(20\d{2})年")


_AS_OF = re.compile(r"截[至止]")


_TARGET_WORDS = re.compile(r"目标|力争|年初提出|年初确定|预计|争取|计划的|计划(?:新建|完成|达到|开展|举办|新增)")


_NORM_WORDS = re.compile(r"原则上|标准|规范|要求|应当|须")


_TARGET_AFTER = re.compile(r"^(?:的)?(?:年度)?(?:目标|任务)")


_SCOPE_PATTERNS = (
    (re.compile(r"全区总分馆|总分馆体系|全区"), "全区"),
    (re.compile(r"本馆|总馆"), "本馆"),
)


_BRANCH = re.compile(r"([\u4e00-\u9fff]{2,8}?(?:分馆|服务点|驿站))")


_HEAD_NOISE = re.compile(
    r"^(?:以上|以下|左右|、|其中|此外|另外|同时|全年|年内|全区|今年|当年|并|和|与|及|以及|共|累计|拟)+"
)


def _period(ctx: _Context, p: Paragraph) -> tuple[str, int | None]:
    if p.section is not None:
        return p.section.period_kind, p.section.year
    return default_period(ctx.doc.doc_type, ctx.doc.report_year, ctx.doc.plan_year)


def _year(before: str, section_year: int | None, period_kind: str = "report") -> tuple[int | None, str | None]:
    as_of = None
    m_as_of = None
    for m_as_of in _AS_OF.finditer(before):  # noqa: B007 - the last match is the one kept
        pass
    # A year inside a closed aside, "（含2023年顺延项目1间）", says nothing of what follows it; nor does one
    # in a cited title, "按照《…2021-2025年规划》".
    visible = re.sub(r"[（(][^（）()]*[）)]", lambda g: "□" * len(g.group(0)), mask_titles(before))
    year = None
    rng = None
    for rng in _YEAR_RANGE_END.finditer(visible):  # noqa: B007 - the last match is the one kept
        pass
    clause_start = _last_break(visible, len(visible))
    mentions = [
        y
        for y in _YEAR_MENTION.finditer(visible)
        if y.start() >= clause_start or y.start() <= 4 or visible[y.end() : y.end() + 1] in ("，", ",")
    ]
    if rng is not None and (not mentions or mentions[-1].end() <= rng.end()):
        start_year = re.match(r"(20\d{2})", rng.group(0))
        from_start = re.search(r"(?:由|从)$", before.rstrip())
        year = int(start_year.group(1)) if from_start and start_year else int(rng.group(1))
    elif mentions:
        year = int(mentions[-1].group(1))
        if period_kind == "plan" and section_year and year < section_year:
            year = section_year  # "2023年顺延的…": where a plan item came from, not the year it plans
    if m_as_of is not None:
        tail = before[m_as_of.end() : m_as_of.end() + 16]
        d = re.match(r"\s*(?:(20\d{2})\s*年)?\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?", tail)
        year_end = re.match(r"\s*(20\d{2})\s*年\s*(?:年\s*)?(?:底|末)", tail)
        if year_end:  # 截至2023年底 / 年末 / 年年底
            year = int(year_end.group(1))
            as_of = f"{year}-12-31"
        elif d:
            y = int(d.group(1)) if d.group(1) else (year or section_year)
            as_of = f"{y}-{int(d.group(2)):02d}" + (f"-{int(d.group(3)):02d}" if d.group(3) else "")
            year = y
    if year is None:
        year = section_year
    return year, as_of


def _kind(
    ctx: _Context, indicator: str, period_kind: str, before: str, left: str, as_of: str | None, right: str = ""
) -> FigureKind:
    if period_kind == "plan":
        return FigureKind.TARGET
    if _TARGET_WORDS.search(left) or _TARGET_AFTER.match(right):
        return FigureKind.TARGET
    if "累计" in left or ctx.indicators.is_stock(indicator):
        return FigureKind.CUMULATIVE
    if as_of or _AS_OF.search(before):
        return FigureKind.AS_OF
    return FigureKind.ACTUAL


_NOT_A_BRANCH = re.compile(
    r"总分馆|全年|年内|新建|新设|新增|验收|升级|建成|各|区内|全区|单间|每间|个别|平均|部分|读书驿站$|^(?:区|村|社区)"
)


def _scope(left: str, before: str) -> str:
    branch = _BRANCH.search(_HEAD_NOISE.sub("", left))
    if branch and branch.start() == 0 and not _NOT_A_BRANCH.search(branch.group(1)):
        return branch.group(1)
    subject = _BRANCH.match(_HEAD_NOISE.sub("", before.lstrip("一二三四五六七八九十是、，")))
    if subject and not _NOT_A_BRANCH.search(subject.group(1)):
        return subject.group(1)  # "高新分馆于…开放，建筑面积2000平方米": the sentence is about the branch
    for pattern, name in _SCOPE_PATTERNS:
        if pattern.search(before):
            return name
    return ""
