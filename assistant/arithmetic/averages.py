"""Averages: a figure over days, months, a population, or a count in the measure asked (平均每场)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

from ingest.indicators import units_compatible

from ..figure_names import narrowing_words
from .matching import LINKING_TAIL, asked_term, asked_unit, best_fit, fit, fit_score, part_not_asked
from .operands import PEOPLE_NOUNS, SCALE, UNIT_PATTERN, Operand, Result, letters_of
from .wording import AVERAGE_WORDS, BARE_PER, PER_FIRST

# Measures that count people: 每位读者 divides by a count of people, whichever of these it was stated in.
_PEOPLE = frozenset(("人", "名", "位", "人次"))


@dataclass
class _Divisor:
    """What a figure is divided by: days, months, a population or a count of its own."""

    per: float
    text: str  # as the formula shows it: 365天, 158名
    rest: str  # the question's words after the divisor's, naming what is divided
    figure: Operand | None = None  # the stated figure divided by, when there is one


def average_of(question: str, subject: str, ops: list[Operand], years: list[int]) -> Result | None:
    if not (AVERAGE_WORDS.search(subject) or PER_FIRST.search(subject)):
        return _bare_per(question, subject, ops, years)
    subject = PER_FIRST.sub(r"平均每\1", subject)
    m = re.search(r"(?:平均.{0,4}?每|每天平均|平均一天|日均|月均|人均)(.*)", subject)
    if not m:
        return None
    rest = m.group(1)
    asked = asked_unit(question)
    unit = asked[1] if asked else None
    if _stated_per_period(rest, subject, ops):
        return None  # the passages state the figure per day or per month themselves
    found = _divisor(question, subject, m.start(), rest, ops, years, unit)
    if found is None or isinstance(found, Result):
        return found
    return _divided(found, ops, years, unit)


def _bare_per(question: str, subject: str, ops: list[Operand], years: list[int]) -> Result | None:
    """每家能分到多少册: only a count in that measure divides."""
    bare = BARE_PER.search(subject)
    asked = asked_unit(question)
    if not bare or asked is None:
        return None
    measure = re.match(rf"每一?({UNIT_PATTERN})", bare.group(0))
    assert measure is not None  # the pattern 每 and a measure found begins so
    return _per_measure(
        re.sub(r"(?:摊到|分到|分摊到|分摊)$", "", subject[: bare.start()]),
        measure.group(1),
        ops,
        asked[1],
        years,
        counted=_counted_noun(subject[bare.start() :]),
    )


def _divisor(
    question: str, subject: str, before: int, rest: str, ops: list[Operand], years: list[int], unit: str | None
) -> _Divisor | Result | None:
    """The days, months, population or counted figure after 平均每 (``rest``); a count in the measure asked
    may answer at once (平均每场有多少人), as a result."""
    days = re.search(r"按\s*(\d{3})\s*天", question)
    if re.match(r"[天日]", rest) or re.search(r"日均|每天平均|平均一天", subject):
        lasted = _duration(asked_term(subject[:before]), ops)
        if lasted is not None and not days:
            # 为期36天的读书节平均每天办多少场: the days the thing asked about lasted, not the year's
            return _Divisor(lasted.plain, lasted.stated, re.sub(r"^[天日]", "", rest), lasted)
        n = int(days.group(1)) if days else (366 if years and calendar.isleap(years[0]) else 365)
        return _Divisor(float(n), f"{n}天", re.sub(r"^[天日]", "", rest))
    if re.match(r"(?:个)?月", rest) or "月均" in subject:
        return _Divisor(12.0, "12个月", re.sub(r"^(?:个)?月", "", rest))
    kind = _KIND_OF_DAY.match(rest)
    figure = _days_of(kind.group(1), ops) if kind else None
    if kind and figure is not None:
        # 平均每个开馆日: the days the passages count of that kind (开馆266天) divide
        return _Divisor(figure.plain, figure.stated, rest[kind.end() :], figure)
    group = re.search(rf"({PEOPLE_NOUNS}|员工|职工|馆员)人均", subject)
    if group:
        # 志愿者人均服务多少小时: per head of that group, whose count the passages state
        members = [o for o in ops if o.unit in _PEOPLE and fit(group.group(1), o.context[-8:] + o.after) >= 0.99]
        if len({round(o.plain, 6) for o in members}) == 1:
            return _Divisor(members[0].plain, members[0].stated, rest, members[0])
        return None
    if "人均" in subject and not re.search(r"平均.{0,4}?每", subject):
        # 人均 is per head of the population served: the divisor is a population the passages state.
        people = [o for o in ops if o.unit in ("人", "名") and fit("人口", o.context[-12:] + o.after) >= 0.99]
        if len({round(o.plain, 6) for o in people}) != 1:
            return None
        return _Divisor(people[0].plain, people[0].stated, rest, people[0])
    return _counted_divisor(subject[:before], rest, ops, years, unit)


def _counted_divisor(
    before: str, rest: str, ops: list[Operand], years: list[int], unit: str | None
) -> _Divisor | Result | None:
    """平均每个服务点 / 每名员工 / 每接待一人次读者: the divisor is a figure of its own."""
    d = re.match(r"(.+?)(?=一年|全年|要|能|借阅|配送|承担|开展|给|有|多少)", rest)
    named = _divisor_words(rest, ops)
    if named is not None and (not d or len(named) < len(d.group(1))):
        d = re.match(re.escape(named), rest)  # the words of a figure stated in the passages: 每位员工办…
    if not d:
        return None
    words = d.group(1) if d.lastindex else d.group(0)
    unit_of = re.search(rf"一?({UNIT_PATTERN})", words)
    divisor_unit = unit_of.group(1) if unit_of and unit_of.group(1) != unit else None
    noun = asked_term(re.sub(rf"^一?(?:{UNIT_PATTERN})|一(?:{UNIT_PATTERN})", "", words))
    measure = re.match(rf"一?({UNIT_PATTERN})", rest)
    if measure and unit:
        # 读书活动平均每场有多少人参与: 每 and a measure; what is counted in it is named before 平均
        result = _per_measure(
            before if noun and noun in before else before + noun,
            measure.group(1),
            ops,
            unit,
            years,
            counted=_counted_noun(rest),
        )
        if result is not None:
            return result
    if not noun:
        return None
    rest = rest[d.end() :]
    counted = [o for o in ops if o.unit != unit]
    if divisor_unit and any(o.unit == divisor_unit for o in counted):
        counted = [o for o in counted if o.unit == divisor_unit]  # 每位 with no 位 stated: 158名 will do
    elif divisor_unit in _PEOPLE and any(o.unit in _PEOPLE for o in counted):
        counted = [o for o in counted if o.unit in _PEOPLE]  # 每位读者: a count of people (接待读者28500人次)
    scored = [(max(fit(noun, o.after), fit(noun, o.context)), o) for o in counted]
    scored = [x for x in scored if x[0] >= 0.6]
    if not scored and unit:
        # 十二个城市书房…四百八十个座位: the divisor may be counted in the unit asked (个) as well
        scored = [(fit(noun, o.after), o) for o in ops if o.unit == unit]
        scored = [x for x in scored if x[0] >= 0.6]
    if not scored:
        return None
    top = max(x for x, _ in scored)
    best = [o for x, o in scored if x == top]
    if len({o.plain for o in best}) != 1 or not best[0].plain:
        return None
    return _Divisor(best[0].plain, best[0].stated, rest, best[0])


def _divided(found: _Divisor, ops: list[Operand], years: list[int], unit: str | None) -> Result | None:
    """The figure the words after the divisor name, divided by it."""
    rest, divisor = found.rest, found.figure
    term = asked_term(re.sub(rf"一年|全年|多少\s*(?:万|亿|千)?\s*(?:{UNIT_PATTERN})?", "", rest))
    # 分到多少册期刊: 期刊, counted in the unit the question names, is what is asked; 分到 is its own word.
    counted_noun = re.search(rf"多少\s*(?:万|亿|千)?\s*(?:{UNIT_PATTERN})([\u4e00-\u9fff]{{2,6}})", rest)
    if counted_noun:
        term = asked_term(counted_noun.group(1))
    pool = [o for o in ops if o is not divisor and (not years or not o.year or o.year in years)]
    if unit:
        # 人均到馆多少次: visits counted in 人次, divided by people, are 次 per head
        same = ("次", "人次") if unit == "次" and divisor is not None and divisor.unit in ("人", "名") else (unit,)
        exact = [o for o in pool if o.unit in same]
        pool = exact or [o for o in pool if units_compatible(o.unit, unit)]
    if _VISIT_ASKED.search(rest):
        pool = [o for o in pool if _VISIT_COUNTED.search(o.context)] or pool  # 来多少读者: the visits counted
    numerator = _visits_beside(rest, divisor, pool) or (best_fit(term, pool) if term else None)
    beside = [
        o
        for o in pool
        if divisor is not None
        and o.quote == divisor.quote
        and o.chunk_id == divisor.chunk_id
        and term
        and fit_score(term, o) >= 0.6
    ]
    if numerator is not None and len({round(o.plain, 6) for o in beside}) == 1 and numerator not in beside:
        numerator = beside[0]  # what the divisor's own sentence counts is what is divided (开馆266天，接待65万人次)
    if numerator is None and divisor is not None and (unit or term):
        # The figure of the asked unit, or of the words asked, that stands in the divisor's own sentence
        # (158名员工…5000场; 开馆266天…接待读者65万人次).
        in_sentence = {
            round(o.plain, 6): o
            for o in pool
            if o.quote == divisor.quote and o.chunk_id == divisor.chunk_id and (unit or fit_score(term, o) >= 0.6)
        }
        numerator = next(iter(in_sentence.values())) if len(in_sentence) == 1 else None
    if numerator is None:
        return None
    value = numerator.plain / found.per
    magnitude = "万" if numerator.magnitude == "万" and value >= 1e4 else ""
    value = value / SCALE.get(magnitude, 1.0)
    used = [numerator] + ([divisor] if divisor is not None else [])
    return Result(value, magnitude + numerator.unit, f"{numerator.stated} ÷ {found.text}", used, "平均")


def _visits_beside(rest: str, divisor: Operand | None, pool: list[Operand]) -> Operand | None:
    """开馆349天…总流通人次15.7万人次: visits asked per day of the year are the whole year's visits the
    passage that counts the days gives, when it gives one such figure (a part, 其中…, is not it)."""
    if divisor is None or not _VISIT_ASKED.search(rest):
        return None
    local = {
        round(o.plain, 6): o
        for o in pool
        if o.chunk_id == divisor.chunk_id
        and _VISIT_COUNTED.search(o.context)
        and "其中" not in o.context
        and not narrowing_words(o.context)
        and not (_PART_OF_SYSTEM.search(o.context) and not _PART_OF_SYSTEM.search(rest))
    }
    return next(iter(local.values())) if len(local) == 1 else None


# 6个分馆全年接待读者: visits to part of the library system, not to all of it
_PART_OF_SYSTEM = re.compile(r"分馆|服务点|书房|总馆|流动|驿站")

# 来多少读者 asks for visits, which reports count as 到馆, 进馆, 入馆 or 接待.
_VISIT_ASKED = re.compile(r"^(?:来|到馆|进馆|入馆|参观|到访|接待)")
_VISIT_COUNTED = re.compile(r"到馆|进馆|入馆|接待|来馆|流通人次")

# 为期36天, 历时12天, 持续一个月 not: the stated length of an event, in days
_LASTED = re.compile(r"(?:为期|历时|持续|共)$")


def _duration(named: str, ops: list[Operand]) -> Operand | None:
    """The one length in days the passages give the event the question names (为期36天的读书节)."""
    if len(named) < 2:
        return None
    lasted = {
        round(o.plain, 6): o
        for o in ops
        if o.unit == "天" and _LASTED.search(o.context) and fit(named, o.quote) >= 0.99
    }
    return next(iter(lasted.values())) if len(lasted) == 1 else None


_KIND_OF_DAY = re.compile(r"个?([\u4e00-\u9fff]{1,3}?)日")


def _days_of(kind: str, ops: list[Operand]) -> Operand | None:
    """The one count of days of a kind (开馆266天 for 开馆日, 服务300天 for 服务日) the passages state."""
    days = {round(o.plain, 6): o for o in ops if o.unit == "天" and fit(kind, o.context[-8:]) >= 0.99}
    if len(days) > 1:  # 全年开馆不少于350天 is a target beside the 349天 the year had
        days = {v: o for v, o in days.items() if not _AIMED.search(o.context)} or days
    return next(iter(days.values())) if len(days) == 1 else None


_AIMED = re.compile(r"不少于|不低于|力争|计划|目标|预计|争取|确保")


def _per_measure(
    named: str, measure: str, ops: list[Operand], unit: str, years: list[int], counted: str = ""
) -> Result | None:
    """平均每场有多少人参与: the divisor is a count in that measure (读书活动8场次) whose sentence gives one
    figure of the unit asked (参与者15000余人); the question's words before 每 say which sentence."""
    term = asked_term(named)
    if len(term) < 2:
        return None
    pool = [o for o in ops if not years or not o.year or o.year in years]
    pairs = []
    for d in pool:
        if not d.plain or not units_compatible(d.unit, measure):
            continue
        sentence = [o for o in pool if o.quote == d.quote and o.chunk_id == d.chunk_id]
        same = {
            round(o.plain, 6): o
            for o in sentence
            if o is not d and units_compatible(o.unit, unit) and not units_compatible(o.unit, measure)
        }
        if counted:  # 多少册期刊: the figure of what the question counts
            numerator = (
                best_fit(counted, list(same.values()))
                or (next(iter(same.values())) if len(same) == 1 else None)
                or (_next_after(d, sentence, unit, measure) if same else None)
            )
            if numerator is None:  # 建成五个书房。总坐席418个: named in the passage's next sentence
                nearby = [
                    o
                    for o in pool
                    if o.chunk_id == d.chunk_id and o is not d and o.plain != d.plain and units_compatible(o.unit, unit)
                ]
                numerator = best_fit(counted, nearby)
        else:
            numerator = next(iter(same.values())) if len(same) == 1 else _next_after(d, sentence, unit, measure)
        if numerator is not None:
            pairs.append((max(fit_score(term, d), fit(term, d.quote)), d, numerator))
    pairs = [p for p in pairs if p[0] >= 0.6]
    if not pairs:
        return None
    top = max(p[0] for p in pairs)
    best = [p for p in pairs if p[0] == top]
    if len({(round(d.plain, 6), round(n.plain, 6)) for _, d, n in best}) > 1:
        whole = [p for p in best if not part_not_asked(p[1], term)]
        best = whole or best  # 其中总馆108场次 is a part of the 423场次 asked about
    if len({(round(d.plain, 6), round(n.plain, 6)) for _, d, n in best}) > 1 and not _ADDED.search(term):
        # 平均每座书房: over the 书房 there are (达到21座), not those added this year (新建5座)
        best = [p for p in best if not _ADDED.search(p[1].context)] or best
    if len({(round(d.plain, 6), round(n.plain, 6)) for _, d, n in best}) > 1:
        # 读书活动 asked: 读者活动18258场 before 少儿读者活动10375场, whose name says more than was asked
        nearest = max(_name_fit(d, term) for _, d, _ in best)
        best = [p for p in best if _name_fit(p[1], term) == nearest]
    if len({(round(d.plain, 6), round(n.plain, 6)) for _, d, n in best}) != 1:
        return None
    _, divisor, numerator = best[0]
    value = numerator.plain / divisor.plain
    magnitude = "万" if numerator.magnitude == "万" and value >= 1e4 else ""
    return Result(
        value / SCALE.get(magnitude, 1.0),
        magnitude + numerator.unit,
        f"{numerator.stated} ÷ {divisor.stated}",
        [numerator, divisor],
        "平均",
    )


_ADDED = re.compile(r"新建|新增|新开|新设|年内建成")


def _counted_noun(text: str) -> str:
    """多少册期刊 → 期刊, 每个书房藏书多少册 → 藏书: what the question counts, named after the unit or right
    before 多少 (after the measure's own noun)."""
    m = re.search(rf"(?:多少|几)\s*(?:万|亿|千)?\s*(?:{UNIT_PATTERN})([\u4e00-\u9fff]{{2,6}})", text)
    if m:
        return asked_term(m.group(1))
    before = re.search(r"[\u4e00-\u9fff]{1,2}([\u4e00-\u9fff]{2})(?:有)?(?:多少|几)", text)
    return asked_term(before.group(1)) if before else ""


def _next_after(divisor: Operand, sentence: list[Operand], unit: str, measure: str) -> Operand | None:
    """举办423场次，参加99112人次，其中总馆108场次，参加32004人次: the figure of the asked unit that follows
    the count, before the next count in that measure."""
    at = next(i for i, o in enumerate(sentence) if o is divisor)
    for o in sentence[at + 1 :]:
        if units_compatible(o.unit, measure):
            return None
        if units_compatible(o.unit, unit):
            return o
    return None


def _name_fit(c: Operand, term: str) -> float:
    """How much of the figure's own name the term holds: a name with words the term lacks fits less."""
    words = LINKING_TAIL.sub("", letters_of(c.context))
    return fit(words, term) if words else 0.0


def _stated_per_period(rest: str, subject: str, ops: list[Operand]) -> bool:
    """日均接待500人次 stated in a passage answers 每天接待多少 as it stands: nothing is divided."""
    if re.match(r"[天日]", rest) or re.search(r"日均|每天平均|平均一天", subject):
        words = r"日均|每天|每日|平均每天"
    elif re.match(r"(?:个)?月", rest) or "月均" in subject:
        words = r"月均|每月|每个月|平均每月"
    else:
        return False
    term = asked_term(re.sub(rf"^(?:个)?[天日月]|一年|全年|多少\s*(?:万|亿|千)?\s*(?:{UNIT_PATTERN})?", "", rest))
    return any(re.search(words, o.context) and fit(term, o.context) >= 0.6 for o in ops) if term else False


def _divisor_words(rest: str, ops: list[Operand]) -> str | None:
    """The words after 每 that name a figure the passages state (每位员工办多少场 → 位员工, for 158名员工):
    the longest start of ``rest`` whose noun a stated figure stands before or after."""
    lead = re.match(rf"一?(?:{UNIT_PATTERN})?", rest)
    start = lead.end() if lead else 0
    for end in range(min(len(rest), start + 10), start + 1, -1):
        noun = rest[start:end]
        if not re.fullmatch(r"[\u4e00-\u9fff]+", noun):
            continue
        if any(fit(noun, o.after) >= 0.99 or fit(noun, o.context[-len(noun) - 2 :]) >= 0.99 for o in ops):
            return rest[:end]
    return None
