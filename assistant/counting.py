"""What a number question counts: the measure it asks in (多少家), the words it names the thing by (线上活动有
多少场), money asked for, and whether a sentence counts in that measure."""

from __future__ import annotations

import re

from ingest.indicators import units_compatible

from .evidence import equivalents, with_arabic_counts
from .figure_names import narrowing_words

MEASURES = "家|个|所|座|间|名|位|场|台|项|种|期|篇|本|条|件|处|套|辆"
# An amount of money asked for, and a sentence that states one.
ASKS_MONEY = re.compile(r"经费|资金|费用|预算|投入(?!使用|运营|运行)|拨款|多少钱|花了多少|花费|开支|支出|成本")
STATES_MONEY = re.compile(r"\d\s*(?:余|多)?\s*(?:万|千|亿)?\s*元")
# 多少家, 几台: the measure word a count is asked in
ASKED_MEASURE = re.compile(rf"(?:多少|几)\s*({MEASURES})")
_COUNT_MEASURE = re.compile(
    rf"(?<![第\d.])\d[\d.,]*\s*(?:余|多)?\s*(?:万|千|亿)?\s*[（(]?\s*({MEASURES}|人次|场次|册次|次|人|册)"
)


_ASKING_WORD = re.compile(r"多少|几")
_LINKING_TAIL = re.compile(r"(?:共有|一共有|一共|总共|共|有|是|为|达)+$")
_NOT_COUNTED = re.compile(r"现在|目前|如今|当前|全年|今年|去年|一共|总共")


def counted_words(question: str) -> str:
    """读书节的线上活动有多少场 → 线上活动: the words right before the question word name what is counted."""
    m = _ASKING_WORD.search(question)
    if not m:
        return ""
    before = _LINKING_TAIL.sub("", _NOT_COUNTED.sub("", question[: m.start()]))
    words = re.split(r"[^\u4e00-\u9fff]|的|年", before)[-1][-6:]
    return words if len(words) >= 3 else ""


# 多少张老照片: a measure word, then the thing counted named after it
_COUNTED_AFTER = re.compile(rf"(?:多少|几)\s*({MEASURES}|张|册)\s*([\u4e00-\u9fff]{{2,5}})")


def counted_after(question: str) -> str:
    """征集了多少张老照片 → 老照片: the thing a count is asked of, named after its measure word."""
    m = _COUNTED_AFTER.search(question)
    return m.group(2) if m else ""


def counts_thing_asked(question: str, sentence: str) -> bool:
    """The sentence names the thing counted (老照片, or a word documents write for it) or counts in the
    measure asked (多少张读者证: 办证2610张); 读者活动151场 does not answer 多少张读者证."""
    m = _COUNTED_AFTER.search(question)
    if not m:
        return True
    noun = m.group(2)
    if any(f in sentence for f in (noun, *equivalents(noun))):
        return True
    return bool(re.search(rf"\d[\d.,]*\s*(?:万|千)?\s*(?:余|多)?\s*{m.group(1)}", with_arabic_counts(sentence)))


def counts_as_asked(question: str, sentence: str) -> bool:
    """The sentence counts in the measure asked (多少家: 12家), names, or counts, the thing asked of, and
    holds the part of it asked (线上活动: a sentence on all activities does not give the online ones)."""
    measure = ASKED_MEASURE.search(question)
    if measure and not counts_in(measure.group(1), sentence):
        return False
    asking = [c for c in re.split(r"[，,；;。？?]", question) if _ASKING_WORD.search(c)]
    # a day asked is its own check; in a question of several parts a part's words are not the others'
    narrowed = narrowing_words(question) - {"当天", "当日", "首日", "单日"} if len(asking) == 1 else set()
    if any(w not in sentence and not any(e in sentence for e in equivalents(w)) for w in narrowed):
        return False
    return counts_thing_asked(question, sentence)


def counts_in(measure: str, text: str) -> bool:
    """The text counts something in the measure asked (多少家 → 12家, 6所); 几个 is asked of anything counted."""
    found = _COUNT_MEASURE.findall(with_arabic_counts(text))
    things = [u for u in found if u not in _AMOUNTS]
    return any(units_compatible(u, measure) for u in found) or (measure == "个" and bool(things))


# Units of an amount, not of things counted: 53118千册 of books or 3.2万人次 of visits is no answer to 多少个
_AMOUNTS = frozenset(
    ("册", "册次", "人次", "次", "元", "平方米", "小时", "天", "个工作日", "个月", "岁", "TB", "GB", "课时")
)
