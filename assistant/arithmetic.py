"""Arithmetic a question asks for, computed from cited figures and marked 推算.

A librarian reads 一共/合计 as a sum, 相差/比…多 as a difference, 还差/缺口 as
what is left to a target, 占…比重 as a share, 平均每天 as a value over days,
and 按同比倒推 as last year's value from this year's and its change. The
operation is read from such general wording; each operand is the figure whose
own words (its clause in a retrieved passage, or its name in the metrics
table) fit the question's words for it. When an operand is missing, or two
different figures fit it equally, nothing is computed and the ordinary answer
stands: a computed answer is never a guess.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

import cn2an
import jieba.posseg as pseg

from ingest.indicators import units_compatible
from ingest.outline import heading_library, library_names

from .evidence import CN_NUMBER, compound_parts, places_named
from .figures import MAIN_SCOPES
from .statements import Draft
from .types import FigureUsed

# -- figures as the passages state them ------------------------------------------------------
_UNITS = (
    "人次",
    "册次",
    "场次",
    "册件",
    "平方米",
    "千册",
    "千人次",
    "人",
    "名",
    "册",
    "件",
    "次",
    "场",
    "个",
    "间",
    "家",
    "所",
    "元",
    "种",
    "分",
    "天",
    "项",
    "条",
    "台",
    "处",
    "期",
    "篇",
    "份",
    "本",
    "张",
    "位",
    "小时",
    "%",
)
_UNIT = "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
# 56万余册 and 50余万册 alike: 余/多 before or after the magnitude
_FIGURE = re.compile(
    rf"(?<![\d.])(\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(余|多)?\s*(万|亿)?\s*(余|多)?\s*"
    rf"({_UNIT})(以上|余|多)?"
)
# 十五个, 两千三百册, 一百余场: not 一 alone (一是, 一批), and not 分 (十分重要 is no score).
_CN_FIGURE = re.compile(
    rf"({CN_NUMBER})\s*(余|多)?\s*"
    rf"({'|'.join(sorted((re.escape(u) for u in _UNITS if u not in ('分', '%')), key=len, reverse=True))})"
)
_CLAUSE_END = re.compile(r"[，,。；;！？!?\n、：:（）()]")
_SCALE = {"万": 1e4, "亿": 1e8, "千": 1e3}


@dataclass
class Operand:
    value: float  # as written (13 of 13万册次)
    magnitude: str  # 万 | 亿 | ""
    unit: str  # 册次
    stated: str  # 13万册次
    context: str  # the words the figure stands after, in its clause
    after: str  # the words right after it (158名员工 → 员工)
    chunk_id: str
    quote: str
    source: str
    year: int | None
    approx: bool = False
    change_pct: float | None = None
    from_table: bool = False

    @property
    def plain(self) -> float:
        return self.value * _SCALE.get(self.magnitude, 1.0)


def _numbers(text: str):
    """Each quantity with its unit: (value, 万/亿, unit, as written, start, end, approximate). Figures
    in Chinese numerals (十五个, 两千册) count as well: case studies write them so."""
    found = []
    for m in _FIGURE.finditer(text):
        found.append(
            (
                float(m.group(1).replace(",", "")),
                m.group(3) or "",
                m.group(5),
                m.group(0),
                m.start(),
                m.end(),
                bool(m.group(2) or m.group(4) or m.group(6)),
            )
        )
    for m in _CN_FIGURE.finditer(text):
        try:
            value = float(cn2an.cn2an(m.group(1), "normal"))
        except (ValueError, KeyError):
            continue
        if value >= 2:
            found.append((value, "", m.group(3), m.group(0), m.start(), m.end(), bool(m.group(2))))
    return sorted(found, key=lambda f: f[4])


def _passage_operands(chunk) -> list[Operand]:
    text = chunk.text
    out = []
    for value, magnitude, unit, stated, at, end_at, approx in _numbers(text):
        start = max((e.end() for e in _CLAUSE_END.finditer(text, 0, at)), default=0)
        while start > 0 and text[start - 1] == "、":  # 全年接待、服务市民14万人次: the listed verbs are its words
            before = max((e.end() for e in _CLAUSE_END.finditer(text, 0, start - 1)), default=0)
            if re.search(r"\d", text[before : start - 1]):
                break  # 图书400册、期刊200册: the item before has a figure of its own
            start = before
        start = max(start, at - 40)
        end = _CLAUSE_END.search(text, end_at)
        after = text[end_at : end.start() if end else len(text)][:12]
        sentence_start = max((e.end() for e in re.finditer(r"[。；;！？\n]", text[:at])), default=0)
        sentence_end = re.search(r"[。；;！？\n]", text[end_at:])
        quote = text[sentence_start : end_at + (sentence_end.start() if sentence_end else len(text))]
        context = text[start:at]
        last = out[-1] if out and out[-1].quote == quote.strip() else None
        if (
            last is not None
            and re.fullmatch(r"[\u4e00-\u9fff]{2}", context.strip())
            and re.search(r"[\u4e00-\u9fff]{4}$", last.context)
            and context.strip() not in last.context
        ):
            # 配送图书400余册，期刊1200余册: a noun in place of the last figure's names 配送期刊
            context = last.context[:-2] + context.strip()
        out.append(
            Operand(
                value,
                magnitude,
                unit,
                stated,
                context,
                after,
                chunk.id,
                quote.strip(),
                chunk.file_name,
                chunk.year,
                approx,
            )
        )
    return out


def _row_operand(row) -> Operand:
    magnitude = row.unit[0] if row.unit[:1] in _SCALE else ""
    # The document's phrase names the figure; a phrase too short to name anything (的) leaves the indicator's name
    name = row.phrase if len(_letters(row.phrase or "")) >= 2 else row.indicator
    return Operand(
        row.value,
        magnitude,
        row.unit[len(magnitude) :],
        row.stated,
        name,
        "",
        row.chunk_id or "",
        row.quote,
        row.file_name,
        row.year,
        row.qualifier is not None,
        None if row.change_pct is None else row.change_pct * (-1 if row.change_dir == "down" else 1),
        from_table=True,
    )


# -- matching the question's words ---------------------------------------------------------------
def _letters(text: str) -> str:
    """Chinese characters and Latin letters only: what names are compared on."""
    return _NOT_LETTERS.sub("", text)


_NOT_LETTERS = re.compile(r"[^\u4e00-\u9fffA-Za-z]")


def _grams(text: str) -> set[str]:
    text = _letters(text)
    return {text[i : i + 2] for i in range(len(text) - 1)} or set(text)


def fit(term: str, words: str) -> float:
    """How much of the question's term the figure's words hold (share of its character pairs)."""
    grams = _grams(term)
    if not grams:
        return 0.0
    plain = _letters(words)
    return sum(g in plain for g in grams) / len(grams)


_FILLER = re.compile(r"多少|大约|大概|约|是|的|了|要|有|能|一共|总共|呢|吗|请问|一下|[？?。，,、\s]")


# 杂志种数, 活动场数, 买图书的钱: the count or the amount of a thing is asked; the thing names the figure.
_COUNT_TAIL = re.compile(r"(?<=[\u4e00-\u9fff])(?:[种册场个家件项台本篇间所]数|数量|的钱|钱|费用|花费)$")


def _term(text: str) -> str:
    return _COUNT_TAIL.sub("", _FILLER.sub("", text))


def _subject(question: str, org: str | None = None) -> str:
    """The question without its library, years and asking words."""
    text = question.replace(org, "") if org and len(org) >= 4 else question
    for name in library_names(text):
        for form in sorted(name.forms(), key=len, reverse=True):
            text = text.replace(form, "")
    text = re.sub(r"(?:19|20)\d{2}\s*年?(?:度)?", "", text)
    for place in places_named(text):  # which place is checked elsewhere; it is not the figure's name
        text = re.sub(rf"{re.escape(place)}(?:省|市|县|区|旗|州)?", "", text)
    return re.sub(r"[？?。！!]", "", text)


# -- operations --------------------------------------------------------------------------------
_SUM = re.compile(r"加起来|加在一起|合起来|一共|合计|总共|共计|总计|加上|总和|之和|共有|共(?=多少)")
_DIFF = re.compile(
    r"相差|差距|差多少|多出|高出|低了|(?<![至最])(?:多|少)了多少|(?:增加|减少|增长|下降|提高|降低|上升)了?多少"
    r"|比.{1,24}?(?:多|少|高|低)[\u4e00-\u9fff]{0,3}?(?:出|了)?(?:多少|几)"
)
_GAP = re.compile(r"还差|缺口|还有多少.{0,12}(?:没|未|尚未)|距离.{0,6}目标|离.{0,10}还差")
_SHARE = re.compile(r"占.{1,24}?(?:的)?(?:比重|比例|百分之几|百分之多少|百分比|多少%|占比|几成)|占比")
_AVERAGE = re.compile(r"平均.{0,4}每|每.{1,10}?平均|日均|月均|人均|每天平均|平均一天")
# 每家能分到多少册, 摊到每场多少人: 每 and a measure, then 多少, with no averaging word; only a count in that
# measure beside the figure asked is divided (never a stated per-day or per-item figure).
_BARE_PER = re.compile(rf"每一?(?:{_UNIT})[^，,。？?]{{0,8}}?(?:多少|几)")
# 每位员工平均办多少场 says what 平均每位员工办多少场 says: the averaging word moved before 每.
_PER_FIRST = re.compile(r"每(一?[个位名家所间场次本册月天年周]?[\u4e00-\u9fff]{0,8}?)(?:平均|大约|大概)")
_PRIOR = re.compile(r"倒推|反推|推算|据此")
_TIMES = re.compile(r"(?:几|多少)倍")
_PER_CENT = r"(?:百分之几|百分之多少|多少%|多少个百分点|几个百分点|几%)"
_RATE = re.compile(rf"(?:增长|增加|提高|上升|下降|减少|降低)了?{_PER_CENT}|增长率|增幅|增长幅度|降幅|下降幅度|变化率")
_COMPLETION = re.compile(
    rf"完成率|达成率|完成了?(?:年度|全年)?(?:目标|计划|任务)?的?{_PER_CENT}|达到了?(?:年度)?目标的?{_PER_CENT}"
)
_CHANGE = re.compile(r"同比|增长率|变化|增幅|降幅")


@dataclass
class Result:
    value: float
    unit: str  # with magnitude
    formula: str  # "8.20万 + 4.15万"
    operands: list[Operand]
    label: str


def _fmt(value: float, decimals: int = 2) -> str:
    """Rounded half up (四舍五入, as reports round: 211.125 → 211.13), trailing zeros dropped."""
    rounded = Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{rounded:f}".rstrip("0").rstrip(".") if decimals else f"{rounded:f}"
    return text if text not in ("-0", "") else "0"


def _best(term: str, candidates: list[Operand], unit: str | None = None, exclude=()) -> Operand | None:
    """The one figure whose words fit the term best; None when none fits well or different values tie."""
    scored = []
    for c in candidates:
        if unit and not units_compatible(c.unit, unit):
            continue  # the unit asked, or one counting the same things (多少人 → 28500人次, 多少个 → 187家)
        if any(c is e for e in exclude):
            continue
        scored.append((_score(term, c), c))
    scored = [s for s in scored if s[0] >= 0.6]
    if not scored:
        return None
    top = max(s for s, _ in scored)
    best = [c for s, c in scored if s == top]
    if top in (_HEAD_FIT, _WORD_ORDER_FIT) and len({round(c.plain, 6) for c in best}) > 1:
        return None  # a shared head noun or the same characters tell several figures apart no further
    if len({round(c.plain, 6) for c in best}) > 1:
        best = [c for c in best if not _part_not_asked(c, term)] or best
    if len({round(c.plain, 6) for c in best}) > 1 and not _AVERAGED.search(term):
        plain = [c for c in best if not _AVERAGED.search(c.context)]
        best = plain or best  # 人均外借文献量 is not the 外借文献量 asked
    if len({round(c.plain, 6) for c in best}) > 1:
        # 3272.21万册次 over a headline's 逾3200万册次: a bound restating an exact figure near it gives way
        best = [
            c
            for c in best
            if not (c.approx and any(not o.approx and abs(o.plain - c.plain) <= 0.2 * c.plain for o in best))
        ]
    if len({round(c.plain, 6) for c in best}) > 1 and len(_grams(term)) >= 3:
        # Equal fits: the words before the head noun say which kind is meant (一星级书屋, not 星级书屋)
        modifier = _letters(term)[:-2]
        closest = max(fit(modifier, c.context + c.after) for c in best)
        best = [c for c in best if fit(modifier, c.context + c.after) == closest]
    if len({round(c.plain, 6) for c in best}) > 1:
        # Equal fits: the figure whose own words the term covers most is the one meant (接待读者 fits
        # 全年接待读者 better than 日均接待读者到馆); still tied, nothing is chosen.
        closest = max(fit(c.context[-12:], term) for c in best)
        best = [c for c in best if fit(c.context[-12:], term) == closest]
        if len({round(c.plain, 6) for c in best}) > 1:
            return None
    return best[0]


def _score(term: str, c: Operand) -> float:
    """The share of the term the figure's words hold (服务人次 asked: 人次 is the figure's unit, not its
    words); or the share of the figure's own name the end of the term holds, since a Chinese noun phrase
    ends in what it names (评出的书屋里三星级 ends in 三星级, the name of 三星级14家; 买图书 in 图书,
    what 58197元的图书 bought)."""
    score = fit(term, c.context + c.unit + c.after)
    bare = _without_leading_verbs(term)
    if bare != term and len(bare) >= 2:
        score = max(score, fit(bare, c.context + c.unit + c.after))  # 订杂志 asked, 杂志150种 written
    if c.from_table and len(_grams(c.context)) >= 2:
        score = max(score, (score + fit(c.context, term)) / 2)  # both ways: a short name is no better fit
    plain_term = _letters(term)
    for name in _own_names(c):
        score = max(score, fit(name, plain_term[-(len(name) + 2) :]))
    last = _letters(c.context)[-3:]
    if len(last) == 3 and fit(last, plain_term[-5:]) == 1.0:
        # 暑期菡子文学社36场 for 文学社活动: the last words before a figure, found at the term's end, are
        # a lesser sign than its whole name
        score = max(score, _LAST_WORDS_FIT)
    head = re.sub(r"[^\u4e00-\u9fff]", "", term)[-2:]
    if score < _HEAD_FIT and len(head) == 2 and any(name.endswith(head) for name in _own_names(c)):
        score = _HEAD_FIT  # 买书架 and 15550元的钢制书架 end in the same noun: the thing, bought another way
    chars = set(re.sub(r"[^\u4e00-\u9fff]", "", term))
    if score < _WORD_ORDER_FIT and len(chars) >= 3 and chars <= set(c.context + c.after):
        score = _WORD_ORDER_FIT  # 新采购的书 says 新书采购 in another order: a fit, below any in the same order
    return score


_AVERAGED = re.compile(r"人均|日均|月均|场均|馆均|平均|每")
_WORD_ORDER_FIT = 0.7
_LAST_WORDS_FIT = 0.8
_HEAD_FIT = 0.65


@lru_cache(maxsize=8192)
def _without_leading_verbs(words: str) -> str:
    """评选出一星级 → 一星级, 全年举办读书沙龙 → 读书沙龙: the name starts at its first noun-like word."""
    tokens = pseg.lcut(words)
    for i, token in enumerate(tokens):
        if token.flag[:1] not in _NOT_A_NAME:
            return "".join(t.word for t in tokens[i:])
    return words


_NOT_A_NAME = set("vrptdcmuf")  # verbs, pronouns, prepositions, times, adverbs, conjunctions, numerals...
_LINKING_TAIL = re.compile(r"(?:共计|合计|总计|达到|共有|共|计|达|为|是|有|约|了|近|超过|逾)+$")


def _own_names(c: Operand) -> list[str]:
    """The few words that name a figure: those right before it in its clause (现有在职人员7人 → 在职人员,
    一星级22家 → 一星级), or the noun right after it (58197元的图书 → 图书)."""
    names = []
    # 诗词作品《甲》、《乙》等281册: the titles and 等 are examples of what is counted, not its name
    context = re.sub(r"等$", "", re.sub(r"[《〈][^》〉]*[》〉][、，,]?", "", c.context).strip())
    before = _LINKING_TAIL.sub("", _letters(context))[-8:]
    if len(before) >= 3:
        names.append(before)
    named = _without_leading_verbs(before)
    if named != before and len(named) >= 3:  # a two-character rest (图书) would name half the figures
        names.append(named)  # 评选出一星级: the verb before the name is not asked (一星级书屋)
    after = re.sub(r"^的", "", _letters(c.after))[:8]
    if len(after) >= 2:
        names.append(after)
    return names


def _label(c: Operand) -> str:
    """A short name for a figure in the list of figures used: its own name, else the words before it."""
    names = _own_names(c)
    return (names[1] if len(names) > 1 and not c.after else names[0]) if names else (c.context[-12:] or c.stated)


def _asked_unit(question: str) -> tuple[str, str] | None:
    m = re.search(rf"(?:多少|几)\s*(万|亿|千)?\s*({_UNIT})", question)
    if m:
        return m.group(1) or "", m.group(2)
    if re.search(r"多少钱|花了多少|花费多少|几块钱", question):
        return "", "元"  # an amount of money is counted in 元
    return None


def _same_scale(ops: list[Operand]) -> tuple[str, float]:
    magnitude = ops[0].magnitude if len({o.magnitude for o in ops}) == 1 else ""
    return magnitude, _SCALE.get(magnitude, 1.0)


# 一、二、三等奖 lists 一等奖、二等奖、三等奖: one-character items sharing the words after the last
_SHARED_TAIL = re.compile(
    r"((?:[一二三四五六七八九十甲乙丙丁\d]、)+[一二三四五六七八九十甲乙丙丁\d])([\u4e00-\u9fff]{1,3})(?=$|[和与及、])"
)


def _split_parts(text: str) -> list[str]:
    """The parts a sum lists, from the subject (its places already removed by ``_subject``)."""
    text = re.split(r"[，,；;]", text)[-1]  # 捐赠文献中，诗词和史志: the clause before frames the list
    text = re.sub(r"^(?:另外|其他|其余|此外)", "", text)
    # 图书、报刊和书架三项采购: the count closes the list and what follows it names them all
    text = re.sub(r"(?:这|那)?[两二三四五六七八九十\d]+(?:项|个|类|者|部分|方面)[\u4e00-\u9fff]{0,4}$", "", text)
    text = _SHARED_TAIL.sub(lambda m: "、".join(i + m.group(2) for i in m.group(1).split("、")), text)
    text = re.sub(
        r"(?<![一二三四五六七八九十甲乙丙丁])等[\u4e00-\u9fff]{0,4}$", "", text
    )  # …等 ends a list; 三等奖 is a name
    parts = [_term(p) for p in re.split(r"和|与|及|以及|、|加上|跟|同", text)]
    return [p for p in parts if len(p) >= 2]


def _sum(
    question: str, subject: str, ops: list[Operand], years: list[int] = (), rows: list[Operand] = ()
) -> Result | None:
    m = _SUM.search(subject)
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
            else _term(re.sub(rf"^有|(?:多少|几)\s*(?:{_UNIT})?", "", subject[m.end() :] if m else ""))
        )
        return _sum_of_years(question, subject, years, rows) or _listed_total(named, ops)
    asked = _asked_unit(question)
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
    magnitude, scale = _same_scale(chosen)
    value = sum(o.plain for o in chosen) / scale
    unit = chosen[0].unit if len(units) == 1 else asked[1]
    return Result(value, magnitude + unit, " + ".join(o.stated for o in chosen), chosen, "合计")


def _total(chosen: list[Operand]) -> Result:
    """Figures of one unit added up, in the magnitude they share (8.20万 + 4.15万 = 12.35万)."""
    magnitude, scale = _same_scale(chosen)
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
    found = []
    for i, o in enumerate(ops):
        named = re.search(r"(?:为|作为|是)([\u4e00-\u9fff]{2,8})$", _letters(o.after))
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
    return _total(chosen)


def _sum_of_years(question: str, subject: str, years: list[int], rows: list[Operand]) -> Result | None:
    """1987年和1988年一共办理了多少本证件: one figure in each year named, added up (a table row per year)."""
    if len(set(years)) < 2 or not rows:
        return None
    asked = _asked_unit(question)
    term = _term(re.sub(rf"{_SUM.pattern}|和|与|及|、|(?:多少|几)\s*(?:万|亿|千)?\s*(?:{_UNIT})?", "", subject))
    if len(term) < 2:
        return None
    chosen = []
    for year in sorted(set(years)):
        op = _best(term, [r for r in rows if r.year == year], asked[1] if asked else None)
        if op is None:
            return None
        chosen.append(op)
    if len({o.unit for o in chosen}) != 1:
        return None
    return _total(chosen)


def _each_part(parts: list[str], ops: list[Operand], unit: str | None) -> list[Operand] | None:
    """One distinct figure for each part, or the figures a 分别 sentence gives them; None otherwise."""
    chosen: list[Operand] = []
    for part in parts:
        op = _best(part, ops, unit, exclude=chosen)
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


def _difference(
    question: str, subject: str, ops: list[Operand], years: list[int], rows: list[Operand]
) -> Result | None:
    asked = _asked_unit(question)
    unit = asked[1] if asked else None
    if len(years) >= 2 or re.search(r"比上年|较上年|比去年|比前一年|上年", question):
        # One figure in two years: the asked years, or the year and the one before. Without a unit
        # asked (增长了多少) the change the document states, in %, answers: nothing computed.
        pair = _two_years(question, subject, years, rows, unit) if unit is not None else None
        if pair is None:
            return None
        before, after = pair
        magnitude, scale = _same_scale([after, before])
        value = (after.plain - before.plain) / scale
        return Result(
            abs(value),
            magnitude + after.unit,
            f"{after.stated} - {before.stated}",
            [after, before],
            "增加" if value >= 0 else "减少",
        )
    m = re.search(r"(.+?)(?:比|和|与|跟|较)(.+?)(?:相差|差距|高出|多出|低|少|多|差)", subject)
    if not m:
        return None
    a = _best(_term(m.group(1)), ops, unit)
    b = _best(_term(m.group(2)), ops, unit, exclude=[a] if a else [])
    if a is None or b is None or a.unit != b.unit or a.plain == b.plain or a.source != b.source:
        return None
    big, small = (a, b) if a.plain >= b.plain else (b, a)
    magnitude, scale = _same_scale([big, small])
    return Result(
        (big.plain - small.plain) / scale, magnitude + big.unit, f"{big.stated} - {small.stated}", [big, small], "相差"
    )


def _gap(question: str, subject: str, ops: list[Operand]) -> Result | None:
    """What is left: the whole (or target) less what is done, both stated in one sentence on the subject."""
    term = _term(re.sub(r"还差|缺口|还有|没有|尚未|未|距离|目标|离", "", subject))
    asked = re.search(rf"多少\s*({_UNIT})", question)
    by_quote: dict[str, list[Operand]] = {}
    for o in ops:
        by_quote.setdefault(o.chunk_id + o.quote, []).append(o)
    fitting = []
    for group in by_quote.values():
        same = [o for o in group if not asked or o.unit == asked.group(1)]
        if len(same) == 2 and same[0].unit == same[1].unit and fit(term, same[0].quote) >= 0.6:
            fitting.append(same)
    if len(fitting) != 1:
        return None
    whole, done = sorted(fitting[0], key=lambda o: -o.plain)
    magnitude, scale = _same_scale([whole, done])
    return Result(
        (whole.plain - done.plain) / scale,
        magnitude + whole.unit,
        f"{whole.stated} - {done.stated}",
        [whole, done],
        "还差",
    )


_AREA = re.compile(r"全(?:国|省|市|区|县)")


def _share(
    question: str,
    subject: str,
    ops: list[Operand],
    years: list[int],
    rows: list[Operand],
    wholes: list[Operand] = (),
    org: str | None = None,
    places: tuple[str, ...] = (),
) -> Result | None:
    # 图书藏量在总藏量中占多大比例 names the part first and the whole inside 在…中
    m = re.search(r"(.+?)在(.+?)(?:中|里|当中|之中)占", subject) or re.search(
        r"(.+?)占(.+?)(?:的)?(?:比重|比例|百分之几|百分之多少|百分比|多少|占比|几成)", subject
    )
    if not m:
        return None
    part_words, whole_words = m.group(1), m.group(2)
    framed = re.fullmatch(r"(.+?)(?:当中|之中|中|里)[，,]?(.+)", part_words)
    if (
        len(_term(re.sub(r"多大|多高|多少", "", whole_words))) < 2 and framed
    ):  # 捐赠文献里诗词作品占多大比例: the whole frames the part
        whole_words, part_words = framed.group(1), framed.group(2)
    pool = [o for o in rows + ops if not years or o.year in years or (o.year is None and not o.from_table)]
    area = _AREA.search(whole_words)
    marker = org or (places[0] if places else None)
    if marker and area:
        # 某馆接待读者占全省公共图书馆接待读者的比例, 某省入选的占全国入选总数: one quantity, the library's or
        # place's own (its clause or sentence names it; the table's rows are the library's already) over the
        # area's (a clause naming the area, or a sentence not about the library)
        named = _term(_AREA.sub("", re.sub(r"(?:公共)?图书馆", "", whole_words)))
        part = _best(
            _term(part_words),
            [
                o
                for o in pool
                if o.from_table
                or marker in o.context + o.after
                or (marker in o.quote and area.group(0) not in o.context)
            ],
        )
        areas = [
            o
            for o in ops
            if (area.group(0) in o.context or marker not in o.quote) and (part is None or o.source == part.source)
        ]  # a share's two figures are of one document
        whole = _best(named, areas, exclude=[part] if part else [])
        if whole is None and part is not None:  # 全国共有204个…: the area's one count in the part's unit
            counts = {
                round(o.plain, 6): o
                for o in areas
                if area.group(0) in o.context and o is not part and units_compatible(o.unit, part.unit)
            }
            whole = next(iter(counts.values())) if len(counts) == 1 else None
    else:
        part = _best(_term(part_words), pool)
        whole = _best(_term(whole_words), pool, exclude=[part] if part else [])
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
        or not units_compatible(part.unit, whole.unit)
        or not whole.plain
        or part.plain > whole.plain
    ):
        return None
    if years and any(o.year not in years for o in (part, whole) if o.year):
        return None
    return Result(part.plain / whole.plain * 100, "%", f"{part.stated} ÷ {whole.stated}", [part, whole], "占比")


def _same_figure(a: Operand, b: Operand) -> bool:
    """The same statement read twice: from its passage and from the metrics table."""
    return (
        round(a.plain, 6) == round(b.plain, 6) and a.unit == b.unit and (a.chunk_id == b.chunk_id or a.quote == b.quote)
    )


# The whole a share is taken of, when the question names no figure for it: 占总数, 占全部.
_WHOLE = re.compile(r"总数|总量|全部|所有|总和|合计|总计|总共|一共|全市|全省|全区|全县")


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


def _average(question: str, subject: str, ops: list[Operand], years: list[int]) -> Result | None:
    if not (_AVERAGE.search(subject) or _PER_FIRST.search(subject)):
        bare = _BARE_PER.search(subject)  # 每家能分到多少册: only a count in that measure divides
        asked = _asked_unit(question)
        if not bare or asked is None:
            return None
        measure = re.match(rf"每一?({_UNIT})", bare.group(0))
        return _per_measure(
            re.sub(r"(?:摊到|分到|分摊到|分摊)$", "", subject[: bare.start()]),
            measure.group(1),
            ops,
            asked[1],
            years,
            counted=_counted_noun(subject[bare.start() :]),
        )
    subject = _PER_FIRST.sub(r"平均每\1", subject)
    m = re.search(r"(?:平均.{0,4}?每|每天平均|平均一天|日均|月均|人均)(.*)", subject)
    if not m:
        return None
    rest = m.group(1)
    days = re.search(r"按\s*(\d{3})\s*天", question)
    asked = _asked_unit(question)
    unit = asked[1] if asked else None
    divisor: Operand | None = None
    if _stated_per_period(rest, subject, ops):
        return None  # the passages state the figure per day or per month themselves
    if re.match(r"[天日]", rest) or re.search(r"日均|每天平均|平均一天", subject):
        n = int(days.group(1)) if days else (366 if years and calendar.isleap(years[0]) else 365)
        per, per_text, rest = float(n), f"{n}天", re.sub(r"^[天日]", "", rest)
    elif re.match(r"(?:个)?月", rest) or "月均" in subject:
        per, per_text, rest = 12.0, "12个月", re.sub(r"^(?:个)?月", "", rest)
    elif _KIND_OF_DAY.match(rest) and _days_of(_KIND_OF_DAY.match(rest).group(1), ops) is not None:
        # 平均每个开馆日: the days the passages count of that kind (开馆266天) divide
        kind = _KIND_OF_DAY.match(rest)
        divisor = _days_of(kind.group(1), ops)
        per, per_text, rest = divisor.plain, divisor.stated, rest[kind.end() :]
    elif "人均" in subject and not re.search(r"平均.{0,4}?每", subject):
        # 人均 is per head of the population served: the divisor is a population the passages state.
        people = [o for o in ops if o.unit in ("人", "名") and fit("人口", o.context[-12:] + o.after) >= 0.99]
        if len({round(o.plain, 6) for o in people}) != 1:
            return None
        divisor = people[0]
        per, per_text = divisor.plain, divisor.stated
    else:
        # 平均每个服务点 / 每名员工 / 每接待一人次读者: the divisor is a figure of its own.
        d = re.match(r"(.+?)(?=一年|全年|要|能|借阅|配送|承担|开展|给|有|多少)", rest)
        named = _divisor_words(rest, ops)
        if named is not None and (not d or len(named) < len(d.group(1))):
            d = re.match(re.escape(named), rest)  # the words of a figure stated in the passages: 每位员工办…
        if not d:
            return None
        words = d.group(1) if d.lastindex else d.group(0)
        unit_of = re.search(rf"一?({_UNIT})", words)
        divisor_unit = unit_of.group(1) if unit_of and unit_of.group(1) != unit else None
        noun = _term(re.sub(rf"^一?(?:{_UNIT})|一(?:{_UNIT})", "", words))
        measure = re.match(rf"一?({_UNIT})", rest)
        if measure and unit:
            # 读书活动平均每场有多少人参与: 每 and a measure; what is counted in it is named before 平均
            result = _per_measure(
                subject[: m.start()] + noun, measure.group(1), ops, unit, years, counted=_counted_noun(rest)
            )
            if result is not None:
                return result
        if not noun:
            return None
        rest = rest[d.end() :]
        counted = [o for o in ops if o.unit != unit]
        if divisor_unit and any(o.unit == divisor_unit for o in counted):
            counted = [o for o in counted if o.unit == divisor_unit]  # 每位 with no 位 stated: 158名 will do
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
        divisor = best[0]
        per, per_text = divisor.plain, divisor.stated
    term = _term(re.sub(rf"一年|全年|多少\s*(?:万|亿|千)?\s*(?:{_UNIT})?", "", rest))
    # 分到多少册期刊: 期刊, counted in the unit the question names, is what is asked; 分到 is its own word.
    counted_noun = re.search(rf"多少\s*(?:万|亿|千)?\s*(?:{_UNIT})([\u4e00-\u9fff]{{2,6}})", rest)
    if counted_noun:
        term = _term(counted_noun.group(1))
    pool = [o for o in ops if o is not divisor and (not years or not o.year or o.year in years)]
    if unit:
        # 人均到馆多少次: visits counted in 人次, divided by people, are 次 per head
        same = ("次", "人次") if unit == "次" and divisor is not None and divisor.unit in ("人", "名") else (unit,)
        exact = [o for o in pool if o.unit in same]
        pool = exact or [o for o in pool if units_compatible(o.unit, unit)]
    numerator = _best(term, pool) if term else None
    beside = [
        o
        for o in pool
        if divisor is not None
        and o.quote == divisor.quote
        and o.chunk_id == divisor.chunk_id
        and term
        and _score(term, o) >= 0.6
    ]
    if numerator is not None and len({round(o.plain, 6) for o in beside}) == 1 and numerator not in beside:
        numerator = beside[0]  # what the divisor's own sentence counts is what is divided (开馆266天，接待65万人次)
    if numerator is None and divisor is not None and (unit or term):
        # The figure of the asked unit, or of the words asked, that stands in the divisor's own sentence
        # (158名员工…5000场; 开馆266天…接待读者65万人次).
        same = {
            round(o.plain, 6): o
            for o in pool
            if o.quote == divisor.quote and o.chunk_id == divisor.chunk_id and (unit or _score(term, o) >= 0.6)
        }
        numerator = next(iter(same.values())) if len(same) == 1 else None
    if numerator is None:
        return None
    value = numerator.plain / per
    magnitude = "万" if numerator.magnitude == "万" and value >= 1e4 else ""
    value = value / _SCALE.get(magnitude, 1.0)
    used = [numerator] + ([divisor] if divisor is not None else [])
    return Result(value, magnitude + numerator.unit, f"{numerator.stated} ÷ {per_text}", used, "平均")


_KIND_OF_DAY = re.compile(r"个?([\u4e00-\u9fff]{1,3}?)日")


def _days_of(kind: str, ops: list[Operand]) -> Operand | None:
    """The one count of days of a kind (开馆266天 for 开馆日, 服务300天 for 服务日) the passages state."""
    days = {round(o.plain, 6): o for o in ops if o.unit == "天" and fit(kind, o.context[-8:]) >= 0.99}
    return next(iter(days.values())) if len(days) == 1 else None


def _per_measure(
    named: str, measure: str, ops: list[Operand], unit: str, years: list[int], counted: str = ""
) -> Result | None:
    """平均每场有多少人参与: the divisor is a count in that measure (读书活动8场次) whose sentence gives one
    figure of the unit asked (参与者15000余人); the question's words before 每 say which sentence."""
    term = _term(named)
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
            numerator = _best(counted, list(same.values())) or (next(iter(same.values())) if len(same) == 1 else None)
            if numerator is None:  # 建成五个书房。总坐席418个: named in the passage's next sentence
                nearby = [
                    o
                    for o in pool
                    if o.chunk_id == d.chunk_id and o is not d and o.plain != d.plain and units_compatible(o.unit, unit)
                ]
                numerator = _best(counted, nearby)
        else:
            numerator = next(iter(same.values())) if len(same) == 1 else _next_after(d, sentence, unit, measure)
        if numerator is not None:
            pairs.append((max(_score(term, d), fit(term, d.quote)), d, numerator))
    pairs = [p for p in pairs if p[0] >= 0.6]
    if not pairs:
        return None
    top = max(p[0] for p in pairs)
    best = [p for p in pairs if p[0] == top]
    if len({(round(d.plain, 6), round(n.plain, 6)) for _, d, n in best}) > 1:
        whole = [p for p in best if not _part_not_asked(p[1], term)]
        best = whole or best  # 其中总馆108场次 is a part of the 423场次 asked about
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
        value / _SCALE.get(magnitude, 1.0),
        magnitude + numerator.unit,
        f"{numerator.stated} ÷ {divisor.stated}",
        [numerator, divisor],
        "平均",
    )


def _counted_noun(text: str) -> str:
    """多少册期刊 → 期刊, 每个书房藏书多少册 → 藏书: what the question counts, named after the unit or right
    before 多少 (after the measure's own noun)."""
    m = re.search(rf"(?:多少|几)\s*(?:万|亿|千)?\s*(?:{_UNIT})([\u4e00-\u9fff]{{2,6}})", text)
    if m:
        return _term(m.group(1))
    before = re.search(r"[\u4e00-\u9fff]{2}([\u4e00-\u9fff]{2})(?:有)?(?:多少|几)", text)
    return _term(before.group(1)) if before else ""


def _part_not_asked(c: Operand, term: str) -> bool:
    """其中总馆108场次: a part of the total before it, when the question does not name that part (总馆)."""
    m = re.search(r"其中[：:，,]?([\u4e00-\u9fff]{2})", c.context)
    return bool(m) and m.group(1) not in term


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
    words = _LINKING_TAIL.sub("", _letters(c.context))
    return fit(words, term) if words else 0.0


def _stated_per_period(rest: str, subject: str, ops: list[Operand]) -> bool:
    """日均接待500人次 stated in a passage answers 每天接待多少 as it stands: nothing is divided."""
    if re.match(r"[天日]", rest) or re.search(r"日均|每天平均|平均一天", subject):
        words = r"日均|每天|每日|平均每天"
    elif re.match(r"(?:个)?月", rest) or "月均" in subject:
        words = r"月均|每月|每个月|平均每月"
    else:
        return False
    term = _term(re.sub(rf"^(?:个)?[天日月]|一年|全年|多少\s*(?:万|亿|千)?\s*(?:{_UNIT})?", "", rest))
    return any(re.search(words, o.context) and fit(term, o.context) >= 0.6 for o in ops) if term else False


def _divisor_words(rest: str, ops: list[Operand]) -> str | None:
    """The words after 每 that name a figure the passages state (每位员工办多少场 → 位员工, for 158名员工):
    the longest start of ``rest`` whose noun a stated figure stands before or after."""
    lead = re.match(rf"一?(?:{_UNIT})?", rest)
    start = lead.end() if lead else 0
    for end in range(min(len(rest), start + 10), start + 1, -1):
        noun = rest[start:end]
        if not re.fullmatch(r"[\u4e00-\u9fff]+", noun):
            continue
        if any(fit(noun, o.after) >= 0.99 or fit(noun, o.context[-len(noun) - 2 :]) >= 0.99 for o in ops):
            return rest[:end]
    return None


def _prior(question: str, subject: str, years: list[int], rows: list[Operand]) -> Result | None:
    term = _term(
        re.sub(
            r"按|同比|增长率|变化|倒推|反推|推算|据此|大约|上一年|去年|上年|万|亿|千|"
            rf"(?:{_UNIT})$",
            "",
            subject,
        )
    )
    pool = [r for r in rows if r.change_pct is not None and (not years or r.year == years[0] + 1)]
    row = _best(term, pool)
    if row is None or row.change_pct is None or row.change_pct <= -100:
        return None
    value = row.value / (1 + row.change_pct / 100)
    sign = "+" if row.change_pct >= 0 else "-"
    formula = f"{row.stated} ÷ (1 {sign} {abs(row.change_pct):g}%)"
    label = f"{row.year - 1}年" if row.year else "上一年"
    return Result(value, row.magnitude + row.unit, formula, [row], label)


def _two_years(
    question: str, subject: str, years: list[int], rows: list[Operand], unit: str | None = None
) -> tuple[Operand, Operand] | None:
    """One figure in two years: the years asked, or the year asked and the one before (比上年, 同比)."""
    if len(years) >= 2:
        first, last = sorted(years)[0], sorted(years)[-1]
    elif years and re.search(r"比上年|较上年|比去年|比前一年|同比|上年|去年", question):
        first, last = years[0] - 1, years[0]
    else:
        return None
    term = _term(
        re.split(
            r"比|较|从|到|至|一共|同比|增长|增加|提高|上升|下降|减少|降低|多了|少了|增幅|降幅|变化|是(?!否)", subject
        )[0]
    ) or _term(subject)
    term = re.sub(r"上年|去年|前一年", "", term)
    before = _best(term, [r for r in rows if r.year == first], unit)
    after = _best(term, [r for r in rows if r.year == last], unit)
    if before is None or after is None or before.unit != after.unit:
        return None
    return before, after


def _rate(question: str, subject: str, years: list[int], rows: list[Operand]) -> Result | None:
    """增长了百分之几: the change between two years' values, in per cent of the earlier one. A change the
    document states itself answers instead (its own rounding), so nothing is computed then."""
    pair = _two_years(question, subject, years, rows)
    if pair is None:
        return None
    before, after = pair
    if after.change_pct is not None or not before.plain:
        return None
    value = (after.plain - before.plain) / before.plain * 100
    return Result(
        abs(value),
        "%",
        f"({after.stated} - {before.stated}) ÷ {before.stated}",
        [after, before],
        "增长" if value >= 0 else "下降",
    )


def _times(question: str, subject: str, ops: list[Operand], years: list[int], rows: list[Operand]) -> Result | None:
    """A是B的几倍: one figure divided by another of the same unit."""
    m = re.search(r"(.+?)(?:是|为|相当于|有)(.*?)的?(?:几|多少)倍", subject)
    if not m:
        return None
    if len(years) == 2 and len(_term(m.group(2))) < 2:
        # 2023年的场次是2022年的几倍: one figure, the year named first over the other
        pair = _two_years(question, subject, years, rows)
        if pair is None:
            return None
        first = min(years, key=lambda y: question.find(str(y)))
        a, b = pair if pair[0].year == first else (pair[1], pair[0])
        if not b.plain:
            return None
        return Result(a.plain / b.plain, "倍", f"{a.stated} ÷ {b.stated}", [a, b], f"{a.year}年是{b.year}年的")
    pool = ops + [r for r in rows if not years or r.year in years]
    a = _best(_term(m.group(1)), pool)
    if a is None:
        return None
    # The other figure of the same sentence first: 配送图书400余册，期刊1200余册 compares those two.
    b = _best(_term(m.group(2)), [o for o in pool if o.quote == a.quote], exclude=[a]) or _best(
        _term(m.group(2)), pool, exclude=[a]
    )
    if b is None or a.unit != b.unit or not b.plain or a.plain == b.plain:
        return None
    return Result(
        a.plain / b.plain, "倍", f"{a.stated} ÷ {b.stated}", [a, b], f"{_term(m.group(1))}是{_term(m.group(2))}的"
    )


def _completion(subject: str, years: list[int], rows: list[Operand], targets: list[Operand]) -> Result | None:
    """完成了目标的百分之几: the year's actual figure over its target, in per cent."""
    term = _term(
        re.sub(r"完成率|达成率|完成|达到|年度|全年|目标|计划|任务|百分之几|百分之多少|多少|几成|%", "", subject)
    )
    if not term:
        return None
    in_year = (lambda o: o.year in years) if years else (lambda o: True)
    target = _best(term, [t for t in targets if in_year(t)])
    if target is None or not target.plain:
        return None
    actual = _best(term, [r for r in rows if r.year == target.year], target.unit)
    if actual is None:
        return None
    return Result(
        actual.plain / target.plain * 100, "%", f"{actual.stated} ÷ {target.stated}", [actual, target], "完成目标的"
    )


def _whole_from_share(question: str, ops: list[Operand]) -> Result | None:
    """'按102人占63.4%倒推，总数多少': the part stated with its share gives the whole."""
    part = re.search(rf"(\d+(?:\.\d+)?)\s*({_UNIT})", question)
    pct = re.search(r"(\d+(?:\.\d+)?)\s*%", question)
    if not part or not pct or part.group(2) == "%" or not float(pct.group(1)):
        return None
    stated_part = part.group(0).replace(" ", "")
    stated_pct = pct.group(0).replace(" ", "")
    source = next(
        (o for o in ops if o.stated.startswith(part.group(1)) and stated_pct in o.quote.replace(" ", "")), None
    )
    if source is None:
        return None
    value = float(part.group(1)) / (float(pct.group(1)) / 100)
    return Result(value, part.group(2), f"{stated_part} ÷ {stated_pct}", [source], "总数")


# -- entry point ----------------------------------------------------------------------------------
def operation(question: str) -> str | None:
    """The operation a question asks for, read from its wording."""
    if (
        _PRIOR.search(question)
        and re.search(r"\d+(?:\.\d+)?\s*%", question)
        and re.search(r"总数|总共|共有|多少", question)
    ):
        return "whole_from_share"
    if _PRIOR.search(question) and (_CHANGE.search(question) or re.search(r"上一年|去年|上年", question)):
        return "prior"
    if _COMPLETION.search(question):
        return "completion"
    if _RATE.search(question):
        return "rate"
    if _TIMES.search(question):
        return "times"
    if _SHARE.search(question):
        return "share"
    if _AVERAGE.search(question) or _PER_FIRST.search(question) or _BARE_PER.search(question):
        return "average"
    if _GAP.search(question):
        return "gap"
    if _DIFF.search(question):
        return "difference"
    if _SUM.search(question):
        return "sum"
    return None


_STATED_KINDS = ("actual", "cumulative", "asof")


def compute(query, hits, metrics) -> Draft | None:
    """A draft stating the computed value with its formula, or None when it cannot be computed surely."""
    question = query.text
    op = operation(question)
    if op is None or getattr(query, "follow_up", False):
        return None
    subject = _subject(question, getattr(query, "org", None))
    years = list(query.years or [])
    ops: list[Operand] = []
    asks_plan = bool(re.search(r"计划|目标|规划|打算|拟|预计|力争", question))
    # 甲馆和乙馆: two libraries each named in full (a short form two libraries share names neither surely)
    orgs = [o for o in getattr(query, "orgs", None) or [] if o and o in question]
    if len(orgs) >= 2 and op in ("sum", "difference") and metrics is not None:
        result = _across_orgs(op, question, orgs, years, metrics)
        return _draft(result, question) if result is not None else None
    for h in hits:
        chunk = h.chunk
        if chunk.period_kind == "plan" and not asks_plan and op != "gap":
            continue  # a plan's figures are targets, not what was done
        if query.org and any(heading_library(x) not in ("", query.org) for x in chunk.heading_path[-1:]):
            continue  # a section headed by another library's name holds that library's figures
        if (
            years
            and chunk.year
            and chunk.year not in years
            and not any(str(y) in chunk.text for y in years)
            and op not in ("difference", "prior")
        ):
            continue
        ops.extend(_passage_operands(chunk))
    rows: list[Operand] = []
    targets: list[Operand] = []
    wholes: list[Operand] = []
    if metrics is not None and op in ("sum", "difference", "share", "prior", "rate", "times", "completion"):
        wanted = set(years) | {y - 1 for y in years} | {y + 1 for y in years}
        docs = {h.chunk.doc_id for h in hits}  # the documents retrieval found on the subject
        scope = getattr(query, "scope", None)
        # a rate may start from a year worked back from a stated amount (比2013年增加33.35万人次); a year
        # worked back from a stated rate never needs one computed
        found = [
            r
            for r in metrics.all(org=query.org, include_derived=op == "rate")
            if r.chunk_id and r.doc_id in docs and (not wanted or r.year in wanted)
        ]
        stored = [r for r in found if ((r.scope or "") == scope if scope else (r.scope or "") in MAIN_SCOPES)]
        rows = [_row_operand(r) for r in stored if r.kind in _STATED_KINDS]
        targets = [_row_operand(r) for r in stored if r.kind == "target"]
        if scope and op == "share":
            # 市级…占总计的比重: the whole is the same figure for the whole area
            wholes = [_row_operand(r) for r in found if (r.scope or "") in MAIN_SCOPES and r.kind in _STATED_KINDS]
    try:
        if op == "sum":
            result = _sum(question, subject, ops, years, rows)
        elif op == "difference":
            result = _difference(question, subject, ops, years, rows)
        elif op == "gap":
            result = _gap(question, subject, ops)
        elif op == "share":
            result = _share(
                question, subject, ops, years, rows, wholes, getattr(query, "org", None), places_named(question)
            )
        elif op == "average":
            result = _average(question, subject, ops, years)
        elif op == "prior":
            result = _prior(question, subject, years, rows)
        elif op == "rate":
            result = _rate(question, subject, years, rows)
        elif op == "times":
            result = _times(question, subject, ops, years, rows)
        elif op == "completion":
            result = _completion(subject, years, rows, targets)
        else:
            result = _whole_from_share(question, ops)
    except (ValueError, ZeroDivisionError, IndexError):
        return None
    if result is None:
        return None
    if (
        op in ("sum", "share", "average", "gap")
        and not all(o.from_table for o in result.operands)
        and len({o.source for o in result.operands}) > 1
    ):
        return None  # the parts of one sum, share or average are stated in one document
    return _draft(result, question)


def _across_orgs(op: str, question: str, orgs: list[str], years: list[int], metrics) -> Result | None:
    """甲馆和乙馆一共…, 甲馆比乙馆多…: one figure of each library named, by the words left once the
    libraries are taken out, added or subtracted in the order named."""
    text = question
    for org in orgs:
        text = text.replace(org, "")
    words = _subject(text)
    term = _term(
        re.sub(
            rf"{_SUM.pattern}|比|和|与|及|、|(?:多|少)了?(?=多少|几)|多少\s*(?:万|亿|千)?\s*(?:{_UNIT})?|几", "", words
        )
    )
    if len(term) < 2:
        return None
    asked = _asked_unit(question)
    chosen = []
    for org in orgs[:2] if op == "difference" else orgs:
        rows = [
            _row_operand(r)
            for r in metrics.all(org=org, include_derived=False)
            if r.org == org and r.kind in _STATED_KINDS and (not years or r.year in years)
        ]
        best = _best(term, rows, asked[1] if asked else None)
        if best is None:
            return None
        chosen.append(best)
    if len({o.unit for o in chosen}) != 1:
        return None
    if op == "sum":
        return _total(chosen)
    magnitude, scale = _same_scale(chosen)
    unit = magnitude + chosen[0].unit
    first, second = chosen
    value = (first.plain - second.plain) / scale
    return Result(
        abs(value),
        unit,
        f"{first.stated} - {second.stated}" if value >= 0 else f"{second.stated} - {first.stated}",
        chosen,
        "相差",
    )


def _rounded(result: Result) -> str:
    """Two decimals at most; a head count worked back from a share is a whole number."""
    if result.unit == "%":
        return _fmt(result.value, 2)
    if result.unit in ("人", "名", "个", "家", "间", "所") and result.label == "总数":
        return str(round(result.value))
    return _fmt(result.value, 2)


def _draft(result: Result, question: str) -> Draft:
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
        draft.figures.append(FigureUsed(_label(o), o.year, o.value, o.magnitude + o.unit, o.source, stated=o.stated))
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


__all__ = ["compute", "operation", "fit"]
