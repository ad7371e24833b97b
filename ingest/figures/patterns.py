"""Units and the number pattern: what counts as a figure, its unit, its qualifier, where its clause starts."""

from __future__ import annotations

import re

import cn2an

# Units, longest first so that 万册次 wins over 万册 and 场次 over 场.
_COUNT_UNITS = (
    "个工作日",
    "平方米",
    "人次",
    "册次",
    "场次",
    "篇次",
    "小时",
    "个月",
    "课时",
    "册",
    "次",
    "人",
    "名",
    "位",
    "种",
    "篇",
    "条",
    "个",
    "间",
    "家",
    "所",
    "项",
    "期",
    "场",
    "天",
    "台",
    "份",
    "件",
    "部",
    "座",
    "处",
    "批",
    "支",
    "门",
    "岁",
    "元",
    "TB",
    "GB",
    "套",
    "辆",
    "周",
    "张",
)


_UNITS = sorted(_COUNT_UNITS, key=len, reverse=True)


_UNIT_RE = "|".join(re.escape(u) for u in _UNITS)
COUNT_UNIT_PATTERN = _UNIT_RE  # every count unit a figure is read with, longest first


_PREFIX_QUALIFIERS = (
    "远超",
    "超过",
    "不少于",
    "不低于",
    "不超过",
    "不足",
    "不到",
    "至少",
    "大约",
    "近",
    "超",
    "逾",
    "约",
    "达",
)


# A bare 万 before people counts them: 超11万群众 → 11 万人.
_PEOPLE_NOUNS = "群众|读者|市民|观众|儿童|学生|居民|游客"


_NUMBER = re.compile(
    rf"(?P<num>\d+(?:\.\d+)?)(?P<suf1>多|余)?(?P<mag>万|亿)?(?P<suf2>多|余)?"
    rf"(?:(?P<pct>%|‰)|(?P<unit>{_UNIT_RE})|(?<=万)(?P<people>(?=(?:名)?(?:{_PEOPLE_NOUNS})))"
    rf"|(?<=[万亿])(?P<bare>(?![\u4e00-\u9fff\d])))"
)


# 外借册次达114.8万, 累计注册读者达401万: a number in 万 with no unit after it counts in the unit its name
# ends with (a count's unit, or people for readers and users).
_NAME_UNIT = re.compile(
    rf"(?:(?P<unit>{_UNIT_RE})|(?P<people>{_PEOPLE_NOUNS}|用户|粉丝|会员))(?:数|总数|量)?"
    r"(?:已|共|累计)?(?:达到|达|为|是|约|近|突破|超过|逾|有)*$"
)


_CLAUSE_BREAK = re.compile(r"[，。；！？：,;!?:]")


_SENTENCE_END = re.compile(r"[。！？!?]")


_TITLE_SPANS = re.compile(r"《[^》]*》|“[^”]*”|\"[^\"]*\"|「[^」]*」")


_DATE_AFTER = re.compile(r"^(?:年|月|日|号|时|届|级|批次|号文|周年)")


_ORDINAL_BEFORE = re.compile(r"(?:第|No\.?|NO\.?|编号|代码|电话)$")


def magnitude(mag: str | None) -> float:
    return {"千": 1e3, "万": 1e4, "亿": 1e8}.get(mag or "", 1.0)


def split_unit(unit: str) -> tuple[float, str]:
    """'万册次' → (10000, '册次'); '千人次' → (1000, '人次'); '%' → (1, '%')."""
    if unit and unit[0] in "千万亿" and len(unit) > 1:
        return magnitude(unit[0]), unit[1:]
    return 1.0, unit


# 三百五十四天, 一百零四场, 三十八万人次: a count in Chinese numerals before its unit, of two characters at least:
# 两个项目, 三种类型, 一批 count the items of a sentence, not a library's work.
_CN_COUNT = re.compile(
    rf"(?<![零一二两三四五六七八九十百千万亿])(?P<cn>[二两三四五六七八九十][零一二三四五六七八九十百千]+|一[十百千][零一二三四五六七八九十百千]*)"
    rf"(?=(?:多|余)?(?:万|亿)?(?:多|余)?(?:{_UNIT_RE}))"
)


def _in_digits(m: re.Match[str]) -> str:
    """The numeral in digits, zero-padded to its own length (三百五十四 → 00354), so that every position in
    the text stays where it was; left as it is when its digits are longer (十 → 10)."""
    numeral = m.group("cn")
    try:
        digits = str(int(cn2an.cn2an(numeral, "normal")))
    except (ValueError, KeyError):
        return numeral
    return digits.rjust(len(numeral), "0") if len(digits) <= len(numeral) else numeral


def _masked(text: str) -> str:
    """Text with titles and quoted names blanked out and counts in Chinese numerals in digits, same length:
    numbers in titles are names, and 三百五十四天 is a figure as 354天 is."""
    return _CN_COUNT.sub(_in_digits, _TITLE_SPANS.sub(lambda m: "□" * len(m.group(0)), text))


def _not_a_figure(mtext: str, m: re.Match[str]) -> bool:
    before = mtext[: m.start()]
    after = mtext[m.end() :]
    if _ORDINAL_BEFORE.search(before):
        return True
    if before.endswith(("·", ".", "-", "/", "—")) and not before.endswith(("……",)):
        return True
    if m.group("unit") in ("个月",) and _DATE_AFTER.match(after):
        return True
    if m.group("unit") == "周" and after.startswith(("年", "岁")):
        return True  # 建党100周年, 18周岁: an anniversary or an age, not a count of weeks
    if before and (before[-1].isdigit()):
        return True
    # "2024年" never reaches here (年 is no unit); "12月31日" neither. "1个月" is a duration: kept.
    return False


def _unit_of(m: re.Match[str], before: str) -> str:
    """The figure's unit; for a bare 万 the unit its name ends with, "" when the name gives none."""
    mag = m.group("mag") or ""
    if m.group("pct"):
        return m.group("pct")
    if m.group("bare") is not None:
        named = _NAME_UNIT.search(before[_last_break(before, len(before)) :])
        if named is None:
            return ""
        return mag + (named.group("unit") or "人")
    if m.group("people") is not None and m.group("unit") is None:
        return mag + "人"
    return mag + m.group("unit")


def _last_break(mtext: str, pos: int) -> int:
    last = 0
    for b in _CLAUSE_BREAK.finditer(mtext, 0, pos):
        last = b.end()
    return last


def _qualifier(before: str, m: re.Match[str]) -> str | None:
    for q in _PREFIX_QUALIFIERS:
        if before.endswith(q) and q != "达":
            return q
    suffix = m.group("suf1") or m.group("suf2")
    if suffix:
        return suffix
    return None


def _counts_with_classifier(unit: str) -> bool:
    return split_unit(unit)[1] in ("个", "名", "位", "所", "家", "项", "种", "条", "台", "座", "处", "支", "批")
