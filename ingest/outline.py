"""Chinese outline numbering, sections and document-level metadata.

Work documents are organised (第一部分 /) 一、 / （一） / 1. / （1）, with 一是 二是 as inline
list items. A heading's place in that outline is its level; every paragraph
keeps the path of headings above it. Whether a section reports a past year or
plans a coming one decides what its figures mean, so it is settled here.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .types import Block, BlockKind, Paragraph, PeriodKind, Section

_CN_NUM = "一二三四五六七八九十"
_LEVEL_PATTERNS = [
    (
        0,
        re.compile(rf"^第[{_CN_NUM}]{{1,3}}(?:部分|篇|章)(?![\u4e00-\u9fff]{{0,2}}[。，；])"),
    ),  # 第二部分 2024年工作计划
    (1, re.compile(rf"^[{_CN_NUM}]{{1,3}}、")),
    (2, re.compile(rf"^[（(][{_CN_NUM}]{{1,3}}[）)]")),
    (3, re.compile(r"^\d{1,2}[.．、](?!\d)")),
    (4, re.compile(r"^[（(]\d{1,2}[）)]")),
]
_MAX_HEADING = 40
_YEAR = re.compile(r"(20\d{2})\s*年")
# 截至2024年12月31日, 截至2024年6月; 截至2023年底 / 年末 / 年年底 is the year's last day.
_AS_OF = re.compile(
    r"(?:数据)?截[至止]\s*(20\d{2})\s*年\s*(?:(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?|(?:年\s*)?(?:底|末))"
)
# A book or document cited by its title: 《…》, not nested, on one line.
_CITED_TITLE = re.compile(r"《[^《》\n]{1,100}》")
_PLAN_WORDS = re.compile(r"计划|重点|思路|打算|目标|展望|安排|要点|任务|下一步")
# A top-level heading of a report that only looks ahead (三、下一步工作): it plans the year after the report's.
_NEXT_WORDS = re.compile(r"下一步|明年|来年|今后|计划|打算|展望|思路")
_REPORT_WORDS = re.compile(r"总结|成效|成绩|完成|回顾|情况|困难|问题|主要工作|亮点|做法")


def mask_titles(text: str) -> str:
    """The text with every cited title (《…》) blanked out, same length: a year in a title names it."""
    return _CITED_TITLE.sub(lambda m: "□" * len(m.group(0)), text)


def heading_level(text: str) -> int | None:
    """Outline level of a heading line, or None for body text."""
    for level, pattern in _LEVEL_PATTERNS:
        if pattern.match(text):
            if level >= 3 and (text.endswith("。") or len(text) > _MAX_HEADING):
                return None  # a numbered list item, not a heading
            return level
    return None


def looks_like_title(text: str) -> bool:
    """A short first line without sentence punctuation is the document's title."""
    return len(text) <= 80 and not re.search(r"[。！？；]", text)


def split_heading(text: str) -> tuple[str, str]:
    """'（一）标题。正文……' → ('（一）标题', '正文……'); a pure heading → (text, '')."""
    if len(text) <= _MAX_HEADING and not re.search(r"[。！？]", text[:-1]):
        return text.rstrip("。"), ""
    m = re.search(r"[。！？]", text)
    if m and m.start() <= _MAX_HEADING:
        return text[: m.start()], text[m.end() :].strip()
    return "", text


def build_outline(blocks: list[Block]) -> tuple[str, list[Paragraph], list[Section]]:
    """Lay cleaned blocks into one text, tagging each paragraph with its section."""
    parts: list[str] = []
    paragraphs: list[Paragraph] = []
    sections: list[Section] = []
    stack: list[Section] = []
    offset = 0

    def place(text: str, block: Block, kind: BlockKind) -> None:
        nonlocal offset
        if parts:
            offset += 2
        parts.append(text)
        section = stack[-1] if stack else None
        paragraphs.append(
            Paragraph(
                text,
                offset,
                offset + len(text),
                block.page,
                kind,
                section,
                block.page_end,
                block.label,
                block.cells,
                block.table,
            )
        )
        offset += len(text)

    for i, block in enumerate(blocks):
        level = None
        heading, body = "", block.text
        if block.kind == "heading":
            level = heading_level(block.text) or block.level or 1
            heading, body = block.text, ""
        elif block.kind == "text" and i > 0:
            level = heading_level(block.text)
            if level is not None:
                heading, body = split_heading(block.text)
                if not heading:
                    level = None
        if level is not None and heading:
            while stack and stack[-1].level >= level:
                stack.pop()
            section = Section(heading, level, tuple(s.heading for s in stack) + (heading,))
            stack.append(section)
            sections.append(section)
            place(heading, block, "heading")
            if body:
                place(body, block, "text")
            continue
        first_is_title = i == 0 and (block.kind == "title" or (block.kind == "text" and looks_like_title(block.text)))
        place(block.text, block, "title" if first_is_title else block.kind)
    return "\n\n".join(parts), paragraphs, sections


def detect_title(paragraphs: list[Paragraph], fallback: str) -> str:
    for p in paragraphs[:3]:
        if p.kind in ("title", "heading") and len(p.text) <= 80:
            return p.text
    return fallback


def detect_type(title: str, file_name: str) -> str:
    name = file_name.lower()
    has_summary = "总结" in title or "summary" in name
    has_plan = bool(re.search(r"计划|要点|工作思路", title)) or "plan" in name
    if has_summary and has_plan:
        return "总结暨计划"
    if has_summary:
        return "工作总结"
    if has_plan:
        return "工作计划"
    if "案例" in title or "case" in name:
        return "案例"
    if "年鉴" in title or "yearbook" in name:
        return "年鉴"
    if re.search(r"统计|报表|指标|数据", title) or re.search(r"stat|\.xlsx$|\.csv$", name):
        return "统计报告"
    return "其他"


# 本报讯, 记者…通讯员: a news item
_NEWS = re.compile(r"本报讯|本台讯|记者|通讯员|新闻稿")
_FULL_DATE_YEAR = re.compile(r"((?:19|20)\d{2})\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")


def detect_years(title: str, doc_type: str, text: str) -> tuple[int | None, int | None]:
    """(reported year, planned year) from the title, falling back to the text."""
    report = plan = None
    own = re.fullmatch(r"\s*《([^《》]+)》\s*", title)  # a title written as 《…》 is the document's own
    title = own.group(1) if own else mask_titles(title)
    for m in _YEAR.finditer(title):
        tail = title[m.end() : m.end() + 8]
        year = int(m.group(1))
        if re.match(r"\s*(?:度)?\s*(?:工作)?\s*(?:计划|要点|思路|重点)", tail):
            plan = year
        else:
            report = report or year
    if doc_type == "工作计划" and plan is None and report is not None:
        report, plan = None, report
    if doc_type == "总结暨计划" and plan is None and report is not None:
        plan = report + 1
    if report is None and plan is None:
        visible = mask_titles(text)  # 《…2021-2025年规划》 cited in a 2023 summary is not its year
        as_of = _AS_OF.search(visible)
        if as_of:
            report = int(as_of.group(1))
        else:
            years = Counter(int(y) for y in _YEAR.findall(visible))
            dated = [int(y) for y in _FULL_DATE_YEAR.findall(visible)]
            if _NEWS.search(visible[:400]) and dated:
                report = max(dated)  # a news item reports on the latest day it dates, after the history it recalls
            elif years and doc_type != "统计报告":
                report = years.most_common(1)[0][0]
    return report, plan


def table_years(text: str) -> list[int]:
    return sorted({int(y) for y in _YEAR.findall(text) if 1990 <= int(y) <= 2100})


def detect_as_of(text: str) -> str | None:
    m = _AS_OF.search(text[:2000])
    if not m:
        return None
    y, mo, d = m.group(1), m.group(2), m.group(3)
    if mo is None:
        return f"{y}-12-31"  # 截至…年底
    return f"{y}-{int(mo):02d}-{int(d):02d}" if d else f"{y}-{int(mo):02d}"


# A library's proper name: a place (…省/市/县/区/旗/州/盟/镇/乡/街道) right before 图书馆, e.g. 某某县图书馆.
_ADMIN = "省|市|县|区|旗|州|盟|镇|乡|街道"
_LIBRARY_NAME = re.compile(rf"([\u4e00-\u9fff]{{1,12}}?(?:{_ADMIN}))((?:公共|少年儿童|少儿)?图书馆)")
# Characters that end the words before a name ("2024年某县图书馆", "这家某市图书馆"), never part of it.
_BEFORE_NAME = re.compile(
    r"^.*(?:哪[家个所座]?|[年度的与及在了是为对将把被给让这该此其各每个所有些吗呢么去到们占]"
    r"|结合|根据|通过|按照|围绕|关于|来自|位于|走进|参观|携手|本文|本报|记者)"
)
# Words that end in a place suffix without naming a place: 城市图书馆, 地区图书馆, 全省图书馆, 省级图书馆.
_NOT_A_PLACE = re.compile(
    r"^(?:城市|地区|社区|街区|园区|景区|校区|片区|辖区|郊区|山区|老区|新区|城区|市区|县区|县市|省市|地市|乡镇|城乡|"
    r"[全本外邻他][省市县区镇乡]|.{2,}城市|.*级.*)$"
)
_SUFFIX = re.compile(rf"(?:{_ADMIN}|自治县|自治州|自治区)$")


@dataclass(frozen=True)
class LibraryName:
    """A library named in a text: its full name, the place it is named after, and that place's short form."""

    name: str
    place: str  # 某某县
    short: str  # 某某 (the place without 县/市/区…; empty when that would leave one character)

    def forms(self) -> tuple[str, ...]:
        """The ways a document may write this library: 某某县图书馆, 某某图书馆, 某某县馆, 某某馆.

        Words the name was read together with ("报道某某市图书馆") are dropped one character at a
        time, down to a one-character place with its suffix (某县).
        """
        out = [self.name]
        suffix = _SUFFIX.search(self.place)
        core = self.place[: suffix.start()] if suffix else self.place
        for i in range(len(core)):
            place, short = self.place[i:], core[i:]
            out.append(f"{place}图书馆")
            if i == 0 and suffix:
                out.append(f"{place}馆")  # 某某县馆, 某某市馆: the place in full and 馆
            if len(short) >= 2:
                out += [f"{short}图书馆", f"{short}馆"]
        return tuple(dict.fromkeys(out))


def library_names(text: str) -> list[LibraryName]:
    """Libraries named after a place in a text, left to right; kinds of library (城市图书馆) are not names."""
    found: list[LibraryName] = []
    for m in _LIBRARY_NAME.finditer(text):
        place = _BEFORE_NAME.sub("", m.group(1))
        if not place or not _SUFFIX.search(place) or len(place) < 2 or _NOT_A_PLACE.match(place):
            continue
        short = _SUFFIX.sub("", place)
        short = re.sub(r"^.*(?:省|市)(?=[\u4e00-\u9fff]{2,}$)", "", short)  # 某市某区 → 某区's short form
        found.append(LibraryName(place + m.group(2), place, short if len(short) >= 2 else ""))
    return list({n.name: n for n in found}.values())


# What an organisation's name ends with: the kind of body it is (某某图书馆, 某某文化局, 某某中心) or its place.
_ORG_ENDING = re.compile(
    rf"(?:馆|局|中心|站|室|院|会|处|所|部|委|厅|府|办|社|校|学|司|团|队|{_ADMIN}|自治县|自治州|自治区)$"
)


_NUMBERING = re.compile(rf"^(?:[{_CN_NUM}]{{1,3}}[、.．]|[（(][{_CN_NUM}\d]{{1,3}}[）)]|\d{{1,2}}[.．、])\s*")


def heading_library(heading: str) -> str:
    """The library a heading consists of (2、某某文化中心图书馆): what its section's figures are of. A branch
    (某某分馆) stays a scope of its library."""
    name = _NUMBERING.sub("", heading.strip()).strip(" ：:")
    return name if re.fullmatch(r"[\u4e00-\u9fff（）()]{2,24}图书馆", name) and not _KIND_OF_LIBRARY.match(name) else ""


# 二、公共图书馆 heads a bulletin's section on a kind of library, not on one library
_KIND_OF_LIBRARY = re.compile(
    r"^(?:各级|各类|全[省市县区])?(?:公共|少儿|少年儿童|儿童|数字|城市|流动|自助|社区|乡镇|街道|村级|农家|高校|专业"
    r"|[省市县区]级|基层)+图书馆$"
)


def _looks_like_org(text: str) -> bool:
    return (
        bool(re.fullmatch(r"[\u4e00-\u9fff（）()]{2,30}", text))
        and heading_level(text) is None
        and bool(_ORG_ENDING.search(text))
    )


def detect_org(title: str, text: str = "") -> str:
    """The organisation: a library's name in the title, else the one the text names most."""
    named = library_names(title)
    if named:
        first = named[0]
        # A headline may run words into the name (某某添新景某县图书馆): the name the text itself uses, when
        # it ends the title's, is the library's.
        in_text = Counter(n.name for n in library_names(text[:20000]))
        shorter = [n for n in in_text if n != first.name and first.name.endswith(n)]
        return max(shorter, key=lambda n: (in_text[n], len(n))) if shorter else first.name
    yearbook = re.match(r"^([\u4e00-\u9fff]{2,4}?)(?:统计)?年鉴", title)
    if yearbook and "公共图书馆" in text[:200]:
        # 某某年鉴·公共图书馆: the place's libraries together; each library's entry (【某某图书馆】) and table
        # row is that library's
        places: Counter[str] = Counter(re.findall(rf"{re.escape(yearbook.group(1))}[省市县区州旗]", text[:20000]))
        if places:
            return places.most_common(1)[0][0]
    m = re.match(r"^(.*?)(?:20\d{2}\s*(?:[—\-–~至到]\s*20\d{2}\s*)?年|关于|工作总结|工作计划|年鉴|典型案例)", title)
    org = (m.group(1) if m else "").strip(" 《》“”\"'")
    if _looks_like_org(org):
        if _SUFFIX.search(org) and "公共图书馆" in title:
            return org  # 某市…公共图书馆事业统计报告: the place's libraries together, not one of them
        if _SUFFIX.search(org):  # a bare place (某市某区): the library the text names there, if any
            there = [
                n.name
                for n in library_names(text[:20000])
                if org.endswith(n.place) or n.place.endswith(org) or (n.short and n.short in org)
            ]
            if there:
                return Counter(there).most_common(1)[0][0]
        return org
    counts = Counter(n.name for n in library_names(text[:20000]))
    return counts.most_common(1)[0][0] if counts else ""


def assign_periods(sections: list[Section], doc_type: str, report: int | None, plan: int | None) -> None:
    """Mark each section as reporting a past year or planning a coming one."""
    default = default_period(doc_type, report, plan)
    by_path: dict[tuple[str, ...], tuple[PeriodKind, int | None]] = {}
    for section in sections:
        parent = by_path.get(section.path[:-1], default)
        kind, year = parent
        heading = mask_titles(section.heading)  # （一）落实《…2021-2025年规划》: the title's year is not the section's
        m = _YEAR.search(heading)
        stated = int(m.group(1)) if m else None
        if _PLAN_WORDS.search(heading) and (plan or stated) and not _REPORT_WORDS.search(heading):
            kind, year = "plan", stated or plan
        elif _NEXT_WORDS.search(heading) and report and len(section.path) == 1 and not _REPORT_WORDS.search(heading):
            kind, year = "plan", report + 1
        elif _REPORT_WORDS.search(heading) and len(section.path) == 1:
            kind, year = ("report", stated or report) if (report or stated) else (kind, year)
        elif stated is not None:
            year = stated
        section.period_kind, section.year = kind, year
        by_path[section.path] = (kind, year)


def default_period(doc_type: str, report: int | None, plan: int | None) -> tuple[PeriodKind, int | None]:
    if doc_type == "工作计划":
        return "plan", plan
    if report is not None:
        return "report", report
    return "unknown", None
