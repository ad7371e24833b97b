"""Naming a figure: the indicator it measures and the phrase it is read with."""

from __future__ import annotations

import re

from ..indicators import units_compatible
from .model import Figure, FigureKind, _Context
from .patterns import _CLAUSE_BREAK, _PREFIX_QUALIFIERS, _UNIT_RE, _counts_with_classifier, split_unit
from .period import _HEAD_NOISE, _TARGET_WORDS

# Words that say how a figure relates to the one before rather than what it counts:
# "为年度目标210万次", "由25个工作日缩短至12个工作日", "2022年底38间".
_RELATIONAL = re.compile(
    r"年度|年初|提出|确定|的|目标|任务|力争|为|超额|完成|超过|达到|未|年底|年末|目前|现有|截至|截止|缩短|降至|增至|"
    r"提高|提升|由|从|其中|共|约|新建|分别|计|减少到|增加到|恢复|实现|全年|累计|仅|只有|已|有|占|少于|多于|计划"
)


_VERB_TAIL = re.compile(
    r"(?:已有|共有|共计|合计|累计|总计|分别|仍有|已|共|达到|达|为|是|有|至|到|约|近|超过|超|逾|发展至|增至|提高到|"
    r"开展了|开展|组织开展了|组织开展|组织|举办了|举办|完成了|完成|接待|服务|吸引|收到|发布|新增|新建|突破)+$"
)


# The library itself as the subject of a clause is not part of the figure's name: 我馆接待读者 → 接待读者.
_SUBJECT = re.compile(r"^(?:[\u4e00-\u9fff]{0,10}?图书馆|[我本全该两各此]馆)")


def _each(ctx: _Context, fig: Figure, left: str) -> list[Figure]:
    """'A、B各2台' states the same number for each item: the first item gets its own figure."""
    if not left.endswith("各") or "、" not in left:
        return []
    items = left[:-1].split("、")
    out = []
    for item in items[:-1]:
        hit = ctx.indicators.find(item, fig.unit)
        if hit and hit[1] != fig.indicator:
            twin = Figure(**{**fig.__dict__, "indicator": hit[1], "phrase": item})
            out.append(twin)
    return out


_INCREMENT = re.compile(r"新增|新购|新入藏|年增")


_ADMIN_UNITS = re.compile(r"^(?:村|社区|镇|街道|乡|行政村|自然村|县|市辖区|产业园区|园区)")


_CONTEXT_PHRASE = re.compile(r"人口|辖|面积约|总面积")


_COORDINATED = re.compile(rf"^[和及与、]\d+(?:\.\d+)?(?:万|亿)?(?:%|{_UNIT_RE})")


def _right_phrase(after: str) -> str:
    """The noun phrase a number counts, when it comes after: '425场次不同主题的阅读推广活动'.

    "509.22万元和242.12万元应付未付款": both numbers count the noun after the second.
    """
    after = re.sub(r"^(?:以上|以下|左右)", "", after)  # 40次以上、开展…: the bound, then the next item
    coordinated = _COORDINATED.match(after)
    if coordinated:
        after = after[coordinated.end() :]
    after = re.sub(r"^[（(][^）)]*[）)]", "", after)  # 748万元（含…）未能安排: the aside is not the noun
    m = _CLAUSE_BREAK.search(after)
    phrase = after[: m.start()] if m else after
    phrase = phrase.split("、")[0]  # "1个总馆、7个分馆": a list comma starts the next item
    number = re.search(r"\d", phrase)
    return phrase[: number.start()] if number else phrase


def _clean_phrase(left: str) -> str:
    # 全县图书馆（含乡镇分馆）总流通人次: an aside on what is counted names nothing; 报刊(合订本) does
    left = re.sub(r"[（(](?:含|不含|包括|不包括|包含|未含|下同)[^（）()]*[）)]", "", left)
    phrase = re.sub(r"(?:截[至止])?(?:(?:20\d{2}|19\d{2})年(?:底|末|度|全年)?)?(?:\d{1,2}月(?:\d{1,2}日)?)?", "", left)
    phrase = re.sub(r"\d+(?:\.\d+)?(?:万|亿)?", "", phrase)
    phrase = phrase.strip(" （）()、“”□")
    for q in _PREFIX_QUALIFIERS:
        if phrase.endswith(q):
            phrase = phrase[: -len(q)]
    phrase = _VERB_TAIL.sub("", phrase)
    subject = _SUBJECT.match(phrase)
    if subject and len(phrase) - subject.end() >= 2:
        phrase = phrase[subject.end() :]
    phrase = _HEAD_NOISE.sub("", phrase)
    if len(phrase.replace("了", "")) >= 2:
        phrase = phrase.replace("了", "")  # 购置了电子图书 → 购置电子图书: an aspect particle names nothing
    return phrase.strip(" （）()、“”□")


def _indicator(
    ctx: _Context, left: str, right: str, sentence_before: str, previous: list[Figure], unit: str
) -> tuple[str | None, str]:
    hit = ctx.indicators.find(left, unit) or _wrapped(ctx, left, unit)
    after = ctx.indicators.find(right, unit)
    phrase = _clean_phrase(left)
    # "1个总馆、7个分馆": after a list comma the noun that follows is the one counted.
    listed = left.rstrip().endswith(("、", "和", "及", "与")) and bool(right.strip())
    far = hit is not None and len(left) - (hit[2] + len(hit[0])) > 8
    # "8个部门": the noun right after a measure word is what is counted.
    counted = after is not None and after[2] == 0 and _counts_with_classifier(unit)
    if hit and not ((listed or far or counted) and after):
        return hit[1], phrase or hit[0]
    if _ADMIN_UNITS.match(right):
        return None, phrase
    if after:
        return after[1], right.strip()
    # No name of its own: a target, a subtype or a later value of a figure before it.
    rest = _RELATIONAL.sub("", phrase)
    if _PLACE_ONLY.fullmatch(rest) and len(right.strip()) >= 2:
        return None, right.strip()[:16]  # 全省共有86家公共图书馆…: a place owns it, the noun after names it
    if len(rest) <= 2:
        named = _named_before(sentence_before)
        if named:
            hit = ctx.indicators.find(named, unit)
            return (hit[1] if hit else None), named
    if len(rest) <= 2 or phrase.endswith(("型", "类")):
        same_unit = [f for f in previous if units_compatible(split_unit(f.unit)[1], split_unit(unit)[1])]
        sibling = _sibling(phrase, left, same_unit[-1] if same_unit else None)
        if sibling:
            return None, sibling
        if same_unit:
            # A target names the sentence's subject; a later value continues the last figure.
            source = same_unit[0] if _TARGET_WORDS.search(left) else same_unit[-1]
            if _INCREMENT.search(left) and source.kind in (FigureKind.CUMULATIVE, FigureKind.AS_OF):
                return None, f"新增{source.phrase}"  # 总藏量4456.2万册，新增268.6万册: the year's addition
            return source.indicator, phrase or source.phrase
        earlier = ctx.indicators.find(sentence_before, unit)
        if earlier:
            return earlier[1], phrase or earlier[0]
    if phrase and len(phrase) >= 2:
        return None, phrase[-16:]
    tail = re.sub(r"^(?:不同|各类|多|余)", "", right.strip())
    tail = re.split(r"的|，|。", tail)[-1] if tail else ""
    return (None, tail[:16]) if len(tail) >= 2 else (None, "")


# 下载量逐年增长，2022年高达5155万次: a clause that only dates the figure takes its name from the clause
# before, whose subject is a quantity (…量, …数) followed by how it went.
_HOW_IT_WENT = r"(?:逐年|常年|持续|不断|稳步|连续|一直|每年|大幅|明显|高居|位居|再创|创)"


_QUANTITY_SUBJECT = re.compile(rf"^([\u4e00-\u9fff]{{2,16}}?(?:量|数|人次|册次|总数|规模))(?={_HOW_IT_WENT})")


_PLACE_ONLY = re.compile(r"(?:全|本)?[\u4e00-\u9fff]{0,6}(?:省|市|县|区|旗)|全省|全市|全县|全区")


def _named_before(sentence_before: str) -> str | None:
    clauses = re.split(r"[，,；;]", sentence_before)
    if (
        len(clauses) < 2
        or re.search(r"\d", clauses[-2])
        or not re.fullmatch(r"[\u4e00-\u9fff]*(?:19|20)\d{2}年[\u4e00-\u9fff]{0,3}", clauses[-1].strip())
    ):
        return None
    previous = re.sub(r"^(?:此外|另外|同时|其中)", "", clauses[-2].strip(' “”"□'))
    m = _QUANTITY_SUBJECT.match(previous)
    if not m:
        return None
    name = m.group(1)
    subject = _SUBJECT.match(name)
    return name[subject.end() :] if subject and len(name) - subject.end() >= 2 else name


def _wrapped(ctx: _Context, left: str, unit: str) -> tuple[str, str, int] | None:
    """总流通5200人次: the name wraps around its number (总流通人次), so the words before the number and
    the unit after it are read together; only a name that starts before the number and ends in the unit."""
    base = split_unit(unit)[1]
    words = left.rstrip()
    if not base or not words:
        return None
    hit = ctx.indicators.find(words + base, unit)
    if hit is None or hit[2] >= len(words) or hit[2] + len(hit[0]) != len(words) + len(base):
        return None
    return hit


def _sibling(phrase: str, left: str, last: Figure | None) -> str | None:
    """配送图书400余册，期刊1200余册: after a comma, a noun of its own in place of the last figure's
    noun names a figure of its own (配送期刊), not a later value of 配送图书."""
    if last is None or len(phrase) != 2 or not re.fullmatch(r"[\u4e00-\u9fff]{2}", phrase):
        return None
    if not re.search(r"(?:^|[，,、])\s*" + re.escape(phrase) + r"\s*$", left) or _RELATIONAL.search(phrase):
        return None
    named = last.phrase or last.indicator
    if len(named) < 4 or phrase in named or not re.fullmatch(r"[\u4e00-\u9fff]+", named[-2:]):
        return None
    return named[:-2] + phrase
