"""Which figure a question names: matched on the documents' own figure names, qualifiers included.

The metrics table holds every quantity the documents state, each named by the
phrase before it (or by a canonical indicator the alias list maps it to). A
question is matched against those names character by character: a name fits
when the question's content words are covered by it (with its unit and scope)
and its own qualifiers (少儿, 阅览室, 某分馆 …) are asked for. A question word
left uncovered means the question asks about something narrower or different
than the figure, and the figure is not used. When no name fits clearly the
answer is None, so the caller falls back to the best evidence sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Words of asking, time and the library itself: they name no quantity.
_ASKING = re.compile(
    r"多少|多大|多高|多长|几|是|的|了|吗|呢|吧|有|一共|总共|共计|共|合计|总计|请问|什么|情况|数据|数量|"
    r"全年|年度|年底|年末|今年|去年|前年|当年|一年|全[区市省县国]|全馆|本馆|我馆|(?:公共)?图书馆|[省市县区]馆|"
    r"达到|达|为|各|分别|大概|大约|左右|具体|到底|哪些|怎么样|呀|啊"
)
_NOT_CJK = re.compile(r"[^\u4e00-\u9fff]+")
_SEGMENT = re.compile(r"和|及|与|以及|、|，|,|；|还有")
_MIN_FIT = 0.7
_ASKS_SHARE = re.compile(r"率|占比|比例|比重|百分")
_AGGREGATE = re.compile(r"各类|各种|各项")


@dataclass(frozen=True)
class Name:
    indicator: str
    phrase: str
    scope: str
    unit: str
    aliases: tuple[str, ...] = ()  # the alias list's names for a canonical indicator

    def text(self) -> str:
        return self.phrase + self.indicator + self.scope + self.unit


# 年鉴上, 公报里, 总结中: where the asker read the figure, not part of its name
_READ_IN = re.compile(r"(?:年鉴|公报|总结|报告|通报|统计表|表格|表)(?:上|里|中)(?:的)?")
_OPENING_NAME = re.compile(r"^[\u4e00-\u9fff]{2,8}?(?=\s*(?:19|20)\d{2}\s*年)")


def residual(question: str, orgs: list[str]) -> str:
    """The question's content characters: organisation, years, numbers and asking words removed.

    Words opening the question right before its year name who is asked about
    (某省2020年…, a place the base knows no library by): they name no quantity.
    """
    text = _OPENING_NAME.sub(" ", question.strip())
    for org in sorted({o for o in orgs if o}, key=len, reverse=True):
        text = text.replace(org, " ")
        if len(org) >= 2:
            text = text.replace(org[:2], " ")
    text = re.sub(r"(?:19|20)\d{2}\s*年?", " ", text)
    text = _READ_IN.sub(" ", text)
    return _ASKING.sub("", text)  # 到馆的人次 → 到馆人次: what is left joins up as the document writes it


def _chars(text: str) -> str:
    return _NOT_CJK.sub("", text)


def _uncovered_runs(text: str, cover: str) -> list[str]:
    """Runs of two or more characters of ``text`` (per CJK run) absent from ``cover``."""
    runs: list[str] = []
    for part in _NOT_CJK.split(text):
        run = ""
        for ch in part:
            if ch in cover:
                if len(run) >= 2:
                    runs.append(run)
                run = ""
            else:
                run += ch
        if len(run) >= 2:
            runs.append(run)
    return runs


# Words that make a quantity a part of itself: loans to children, online events, e-books are not all loans,
# events or books.
_NARROWING = re.compile(
    r"少儿|儿童|少年|青少年|未成年|老年|残疾|视障|线上|线下|网上|数字|电子|纸质|外文|中文|古籍|流动|城市书房"
    r"|总馆|当天|当日|首日|单日"
)


def narrowing_words(text: str) -> set[str]:
    """The words in a figure's name that make it part of a whole (少儿, 线上, 总馆, 当天)."""
    return set(_NARROWING.findall(text))


def narrows(question_part: str, name: Name) -> bool:
    """The question asks for a part of what the name counts: 少儿书外借册次 of 外借册次, whose figure counts
    every loan. Other words the name does not hold (买书花的钱 for 文献购置经费) are the asker's own."""
    uncovered = _uncovered_runs(question_part, name.text() + "".join(name.aliases))
    return any(_NARROWING.search(run) for run in uncovered)


# 年末总藏量, 全年接待读者: when in the year a figure stands is the figure's year, not a narrower quantity
_WHEN_IN_YEAR = re.compile(r"年末|年底|全年|年度|本年|当年|年内")


# 公共图书馆图书总藏量: whose figure it is (an area's public libraries), not a narrower quantity
AREA_LIBRARIES = re.compile(r"(?:全[省市县区])?(?:各级|各)?公共图书馆")


def _own_qualifier(name: Name) -> str:
    """What a figure's phrase says beyond its indicator: 阅览室 in 阅览室接待读者."""
    rest = AREA_LIBRARIES.sub(" ", _WHEN_IN_YEAR.sub(" ", name.phrase))
    known = (name.indicator, *name.aliases)
    for alias in sorted(known, key=len, reverse=True):
        if alias and alias in rest:
            rest = rest.replace(alias, " ")
    # 接待 in 接待到馆读者 is a word of the indicator's own names (接待读者), not a narrower kind
    runs = [_chars(r) for r in rest.split()]
    return "".join(r for r in runs if not (len(r) >= 2 and any(r in a for a in known)))


# 书刊, 文献, 图书: a library's materials, whichever word a report or an asker uses for them
_MATERIALS = re.compile(r"(?:书刊文献|书刊资料|文献资料|书刊|文献|图书|书籍)(?!馆)")


# 借出去, 借出, 借走: what a report calls 外借
_LENT = re.compile(r"借出去|借出|借走")


def _materials_as_one(text: str) -> str:
    return _LENT.sub("外借", _MATERIALS.sub("书", text))


def fit(question_part: str, name: Name) -> float:
    """How well a name answers a question part: 0 when either side has an unmatched qualifier."""
    question_part = _materials_as_one(question_part)
    name = Name(
        _materials_as_one(name.indicator),
        _materials_as_one(name.phrase),
        name.scope,
        name.unit,
        tuple(_materials_as_one(a) for a in name.aliases),
    )
    asked = _chars(question_part)
    if len(asked) < 2:
        return 0.0
    if _ASKS_SHARE.search(question_part) and name.unit not in ("%", "‰"):
        return 0.0  # 覆盖率 is a share: a count of the same things does not answer it
    cover = name.text() + "".join(a for a in name.aliases if a in question_part)
    if _uncovered_runs(question_part, cover):
        return 0.0  # the question asks for something the figure's name does not say
    qualifier = _own_qualifier(name)
    if qualifier and not _AGGREGATE.search(name.phrase):  # 讲座、展览…等各类活动 is all of them, no narrower kind
        kept = sum(1 for ch in qualifier if ch in asked)
        if kept * 2 < len(qualifier) or (len(qualifier) == 2 and qualifier not in asked):
            return 0.0  # the figure is narrower (or other) than what is asked
    covered = sum(1 for ch in asked if ch in cover) / len(asked)
    phrase = _chars(name.phrase) or _chars(name.indicator)
    named = sum(1 for ch in phrase if ch in asked) / max(1, len(phrase))
    alias_named = max((len(a) for a in name.aliases + (name.indicator,) if a in question_part), default=0)
    named = max(named, 1.0 if alias_named >= 2 else 0.0)
    specific = sum(1 for ch in asked if ch in name.phrase) / 100  # the longer matching phrase wins ties
    return 0.6 * covered + 0.4 * named + specific


def best_names(question: str, orgs: list[str], names: list[Name]) -> list[list[Name]] | None:
    """The names a question asks for, one group per asked figure; None when not sure.

    A question joining two figures (讲座参加人次和培训班参加人次) gets a group per part
    when each part has a name of its own; otherwise the whole question is matched once.
    A group holds every name that fits as well as the best (one figure stated under
    several phrases in several documents).
    """
    rest = residual(question, orgs)
    total = bool(_ASKS_TOTAL.search(question))
    parts = [p for p in _SEGMENT.split(rest) if len(_chars(p)) >= 2]
    if len(parts) >= 2:
        groups = [_group(p, names, total) for p in parts]
        if all(groups) and len({g[0] for g in groups}) == len(groups):
            return groups
    group = _group(rest, names, total)
    return [group] if group else None


# 一共办了多少场活动 asks for the total, which a report names as all kinds together (各类…活动326场), not one
# kind of it (“触摸阅读”活动6场).
_ASKS_TOTAL = re.compile(r"一共|总共|共计|合计|总计|全部|所有|各类")
_NAMES_TOTAL = re.compile(r"各类|各种|各项|全部|合计|共计|总")
_TOTAL_BONUS = 0.05


def _group(part: str, names: list[Name], total: bool = False) -> list[Name]:
    scored = sorted(
        (
            (fit(part, n) + (_TOTAL_BONUS if total and fit(part, n) and _NAMES_TOTAL.search(n.phrase) else 0.0), n)
            for n in names
        ),
        key=lambda s: -s[0],
    )
    if not scored or scored[0][0] < _MIN_FIT:
        return []
    best = scored[0][0]
    group = [n for s, n in scored if s >= best - 0.015]
    # the best name's indicator under its other phrases that fit too: one figure, written otherwise in
    # another document (举办各类阅读推广活动 in the plan, 举办讲座…等各类阅读推广活动 in the summary)
    indicators = {n.indicator for n in group if n.aliases}
    return group + [n for s, n in scored if s > 0 and n not in group and n.indicator in indicators]
