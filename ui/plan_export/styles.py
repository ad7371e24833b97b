"""The look of a plan in Word: GB/T 9704 fonts, sizes, spacing, page and page numbers.

Fonts are named the way Chinese Word installations name them; machines without them substitute.
"""

from __future__ import annotations

from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

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


def _style_paragraphs(
    style,
    *,
    east_asian: str,
    size,
    bold: bool = False,
    indent=INDENT_BODY,
    line=LINE_BODY,
    align=WD_ALIGN_PARAGRAPH.JUSTIFY,
) -> None:
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


def setup_styles(doc) -> None:
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
    _style_paragraphs(
        title, east_asian=FONT_TITLE, size=SIZE_TITLE, indent=Pt(0), line=LINE_TITLE, align=WD_ALIGN_PARAGRAPH.CENTER
    )
    # A blank 三号 line under the title, as in a printed plan; no blue rule, no letter spacing.
    title.paragraph_format.space_after = LINE_BODY
    _remove_children(title.element.pPr, "w:pBdr")
    _remove_children(title.element.rPr, "w:spacing")

    for name, east_asian, bold in (
        ("Heading 1", FONT_HEADING_1, False),
        ("Heading 2", FONT_HEADING_2, False),
        ("Heading 3", FONT_BODY, True),
    ):
        style = styles[name]
        _style_paragraphs(style, east_asian=east_asian, size=SIZE_BODY, bold=bold)
        style.paragraph_format.keep_with_next = True
        # Word applies the linked character style when a heading covers part of a paragraph;
        # it must not bring back the template's blue.
        char_style = styles[f"{name} Char"] if f"{name} Char" in styles else None  # noqa: SIM401 - no .get on Styles
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
        (STYLE_TABLE, FONT_BODY, LINE_SMALL, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles["Normal"]
        style.quick_style = True
        _style_paragraphs(style, east_asian=east_asian, size=SIZE_SMALL, indent=Pt(0), line=line, align=align)


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


def setup_page(doc) -> None:
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


def setup_settings(doc) -> None:
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
