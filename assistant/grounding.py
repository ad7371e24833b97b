"""A model's answer checked claim by claim against the passages each claim cites.

A model can be steered by what it reads (a passage written to look like an
instruction) or can simply be wrong. A number found in *some* cited passage,
or a citation sharing a few words with its sentence, proves little: a planted
figure, a telephone number with a request to transfer money, an image whose
address carries data out, or a claim pinned on an unrelated passage all pass
such checks. So the answer is cut into claims (the text up to each group of
[n] marks) and every claim has to stand on the passages it cites itself:

- each figure in it (value and unit; 万/亿, full-width digits and spacing
  normalised) stands in one of those passages, or is a verified figure from
  the metrics table taken from one of those documents;
- each web address, e-mail address or telephone number in it stands in one
  of those passages;
- most of its content words stand in those passages (words the question
  itself used tell nothing new and are not counted).

Images and links are never part of a plain-text answer. A citation mark whose
passage supports nothing in its claim is removed; a claim left without support
is reported, and the caller fails closed on any report.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ingest.indicators import units_compatible

from .prompts import NO_ANSWER as NO_INFO
from .types import FigureUsed
from .verify import numbers_in

# Share of a claim's content words its cited passages must contain: a paraphrase keeps most of
# its source's words, a claim pinned on an unrelated passage shares a few common ones at best.
CONTENT_SHARE = 0.6

# Measure words a figure can carry, longest first (万/亿 are read as magnitudes, not units).
_UNITS = sorted(
    (
        "个百分点",
        "个工作日",
        "平方米",
        "人次",
        "册次",
        "场次",
        "件次",
        "小时",
        "个月",
        "课时",
        "%",
        "‰",
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
        "套",
        "辆",
        "周",
    ),
    key=len,
    reverse=True,
)
_MARK = re.compile(r"\[(\d+)\]")
_PIECE = re.compile(r".*?(?:\[\d+\])+", re.S)  # text up to and including one group of marks
_SENTENCE = re.compile(r"[^。！？\n]+[。！？\n]*|[。！？\n]+")

# Markup a plain-text answer never needs: an image is fetched by the reader's client the moment
# it is shown, so its address can carry data out; a link hides where it leads.
_MARKUP = re.compile(
    r"!\[[^\]]*\]\([^)]*\)|\[[^\]]*\]\(\s*(?:[a-z][a-z0-9+.-]*:|/|www\.)[^)]*\)"
    r"|<\s*(?:img|a|iframe|script|link|object|embed)\b[^>]*>",
    re.I,
)
_CONTACTS = (
    ("url", re.compile(r"(?:(?:https?|ftp)://|www\.)[^\s<>\"'，。；！？、（）()【】\[\]]+", re.I)),
    (
        "url",
        re.compile(
            r"(?<![\w@./-])(?:[a-z0-9-]+\.)+(?:com|cn|net|org|gov|edu|io|top|xyz|cc|me|info|site|online|app)"
            r"(?:/[^\s<>\"'，。；！？、（）()【】\[\]]*)?(?![\w.-])",
            re.I,
        ),
    ),
    ("email", re.compile(r"[\w.+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+", re.I)),
    ("phone", re.compile(r"(?<![\d.])(?:\+?86[-\s]?)?1[3-9]\d(?:[-\s]?\d{4}){2}(?![\d.])")),
    # A landline with its area code; a bare run of digits is a figure and is checked as one.
    ("phone", re.compile(r"(?<![\d.])(?:\(0\d{2,3}\)|0\d{2,3}-)\d{7,8}(?![\d.])|(?<![\d.])0\d{9,11}(?![\d.])")),
    ("phone", re.compile(r"(?<![\d.])[48]00[-\s]?\d{3}[-\s]?\d{4}(?![\d.])")),
)
# Words that frame an answer rather than assert anything ("根据资料", "其余部分").
_FRAMING = frozenset(
    [
        "根据",
        "依据",
        "资料",
        "段落",
        "文档",
        "显示",
        "提到",
        "指出",
        "表示",
        "其中",
        "以及",
        "此外",
        "另外",
        "同时",
        "具体",
        "如下",
        "情况",
        "方面",
        "相关",
        "主要",
        "包括",
        "其余",
        "其他",
        "部分",
        "内容",
        "暂无",
        "目前",
        "没有",
        "信息",
        "该馆",
        "本馆",
        "回答",
        "问题",
        "可以",
        "需要",
        "进行",
        "已经",
        "分别",
        "约",
        "为",
    ]
)


@dataclass(frozen=True)
class Source:
    """A passage a claim may cite: its text and where it stands (title, headings, file, year)."""

    text: str
    file_name: str = ""
    context: str = ""  # document title, heading path, year: what the passage text leaves unsaid


@dataclass
class Result:
    text: str  # the answer with marks that support nothing removed
    problems: list[str] = field(default_factory=list)  # in Chinese, for the model's second attempt
    unverified: list[str] = field(default_factory=list)  # figures no cited passage holds


def normalise(text: str) -> str:
    """Full-width digits and signs folded, spacing and digit grouping removed, lower case."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text)
    return re.sub(r"\s+", "", text).lower()


def figures_in(text: str) -> list[tuple[str, float, str]]:
    """(as written, plain value, unit) of every figure in normalised text; years and [n] marks skipped."""
    out = []
    for written, value, start, end in numbers_in(text):
        tail = text[start:end][len(written) :]
        unit = next((u for u in _UNITS if tail.startswith(u)), "")
        out.append((written + unit, value, unit))
    return out


def contacts_in(text: str) -> list[tuple[str, str]]:
    """(kind, comparable form) of every web address, e-mail address and telephone number."""
    found = []
    for kind, pattern in _CONTACTS:
        for m in pattern.finditer(text):
            found.append((kind, re.sub(r"\D", "", m.group(0)) if kind == "phone" else m.group(0).rstrip(".").lower()))
    return found


def years_in(text: str) -> set[str]:
    return set(re.findall(r"(?<!\d)((?:19|20)\d{2})(?=年)", text))


def content_terms(text: str, question: str = "") -> list[str]:
    """The words a claim asserts: not figures, not framing words, not words ``question`` used."""
    from index.tokenize import tokenize

    plain = re.sub(r"\d+(?:\.\d+)?", " ", _MARK.sub(" ", text))
    return [
        t
        for t in dict.fromkeys(tokenize(plain))
        if len(t) >= 2 and t not in _FRAMING and not (question and t in question)
    ]


def _same_figure(value: float, unit: str, other_value: float, other_unit: str) -> bool:
    if not unit or not other_unit:  # a table cell "208.37" under a （万次） header
        return round(value, 6) in (round(other_value, 6), round(other_value * 1e4, 6))
    same_unit = unit == other_unit or units_compatible(unit, other_unit)
    return same_unit and round(value, 6) == round(other_value, 6)


def _table_figure(f: FigureUsed) -> tuple[float, str]:
    scale = 1e4 if f.unit.startswith("万") else (1e8 if f.unit.startswith("亿") else 1.0)
    unit = f.unit[1:] if scale != 1.0 else f.unit
    return f.value * scale, unit


def _from_sources(figures: list[FigureUsed], sources: list[Source]) -> list[FigureUsed]:
    """Verified figures a claim citing ``sources`` may use: those of the cited documents, and derived ones."""
    files = {s.file_name for s in sources}
    return [f for f in figures if f.derived or f.source in files]


def _unsupported_figures(claim: str, sources: list[Source], figures: list[FigureUsed]) -> list[str]:
    held = [(v, u) for s in sources for _, v, u in figures_in(normalise(s.text))]
    held += [_table_figure(f) for f in _from_sources(figures, sources)]
    return [
        written
        for written, value, unit in figures_in(claim)
        if not any(_same_figure(value, unit, v, u) for v, u in held)
    ]


def _where(sources: list[Source]) -> str:
    return "".join(normalise(s.context + "|" + s.file_name + "|" + s.text) + "|" for s in sources)


def _supports(claim: str, sources: list[Source], figures: list[FigureUsed], years: set[str]) -> list[str]:
    """Why ``sources`` do not support ``claim`` (empty when they do); ``years`` are known besides theirs."""
    if not sources:
        return ["没有标注出处编号，或所标出处与这句话无关"]
    why = []
    missing = _unsupported_figures(claim, sources, figures)
    if missing:
        why.append("数字在所引段落中找不到：" + "、".join(missing))
    where = _where(sources)
    known_years = years | years_in(where) | {str(f.year) for f in _from_sources(figures, sources) if f.year}
    if years_in(claim) - known_years:
        why.append("年份在所引段落中找不到：" + "、".join(sorted(years_in(claim) - known_years)))
    phones = {value for kind, value in contacts_in(where) if kind == "phone"}
    if any(value not in (phones if kind == "phone" else where) for kind, value in contacts_in(claim)):
        why.append("含有所引段落中没有的网址、邮箱或电话")
    terms = content_terms(claim)
    if terms and sum(t in where for t in terms) / len(terms) < CONTENT_SHARE:
        why.append("所引段落不支持这句话的内容")
    return why


def _relates(claim: str, source: Source, figures: list[FigureUsed]) -> bool:
    """Whether one cited passage bears on the claim: one of its figures, or (without figures) most of its words."""
    stated = figures_in(claim)
    if stated and len(_unsupported_figures(claim, [source], [])) < len(stated):
        return True  # the passage itself holds one of the claim's figures
    derived = [f for f in figures if f.derived]
    if stated and len(_unsupported_figures(claim, [source], derived)) == len(stated):
        return False  # a figure from the same document does not make an unrelated passage a source
    terms = content_terms(claim)
    where = _where([source])
    return not terms or sum(t in where for t in terms) / len(terms) >= CONTENT_SHARE


def sentences(text: str) -> list[list[str]]:
    """Claims by sentence: within a sentence, the text up to each group of [n] marks; a tail joins the claim before."""
    out: list[list[str]] = []
    for sentence in _SENTENCE.findall(text):
        parts = _PIECE.findall(sentence)
        tail = sentence[sum(len(p) for p in parts) :]
        if parts:
            parts[-1] += tail
        else:
            parts = [tail]
        out.append(parts)
    return out


def _says_no_info(claim: str, question: str) -> bool:
    """'其余部分文档中没有相关信息': a statement of what is missing, naming only what was asked."""
    if NO_INFO not in claim or figures_in(claim) or contacts_in(claim):
        return False
    return not content_terms(claim.replace(NO_INFO, " "), question)


def _framing_only(claim: str) -> bool:
    """'具体如下：': nothing asserted, so nothing to cite."""
    return not (content_terms(claim) or figures_in(claim) or contacts_in(claim) or years_in(claim))


def _check_claim(
    piece: str, sources: dict[int, Source], figures: list[FigureUsed], asked: str, years: set[str], result: Result
) -> str:
    """One claim: its problems go to ``result``; returned with the marks that support nothing removed."""
    claim = normalise(_MARK.sub("", piece))
    marks = [int(m) for m in _MARK.findall(piece)]
    if not marks and (_framing_only(claim) or _says_no_info(claim, asked)):
        return piece
    relating = [m for m in dict.fromkeys(marks) if m in sources and _relates(claim, sources[m], figures)]
    cited = [sources[m] for m in relating]
    why = _supports(claim, cited, figures, years)
    if why:
        shown = _MARK.sub("", piece).strip("，,。 \n")
        result.problems.append(f"“{shown[:40]}”：" + "；".join(why))
        result.unverified.extend(_unsupported_figures(claim, cited, figures))
    return _MARK.sub(lambda m: m.group(0) if int(m.group(1)) in relating else "", piece)


def check(text: str, sources: dict[int, Source], figures: list[FigureUsed], question: str = "") -> Result:
    """Each claim of ``text`` against the passages it cites (``sources`` by their [n])."""
    result = Result(text="")
    asked = normalise(question)
    if _MARKUP.search(text):
        result.problems.append("回答含有图片或链接标记，只能使用纯文本")
    kept_text = []
    for claims in sentences(text):
        # "2022年至2024年分别为…[1]、…[2]、…[3]": a year may be borne out by any passage its sentence cites.
        cited_here = [sources[int(m)] for m in _MARK.findall("".join(claims)) if int(m) in sources]
        sentence_years = years_in(_where(cited_here))
        for piece in claims:
            kept_text.append(_check_claim(piece, sources, figures, asked, sentence_years, result))
    stated = figures_in(normalise(text))
    for f in figures:
        value, unit = _table_figure(f)
        if not f.derived and not any(_same_figure(v, u, value, unit) for _, v, u in stated):
            result.problems.append("回答没有照“已核实数字”写出所问的数字")
            break
    result.text = "".join(kept_text)
    return result
