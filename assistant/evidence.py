"""Whether the evidence holds what a question asks about.

Two general rules a librarian would state:

- a library is unknown only when no document mentions it (its full name, or the
  place it is named after with or without 县/市/区, followed by 图书馆 or 馆);
- a question is answerable from passages only when the things it asks about —
  the nouns of the question, not its question words, place names, years or the
  words that only say what kind of answer is wanted (哪些措施, 什么时候) — occur
  in the passages retrieved for it. 满意度 asked where no passage says 满意度
  is not answered by a passage about 读者.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import cn2an
import jieba
import jieba.posseg as pseg

from index.tokenize import tokenize
from ingest.outline import LibraryName, library_names

# Question words: removed before the question is cut into words, so that 多大容量 leaves 容量.
_ASKING = re.compile(
    r"是多少|有多少|多少|多大|多高|多长|多久|几[个间家所名次场期篇条位项种天年人辆台级届月号部]?|"
    r"哪一天|哪一年|哪天|哪年|哪里|哪儿|哪些|哪几|哪个|哪家|哪种|哪类|哪项|哪|什么|是谁|谁|有没有|是不是|是否|吗|呢|么"
)
# After 哪些/什么/哪几个 a noun says what kind of answer is wanted (哪些措施, 什么时候), not what is asked about.
_KIND_AFTER = re.compile(r"(?:哪些|哪几|哪个|哪家|哪种|哪类|哪项|什么|几)[个项条件类种方面]*$")
# Nouns that frame a question in any library's words: the answer's kind, an operation on figures,
# the document itself, or where in it.
_FRAMING = frozenset(
    [
        "事",
        "事情",
        "事项",
        "措施",
        "办法",
        "方法",
        "方面",
        "方式",
        "做法",
        "形式",
        "途径",
        "内容",
        "情况",
        "时候",
        "时间",
        "日期",
        "名字",
        "名称",
        "名单",
        "单位",
        "部门",
        "人员",
        "变化",
        "比重",
        "比例",
        "占比",
        "合计",
        "总计",
        "总数",
        "平均",
        "数量",
        "数字",
        "数据",
        "次数",
        "人数",
        "规模",
        "容量",
        "水平",
        "结果",
        "原因",
        "问题",
        "环节",
        "部分",
        "文章",
        "文档",
        "文件",
        "报告",
        "材料",
        "表格",
        "表",
        "年报",
        "资料",
        "全文",
        "里面",
        "当中",
        "期间",
        "之间",
        "以来",
        "方向",
        "口径",
        "统计口径",
    ]
)
# Words every passage of a library shares: they say nothing about which passage answers.
_GENERIC = frozenset(
    [
        "图书馆",
        "图书",
        "书馆",
        "馆",
        "工作",
        "年度",
        "全年",
        "今年",
        "去年",
        "明年",
        "前年",
        "实际",
        "计划",
        "按计划",
        "如期",
        "按期",
        "一年",
    ]
)
_DEICTIC_PLACE = re.compile(r"^(?:本|该|全|我|各|贵|这个|那个)(?:市|县|区|省|镇|乡|馆|单位)$")
_LEADING_MEASURE = re.compile(r"^[个篇份张本项位名家次场间所座条]")
_TRAILING_PLACE = re.compile(r"[里中上内]$")
_NOUN_FLAGS = ("n", "nz", "vn", "an", "ng", "nl")
_PLACE_WORD = re.compile(r"(?:省|市|县|区|旗|州|盟|镇|乡|街道|村|社区)$")


@lru_cache(maxsize=1)
def load_vocabulary() -> None:
    tokenize("")  # the library vocabulary (满意度 a noun, not a place) is loaded into the segmenter


_TITLED = re.compile(r"《[^》]*》")


@lru_cache(maxsize=2048)
def key_terms(question: str) -> tuple[str, ...]:
    """The nouns a question asks about, without question words, places, years, libraries or framing words."""
    text = question
    for name in library_names(text):
        text = text.replace(name.name, "，")
    text = _TITLED.sub("，", text)  # 据《某年鉴》: the source the question cites, not what it asks about
    text = re.sub(r"\d+(?:\.\d+)?\s*[年月日天个万千百十]*", "，", text)
    load_vocabulary()
    terms: list[str] = []
    pieces = _ASKING.split(text)
    asked = _ASKING.findall(text)
    for i, piece in enumerate(pieces):
        words = [(w.word, w.flag) for w in pseg.lcut(piece)]
        after_kind = i > 0 and bool(_KIND_AFTER.search(asked[i - 1]))
        for j, (word, flag) in enumerate(words):
            if flag == "vn" and j + 1 < len(words) and words[j + 1][0] in ("了", "过", "着"):
                continue  # 影响了: a verb here, the question asks what it did
            if not re.fullmatch(r"[\u4e00-\u9fff]+", word):
                after_kind = False
                continue
            if flag.startswith(("ns", "nr")) or _PLACE_WORD.search(word):
                continue  # a place or a person: which library is asked about is settled by the library check
            is_noun = flag.startswith(_NOUN_FLAGS)
            if after_kind and is_noun:
                continue  # 哪些措施 / 哪几方面措施: the kind of answer
            after_kind = False
            if not is_noun:
                continue
            word = _TRAILING_PLACE.sub("", _LEADING_MEASURE.sub("", word) if len(word) >= 3 else word)
            if word.endswith("馆") and (len(word) >= 3 or word[0] in "省市县区镇乡") and word != "图书馆":
                continue  # a kind of library or a library's short name: the organisation, not the subject
            if len(word) < 2 or word in _FRAMING or word in _GENERIC or _DEICTIC_PLACE.match(word):
                continue
            terms.append(word)
    return tuple(dict.fromkeys(terms))


# Words of library work that documents write another way: a term counts as found when one of its
# equivalents is (报刊 → 报纸, 期刊).
_EQUIVALENTS = {
    "报刊": ("报纸", "期刊", "杂志"),
    "书刊": ("图书", "期刊", "报纸"),
    "进馆": ("入馆", "到馆", "接待"),
    "入馆": ("进馆", "到馆", "接待"),
    "到馆": ("进馆", "入馆", "接待"),
    "借阅": ("外借", "借出", "流通", "借还"),
    "外借": ("借阅", "借出", "流通"),
    "借书证": ("读者证", "借阅证", "办证", "新证", "读者卡", "借书卡"),
    "读者证": ("借书证", "借阅证", "办证", "新证", "读者卡", "借书卡"),
    "借阅证": ("借书证", "读者证", "办证", "新证", "读者卡", "借书卡"),
    "员工": ("职工", "工作人员", "在编"),
    "职工": ("员工", "工作人员", "在编"),
    "新书": ("新增图书", "新购图书", "采购图书", "购置图书", "新购"),
    # everyday words for what reports write formally
    "为止": ("截止", "截至"),
    "对子": ("结对",),
    "结对子": ("结对",),
    "建党": ("党成立", "建党"),
    "网上": ("线上", "网络", "云上", "在线"),
    "线上": ("网上", "网络", "云上", "在线"),
    "座位": ("座席", "坐席", "席位"),
    "坐席": ("座位", "座席", "席位"),
    "座席": ("座位", "坐席", "席位"),
    "建馆": ("建立", "成立", "建成"),
    "借书": ("借阅", "借还", "外借", "借出"),
    "借出": ("外借", "借阅", "借还"),
    "半夜": ("夜间", "24小时", "全天"),
    "夜里": ("夜间", "24小时", "全天"),
    "深夜": ("夜间", "24小时", "全天"),
    "还书": ("借还", "归还"),
    "增幅": ("增长", "增加", "提高", "上升"),
    "降幅": ("下降", "减少", "降低"),
    "少儿": ("儿童", "少年儿童", "未成年", "青少年", "亲子", "绘本"),
    "儿童": ("少儿", "少年儿童", "未成年", "亲子", "绘本"),
    "未成年": ("少儿", "儿童", "青少年", "中小学生"),
    "增长率": ("增长", "增幅", "增速", "提高", "上升"),
    "增速": ("增长", "增幅", "增长率", "提高", "上升"),
    "涨幅": ("增长", "增幅", "增速", "提高", "上升"),
}


def equivalents(term: str) -> tuple[str, ...]:
    """The words documents write for a term of library work (报刊 → 报纸, 期刊, 杂志)."""
    return _EQUIVALENTS.get(term, ())


def missing_terms(question: str, passages: list[str], documents: Sequence[str] = ()) -> list[str]:
    """The question's key terms that no passage contains (a name — 某地, 某人 — may stand anywhere in their documents)."""
    flat = [re.sub(r"\s+", "", p) for p in passages]
    # 总流通42540人次 holds 总流通人次: a figure's name may wrap around its number
    evidence = "".join(flat) + "\n" + "\n".join(without_numbers(p) for p in flat)
    whole = "".join(re.sub(r"\s+", "", d) for d in documents)
    return [t for t in key_terms(question) if not _held(t, evidence) and not (_is_name(t) and t in whole)]


_FIGURE_NUMBER = re.compile(r"\d[\d.,]*\s*(?:万|亿|千)?\s*(?:余|多)?")


def without_numbers(text: str) -> str:
    """总流通42540人次 → 总流通人次: a figure's name may wrap around its number."""
    return _FIGURE_NUMBER.sub("", text)


# 种数, 册数, 场次, 人次: a count in a measure word, which documents write as a number in that measure (248种,
# 268场).
_COUNT_OF_MEASURE = re.compile(r"^([种册场次个件台篇期项家所座间人])(?:数|次)$")


def _held(term: str, evidence: str) -> bool:
    """The term, a word documents write for it, each word of a compound (报纸杂志: 报纸 and 杂志), or a
    count in a measure (种数) as numbers in that measure."""
    if term in evidence or any(e in evidence for e in _EQUIVALENTS.get(term, ())):
        return True
    measure = _COUNT_OF_MEASURE.match(term)
    if measure and re.search(rf"\d\s*(?:余|多)?\s*(?:万|千)?{measure.group(1)}", evidence):
        return True
    parts = compound_parts(term)
    return len(parts) >= 2 and all(_held(p, evidence) for p in parts)


@lru_cache(maxsize=4096)
def compound_parts(term: str) -> tuple[str, ...]:
    """The words of two characters or more that a compound is made of, in order (报纸杂志 → 报纸, 杂志), or ()."""
    words = {w for w in jieba.lcut_for_search(term, HMM=False) if 2 <= len(w) < len(term)}
    parts, at = [], 0
    while at < len(term):
        word = max((w for w in words if term.startswith(w, at)), key=len, default=None)
        if word is None:
            return ()
        parts.append(word)
        at += len(word)
    return tuple(parts)


@lru_cache(maxsize=4096)
def _is_name(word: str) -> bool:
    flags = [w.flag for w in pseg.lcut(word)]
    return len(flags) == 1 and flags[0] in ("ns", "nr", "nt", "nrt", "nrfg", "nz")


_CN_NUMERAL = "零一二两三四五六七八九十百千万"
# 十二, 两千三百, 一百: a number in Chinese numerals, not 一 alone (一是, 一批); the home of this rule
CN_NUMBER = rf"[二两三四五六七八九十][{_CN_NUMERAL}]*|一[十百千万][{_CN_NUMERAL}]*"
# 十二场, 两台, 一百余册: such a number before its measure word
_CN_COUNT = re.compile(
    rf"({CN_NUMBER})"
    r"(?=\s*(?:余|多)?\s*(?:个|场|台|次|家|名|人|册|项|期|所|间|种|位|篇|本|批|处|座|条|件|天|套))"
)


def with_arabic_counts(text: str) -> str:
    """The text with counts in Chinese numerals written in digits (十二场 → 12场), for checks that a
    sentence states a number; what is shown to staff keeps the document's own words."""

    def digits(m: re.Match) -> str:
        try:
            return str(int(cn2an.cn2an(m.group(1), "normal")))
        except (ValueError, KeyError):
            return m.group(0)

    return _CN_COUNT.sub(digits, text)


def states_number_for(question: str, sentence: str, gap: int = 8) -> bool:
    """Whether the sentence puts a number (not a year) right after one of the question's key terms:
    接待读者192万人次 states a figure for 读者; a title naming 读者 and a year does not."""
    sentence = with_arabic_counts(sentence)
    terms = key_terms(question)
    if not terms:
        return True
    words = [w for t in terms for w in (t, *_EQUIVALENTS.get(t, ()))]
    pattern = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    if re.search(rf"(?:{pattern})[^。；;\d]{{0,{gap}}}(?!(?:19|20)\d{{2}}\s*年)\d", sentence):
        return True
    # 总流通人次 asked, 总流通42540人次 written: the name wraps around its number
    for w in words:
        m = _UNIT_TAIL.search(w)
        if (
            m
            and m.start() >= 2
            and re.search(
                rf"{re.escape(w[: m.start()])}[^。；;\d]{{0,{gap}}}\d[\d.,]*\s*(?:万|亿|千)?\s*(?:余|多)?{re.escape(m.group(0))}",
                sentence,
            )
        ):
            return True
    return False


_UNIT_TAIL = re.compile(r"(?:人次|册次|场次|册|件|种|场|次)$")


_AFTER_PLACE = re.compile(
    r"(?:省|市|县|区|旗|州|公共|图书馆|馆|全省|全市|各地|\d|去年|今年|前年|明年|上年|近|和|与|及|、|跟)"
)
_BEFORE_PLACE = re.compile(r"(?:和|与|及|、|跟|同)$")
_OPENING = re.compile(r"(?:(?:19|20)\d{2}\s*年?(?:度|底|末|初)?)?")  # the question's start, a year at most
_PLACE_SUFFIX = re.compile(r"(?:省|市|县|区|旗|州|盟|自治区|特别行政区)$")


@lru_cache(maxsize=2048)
def places_named(question: str) -> tuple[str, ...]:
    """The places a question names (某某省 → 某某, 某某市 → 某某): a document about somewhere else does
    not answer it. Words like 本市, 全区 point back at the library asked about and are not places."""
    load_vocabulary()
    found = []
    at = 0
    for w in pseg.lcut(question):
        start, at = at, at + len(w.word)
        if not w.flag.startswith("ns") or len(w.word) < 2 or _DEICTIC_PLACE.match(w.word):
            continue
        # A word the segmenter calls a place is one only where it is used as one: named with its
        # suffix (某某市), before a library, a year or another place, or opening the question.
        # 新建 in 新建了几间 is a verb.
        if not (
            _PLACE_SUFFIX.search(w.word)
            or _OPENING.fullmatch(question[:start])
            or _AFTER_PLACE.match(question, at)
            or _BEFORE_PLACE.search(question[:start])
        ):
            continue
        word = w.word[:-1] if w.word.endswith("馆") and len(w.word) >= 3 else w.word  # 桐川馆: the library of 桐川
        stem = _PLACE_SUFFIX.sub("", word)
        found.append(stem if len(stem) >= 2 else word)
    return tuple(dict.fromkeys(found))


# After a library's name these words make it the name of a field or a body (某市图书馆行业, 某省图书馆学会).
_NOT_THE_LIBRARY = "行业|学会|协会|界|事业|系统"


def library_mentioned(name: LibraryName, texts: list[str]) -> bool:
    """Whether any text names this library, by full name or a common short form."""
    pattern = re.compile("|".join(rf"{re.escape(f)}(?!{_NOT_THE_LIBRARY})" for f in name.forms()))
    return any(pattern.search(text) for text in texts)


__all__ = [
    "with_arabic_counts",
    "equivalents",
    "key_terms",
    "places_named",
    "library_mentioned",
    "library_names",
    "missing_terms",
    "states_number_for",
]
