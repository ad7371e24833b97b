"""A drafted work plan (工作计划) as a Word document in Chinese official-document style.

The plan drafter writes Markdown; people in the library print and file Word documents laid out
the way GB/T 9704 (党政机关公文格式) prescribes. This module turns the drafter's Markdown, or a
user's hand-edited copy of it, into such a .docx:

- ``# 标题`` is the title (方正小标宋简体 二号, centred); ``##``/``###``/``####`` are real Word headings
  "Heading 1/2/3" (黑体 / 楷体_GB2312 / 仿宋_GB2312 bold, 三号) so Word's navigation pane and
  table of contents work;
- body text is 仿宋_GB2312 三号, first line indented two characters, lines exactly 28 pt apart, on
  A4 with the standard margins, page numbers "— 1 —" in the footer;
- ``**bold**`` becomes bold, citation marks such as ``[3]`` or ``[1][4]`` become superscript, pipe
  tables become Word tables, ``>`` lines become small notes, and the ``参考来源`` section becomes a
  list of small paragraphs.

Anything it does not recognise becomes an ordinary body paragraph: an edited plan must always
export, never fail.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

__all__ = ["markdown_to_docx", "write_docx", "docx_filename", "parse_plan_markdown", "Block"]

# Fonts named the way Chinese Word installations name them. Machines without them substitute
# (LibreOffice and WPS pick a CJK serif/sans by language), but Word on an office PC finds them.
FONT_TITLE = "方正小标宋简体"
FONT_HEADING_1 = "黑体"
FONT_HEADING_2 = "楷体_GB2312"
FONT_BODY = "仿宋_GB2312"
FONT_NOTE = "楷体_GB2312"
FONT_PAGE_NUMBER = "宋体"
# Digits and Latin letters: the usual choice in official documents, and metric-compatible
# substitutes (Liberation Serif) exist everywhere, so line breaks do not depend on the machine.
FONT_LATIN = "Times New Roman"

SIZE_TITLE = Pt(22)  # 二号
SIZE_BODY = Pt(16)  # 三号
SIZE_PAGE_NUMBER = Pt(14)  # 四号
SIZE_SMALL = Pt(12)  # 小四: notes, sources, table text

LINE_BODY = Pt(28)  # GB/T 9704: 22 lines a page
LINE_TITLE = Pt(36)  # a 二号 title needs more than 28 pt or its glyphs are clipped
LINE_SMALL = Pt(20)
INDENT_BODY = Pt(32)  # two 三号 characters

BLACK = RGBColor(0, 0, 0)

STYLE_NOTE = "Plan Note"
STYLE_SOURCE = "Plan Source"
STYLE_TABLE = "Plan Table"

# --- Markdown -------------------------------------------------------------------------------

_HEADING = re.compile(r"^(#{1,6})\s*([^#\s].*?)\s*#*\s*$")
_FENCE = re.compile(r"^(```|~~~)")
_RULE = re.compile(r"^(?:-\s*){3,}$|^(?:\*\s*){3,}$|^(?:_\s*){3,}$")
_BULLET = re.compile(r"^[-*+•]\s+")
_TABLE_SEPARATOR = re.compile(r"^\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?$")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
# One or more adjacent citation marks: [3], [1][4], [2,5], [1-3]. At most three digits, so a
# bracketed year such as [2025] stays ordinary text.
_CITATIONS = re.compile(r"(?:\[\d{1,3}(?:\s*[,，、\-–]\s*\d{1,3})*\])+")
_LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+[.、．]\s*)")
_SOURCES_TITLES = ("参考来源", "参考资料", "参考文献", "引用来源", "资料来源", "来源与依据")


@dataclass
class Block:
    """One paragraph-level piece of the plan, in reading order.

    kind is "title", "heading" (level 1-3), "body", "note", "source" or "table" (rows, the first
    one the header, and per-column alignment "left"/"center"/"right").
    """

    kind: str
    text: str = ""
    level: int = 0
    rows: list[list[str]] = field(default_factory=list)
    aligns: list[str] = field(default_factory=list)


def _is_sources_heading(text: str) -> bool:
    bare = _NUMBERING.sub("", _BOLD.sub(r"\1", text)).strip()
    return any(t in bare for t in _SOURCES_TITLES) or bare in ("来源", "出处")


def _split_row(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    return [cell.strip().replace("\\|", "|") for cell in _CELL_SPLIT.split(line)]


def _column_align(spec: str) -> str:
    spec = spec.strip()
    if spec.startswith(":") and spec.endswith(":"):
        return "center"
    if spec.endswith(":"):
        return "right"
    return "left"


def _clean_line(raw: str) -> str:
    # A byte-order mark or a non-breaking space pasted from another editor must not hide a "#".
    line = raw.replace("\ufeff", "").replace("\u00a0", " ").strip()
    # Markdown hard-break markers mean nothing once every line is its own paragraph.
    return line[:-1].rstrip() if line.endswith("\\") else line


def parse_plan_markdown(markdown: str) -> list[Block]:
    """The plan's blocks. Never raises: whatever is not recognised is a body paragraph.

    Every non-blank line is its own paragraph (unlike CommonMark, which joins consecutive
    lines): people editing a plan press Enter once to start a new paragraph, and nobody
    hard-wraps Chinese prose, so joining would merge paragraphs they meant to keep apart.
    """
    lines = (markdown or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[Block] = []
    in_sources = False
    i = 0
    while i < len(lines):
        line = _clean_line(lines[i])
        i += 1
        # Fences appear when a model wraps its whole answer in ```markdown; the content counts.
        if not line or _FENCE.match(line) or _RULE.match(line):
            continue
        m = _HEADING.match(line)
        if m:
            text = _BOLD.sub(r"\1", m.group(2)).replace("**", "").strip()
            level = len(m.group(1))
            if level == 1:
                blocks.append(Block("title", text))
                in_sources = False
            else:
                blocks.append(Block("heading", text, level=min(level - 1, 3)))
                in_sources = _is_sources_heading(text)
            continue
        if "|" in line and i < len(lines):
            separator = _clean_line(lines[i])
            if "|" in separator and "-" in separator and _TABLE_SEPARATOR.match(separator):
                rows = [_split_row(line)]
                aligns = [_column_align(s) for s in _split_row(separator)]
                i += 1
                while i < len(lines):
                    row = _clean_line(lines[i])
                    if not row or "|" not in row or _HEADING.match(row):
                        break
                    rows.append(_split_row(row))
                    i += 1
                # A row with more cells than the header widens the table rather than losing text.
                width = max(len(r) for r in rows)
                rows = [r + [""] * (width - len(r)) for r in rows]
                aligns = (aligns + ["left"] * width)[:width]
                blocks.append(Block("table", rows=rows, aligns=aligns))
                continue
        if line.startswith(">"):
            text = line.lstrip("> \t")
            if text:
                blocks.append(Block("note", text))
            continue
        text = _BULLET.sub("", line)
        if not text:
            continue
        blocks.append(Block("source" if in_sources else "body", text))
    return blocks


def _inline(text: str, citations: bool = True) -> list[tuple[str, bool, bool]]:
    """(text, bold, superscript) runs for one line."""
    pieces: list[tuple[str, bool]] = []
    pos = 0
    for m in _BOLD.finditer(text):
        pieces.append((text[pos:m.start()], False))
        pieces.append((m.group(1), True))
        pos = m.end()
    pieces.append((text[pos:], False))
    runs: list[tuple[str, bool, bool]] = []
    for piece, bold in pieces:
        # A "**" left unpaired by an edit would print as two asterisks; drop it instead.
        piece = piece.replace("**", "")
        pos = 0
        for m in (_CITATIONS.finditer(piece) if citations else ()):
            runs.append((piece[pos:m.start()], bold, False))
            runs.append((m.group(0), bold, True))
            pos = m.end()
        runs.append((piece[pos:], bold, False))
    return [r for r in runs if r[0]]


def _plain(text: str) -> str:
    return _CITATIONS.sub("", _BOLD.sub(r"\1", text)).replace("**", "").strip()


# --- Styles ---------------------------------------------------------------------------------

_THEME_FONT_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def _set_rfonts(rpr, east_asian: str, latin: str = FONT_LATIN) -> None:
    """Name the fonts on an rPr element; theme font attributes would otherwise win over them."""
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in _THEME_FONT_ATTRS:
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:cs"), latin)
    rfonts.set(qn("w:eastAsia"), east_asian)
    # Quotes and dashes are shared between scripts; the hint makes Word draw “”—… with the
    # Chinese font, as a Chinese typist would expect.
    rfonts.set(qn("w:hint"), "eastAsia")


def _set_lang(rpr) -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    # Decides which CJK glyph variants a renderer picks (Simplified Chinese, not Japanese).
    lang.set(qn("w:eastAsia"), "zh-CN")


def _remove_children(parent, tag: str) -> None:
    if parent is None:
        return
    for child in parent.findall(qn(tag)):
        parent.remove(child)


def _style_paragraphs(style, *, east_asian: str, size, bold: bool = False, indent=INDENT_BODY,
                      line=LINE_BODY, align=WD_ALIGN_PARAGRAPH.JUSTIFY) -> None:
    font = style.font
    _set_rfonts(style.element.get_or_add_rPr(), east_asian)
    font.size = size
    font.bold = bold
    font.italic = False
    font.color.rgb = BLACK
    pf = style.paragraph_format
    pf.alignment = align
    pf.first_line_indent = indent
    pf.left_indent = Pt(0)
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = line


def _setup_styles(doc) -> None:
    styles = doc.styles
    # Defaults first: anything not covered below (footer, table cells before styling) inherits
    # Chinese fonts and zh-CN instead of the template's theme fonts and en-US/ja-JP.
    defaults = styles.element.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_rfonts(rpr_default, FONT_BODY)
    _set_lang(rpr_default)
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    if spacing is not None:
        spacing.set(qn("w:after"), "0")

    _style_paragraphs(styles["Normal"], east_asian=FONT_BODY, size=SIZE_BODY)
    styles["Normal"].paragraph_format.widow_control = True

    title = styles["Title"]
    _style_paragraphs(title, east_asian=FONT_TITLE, size=SIZE_TITLE, indent=Pt(0), line=LINE_TITLE,
                      align=WD_ALIGN_PARAGRAPH.CENTER)
    # A blank 三号 line under the title, as in a printed plan; no blue rule, no letter spacing.
    title.paragraph_format.space_after = LINE_BODY
    _remove_children(title.element.pPr, "w:pBdr")
    _remove_children(title.element.rPr, "w:spacing")

    for name, east_asian, bold in (("Heading 1", FONT_HEADING_1, False),
                                   ("Heading 2", FONT_HEADING_2, False),
                                   ("Heading 3", FONT_BODY, True)):
        style = styles[name]
        _style_paragraphs(style, east_asian=east_asian, size=SIZE_BODY, bold=bold)
        style.paragraph_format.keep_with_next = True
        # Word applies the linked character style when a heading covers part of a paragraph;
        # it must not bring back the template's blue.
        char_style = styles[f"{name} Char"] if f"{name} Char" in styles else None
        if char_style is not None:
            _set_rfonts(char_style.element.get_or_add_rPr(), east_asian)
            char_style.font.size = SIZE_BODY
            char_style.font.bold = bold
            char_style.font.italic = False
            char_style.font.color.rgb = BLACK
    if "Title Char" in styles:
        tc = styles["Title Char"]
        _set_rfonts(tc.element.get_or_add_rPr(), FONT_TITLE)
        tc.font.size = SIZE_TITLE
        tc.font.color.rgb = BLACK
        _remove_children(tc.element.rPr, "w:spacing")

    for name, east_asian, line, align in (
            (STYLE_NOTE, FONT_NOTE, LINE_SMALL, WD_ALIGN_PARAGRAPH.LEFT),
            (STYLE_SOURCE, FONT_BODY, LINE_SMALL, WD_ALIGN_PARAGRAPH.LEFT),
            (STYLE_TABLE, FONT_BODY, LINE_SMALL, WD_ALIGN_PARAGRAPH.LEFT)):
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
        style.quick_style = True
        _style_paragraphs(style, east_asian=east_asian, size=SIZE_SMALL, indent=Pt(0), line=line,
                          align=align)


# --- Page -----------------------------------------------------------------------------------


def _add_page_field(paragraph) -> None:
    """A PAGE field, so Word and LibreOffice number every page themselves."""
    def fld_char(kind: str):
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        return el

    paragraph.add_run()._r.append(fld_char("begin"))
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    paragraph.add_run()._r.append(instr)
    paragraph.add_run()._r.append(fld_char("separate"))
    paragraph.add_run("1")
    paragraph.add_run()._r.append(fld_char("end"))


def _page_number_paragraph(footer, align) -> None:
    # The footer part comes with one empty paragraph in the "Footer" style; that style is based
    # on Normal, so the body's indent and 28 pt spacing are undone here.
    p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    pf = p.paragraph_format
    pf.alignment = align
    pf.first_line_indent = Pt(0)
    pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    # GB/T 9704: one character in from the outer edge.
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        pf.right_indent = SIZE_PAGE_NUMBER
    else:
        pf.left_indent = SIZE_PAGE_NUMBER
    p.add_run("— ")
    _add_page_field(p)
    p.add_run(" —")
    for run in p.runs:
        _set_rfonts(run._r.get_or_add_rPr(), FONT_PAGE_NUMBER)
        run.font.size = SIZE_PAGE_NUMBER


def _setup_page(doc) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance = Mm(15)
    # Page number about 7 mm below the text block, as GB/T 9704 places it.
    section.footer_distance = Mm(22)
    # Odd pages numbered at the right, even pages at the left (GB/T 9704 7.5).
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number_paragraph(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number_paragraph(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)


def _setup_settings(doc) -> None:
    settings = doc.settings.element
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:eastAsia"), "zh-CN")
    # The template's thumbnail shows an empty page; without this Word would not refresh it.
    _remove_children(settings, "w:savePreviewPicture")
    package = doc.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package.rels[rid]


# --- Content --------------------------------------------------------------------------------


def _add_runs(paragraph, text: str, *, citations: bool = True, bold: bool = False) -> None:
    for n, part in enumerate(_LINE_BREAK.split(text)):
        if n:
            paragraph.add_run().add_break()
        for chunk, is_bold, is_sup in _inline(part, citations=citations):
            run = paragraph.add_run(chunk)
            if is_bold or bold:
                run.bold = True
            if is_sup:
                run.font.superscript = True


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in _plain(text))


def _add_table(doc, block: Block) -> None:
    rows, aligns = block.rows, block.aligns
    ncols = len(rows[0])
    table = doc.add_table(rows=len(rows), cols=ncols)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    # Columns share the text width by how much they hold (with a floor), so a 说明 column gets
    # room and a 单位 column does not waste it; Word and LibreOffice then agree on the layout.
    section = doc.sections[-1]
    text_width = section.page_width - section.left_margin - section.right_margin
    needs = [max(4, min(30, max(_display_width(r[c]) for r in rows))) for c in range(ncols)]
    widths = [int(text_width * n / sum(needs)) for n in needs]
    align_map = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT,
                 "left": WD_ALIGN_PARAGRAPH.LEFT}
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            cell = table.cell(r, c)
            cell.width = widths[c]
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            p = cell.paragraphs[0]
            p.style = doc.styles[STYLE_TABLE]
            p.paragraph_format.alignment = (WD_ALIGN_PARAGRAPH.CENTER if r == 0
                                            else align_map.get(aligns[c], WD_ALIGN_PARAGRAPH.LEFT))
            _add_runs(p, value, bold=(r == 0))
    for c, column in enumerate(table.columns):
        column.width = widths[c]
    # The header row repeats on every page a long table spans.
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _add_blocks(doc, blocks: list[Block]) -> None:
    styles = doc.styles
    for block in blocks:
        if block.kind == "table":
            _add_table(doc, block)
        elif block.kind == "title":
            p = doc.add_paragraph(style=styles["Title"])
            _add_runs(p, block.text)
        elif block.kind == "heading":
            p = doc.add_paragraph(style=styles[f"Heading {block.level}"])
            _add_runs(p, block.text)
        elif block.kind == "note":
            _add_runs(doc.add_paragraph(style=styles[STYLE_NOTE]), block.text)
        elif block.kind == "source":
            # "[1] file.pdf · …" is a list label here, not a citation to raise.
            _add_runs(doc.add_paragraph(style=styles[STYLE_SOURCE]), block.text, citations=False)
        else:
            _add_runs(doc.add_paragraph(style=styles["Normal"]), block.text)


def _set_core_properties(doc, title: str, created: datetime | None) -> None:
    when = created or datetime.now(timezone.utc)
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc).replace(tzinfo=None)
    when = when.replace(microsecond=0)
    props = doc.core_properties
    props.title = title
    props.subject = "工作计划"
    props.author = "兰台"
    props.last_modified_by = "兰台"
    props.language = "zh-CN"
    props.comments = ""
    props.keywords = ""
    props.category = ""
    props.revision = 1
    props.created = when
    props.modified = when


# How each named font is described in word/fontTable.xml: the alternative name, PANOSE class,
# GB2312 charset (86) and family. Word and WPS use these to pick the nearest installed font when
# the named one is missing (Windows 10 ships 仿宋 and 楷体, not the _GB2312 versions).
_FONT_TABLE = (
    (FONT_BODY, "仿宋", "02010609030101010101", "modern", "fixed"),
    (FONT_HEADING_2, "楷体", "02010609030101010101", "modern", "fixed"),
    (FONT_HEADING_1, "SimHei", "02010609060101010101", "modern", "fixed"),
    (FONT_TITLE, "方正小标宋_GBK", "02000000000000000000", "auto", "variable"),
    (FONT_PAGE_NUMBER, "SimSun", "02010600030101010101", "auto", "variable"),
)


def _font_table(xml: bytes) -> bytes:
    from lxml import etree

    root = etree.fromstring(xml)
    for name, alt, panose, family, pitch in _FONT_TABLE:
        for old in root.findall(qn("w:font")):
            if old.get(qn("w:name")) == name:
                root.remove(old)
        font = etree.SubElement(root, qn("w:font"))
        font.set(qn("w:name"), name)
        for tag, value in (("w:altName", alt), ("w:panose1", panose), ("w:charset", "86"),
                           ("w:family", family), ("w:pitch", pitch)):
            etree.SubElement(font, qn(tag)).set(qn("w:val"), value)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _finish_package(data: bytes) -> bytes:
    """The saved package with the Chinese fonts described and fixed member timestamps.

    python-docx stamps zip members with the current time; a fixed one makes equal input give
    equal bytes.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "word/fontTable.xml":
                content = _font_table(content)
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, content)
    return out.getvalue()


def _plan_title(blocks: list[Block]) -> str:
    for kind in ("title", "heading"):
        for block in blocks:
            if block.kind == kind and _plain(block.text):
                return _plain(block.text)
    return "工作计划"


def markdown_to_docx(markdown: str, *, title: str | None = None, created: datetime | None = None) -> bytes:
    """The plan as .docx bytes.

    title overrides the document property (default: the ``#`` heading, else the first heading);
    created fixes the creation/modification time (default: now). With the same markdown and
    created the bytes are identical, which makes exports comparable and cacheable.
    """
    blocks = parse_plan_markdown(markdown)
    doc = Document()
    _setup_settings(doc)
    _setup_styles(doc)
    _setup_page(doc)
    # The template starts with no paragraphs; an empty plan still yields a valid one-page file.
    _add_blocks(doc, blocks)
    if not blocks:
        doc.add_paragraph(style=doc.styles["Normal"])
    _set_core_properties(doc, title or _plan_title(blocks), created)
    buf = io.BytesIO()
    doc.save(buf)
    return _finish_package(buf.getvalue())


def write_docx(markdown: str, path: str | Path, *, title: str | None = None,
               created: datetime | None = None) -> Path:
    """Write the plan to path (parent directories created) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(markdown_to_docx(markdown, title=title, created=created))
    return path


def docx_filename(markdown: str) -> str:
    """A download name from the plan's title, safe on Windows, e.g. "本馆2026年工作计划（草稿）.docx"."""
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "", _plan_title(parse_plan_markdown(markdown))).strip(" .")
    return f"{name[:80] or '工作计划'}.docx"
