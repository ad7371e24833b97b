"""Figure extraction: every number with a unit, read with its meaning and its source.

A figure is an Arabic-digit number with a unit (or %) that measures the
library's work. It is read with the indicator it measures (mapped to a
canonical name through ``indicators.yaml``), the year it is about, its kind
(actual, target, cumulative, as-of), its scope, a stated change and any
qualifier (近/超/约/多/余/不少于), and the exact span it was read from.

Prose is read clause by clause; tables are read from their cells, never
guessed back from text. Dates, ordinals, numbers inside titles or quoted
names, and change percentages are not figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .indicators import IndicatorList, load_indicators, units_compatible
from .outline import default_period, heading_library, library_names
from .types import Document, Paragraph, Section

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
)
_UNITS = sorted(_COUNT_UNITS, key=len, reverse=True)
_UNIT_RE = "|".join(re.escape(u) for u in _UNITS)
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

_CHANGE = re.compile(
    r"(?:(?:同比|较|比)(?P<base>(?:19|20)\d{2})\s*年(?:同期)?|同比|较上年|比上年|较去年|比去年|环比)?(?P<dir>负增长|增长|增加|上升|提高|提升|下降|减少|降低|回落|下滑|增幅|降幅)"
    r"(?:了|为|达)?(?P<num>[+-]?\d+(?:\.\d+)?)(?P<unit>%|个百分点)"
)
_ABS_CHANGE = re.compile(
    r"(?:较|比)(?:上年|去年|上一年|(?P<year>(?:19|20)\d{2})\s*年(?:底|末)?)(?:同期)?"
    r"(?P<dir>增加|增长|新增|多|减少|下降|少)了?$"
)
_DOWN_WORDS = ("减少", "下降", "少")
_CHANGE_SIGNED = re.compile(r"^[+-]\d+(?:\.\d+)?%$")
_DOWN = ("负增长", "下降", "减少", "降低", "回落", "下滑", "降幅")
_COMPLETION = re.compile(r"(?:目标|任务|计划)[^，。；]{0,12}的$|完成率?(?:为|达)?$|^(?:的)")
_YEAR_MENTION = re.compile(r"(20\d{2}|19\d{2})\s*年")
_YEAR_RANGE_END = re.compile(r"(?:20\d{2})年?\s*(?:至|到|—|-|~)\s*(20\d{2})年")
_AS_OF = re.compile(r"截[至止]")
_TARGET_WORDS = re.compile(r"目标|力争|年初提出|年初确定|预计|争取|计划的|计划(?:新建|完成|达到|开展|举办|新增)")
_NORM_WORDS = re.compile(r"原则上|标准|规范|要求|应当|须")
_TARGET_AFTER = re.compile(r"^(?:的)?(?:年度)?(?:目标|任务)")
# Words that say how a figure relates to the one before rather than what it counts:
# "为年度目标210万次", "由25个工作日缩短至12个工作日", "2022年底38间".
_RELATIONAL = re.compile(
    r"年度|年初|提出|确定|的|目标|任务|力争|为|超额|完成|超过|达到|未|年底|年末|目前|现有|截至|截止|缩短|降至|增至|"
    r"提高|提升|由|从|其中|共|约|新建|分别|计|减少到|增加到|恢复|实现|全年|累计|仅|只有|已|有|占|少于|多于|计划"
)
_CLAUSE_BREAK = re.compile(r"[，。；！？：,;!?:]")
_SENTENCE_END = re.compile(r"[。！？!?]")
_SCOPE_PATTERNS = (
    (re.compile(r"全区总分馆|总分馆体系|全区"), "全区"),
    (re.compile(r"本馆|总馆"), "本馆"),
)
_BRANCH = re.compile(r"([\u4e00-\u9fff]{2,8}?(?:分馆|服务点|驿站))")
_VERB_TAIL = re.compile(
    r"(?:已有|共有|共计|合计|累计|总计|分别|仍有|已|共|达到|达|为|是|有|至|到|约|近|超过|超|逾|发展至|增至|提高到|"
    r"开展了|开展|组织开展了|组织开展|组织|举办了|举办|完成了|完成|接待|服务|吸引|收到|发布|新增|新建)+$"
)
# The library itself as the subject of a clause is not part of the figure's name: 我馆接待读者 → 接待读者.
_SUBJECT = re.compile(r"^(?:[\u4e00-\u9fff]{0,10}?图书馆|[我本全该两各此]馆)")
_HEAD_NOISE = re.compile(
    r"^(?:以上|以下|左右|、|其中|此外|另外|同时|全年|年内|全区|今年|当年|并|和|与|及|以及|共|累计|拟)+"
)
_TITLE_SPANS = re.compile(r"《[^》]*》|“[^”]*”|\"[^\"]*\"|「[^」]*」")
_DATE_AFTER = re.compile(r"^(?:年|月|日|号|时|届|级|批次|号文|周年)")
_ORDINAL_BEFORE = re.compile(r"(?:第|No\.?|NO\.?|编号|代码|电话)$")


@dataclass
class Figure:
    indicator: str
    phrase: str
    value: float
    unit: str
    plain_value: float
    base_unit: str
    year: int | None
    kind: str  # actual | target | cumulative | asof
    scope: str = ""
    as_of: str | None = None
    qualifier: str | None = None
    change_pct: float | None = None
    change_dir: str | None = None  # up | down
    change_text: str | None = None
    # 较2020年增加128个: (amount, up | down, the year compared with) — gives that year's value, 推算
    change_amount: tuple[float, str, int | None] | None = None
    change_base_year: int | None = None  # 同比2018年增长24%: the year a stated change is against
    times_of: tuple[float, int] | None = None  # 是2018年的2.6倍: (multiple, that year)
    derived: bool = False
    formula: str | None = None
    char_start: int = 0
    char_end: int = 0
    quote: str = ""
    chunk_id: str | None = None
    check: str | None = None  # a stated percentage checked against its counts
    stated: str = ""  # the number and unit exactly as written
    org: str = ""  # the library the sentence names as its subject when not the document's own

    def key(self) -> tuple[str, int | None, str, str]:
        return (self.indicator, self.year, self.scope, self.kind)


@dataclass
class _Context:
    doc: Document
    indicators: IndicatorList
    figures: list[Figure] = field(default_factory=list)
    table_unit: tuple[str | None, str] | None = None  # (table, unit) of the last row that stated its unit


def magnitude(mag: str | None) -> float:
    return {"千": 1e3, "万": 1e4, "亿": 1e8}.get(mag or "", 1.0)


def split_unit(unit: str) -> tuple[float, str]:
    """'万册次' → (10000, '册次'); '千人次' → (1000, '人次'); '%' → (1, '%')."""
    if unit and unit[0] in "千万亿" and len(unit) > 1:
        return magnitude(unit[0]), unit[1:]
    return 1.0, unit


def extract_figures(doc: Document, indicators: IndicatorList | None = None, with_derived: bool = True) -> list[Figure]:
    """All figures of a document, in reading order, each tied to the chunk that holds it.

    With ``with_derived`` the prior-year values implied by stated changes follow,
    marked ``derived`` with their formula.
    """
    ctx = _Context(doc, indicators or load_indicators())
    for p in doc.paragraphs:
        if p.kind == "table_row":
            _table_row(ctx, p)
        elif p.kind == "text":
            _prose(ctx, p)
    _attach_chunks(doc, ctx.figures)
    figures = ctx.figures
    if with_derived:
        figures = figures + [d for d in map(derive_prior_year, figures) if d is not None]
    return figures


# -- prose ----------------------------------------------------------------------------------------


def _period(ctx: _Context, p: Paragraph) -> tuple[str, int | None]:
    if p.section is not None:
        return p.section.period_kind, p.section.year
    return default_period(ctx.doc.doc_type, ctx.doc.report_year, ctx.doc.plan_year)


def _masked(text: str) -> str:
    """Text with titles and quoted names blanked out, same length: numbers there are names."""
    return _TITLE_SPANS.sub(lambda m: "□" * len(m.group(0)), text)


def _prose(ctx: _Context, p: Paragraph) -> None:
    period_kind, section_year = _period(ctx, p)
    masked = _masked(p.text)
    start = 0
    for m in _SENTENCE_END.finditer(p.text + "。"):
        end = min(m.end(), len(p.text))
        _sentence(ctx, p, start, end, masked, period_kind, section_year)
        start = end


def _sentence(
    ctx: _Context, p: Paragraph, s0: int, s1: int, masked: str, period_kind: str, section_year: int | None
) -> None:
    text = p.text[s0:s1]
    mtext = masked[s0:s1]
    found: list[Figure] = []
    counts: list[tuple[float, str, str]] = []  # every count in the sentence, figure or not, for share checks
    last_end = 0
    for m in _NUMBER.finditer(mtext):
        if _not_a_figure(mtext, m):
            continue
        if not m.group("pct"):
            unit = _unit_of(m, mtext[: m.start()])
            if not unit:
                continue  # a bare 万 whose name gives no unit
            scale, base = split_unit(unit)
            counts.append((float(m.group("num")) * scale, base, text[m.start() : m.end()]))
        change = _as_change(mtext, m)
        if change is not None:
            if found:
                _set_change(found[-1], *change[:3], base_year=change[3])
            continue
        if m.group("pct") and _COMPLETION.search(mtext[max(0, m.start() - 16) : m.start()]):
            continue  # 完成年度目标的109.16%: an attribute of the figure before, not a figure
        amount = _ABS_CHANGE.search(mtext[max(last_end, _last_break(mtext, m.start())) : m.start()])
        changed = (
            [f for f in found if f.unit == _unit_of(m, mtext[: m.start()])] if amount and not m.group("pct") else []
        )
        if amount and changed and changed[-1].change_amount is None:
            # 共694个，较2020年增加128个: the change of the last figure in that unit (开放24小时 between them
            # counts hours), not a count of its own
            year = int(amount.group("year")) if amount.group("year") else None
            changed[-1].change_amount = (
                float(m.group("num")),
                "down" if amount.group("dir") in _DOWN_WORDS else "up",
                year,
            )
            continue
        fig = _prose_figure(ctx, p, text, mtext, m, last_end, period_kind, section_year, s0, found)
        if fig is None:
            continue
        stock = (
            [
                f
                for f in found
                if f.unit == fig.unit
                and f.kind in ("cumulative", "asof")
                and f.year == fig.year
                and not f.phrase.startswith("新增")
            ]
            if fig.phrase.startswith("新增")
            else []
        )
        if stock and stock[-1].change_amount is None and stock[-1].change_pct is None:
            stock[-1].change_amount = (fig.value, "up", None)  # the stock a year before is the stock less the addition
        fig.org = _subject_library(text[: m.start()], ctx.doc.org) or _section_library(p.section, ctx.doc.org)
        times = _TIMES_OF.match(mtext, m.end())
        if times:
            fig.times_of = (float(times.group("num")), int(times.group("year")))
        found.append(fig)
        found.extend(_each(ctx, fig, text[max(last_end, _last_break(mtext, m.start())) : m.start()]))
        last_end = m.end()
    # A change stated after several figures belongs to the one right before it; done above.
    _check_percentages(found, counts)
    ctx.figures.extend(found)


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


def _not_a_figure(mtext: str, m: re.Match[str]) -> bool:
    before = mtext[: m.start()]
    after = mtext[m.end() :]
    if _ORDINAL_BEFORE.search(before):
        return True
    if before.endswith(("·", ".", "-", "/", "—")) and not before.endswith(("……",)):
        return True
    if m.group("unit") in ("个月",) and _DATE_AFTER.match(after):
        return True
    if m.group("unit") == "周" and after.startswith("年"):
        return True  # 建党100周年: an anniversary, not a count of weeks
    if before and (before[-1].isdigit()):
        return True
    # "2024年" never reaches here (年 is no unit); "12月31日" neither. "1个月" is a duration: kept.
    return False


_INCREMENT = re.compile(r"新增|新购|新入藏|年增")
# 其中，某省图书馆开馆266天: a library named at the start of a clause is what the clause's figures are of.
_CLAUSE_OPENING = re.compile(
    r"(?:^|[，,。；;：:])\s*(?:其中|另外|此外|同时|而)?[，,]?\s*(?:(?:19|20)\d{2}年(?:度)?[，,]?)?\s*$"
)


def _section_library(section: Section | None, own: str) -> str:
    """A section headed by another library's name (2、某某文化中心图书馆): its figures are that library's."""
    name = heading_library(section.path[-1]) if section is not None and section.path else ""
    return name if name and name != own else ""


def _subject_library(before: str, own: str) -> str:
    """The library a sentence's figure is of, when the sentence opens a clause with another library's name."""
    before = before.rsplit("\n", 1)[-1]  # a heading line above is not the sentence
    names = [n for n in library_names(before) if "公共图书馆" not in n.name]
    if not names:
        return ""
    name = names[-1]
    at = before.rfind(name.name)
    # a report by all of a place's libraries (某市公共图书馆) is not by the one library of that place
    own_places = [n.place for n in library_names(own)] if own and "公共图书馆" not in own else []
    if (
        at < 0
        or not _CLAUSE_OPENING.search(before[:at])
        or name.name == own
        or any(p in name.place or name.place in p for p in own_places)
    ):
        return ""
    return name.name


# 新增注册读者近60万，是2018年的2.6倍: the figure is a multiple of that year's
_TIMES_OF = re.compile(r"[，,]?是(?P<year>(?:19|20)\d{2})\s*年(?:同期)?的(?P<num>\d+(?:\.\d+)?)倍")


def _as_change(mtext: str, m: re.Match[str]) -> tuple[float, str, str, int | None] | None:
    """If the number is the percentage (or amount) of a stated change, return it."""
    window = mtext[max(0, m.start() - 12) : m.end()]
    cm = None
    for cm in _CHANGE.finditer(window):  # noqa: B007 - the last match is the one kept
        pass
    if cm is not None and window.endswith(cm.group(0)) and m.group("pct"):
        direction = "down" if cm.group("dir") in _DOWN else "up"
        value = float(cm.group("num"))
        if value < 0:
            direction, value = "down", -value
        return value, direction, cm.group(0), int(cm.group("base")) if cm.group("base") else None
    return None


def _set_change(fig: Figure, pct: float, direction: str, text: str, base_year: int | None = None) -> None:
    fig.change_pct, fig.change_dir, fig.change_text = pct, direction, text
    fig.change_base_year = base_year


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


def _prose_figure(
    ctx: _Context,
    p: Paragraph,
    text: str,
    mtext: str,
    m: re.Match[str],
    last_end: int,
    period_kind: str,
    section_year: int | None,
    s0: int,
    found: list[Figure],
) -> Figure | None:
    unit = _unit_of(m, mtext[: m.start()])
    if not unit:
        return None
    value = float(m.group("num"))
    qualifier = _qualifier(mtext[: m.start()], m)
    clause_start = max(last_end, _last_break(mtext, m.start()))
    left = mtext[clause_start : m.start()]
    right = _right_phrase(mtext[m.end() :])
    unmasked_left = text[clause_start : m.start()]
    indicator, phrase = _indicator(ctx, unmasked_left, right, text[: m.start()], found, unit)
    if indicator is None and (not phrase or _ADMIN_UNITS.match(right) or _CONTEXT_PHRASE.search(phrase)):
        return None  # 全区292个村（社区）, 常住人口68万人: the district's make-up, not the library's work
    year, as_of = _year(mtext[: m.start()], section_year, period_kind)
    kind = _kind(ctx, indicator or phrase, period_kind, mtext[: m.start()], left, as_of, right)
    if qualifier in ("不少于", "不低于", "至少") and _NORM_WORDS.search(text):
        kind = "target"  # "每间驿站使用面积原则上不少于40平方米": a standard set, not a result
    scale, base = split_unit(unit)
    stated = text[m.start() : m.end()]
    return Figure(
        indicator=indicator or phrase,
        phrase=phrase,
        value=value,
        unit=unit,
        plain_value=value * scale,
        base_unit=base,
        year=year,
        kind=kind,
        scope=_scope(left, mtext[: m.start()]),
        as_of=as_of,
        qualifier=qualifier,
        char_start=p.start + s0 + m.start(),
        char_end=p.start + s0 + m.end(),
        quote=text.strip(),
        stated=stated,
    )


def _last_break(mtext: str, pos: int) -> int:
    last = 0
    for b in _CLAUSE_BREAK.finditer(mtext, 0, pos):
        last = b.end()
    return last


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


def _clean_phrase(left: str) -> str:
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
            if _INCREMENT.search(left) and source.kind in ("cumulative", "asof"):
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


def _year(before: str, section_year: int | None, period_kind: str = "report") -> tuple[int | None, str | None]:
    as_of = None
    m_as_of = None
    for m_as_of in _AS_OF.finditer(before):  # noqa: B007 - the last match is the one kept
        pass
    # A year inside a closed aside, "（含2023年顺延项目1间）", says nothing of what follows it.
    visible = re.sub(r"[（(][^（）()]*[）)]", lambda g: "□" * len(g.group(0)), before)
    year = None
    rng = None
    for rng in _YEAR_RANGE_END.finditer(visible):  # noqa: B007 - the last match is the one kept
        pass
    clause_start = _last_break(visible, len(visible))
    mentions = [
        y
        for y in _YEAR_MENTION.finditer(visible)
        if y.start() >= clause_start or y.start() <= 4 or visible[y.end() : y.end() + 1] in ("，", ",")
    ]
    if rng is not None and (not mentions or mentions[-1].end() <= rng.end()):
        start_year = re.match(r"(20\d{2})", rng.group(0))
        from_start = re.search(r"(?:由|从)$", before.rstrip())
        year = int(start_year.group(1)) if from_start and start_year else int(rng.group(1))
    elif mentions:
        year = int(mentions[-1].group(1))
        if period_kind == "plan" and section_year and year < section_year:
            year = section_year  # "2023年顺延的…": where a plan item came from, not the year it plans
    if m_as_of is not None:
        tail = before[m_as_of.end() : m_as_of.end() + 16]
        d = re.match(r"\s*(?:(20\d{2})\s*年)?\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?", tail)
        if d:
            y = int(d.group(1)) if d.group(1) else (year or section_year)
            as_of = f"{y}-{int(d.group(2)):02d}" + (f"-{int(d.group(3)):02d}" if d.group(3) else "")
            year = y
    if year is None:
        year = section_year
    return year, as_of


def _kind(
    ctx: _Context, indicator: str, period_kind: str, before: str, left: str, as_of: str | None, right: str = ""
) -> str:
    if period_kind == "plan":
        return "target"
    if _TARGET_WORDS.search(left) or _TARGET_AFTER.match(right):
        return "target"
    if "累计" in left or ctx.indicators.is_stock(indicator):
        return "cumulative"
    if as_of or _AS_OF.search(before):
        return "asof"
    return "actual"


_NOT_A_BRANCH = re.compile(
    r"总分馆|全年|年内|新建|新设|新增|验收|升级|建成|各|区内|全区|单间|每间|个别|平均|部分|读书驿站$|^(?:区|村|社区)"
)


def _scope(left: str, before: str) -> str:
    branch = _BRANCH.search(_HEAD_NOISE.sub("", left))
    if branch and branch.start() == 0 and not _NOT_A_BRANCH.search(branch.group(1)):
        return branch.group(1)
    subject = _BRANCH.match(_HEAD_NOISE.sub("", before.lstrip("一二三四五六七八九十是、，")))
    if subject and not _NOT_A_BRANCH.search(subject.group(1)):
        return subject.group(1)  # "高新分馆于…开放，建筑面积2000平方米": the sentence is about the branch
    for pattern, name in _SCOPE_PATTERNS:
        if pattern.search(before):
            return name
    return ""


def _check_percentages(found: list[Figure], counts: list[tuple[float, str, str]]) -> None:
    """A stated share checked against two counts in the same sentence: 231/292 → 79.1% ✓."""
    for f in found:
        if f.unit != "%":
            continue
        decimals = len(f.stated.split(".")[1].rstrip("%‰")) if "." in f.stated else 0
        for i, (a, a_unit, a_text) in enumerate(counts):
            for j, (b, b_unit, b_text) in enumerate(counts):
                if i == j or b == 0 or a_unit != b_unit or a > b:
                    continue
                share = round(a / b * 100, decimals)
                if abs(share - f.value) < 10**-decimals / 2 + 1e-9:
                    f.check = f"{a_text}/{b_text}={share:.{decimals}f}% ✓"
                    break
            if f.check:
                break


# -- tables ---------------------------------------------------------------------------------------

_HEADER_UNIT = re.compile(r"[（(]([^（）()]+)[）)]\s*$")
_CELL_NUMBER = re.compile(r"^([+-]?\d[\d,]*(?:\.\d+)?)(%?)$")
_CHANGE_HEADER = re.compile(r"同比|增减|增长|变化|增幅|环比")
# A year column, alone (2023年) or with the part of the whole it reports (总计 2006, 2007 市级).
_YEAR_COLUMN = re.compile(
    r"^(?:(?!截|至|到)([\u4e00-\u9fff]{1,6})\s*)?((?:19|20)\d{2})\s*年?(?:度)?"
    r"(?:\s*(?!末|底|年)([\u4e00-\u9fff]{1,6}))?$"
)
_YEAR_IN_HEADER = re.compile(r"((?:19|20)\d{2})\s*年(?:末|底|度)?")
_YEAR_LABEL = re.compile(r"^((?:19|20)\d{2})\s*年?(?:度)?$")
_PART_OF = re.compile(r"^(?:其中|内含|含)[：:]?\s*")
_SKIP_LABELS = re.compile(r"^(?:注|说明|备注|资料来源|数据来源)")


def _table_row(ctx: _Context, p: Paragraph) -> None:
    if not p.cells or _SKIP_LABELS.match(p.label):
        return
    cells = list(p.cells)
    label = p.label
    unit_cell = next((v for h, v in cells if h in ("单位", "计量单位")), None)
    year_cell = next((v for h, v in cells if h in ("年度", "年份", "年")), None)
    period_kind, section_year = _period(ctx, p)
    year_label = _YEAR_LABEL.match(p.label or "")
    # 1985 | 1.10 | 600: a year per row, an indicator per column
    table_year = int(year_label.group(1)) if year_label else _table_year(ctx, p, year_cell, section_year)
    header_years = {int(y) for h, _ in cells for y in _YEAR_IN_HEADER.findall(h)}
    if table_year is None and len(header_years) == 1:
        table_year = header_years.pop()  # 建筑面积 beside "2024年进馆人次" is of 2024 too
    year_columns = [(h, v) for h, v in cells if _YEAR_COLUMN.match(h)] if not year_label else []
    change_cells = [(h, v) for h, v in cells if _CHANGE_HEADER.search(h)]
    made: list[Figure] = []
    if year_columns and label:
        # An indicator per row, a year per column: 进馆人数 | 万次 | 2022年 | 2023年 …
        stated_unit = unit_cell or _header_unit(label)
        part_of = _PART_OF.match(label)
        if stated_unit is None and part_of and ctx.table_unit and ctx.table_unit[0] == p.table:
            stated_unit = ctx.table_unit[1]  # 其中：藏量购置费 is counted as the row it is part of
        name = _strip_unit(_PART_OF.sub("", label))
        row_indicator = ctx.indicators.canonical(name, stated_unit)
        unit = stated_unit or _default_unit(ctx, row_indicator)
        if stated_unit and not part_of:
            ctx.table_unit = (p.table, stated_unit)
        indicator = row_indicator or name
        for header, value in year_columns:
            column = _YEAR_COLUMN.match(header)
            assert column is not None  # year_columns holds only the headers that match
            part = (column.group(1) or column.group(3) or "").strip()
            fig = _cell_figure(
                ctx,
                p,
                indicator,
                name,
                header,
                value,
                unit,
                int(column.group(2)),
                period_kind,
                scope=_row_scope(part) if part else "",
            )
            if fig:
                made.append(fig)
    else:
        # An entity per row, an indicator per column: 临江分馆 | 进馆人次（万人次） | …
        for header, value in cells:
            if header in ("单位", "计量单位", "年度", "年份", "年") or _CHANGE_HEADER.search(header):
                continue
            name = _strip_unit(_YEAR_IN_HEADER.sub("", header)).strip()
            stated_unit = _header_unit(header) or unit_cell
            indicator = ctx.indicators.canonical(name, stated_unit) or name
            unit = stated_unit or _default_unit(ctx, indicator)
            y = _YEAR_IN_HEADER.search(header)
            year = int(y.group(1)) if y else table_year
            fig = _cell_figure(
                ctx,
                p,
                indicator,
                name,
                header,
                value,
                unit,
                year,
                period_kind,
                scope="" if year_label else _row_scope(label),
            )
            if fig:
                made.append(fig)
    if made and change_cells:
        latest = max(made, key=lambda f: f.year or 0)
        for _, value in change_cells:
            if _CHANGE_SIGNED.match(value.replace(" ", "")):
                pct = float(value.strip().rstrip("%"))
                _set_change(latest, abs(pct), "down" if pct < 0 else "up", value)
    ctx.figures.extend(made)


def _strip_unit(text: str) -> str:
    return _HEADER_UNIT.sub("", text).strip()


def _header_unit(text: str) -> str | None:
    m = _HEADER_UNIT.search(text)
    return m.group(1).strip() if m else None


def _default_unit(ctx: _Context, indicator: str | None) -> str:
    ind = ctx.indicators.get(indicator) if indicator else None
    return (ind.unit if ind and ind.unit else "") or ""


def _row_scope(label: str) -> str:
    label = _strip_unit(label)
    return "全区" if label in ("合计", "总计", "全区") else label


def _table_year(ctx: _Context, p: Paragraph, year_cell: str | None, section_year: int | None) -> int | None:
    if year_cell and re.fullmatch(r"\d{4}", year_cell.strip()):
        return int(year_cell)
    for text in (p.table or "", " ".join(p.section.path) if p.section else ""):
        y = _YEAR_IN_HEADER.search(text)
        if y:
            return int(y.group(1))
    if section_year:
        return section_year
    years = ctx.doc.years
    return years[-1] if len(years) == 1 else (ctx.doc.report_year or None)


def _cell_figure(
    ctx: _Context,
    p: Paragraph,
    indicator: str,
    phrase: str,
    header: str,
    value: str,
    unit: str,
    year: int | None,
    period_kind: str,
    scope: str,
) -> Figure | None:
    m = _CELL_NUMBER.match(value.strip())
    if not m or (not unit and not m.group(2)):
        return None
    number = float(m.group(1).replace(",", ""))
    unit = "%" if m.group(2) else unit
    scale, base = split_unit(unit)
    if period_kind == "plan":
        kind = "target"
    elif ctx.indicators.is_stock(indicator) or "累计" in phrase or "年末" in header:
        kind = "cumulative"
    else:
        kind = "actual"
    start = p.text.find(f"{header}：{value}")
    start = p.start + (start + len(header) + 1 if start >= 0 else 0)
    return Figure(
        indicator=indicator,
        phrase=phrase,
        value=number,
        unit=unit,
        plain_value=number * scale,
        base_unit=base,
        year=year,
        kind=kind,
        scope=scope,
        char_start=start,
        char_end=start + len(value),
        quote=p.text,
        stated=value + ("" if m.group(2) else unit),
    )


# -- sources and derived figures ------------------------------------------------------------------


def _attach_chunks(doc: Document, figures: list[Figure]) -> None:
    for fig in figures:
        for chunk in doc.chunks:
            if chunk.char_start <= fig.char_start < chunk.char_end:
                fig.chunk_id = chunk.id
                break


def derive_prior_year(fig: Figure) -> Figure | None:
    """The previous year's value implied by a stated change (marked 推算, with its formula)."""
    if fig.change_amount is not None and fig.change_pct is None and fig.year is not None and fig.unit != "%":
        return _prior_from_amount(fig)
    if fig.year is None or fig.unit == "%":
        return None
    decimals = len(fig.stated.split(".")[1]) - len(fig.unit) if "." in fig.stated else 0
    decimals = max(1 if fig.times_of else 0, decimals)  # 60万 ÷ 2.6 is not a whole number of 万
    if fig.times_of is not None and fig.change_pct is None:
        times, year = fig.times_of
        if times <= 0 or year >= fig.year:
            return None
        prior = round(fig.value / times, decimals)
        formula = f"{fig.stated} ÷ {times:g} ≈ {_plain_number(prior, decimals)}{fig.unit}"
    else:
        if fig.change_pct is None or fig.change_dir is None:
            return None
        sign = 1 if fig.change_dir == "up" else -1
        factor = 1 + sign * fig.change_pct / 100
        year = fig.change_base_year or fig.year - 1
        if factor <= 0 or year >= fig.year:
            return None
        prior = round(fig.value / factor, decimals)
        op = "+" if sign > 0 else "-"
        formula = f"{fig.stated} ÷ (1 {op} {fig.change_pct:g}%) ≈ {_plain_number(prior, decimals)}{fig.unit}"
    scale, base = split_unit(fig.unit)
    return Figure(
        indicator=fig.indicator,
        phrase=fig.phrase,
        value=prior,
        unit=fig.unit,
        plain_value=prior * scale,
        base_unit=base,
        year=year,
        kind="actual" if fig.kind in ("actual", "asof") else fig.kind,
        scope=fig.scope,
        derived=True,
        formula=f"推算：{formula}",
        char_start=fig.char_start,
        char_end=fig.char_end,
        quote=fig.quote,
        chunk_id=fig.chunk_id,
        org=fig.org,
        stated=f"{_plain_number(prior, decimals)}{fig.unit}",
    )


def _plain_number(value: float, decimals: int) -> str:
    """As reports write a number: 112, not 112.0."""
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _prior_from_amount(fig: Figure) -> Figure | None:
    """共694个，较2020年增加128个 → 2020年566个 (推算：694个 - 128个)."""
    assert fig.change_amount is not None and fig.year is not None  # the caller checks both
    amount, direction, year = fig.change_amount
    year = year or fig.year - 1
    if year >= fig.year:
        return None
    prior = fig.value - amount if direction == "up" else fig.value + amount
    if prior < 0:
        return None
    decimals = max(
        len(f"{fig.value:g}".split(".")[1]) if "." in f"{fig.value:g}" else 0,
        len(f"{amount:g}".split(".")[1]) if "." in f"{amount:g}" else 0,
    )
    prior = round(prior, decimals)
    op = "-" if direction == "up" else "+"
    shown = f"{_plain_number(prior, decimals)}{fig.unit}"
    formula = f"{fig.stated} {op} {amount:g}{fig.unit} = {shown}"
    scale, base = split_unit(fig.unit)
    return Figure(
        indicator=fig.indicator,
        phrase=fig.phrase,
        value=prior,
        unit=fig.unit,
        plain_value=prior * scale,
        base_unit=base,
        year=year,
        kind="actual" if fig.kind in ("actual", "asof") else fig.kind,
        scope=fig.scope,
        derived=True,
        formula=f"推算：{formula}",
        char_start=fig.char_start,
        char_end=fig.char_end,
        quote=fig.quote,
        chunk_id=fig.chunk_id,
        org=fig.org,
        stated=shown,
    )
