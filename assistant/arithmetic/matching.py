"""Which stated figure the question's words name: the question's terms and how well a figure's words fit them."""

from __future__ import annotations

import re
from functools import lru_cache

import jieba
import jieba.posseg as pseg

from ingest.indicators import units_compatible
from ingest.outline import library_names

from ..evidence import places_named
from ..figure_names import narrowing_words
from ..figure_rows import last_place
from .operands import PEOPLE_NOUNS, SCALE, UNIT_PATTERN, Operand, letters_of


def char_pairs(text: str) -> set[str]:
    text = letters_of(text)
    return {text[i : i + 2] for i in range(len(text) - 1)} or set(text)


def fit(term: str, words: str) -> float:
    """How much of the question's term the figure's words hold (share of its character pairs)."""
    grams = char_pairs(term)
    if not grams:
        return 0.0
    plain = letters_of(words)
    return sum(g in plain for g in grams) / len(grams)


_FILLER = re.compile(r"多少|大约|大概|约|是|的|了|要|有|能|一共|总共|呢|吗|请问|一下|[？?。，,、\s]")

# 杂志种数, 活动场数, 买图书的钱: the count or the amount of a thing is asked; the thing names the figure.
_COUNT_TAIL = re.compile(r"(?<=[\u4e00-\u9fff])(?:[种册场个家件项台本篇间所]数|数量|的钱|钱|费用|花费)$")


def asked_term(text: str) -> str:
    return _COUNT_TAIL.sub("", _FILLER.sub("", text))


def question_subject(question: str, org: str | None = None) -> str:
    """The question without its library, years and asking words."""
    named = org and (len(org) >= 4 or re.fullmatch(r"[\u4e00-\u9fff]{2,}[省市县区旗州]", org))
    text = question.replace(org, "") if org and named else question
    for name in [*library_names(org or ""), *library_names(text)]:  # 某某县馆 is the 某某县图书馆 asked about
        for form in sorted(name.forms(), key=len, reverse=True):
            text = text.replace(form, "")
    for name in library_names(org or ""):
        text = text.replace(name.place, "")  # 某某县新馆: the library's place names no figure
    text = re.sub(r"(?:19|20)\d{2}\s*年?(?:度)?", "", text)
    for place in places_named(text):  # which place is checked elsewhere; it is not the figure's name
        text = re.sub(rf"{re.escape(place)}(?:省|市|县|区|旗|州)?", "", text)
    text = re.sub(r"^[县市区省]?馆(?![藏舍员长际])", "", text)  # 青峰县馆进馆人次: what is left of 某县馆
    return re.sub(r"[？?。！!]", "", text)


def best_fit(term: str, candidates: list[Operand], unit: str | None = None, exclude=()) -> Operand | None:
    """The one figure whose words fit the term best; None when none fits well or different values tie."""
    scored = []
    for c in candidates:
        if unit and not units_compatible(c.unit, unit):
            continue  # the unit asked, or one counting the same things (多少人 → 28500人次, 多少个 → 187家)
        if any(c is e for e in exclude):
            continue
        scored.append((fit_score(term, c), c))
    scored = [s for s in scored if s[0] >= 0.6]
    if not scored:
        return None
    top = max(s for s, _ in scored)
    best = [c for s, c in scored if s == top]
    if top in (_HEAD_FIT, _WORD_ORDER_FIT) and len({round(c.plain, 6) for c in best}) > 1:
        return None  # a shared head noun or the same characters tell several figures apart no further
    if len({round(c.plain, 6) for c in best}) > 1:
        best = [c for c in best if not part_not_asked(c, term)] or best
    if len({round(c.plain, 6) for c in best}) > 1:
        # 总馆接待读者, 当天接待读者: a part of the whole asked, when the question does not name that part
        best = [c for c in best if not narrowing_words(c.context) - narrowing_words(term)] or best
    if len({round(c.plain, 6) for c in best}) > 1:
        best = most_precise(best)  # 126.4万人次 is 1263857人次 rounded: one figure, stated twice
    if len({round(c.plain, 6) for c in best}) > 1:
        best = _most_words_of(term, best)  # 新馆建筑面积: 新馆总建筑面积, not 老馆建筑面积
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
    if len({round(c.plain, 6) for c in best}) > 1 and len(char_pairs(term)) >= 3:
        # Equal fits: the words before the head noun say which kind is meant (一星级书屋, not 星级书屋)
        modifier = letters_of(term)[:-2]
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


def _most_words_of(term: str, figures: list[Operand]) -> list[Operand]:
    """The figures whose words hold the most of the term's words (of two characters or more)."""
    words = {w for w in jieba.lcut(letters_of(term)) if len(w) >= 2}
    if len(words) < 2:
        return figures
    held = [(sum(w in c.context + c.after for w in words), c) for c in figures]
    top = max(n for n, _ in held)
    return [c for n, c in held if n == top]


def _step(o: Operand) -> float:
    return last_place(o.stated, SCALE.get(o.magnitude, 1.0))


def most_precise(figures: list[Operand]) -> list[Operand]:
    """The most exact of figures that are each other rounded; all of them when they are not."""
    finest = min(figures, key=_step)
    if all(abs(o.plain - finest.plain) <= _step(o) / 2 + 1e-9 for o in figures):
        return [finest]
    return figures


def fit_score(term: str, c: Operand) -> float:
    """The share of the term the figure's words hold (服务人次 asked: 人次 is the figure's unit, not its
    words); or the share of the figure's own name the end of the term holds, since a Chinese noun phrase
    ends in what it names (评出的书屋里三星级 ends in 三星级, the name of 三星级14家; 买图书 in 图书,
    what 58197元的图书 bought)."""
    score = fit(term, c.context + c.unit + c.after)
    bare = _without_leading_verbs(term)
    if bare != term and len(bare) >= 2:
        score = max(score, fit(bare, c.context + c.unit + c.after))  # 订杂志 asked, 杂志150种 written
    if c.from_table and len(char_pairs(c.context)) >= 2:
        score = max(score, (score + fit(c.context, term)) / 2)  # both ways: a short name is no better fit
    plain_term = letters_of(term)
    for name in _own_names(c):
        score = max(score, fit(name, plain_term[-(len(name) + 2) :]))
    last = letters_of(c.context)[-3:]
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

LINKING_TAIL = re.compile(r"(?:共计|合计|总计|达到|共有|共|计|达|为|是|有|约|了|近|超过|逾)+$")


def _own_names(c: Operand) -> list[str]:
    """The few words that name a figure: those right before it in its clause (现有在职人员7人 → 在职人员,
    一星级22家 → 一星级), or the noun right after it (58197元的图书 → 图书)."""
    names = []
    # 诗词作品《甲》、《乙》等281册: the titles and 等 are examples of what is counted, not its name
    context = re.sub(r"等$", "", re.sub(r"[《〈][^》〉]*[》〉][、，,]?", "", c.context).strip())
    before = LINKING_TAIL.sub("", letters_of(context))[-8:]
    if len(before) >= 3:
        names.append(before)
    named = _without_leading_verbs(before)
    if named != before and len(named) >= 3:  # a two-character rest (图书) would name half the figures
        names.append(named)  # 评选出一星级: the verb before the name is not asked (一星级书屋)
    after = re.sub(r"^的", "", letters_of(c.after))[:8]
    if len(after) >= 2:
        names.append(after)
    return names


def figure_label(c: Operand) -> str:
    """A short name for a figure in the list of figures used: its own name, else the words before it."""
    names = _own_names(c)
    return (names[1] if len(names) > 1 and not c.after else names[0]) if names else (c.context[-12:] or c.stated)


def asked_unit(question: str) -> tuple[str, str] | None:
    m = re.search(rf"(?:多少|几)\s*(万|亿|千)?\s*({UNIT_PATTERN})", question)
    if m:
        return m.group(1) or "", m.group(2)
    if re.search(r"多少钱|花了多少|花费多少|几块钱", question):
        return "", "元"  # an amount of money is counted in 元
    if re.search(rf"(?:来|到馆|进馆|入馆|接待|参观|到访)(?:了)?(?:多少|几)\s*(万|千)?\s*(?:{PEOPLE_NOUNS})", question):
        return "", "人次"  # 来多少读者: visits, which libraries count in 人次
    if re.search(rf"(?:多少|几)\s*(万|千)?\s*(?:{PEOPLE_NOUNS})", question):
        return "", "人"  # 多少群众参与: people are counted in 人
    return None


def part_not_asked(c: Operand, term: str) -> bool:
    """其中总馆108场次: a part of the total before it, when the question does not name that part (总馆)."""
    m = re.search(r"其中[：:，,]?([\u4e00-\u9fff]{2})", c.context)
    return m is not None and m.group(1) not in term
