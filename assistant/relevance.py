"""How much of what a question asks about a piece of text holds.

The words of a question are not equal: in 某馆2018年计划开展多少次流动服务 the word 流动服务 picks
the answer out, while 图书馆, 2018 and 计划 stand in every passage of that plan. Each word of the
question is weighted by how rare it is in the knowledge base (its inverse document frequency), the
nouns the question asks about count more, and a text's relevance is the share of that weight it
holds. The same measure ranks evidence sentences and tells whether a specialised answer (a figure
looked up, a plan's items) is about what was asked at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from index.tokenize import tokenize
from ingest import is_row_text

from .evidence import equivalents, key_terms, places_named, with_arabic_counts

# Words every passage of a library's documents shares, and the words that only frame a question.
_UNINFORMATIVE = frozenset(
    [
        "图书馆",
        "图书",
        "书馆",
        "馆",
        "区",
        "全区",
        "全市",
        "全县",
        "本馆",
        "我馆",
        "工作",
        "年度",
        "全年",
        "开展",
        "情况",
        "一年",
        "今年",
        "去年",
        "明年",
        "前年",
        "一共",
        "共",
        "总共",
        "合计",
        "分别",
        "各",
        "其中",
        "哪里",
        "哪儿",
        "多大",
        "多长",
        "多久",
        "是否",
        "有没有",
        "是不是",
        "没有",
        "怎样",
        "为什么",
        "请",
        "告诉",
        "知道",
        "介绍",
        "说说",
        "列出",
        "主要",
        "具体",
        "相关",
        "方面",
        "内容",
        "哪个",
        "哪家",
        "哪天",
        "时候",
        "什么时候",
        "一天",
        "哪一天",
        "几月",
        "几号",
        "几日",
        "何时",
        "哪年",
        "哪一年",
        "几个",
        "几项",
        "几次",
        "现在",
        "目前",
        "当前",
        "如今",
        "截至",
        "截止",
        "年底",
        "年末",
        "年初",
        "去年底",
        "今年底",
        "对比",
        "比较",
        "一下",
        "数量",
        "大概",
        "大约",
        "左右",
    ]
)
_NOUN_WEIGHT = 1.5  # a noun the question asks about outweighs a verb or modifier of equal rarity
_PLACE_WEIGHT = 0.3  # which place is asked about is checked against the documents, not weighed here
_QUOTED_WEIGHT = 2.0
_MIN_SUBJECT_WEIGHT = 1.0
# A question about money, and an amount of money.
_MONEY_QUESTION = re.compile(r"多少钱|花了?多少|多少款|费用|经费|预算|资金|金额|投入|拨款|欠")
_AMOUNT = re.compile(r"\d[\d.,]*(?:万|亿)?元")
# A measure word and a noun after a number: the number counts that noun (158名员工).
_COUNTED_NOUN = re.compile(r"[名个位家所座间台辆本张项条]([\u4e00-\u9fff]{2})")
_AFTER_A_COUNT = frozenset(
    ["以上", "以下", "以内", "左右", "之多", "上下"]
)  # below this a word is too common to be what a number is about
_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,30})[”\"」』]")
_LINE_BREAK = re.compile(r"\n+")
# A sentence ends at 。！？； and at !?; written the Western way when Chinese text follows (一天13场!这些…),
# never inside a link or markup (![图](…), ?a=1).
_SENTENCE_END = re.compile(r"(?<=[。！？；])|(?<=[!?;])(?=[\u4e00-\u9fff“‘（(]|$)")


@dataclass(frozen=True)
class Term:
    word: str
    weight: float
    forms: tuple[str, ...]  # the word and the words documents write for it
    quoted: bool = False  # a name the question puts in quotes


class Relevance:
    """The question's informative words with their weights; `share(text)` is the weight a text holds."""

    def __init__(self, question: str, rarity: Callable[[list[str]], dict[str, float]]):
        nouns = set(key_terms(question))
        # One character alone (谁, 办, 多, 次) says too little about a passage to weigh by its rarity.
        words = [
            t
            for t in dict.fromkeys(tokenize(question))
            if len(t) >= 2
            and t not in _UNINFORMATIVE
            and not re.fullmatch(r"[\d.%]+", t)
            and re.search(r"[\u4e00-\u9fff]", t)
        ]
        words += [n for n in nouns if n not in words]
        places = places_named(question)
        rare = rarity(words) if words else {}
        terms = [Term(w, rare.get(w, 1.0) * _weight(w, nouns, places), (w, *equivalents(w))) for w in words]
        # A name the question quotes (“馆中馆”) is what the answer must be about, whole.
        top = max((t.weight for t in terms), default=1.0)
        for quoted in _QUOTED.findall(question):
            if len(quoted) >= 2:
                terms.append(Term(quoted, top * _QUOTED_WEIGHT, (quoted,), quoted=True))
        self.terms = tuple(terms)
        self.measured = measured_words(question)
        self.asks_money = bool(_MONEY_QUESTION.search(question))
        self.total = sum(t.weight for t in self.terms)

    def share(self, text: str) -> float:
        """The share (0–1) of the question's weight whose words, or their equivalents, the text holds."""
        if not self.total:
            return 0.0
        flat = re.sub(r"\s+", "", text)
        return sum(t.weight for t in self.terms if any(f in flat for f in t.forms)) / self.total

    def unit_share(self, unit: str) -> float:
        """``share`` of a sentence or table row, a row's table caption (表2 某市主要指标｜) counting half:
        every row of the table holds it, so it says which table, not which row answers."""
        _caption, bar, body = unit.partition("｜")
        if not bar or not is_row_text(unit):
            return self.share(unit)
        own = self.share(body)
        return own + 0.5 * (self.share(unit) - own)

    def best_unit(self, text: str) -> str:
        """The sentence (or table row) of a passage that holds most of the question; empty when none holds any."""
        scored = [(self.share(u), -i, u) for i, u in enumerate(units(text)) if len(u) <= _QUOTABLE]
        best = max(scored, default=(0.0, 0, ""))
        return best[2] if best[0] > 0 else ""

    def states_number(self, sentence: str) -> bool:
        """Whether the sentence gives a number for one of the question's informative words: right after
        it (接待读者28500人次, 讲座次数(次)：2016：3384) or right before it (158名员工), not a number
        further along the clause (很少的公共预算,158名员工 gives no budget)."""
        # A quoted name says which thing; the number is of the words around it (注册志愿者, 服务时长).
        plain = [t for t in self.terms if not t.quoted]
        top = max((t.weight for t in plain), default=0.0)
        words = [f for t in plain if t.weight >= max(_MIN_SUBJECT_WEIGHT, top / 2) for f in t.forms]
        words += [f for t in plain if t.word in self.measured for f in t.forms]
        asked = {f for t in self.terms for f in t.forms}
        if not words:
            return True
        flat = re.sub(r"\s+", "", with_arabic_counts(sentence))
        if self.asks_money and _AMOUNT.search(flat):
            return True  # 花多少钱 is answered by an amount in 元, whatever the sentence calls it
        names = "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
        # A number glued to letters or dashes (G258.2, 1672-3791) is a code, not a quantity.
        after = rf"(?:{names})[^。；;\d]{{0,12}}?(?<![A-Za-z\-/.\d])(?!(?:19|20)\d{{2}}年)(\d[\d.,]*(?:万|千|亿)?(?:余|多)?)(.{{0,3}})"
        # 3台自助式图书消毒柜: the words between a measure and the noun describe it, unless a verb starts a
        # new predicate (12个部门开展讲座 counts 部门, not 讲座)
        before = (
            rf"\d[\d.]*(?:万|千|亿)?(?:余|多)?[名个位家所座间台辆本张项条场次册种人处]"
            rf"(?:(?!{_PREDICATE})[\u4e00-\u9fff]){{0,6}}(?:{names})"
        )
        if re.search(before, flat):
            return True
        if re.search(rf"\d[\d.]*\s*[%‰]\s*的?(?:(?!{_PREDICATE})[\u4e00-\u9fff]){{0,6}}(?:{names})", flat):
            return True  # 8%的学生: a share stated before the noun it is a share of
        for m in re.finditer(after, flat):
            counted = _COUNTED_NOUN.match(m.group(2))
            if (
                not counted
                or counted.group(1) in _AFTER_A_COUNT
                or any(counted.group(1) in w for w in asked)
                or any(counted.group(1) in w for w in self.measured)
            ):  # 多少家图书馆: 61家图书馆
                return True  # 158名员工 counts 员工, not the 预算 named before it
        return False

    def missing(self, text: str) -> list[str]:
        flat = re.sub(r"\s+", "", text)
        return [t.word for t in self.terms if not any(f in flat for f in t.forms)]


_PREDICATE = r"开展|举办|组织|参加|参与|接待|完成|进行|实现|服务|培训|建成|建设|提供|开放|达到|共有|为|是|有"
_HOW_MANY = re.compile(r"多少|几(?=[个名位次场间家所项条种册本件张台辆])")
_MEASURE = re.compile(r"^[个名位次场间家所项条种册本件张台辆]?的?")
_LINKING = re.compile(r"(?:是|有|为|达|达到|共|一共|总共|合计|大概|大约|约|需要|了|的|到底|究竟|实际上|实际)+$")


def measured_words(question: str) -> frozenset[str]:
    """What a quantity question counts: the words right after 多少/几 (吸引了多少读者 → 读者) or right
    before it (公共预算是多少 → 预算)."""
    phrases = []
    for m in _HOW_MANY.finditer(question):
        after = _MEASURE.sub("", question[m.end() :])
        head = re.match(r"[\u4e00-\u9fff]{0,4}", after)
        before = _LINKING.sub("", question[: m.start()])
        tail = re.search(r"[\u4e00-\u9fff]{0,3}$", before)
        assert head is not None and tail is not None  # {0,n} matches the empty string too
        phrases.append(head.group(0))
        phrases.append(tail.group(0))
    return frozenset(t for p in phrases for t in tokenize(p) if len(t) >= 2)


def _weight(word: str, nouns: set[str], places: tuple[str, ...]) -> float:
    if any(word in p or p in word for p in places):
        return _PLACE_WEIGHT
    return _NOUN_WEIGHT if word in nouns else 1.0


_QUOTABLE = 200  # a longer unit is a table flattened into a line: pointed at, not quoted


def units(text: str) -> list[str]:
    """A passage's sentences; a line of its own (a list item, a table row) is a unit even without a full stop."""
    out = []
    for line in _LINE_BREAK.split(text):
        if is_row_text(line):
            out.append(line.strip())
        else:
            out += [s.strip() for s in _SENTENCE_END.split(line) if s.strip()]
    return out


def introduces(sentence: str) -> bool:
    """A sentence that ends by announcing what follows (…如下： / …有：), or a ranking's column headings
    (…排行榜 排名 题名 借次): its rows follow."""
    if re.search(r"[:：]\s*$", sentence):
        return True
    ranking = re.search(r"(?:排行榜?|排名|名次|序号)([^。；;！？!?]*)$", sentence)
    return ranking is not None and not re.search(r"\d", ranking.group(1)) and len(ranking.group(1)) <= 20


__all__ = ["Relevance", "introduces", "units"]
