"""The figures arithmetic works on: each quantity a passage or a metrics row states, with its own words."""

from __future__ import annotations

import re
from dataclasses import dataclass

import cn2an

from ..evidence import CN_NUMBER

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
    "座",
    "辆",
    "小时",
    "%",
)

UNIT_PATTERN = "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))

# 56万余册 and 50余万册 alike: 余/多 before or after the magnitude
_FIGURE = re.compile(
    rf"(?<![\d.])(\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(余|多)?\s*(万|亿)?\s*(余|多)?\s*"
    rf"({UNIT_PATTERN})(以上|余|多)?"
)

# 十五个, 两千三百册, 一百余场: not 一 alone (一是, 一批), and not 分 (十分重要 is no score).
_CN_FIGURE = re.compile(
    rf"({CN_NUMBER})\s*(余|多)?\s*"
    rf"({'|'.join(sorted((re.escape(u) for u in _UNITS if u not in ('分', '%')), key=len, reverse=True))})"
)

# Nouns for people, which count in 人 with no measure word: 超11万群众共享, 几万读者.
PEOPLE_NOUNS = "群众|读者|市民|居民|观众|游客|学生|儿童|少儿|孩子|家长|志愿者|人员|用户|村民"
_PEOPLE_FIGURE = re.compile(rf"(?<![\d.])(\d+(?:\.\d+)?)\s*(余|多)?\s*(万|亿)?\s*(余|多)?\s*({PEOPLE_NOUNS})")

_CLAUSE_END = re.compile(r"[，,。；;！？!?\n、：:（）()]")

SCALE = {"万": 1e4, "亿": 1e8, "千": 1e3}


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
    indicator: str = ""  # the metrics table's name for it, which one figure's target and result share

    @property
    def plain(self) -> float:
        return self.value * SCALE.get(self.magnitude, 1.0)


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
    for m in _PEOPLE_FIGURE.finditer(text):
        found.append(
            (float(m.group(1)), m.group(3) or "", "人", m.group(0), m.start(), m.end(), bool(m.group(2) or m.group(4)))
        )
    for m in _CN_FIGURE.finditer(text):
        try:
            value = float(cn2an.cn2an(m.group(1), "normal"))
        except (ValueError, KeyError):
            continue
        if value >= 2:
            found.append((value, "", m.group(3), m.group(0), m.start(), m.end(), bool(m.group(2))))
    return sorted(found, key=lambda f: f[4])


_ONLY_LINKING = re.compile(r"\s*(?:共计|合计|累计|总计|达到|达|为|是|有|约|近|超过|逾|共|计|了)*\s*")


def passage_operands(chunk) -> list[Operand]:
    text = chunk.text
    out: list[Operand] = []
    for value, magnitude, unit, stated, at, end_at, approx in _numbers(text):
        start = max((e.end() for e in _CLAUSE_END.finditer(text, 0, at)), default=0)
        while start > 0 and text[start - 1] == "、":  # 全年接待、服务市民14万人次: the listed verbs are its words
            before = max((e.end() for e in _CLAUSE_END.finditer(text, 0, start - 1)), default=0)
            if re.search(r"\d", text[before : start - 1]):
                break  # 图书400册、期刊200册: the item before has a figure of its own
            start = before
        if start > 0 and _ONLY_LINKING.fullmatch(text[start:at]) and text[start - 1] in "，,":
            # 70后读者借阅人次紧随其后，达114894人次: a clause that only links gives the figure no name; the
            # clause before names it, when it states no figure of its own
            before = max((e.end() for e in _CLAUSE_END.finditer(text, 0, start - 1)), default=0)
            if not _numbers(text[before : start - 1]):
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


def row_operand(row) -> Operand:
    magnitude = row.unit[0] if row.unit[:1] in SCALE else ""
    # The document's phrase names the figure; a phrase too short to name anything (的) leaves the indicator's name
    name = row.phrase if len(letters_of(row.phrase or "")) >= 2 else row.indicator
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
        indicator=row.indicator,
    )


def letters_of(text: str) -> str:
    """Chinese characters and Latin letters only: what names are compared on."""
    return _NOT_LETTERS.sub("", text)


_NOT_LETTERS = re.compile(r"[^\u4e00-\u9fffA-Za-z]")


@dataclass
class Result:
    value: float
    unit: str  # with magnitude
    formula: str  # "8.20万 + 4.15万"
    operands: list[Operand]
    label: str


def same_scale(ops: list[Operand]) -> tuple[str, float]:
    magnitude = ops[0].magnitude if len({o.magnitude for o in ops}) == 1 else ""
    return magnitude, SCALE.get(magnitude, 1.0)
