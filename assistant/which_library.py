"""Which library a question is about, and which library an answer speaks for.

A question that names a library (or borrows one from the turn before) is about that library. One that names
none is about the library staff picked, or the only library the documents are by; never one the question
puts somewhere else (a picked district library is not the subject of a question about another province).
With neither, and the figures of several libraries answering what is asked, the question is ambiguous:
the assistant asks which library is meant instead of answering for whichever one search favours.
"""

from __future__ import annotations

import re

from .asking import asks_number
from .evidence import library_names, places_named
from .extractive import aliases_of
from .figure_lookup import FigureLookup
from .figure_names import _ASKING
from .figure_rows import ACTUAL_KINDS, pick_rows
from .holdings import Holdings
from .query import Intent, Query
from .types import Answer

ASK_WHICH = "知识库里有多家图书馆的资料，请问您问的是哪一家？"
# The questions whose evidence can be counted library by library: a figure the metrics table holds, asked
# as a number (总分馆制是起源于中国吗 names 分馆 and asks no figure), or its movement over the years.
_NUMBER_INTENTS = (Intent.FIGURE, Intent.COUNT, Intent.GOAL)
_MOVEMENT_INTENTS = (Intent.CHANGE, Intent.TREND, Intent.PLAN_VS_ACTUAL, Intent.COMPARISON)


def subject(holdings: Holdings, query: Query, picked: str | None) -> str | None:
    """The library the question is about: the one it names (or its earlier turn named), else the picked one,
    else the only library there is, unless the question is about a place that library is not of."""
    if query.org is not None:
        return query.org
    orgs = holdings.orgs()
    default = picked or (orgs[0] if len(orgs) == 1 else None)
    if default and holdings.of_places(default, places_named(query.text)):
        return default
    return None


# A question about several libraries together or side by side: no one library is meant
_ACROSS_LIBRARIES = re.compile(
    r"[两二三四五六七八九十几\d]+[个家所座]?[县区市省]?级?(?:公共)?(?:图书)?馆|各[县区市省]?级?(?:公共)?(?:图书)?馆"
    r"|哪[个家一]+[县区市]?级?(?:图书)?馆|全[市省区县国]|所有|加起来|合计"
)


# What any figure question says besides its figure: when, how it changed, whether a target was met
_FIGURE_WORDS = re.compile(
    r"年底|年末|年初|全年|年度|今年|去年|同比|环比|比上年|较上年|增长|增加|下降|减少|变化|幅度|百分之几|多少|几"
    r"|实际|目标|计划|完成|达到|达标|了吗|没有|是否|情况|现在|目前|到现在|截至|为止|分别|一共|总共|合计|总计"
    r"|近[两二三四五六七八九十\d]年|这几年|历年|逐年|趋势|新建|新增"
)


def names_more_than_the_figure(query: Query) -> bool:
    """The question names something besides its figure, years and asking words (a project, a team, a
    branch): the passages that name it tell whose it is, so no library need be asked for."""
    rest = re.sub(r"(?:19|20)?\d{2}\s*年", "", query.text)
    for name in sorted((query.indicator or "", *aliases_of(query.indicator or "")), key=len, reverse=True):
        rest = rest.replace(name, "") if name else rest
    rest = _ASKING.sub("", _FIGURE_WORDS.sub("", rest))
    return len(re.sub(r"[^\u4e00-\u9fff]", "", rest)) >= 3


def candidates(holdings: Holdings, figures: FigureLookup, query: Query) -> list[str]:
    """The libraries whose own figures answer a question about no library in particular, most documents
    first; empty unless there are two or more. ``figures`` are those of the places the question allows."""
    if (
        query.org
        or query.orgs
        or not query.indicator
        or not (query.intent in _MOVEMENT_INTENTS or (query.intent in _NUMBER_INTENTS and asks_number(query.text)))
        or library_names(query.text)  # a library the documents do not know: the refusal says so
        or _ACROSS_LIBRARIES.search(query.text)  # 四个县馆加起来, 各馆, 哪个馆最多: several libraries asked
        or names_more_than_the_figure(query)  # 榆光志愿服务队…注册了多少志愿者: a subject search can place
    ):
        return []
    libraries = holdings.libraries()
    if len(libraries) < 2:
        return []
    kinds = ("target",) if query.wants_target else ACTUAL_KINDS
    years: list[int | None] = [*query.years] or [None]
    # stated figures only: one a library's own report works back from another (推算) is no evidence of its own
    rows = [r for y in years for r in figures.metrics.lookup(query.indicator, y, kinds=kinds) if not r.derived]
    found = [o for o in libraries if pick_rows([r for r in rows if r.org == o], query)]
    return found if len(found) >= 2 else []


def ask_which(question: str, libraries: list[str], intent: str) -> Answer:
    """The answer that asks which library is meant, naming the ones whose documents answer."""
    listed = "、".join(libraries)
    text = f"{ASK_WHICH}\n可选：{listed}。请在问题中写明图书馆名称，或选定单位后再问。"
    return Answer(question=question, answer=text, candidates=list(libraries), intent=intent)


def answered_for(query: Query, answer: Answer) -> str:
    """The library (or libraries) an answer speaks for: the one asked about, else those its evidence is of."""
    if len(query.orgs) > 1:
        return "、".join(query.orgs)
    if query.org:
        return query.org
    return "、".join(dict.fromkeys(c.library for c in answer.citations if c.library and not c.see_also))


__all__ = ["ASK_WHICH", "answered_for", "ask_which", "candidates", "names_more_than_the_figure", "subject"]
