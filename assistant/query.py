"""Question understanding: years (absolute and relative), indicator, intent, organisation.

Relative years are resolved against a reference year: by default 今年 is the
year after the latest year the knowledge base reports on, so 去年 is that
latest year. The answer says which year it read ("按2024年度资料").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from enum import StrEnum

from ingest import IndicatorList
from ingest.outline import library_names

from .aliases import indicator_fits
from .another_figure import UNIT_HINT as _UNIT_HINT
from .another_figure import asks_another_figure
from .asking import asks_actual
from .figure_names import narrowing_words
from .named_in_question import find_indicators, find_orgs, find_scopes, libraries_apart
from .years_said import _ANAPHORIC, _RELATIVE, _YEAR, resolve_years

_PRONOUN = re.compile(r"它们|它|该馆|这个馆")
_ELLIPSIS = re.compile(r"^(?:那么|那|还有|另外)?(.{0,12}?)(?:的)?(?:呢|吗)?[？?]?$")
_FILLER = re.compile(r"[那么呢吗的，,。？?\s]|年份|年度?")
_QUESTION_CUE = re.compile(r"是多少|是什么|有多少|多少|几|什么|哪|怎么|如何|是否|有没有|吗|呢|[？?]")
_PLACE = re.compile(r"[\u4e00-\u9fff]{1,6}?(?:馆|楼|中心|站|书房|书屋|项目|工程|空间|区|室)")


# Intent cues, checked in order: the first that matches wins.
class Intent(StrEnum):
    """What a question asks for; each value is the string the answer's JSON carries."""

    FIGURE = "figure"  # one figure (进馆人次是多少)
    COUNT = "count"  # how many of a thing (几个分馆)
    CHANGE = "change"  # a change between years (同比增长多少)
    TREND = "trend"  # a figure over several years (近三年趋势)
    PLAN_VS_ACTUAL = "plan_vs_actual"  # a target against what was done (目标完成了吗)
    GOAL = "goal"  # a target (目标是多少)
    COMPARISON = "comparison"  # two libraries, branches or figures side by side
    LIST = "list"  # the things done or planned (有哪些举措)
    PROBLEM = "problem"  # difficulties named (面临哪些困难)
    PLAN = "plan"  # what is planned (明年计划)
    OPEN = "open"  # anything else, answered from the best sentences


_INTENTS = (
    (
        Intent.PLAN_VS_ACTUAL,
        re.compile(
            r"目标.{0,8}(?:完成|实现|达到|达成)|(?:完成|实现|达到|达成)了?.{0,6}目标|达标|完成(?:了)?吗|完成得怎么样|完成情况|任务完成|完成没|做到.{0,10}吗|实现了没|超额|够了吗|够没|达到了吗"
            r"|年初(?:定|确定|提出|制定)的|有没有达到|达到了?没有"
        ),
    ),
    (
        Intent.TREND,
        re.compile(
            r"连续|趋势|走势|逐年|历年|一年比一年|这几年|近几年|这[两三四五]年|近[两二三四五]年|几年(?:来|间|里)?(?:的)?(?:变化|情况)|一直在?(?:下降|增长|减少|上升|增加|提高|往上|往下)|是增是减|增还是减|多了还是少了|涨是跌|涨还是跌|怎么变化|怎么增长|变化情况|(?:20\d{2})\s*(?:到|至|—|-)\s*(?:20\d{2})"
        ),
    ),
    (
        Intent.COMPARISON,
        re.compile(
            r"相比|对比|比较|哪个(?:更)?多|哪个(?:更)?少|谁(?:更)?多|谁(?:更)?少|谁的.{0,8}多|谁.{1,12}(?:更)?(?:多|少|高|低)[？?。]?$|和.{1,12}比|与.{1,12}比|差距|差多少|哪个.{0,4}最|哪家.{0,4}最|哪个(?:分馆|服务点)"
        ),
    ),
    (
        Intent.CHANGE,
        re.compile(
            r"同比|增长了?多少|增加了?多少|下降了?多少|减少了?多少|变化(?:幅度)?|增幅|降幅|涨了|跌了|多了多少|少了多少|比上年|较上年|比前一年|增长率"
        ),
    ),
    (Intent.PROBLEM, re.compile(r"困难|问题|不足|短板|挑战|难题|瓶颈|压力|为什么|为何|原因")),
    (Intent.GOAL, re.compile(r"目标(?:是|为)?多少|目标是什么|目标值|计划达到多少|要达到多少|指标定")),
    (
        Intent.PLAN,
        re.compile(r"计划|打算|准备(?![？?。！!，,]|$|工作)|将要|要做|重点工作|工作重点|思路|安排|部署|明年|下一步"),
    ),
    (
        Intent.LIST,
        re.compile(
            r"哪几|哪些|有什么|做了什么|做法|举措|措施|几件事|几个方面|包括|哪[两三四五六七八九十\d]+[个项条件方面]"
        ),
    ),
    (Intent.COUNT, re.compile(r"几个|几家|几间|几所|几处|多少个|多少家|多少间|多少所|多少名|几名")),
)
# Earlier turns a follow-up may borrow from, the most recent ones. Each is understood in turn,
# so an unbounded history would cost work (and recursion depth) in proportion to its length.
HISTORY_TURNS = 4
_FIGURE_CUE = re.compile(r"多少|几|是多少|有多大|多大|多高|多长|数量|规模")
# 其中少儿的呢？ after a figure: the part (少儿) of the figure asked before
_PART_OF = re.compile(
    r"^(?:那|那么)?其中([\u4e00-\u9fff]{1,8}?)(?:的)?(呢|(?:有|是|占|办了?|举办了?)?(?:多少|几)[\u4e00-\u9fff]{0,2})[？?]?$"
)
_ACTUAL_ONLY = re.compile(r"实际|真正|做到|完成|达到|是|有|多少|了")
_TARGET_WORDS = re.compile(r"(?:定|确定|提出)?的?(?:目标|计划|任务)(?:值|数)?")
_DONE_BY = re.compile(r"(?:举)?办(?:了)?$")  # 其中网上办的: the part is 网上
# 2024年计划的目标完成了吗？ asks of a whole plan, not the figure before, unless it leans back (那…呢, 其中, 它)
_WHOLE_PLAN = re.compile(r"(?:计划|规划)(?:中|里|上)?的?(?:各项|全部|所有|哪些)?(?:目标|任务|指标)")
_LEANS_BACK = re.compile(r"呢|其中|^那|它|这个|该项|同期")
_FOLLOW_UP = re.compile(r"^(?:那|那么|那么说|还有|另外|再问|其中)?.{0,10}(?:呢|吗)?[？?]?$")


@dataclass
class Query:
    text: str
    years: list[int] = field(default_factory=list)
    relative: bool = False
    indicator: str | None = None
    intent: Intent = Intent.OPEN
    org: str | None = None
    scope: str | None = None
    reference_year: int | None = None
    wants_target: bool = False
    follow_up: bool = False
    indicators: list[str] = field(default_factory=list)  # every indicator named, in order
    orgs: list[str] = field(default_factory=list)  # every organisation named
    scopes: list[str] = field(default_factory=list)  # every branch or service point named
    superlative: str | None = None  # "max" | "min" for 哪个分馆最多/最少

    def org_readings(self) -> list[str]:
        """The organisation asked about, then others the same words name (某市: its library, the city)."""
        if not self.org:
            return []
        one_named = len(self.orgs) > 1 and libraries_apart(self.text, self.orgs) <= 1
        return [self.org, *(o for o in self.orgs if o != self.org)] if one_named else [self.org]


_ASKING_WORDS = re.compile(r"了|过|的|几[个间家所名次场期篇条位项种]|多少[个间家所名次场期篇条位项种]?|一共|总共|共")


def _for_indicator(text: str) -> str:
    """'新建了几间读书驿站' → '新建读书驿站': question words break the phrase an alias is matched on."""
    return _ASKING_WORDS.sub("", text)


def classify(text: str, indicator: str | None) -> Intent:
    for intent, pattern in _INTENTS:
        if pattern.search(text):
            if intent == Intent.COUNT and indicator is None:
                return Intent.COUNT
            return intent
    if indicator is not None or _FIGURE_CUE.search(text):
        return Intent.FIGURE
    return Intent.OPEN


def _names_library(text: str, scope: str, orgs: list[str]) -> bool:
    """The scope is named only as the start of a library's name the question names (望澜区图书馆, 望澜区馆)."""
    return any(o.startswith(scope) for o in orgs) and not re.search(
        re.escape(scope) + r"(?!(?:公共)?(?:图书)?馆)", text
    )


def understand(
    question: str,
    *,
    indicators: IndicatorList,
    reference_year: int | None,
    orgs: list[str],
    scopes: list[str] | None = None,
    history: list[str] | None = None,
) -> Query:
    """What a question asks; a follow-up borrows what it leaves out from the turns before."""
    text = question.strip()
    history = list(history or [])[-HISTORY_TURNS:]
    previous = None
    if history:
        previous = understand(
            history[-1],
            indicators=indicators,
            reference_year=reference_year,
            orgs=orgs,
            scopes=scopes,
            history=history[:-1],
        )
    years, relative = resolve_years(text, reference_year, previous.years if previous else None)
    named_scopes = find_scopes(text, scopes or [])
    searchable = _for_indicator(text)
    for scope in named_scopes:  # "高新分馆" names a branch, not the indicator 分馆数
        searchable = searchable.replace(scope, "□" * len(scope))
    hint = _UNIT_HINT.search(text)
    unit_hint = None
    if hint:
        unit_hint = "%" if hint.group(2) else {"钱": "元", "个人": "人"}.get(hint.group(1), hint.group(1))
    named = find_indicators(searchable, indicators, unit_hint)
    if unit_hint and named and not indicator_fits(indicators, named[0], unit_hint):
        named = []  # "驿站投入多少钱": 读书驿站数 counts 间, the question asks 元 — not that figure
    indicator = named[0] if named else None
    named_orgs = find_orgs(text, orgs)
    # 望澜区图书馆 names the library, not the branch or district 望澜区 a table row is scoped to
    named_scopes = [s for s in named_scopes if not _names_library(text, s, named_orgs)]
    query = Query(
        text=text,
        years=years,
        relative=relative,
        indicator=indicator,
        intent=classify(text, indicator),
        org=named_orgs[0] if named_orgs else None,
        scope=named_scopes[0] if named_scopes else None,
        reference_year=reference_year,
        wants_target=bool(re.search(r"目标|计划|力争|打算|准备|预算", text)),
        indicators=named,
        orgs=named_orgs,
        scopes=named_scopes,
        superlative="max"
        if re.search(r"最多|最高|最大|最长", text)
        else ("min" if re.search(r"最少|最低|最小|最短", text) else None),
    )
    if previous is not None:
        rewritten = _standalone(query, previous)
        if rewritten is None:
            return _carry_over(query, previous)
        standalone, same_subject = rewritten
        whole = understand(standalone, indicators=indicators, reference_year=reference_year, orgs=orgs, scopes=scopes)
        # '那下一年呢？' stays a follow-up on the same subject; a new subject written out whole
        # ('外借呢？', '那它…') is answered as the question it stands for.
        updates: dict = {"relative": relative or whole.relative, "follow_up": same_subject}
        if whole.org is None and previous.org:
            updates.update(org=previous.org, orgs=previous.orgs)
        if whole.scope is None and previous.scope:
            updates.update(scope=previous.scope, scopes=previous.scopes)
        query = replace(whole, **updates)
    return query


def _own_words(query: Query) -> str:
    """What a follow-up says besides its years and filler: '那2021年呢？' says nothing more."""
    rest = _YEAR.sub("", query.text)
    for pattern, _ in (*_RELATIVE, *_ANAPHORIC):
        rest = pattern.sub("", rest)
    return _FILLER.sub("", rest)


def _topic(previous: Query) -> str:
    """What the turn before asked about: its words before the question word, less library and years."""
    text = _YEAR.sub("", previous.text)
    for pattern, _ in (*_RELATIVE, *_ANAPHORIC):
        text = pattern.sub("", text)
    for org in previous.orgs:
        forms = [org, *(f for n in library_names(org) for f in (*n.forms(), n.place, n.short) if f)]
        for form in sorted(forms, key=len, reverse=True):
            if len(form) >= 2:
                text = text.replace(form, "")
    cue = _QUESTION_CUE.search(text)
    text = text[: cue.start()] if cue else text
    return re.sub(r"^[的在年，,\s]+|[的是有为了共总一\s]+$", "", text)


def _with_years(text: str, years: list[int]) -> str:
    """The turn before, asked again of other years: its year words give way to the new ones."""
    said = "、".join(str(y) for y in years) + "年"
    patterns = [_YEAR, *(p for p, _ in (*_RELATIVE, *_ANAPHORIC))]
    spans = sorted((m.start(), m.end()) for p in patterns for m in p.finditer(text))
    if not spans:
        return said + text
    start, end = spans[0]
    rest = text[end:]
    for p in patterns:
        rest = p.sub("", rest)
    return text[:start] + said + rest


def _standalone(query: Query, previous: Query) -> tuple[str, bool] | None:
    """A follow-up written out whole, when it leans on the turn before for its subject:
    '那下一年呢？' → the previous question of the next year; '那它是什么时候开工的？' → 它 named;
    '外借呢？' → the previous library and year, asked about 外借. None when it stands on its own
    or only borrows an indicator, a library or a year (see ``_carry_over``). The flag tells
    whether the subject is the previous one."""
    if query.orgs or query.scopes or not _own_words(previous):
        return None  # '那另一个馆呢？': another library; '那呢？' before: nothing to write out
    own = _own_words(query)
    if not own and query.years and query.years != previous.years:
        return _with_years(previous.text, query.years), True
    if own and not _ACTUAL_ONLY.sub("", own) and query.years:  # 那2024年实际做到多少？ after a target: done
        topic = _TARGET_WORDS.sub("", _topic(previous))
        if topic:
            return f"{previous.org or ''}{query.years[0]}年{topic}{query.text[query.text.find('实际') :]}", True
    if _PRONOUN.search(query.text):
        topic = _topic(previous)
        place = _PLACE.search(topic)
        subject = place.group(0) if place else topic
        if subject:
            text = _PRONOUN.sub(subject, query.text, count=1)
            if not query.years and previous.years and not _YEAR.search(text):
                text = _with_years(text, previous.years)
            return text, False
    part = _PART_OF.match(query.text)
    topic = _topic(previous)
    if part and topic and topic in previous.text and _FIGURE_CUE.search(previous.text):
        kind = _DONE_BY.sub("", part.group(1))
        # 其中少儿的呢, 其中网上办的有几场: a part of the figure before
        if not re.search(r"(?:多少|几)[\u4e00-\u9fff]", part.group(2)) or narrowing_words(kind) == {kind}:
            return previous.text.replace(topic, kind + topic, 1), False
        # 其中讲座有多少场: the part named, of the library and years asked before
        years = "".join(f"{y}年" for y in previous.years[:1])
        return f"{previous.org or ''}{years}{part.group(1)}{part.group(2)}？", False
    ellipsis = _ELLIPSIS.match(query.text)
    if (
        ellipsis
        and own
        and query.indicator is None
        and re.search(r"呢[？?]?$", query.text)
        and _FIGURE_CUE.search(previous.text)
        and not query.years
    ):
        years = "".join(f"{y}年" for y in previous.years[:1])
        aim = re.search(r"目标|计划|预算", previous.text) if previous.wants_target else None  # still the budget
        return f"{previous.org or ''}{years}{aim.group(0) if aim else ''}{own}是多少？", False
    return None


def _carry_over(query: Query, previous: Query) -> Query:
    """'那前年呢？' keeps the indicator and organisation; '其中分馆有几个？' keeps the year."""
    if (
        query.indicator is None
        and query.years
        and _WHOLE_PLAN.search(query.text)
        and not _LEANS_BACK.search(query.text)
    ):
        return replace(query, org=query.org or previous.org, orgs=query.orgs or previous.orgs)
    short = len(query.text) <= 14 or bool(_FOLLOW_UP.match(query.text))
    if not short and query.indicator is not None:
        return replace(query, org=query.org or previous.org, follow_up=True)
    if query.indicator is None and asks_another_figure(query.text, previous.text):
        # 全年开了多少天 after 每周开放多少小时: another figure of the same library and year
        return replace(
            query,
            org=query.org or previous.org,
            orgs=query.orgs or previous.orgs,
            years=query.years or previous.years,
            relative=previous.relative if not query.years else query.relative,
        )
    updates: dict = {"follow_up": True}
    if query.indicator is None:
        updates["indicator"] = previous.indicator
    if not query.years:
        updates["years"] = previous.years
        updates["relative"] = previous.relative
    if query.org is None:
        updates["org"] = previous.org
    if query.scope is None:
        updates["scope"] = previous.scope
        updates["scopes"] = previous.scopes
    if query.intent in (Intent.OPEN, Intent.FIGURE, Intent.COUNT):  # 人员经费呢？ after a budget: a budget too
        done = asks_actual(query.text)  # 那实际做到多少？ after a target: what was done
        updates["wants_target"] = (previous.wants_target or query.wants_target) and not done
        if previous.intent not in (Intent.OPEN, Intent.LIST, Intent.PROBLEM, *((Intent.GOAL,) if done else ())):
            updates["intent"] = previous.intent
    if not query.indicators and previous.indicators:
        updates["indicators"] = previous.indicators
    elif query.intent == Intent.OPEN:
        updates["intent"] = Intent.FIGURE if (updates.get("indicator") or query.indicator) else previous.intent
    return replace(query, **updates)
