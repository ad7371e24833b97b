"""Plan export: a drafted work plan in Markdown becomes a Word document in official-document style.

The structure tests reopen the produced .docx with python-docx; the render test
(``test_plan_export_render.py``) has LibreOffice lay it out.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt

from ui.plan_export import docx_filename, markdown_to_docx, parse_plan_markdown, write_docx

PLAN_MD = """# 青川区图书馆2026年工作计划（草稿）

## 一、总体思路

2026年是“十五五”规划的开局之年。青川区图书馆将以建设书香青川为目标，坚持公益性、基本性、均等性、便利性，巩固总分馆制建设成果，推动阅读服务向社区、乡村和校园延伸，全面提升公共文化服务效能[1]。

全年工作坚持“补短板、强基层、促融合、提效能”的思路，围绕阵地服务、全民阅读、数字服务和队伍建设四个方面统筹推进，确保各项指标稳中有升[2][5]。

## 二、主要目标

到2026年底，主要服务指标力争达到下表所列目标，其中进馆人次和外借册次以2025年实际完成数为基数测算[3]。

| 指标 | 2025年实际 | 2026年目标 | 说明 |
|---|---:|---:|---|
| 进馆人次（万） | 86.4 | 92 | 含分馆和读书驿站 |
| 外借册次（万） | 41.2 | 45 | 纸质图书 |
| 读者活动（场） | 612 | 650 | 线上线下合计 |
| 新增持证读者（人） | 9860 | 10500 | 含电子读者证 |

> 说明：2025年实际数据为初步统计数，以年度统计报告为准。

## 三、重点工作

### （一）完善总分馆服务体系

1. **（延续）**推进街道分馆标准化建设，年内完成3个街道分馆的设施改造和服务提升，实现通借通还全覆盖[1][4]。
2. 新建城市书房2个、读书驿站5个，优先布局在新建居住区和产业园区，方便群众就近借阅[2]。
3. 建立分馆服务季度考核制度，对开放时间、借阅量和活动场次进行统计通报，考核结果与年度经费挂钩[4]。
4. **（新增）**开展基层服务点巡检，每季度至少覆盖一次，及时补充更新书刊，解决部分服务点图书陈旧、更新慢的问题[6]。

### （二）深化全民阅读推广

1. **（延续）**办好“青川读书月”“书香家庭”评选等品牌活动，全年举办各类阅读推广活动不少于650场[3]。
2. 面向少年儿童开展分级阅读指导，与辖区中小学共建“馆校合作”项目，每学期送书进校园不少于10次[5]。
3. 关注老年人、残疾人等特殊群体，开展大字本借阅、上门送书和数字技能培训服务，全年服务不少于1200人次[2][6]。
4. 培育阅读推广人队伍，招募志愿者不少于80名，组织专题培训4期，提升活动组织水平[1]。

### （三）提升数字服务能力

1. 升级图书馆网站和微信服务平台，上线线上预约、续借和到馆取书功能，年内数字资源访问量同比增长10%[3]。
2. **（延续）**推进古籍和地方文献数字化，完成地方文献目录整理和200种地方文献的扫描加工[4]。
3. 开展数字阅读推广季活动，组织电子书借阅、有声阅读和线上讲座，扩大数字服务覆盖面[5]。

## 四、保障措施

- 加强组织领导。成立年度重点工作推进小组，明确任务分工和完成时限，每月召开一次工作例会，及时研究解决推进中的问题。
- 强化经费保障。积极争取区财政支持，统筹用好免费开放补助资金，专款专用，提高资金使用效益[2]。
- 加强队伍建设。开展业务培训和岗位练兵，全年组织馆员培训不少于40学时，提升服务能力和专业水平。
- 做好总结评估。年中开展一次进度评估，年底形成工作总结，对未完成事项分析原因、提出改进措施。

---

## 参考来源

[1] 青川区图书馆2024年工作总结暨2025年工作计划.pdf · 一、工作目标 · 第1页
[2] 青川区公共文化服务体系建设实施方案.docx · 三、主要任务 > （二）完善设施网络 · 第3页
[3] 青川区图书馆2025年统计报告.xlsx · 主要指标
[4] 青川区图书馆2024年工作总结暨2025年工作计划.pdf · 三、重点工作 > （二）总分馆建设 · 第2页
[5] 全民阅读推广典型案例汇编.pdf · 案例三 · 第7页
[6] 青川区图书馆读者满意度调查报告.docx · 四、意见建议 · 第5页
"""

# What LibreOffice lays the plan out on (A4, 28 pt lines, the margins above), measured once.
# The last page is about half full, so a rounding difference cannot move a line across pages;
# a different count means the page setup, sizes or spacing changed.
EXPECTED_PAGES = 3

CREATED = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def docx_bytes() -> bytes:
    return markdown_to_docx(PLAN_MD, created=CREATED)


@pytest.fixture(scope="module")
def doc(docx_bytes):
    return Document(io.BytesIO(docx_bytes))


def _style_chain(style):
    while style is not None:
        yield style
        style = style.base_style


def _east_asian_font(paragraph, run=None) -> str | None:
    """The east-Asian font Word would use: the run's own, else the paragraph style chain's."""
    elements = []
    if run is not None:
        elements.append(run._r.rPr)
    elements.extend(s.element.rPr for s in _style_chain(paragraph.style))
    for rpr in elements:
        if rpr is not None and rpr.rFonts is not None:
            value = rpr.rFonts.get(qn("w:eastAsia"))
            if value:
                return value
    return None


def _style_value(paragraph, getter):
    for style in _style_chain(paragraph.style):
        value = getter(style)
        if value is not None:
            return value
    return None


def test_headings_in_order_with_real_styles(doc):
    headings = [
        (p.style.name, p.text)
        for p in doc.paragraphs
        if p.style.name in ("Title", "Heading 1", "Heading 2", "Heading 3")
    ]
    assert headings == [
        ("Title", "青川区图书馆2026年工作计划（草稿）"),
        ("Heading 1", "一、总体思路"),
        ("Heading 1", "二、主要目标"),
        ("Heading 1", "三、重点工作"),
        ("Heading 2", "（一）完善总分馆服务体系"),
        ("Heading 2", "（二）深化全民阅读推广"),
        ("Heading 2", "（三）提升数字服务能力"),
        ("Heading 1", "四、保障措施"),
        ("Heading 1", "参考来源"),
    ]
    assert doc.paragraphs[0].style.name == "Title"


def test_official_document_fonts_sizes_and_colours(doc):
    by_style = {}
    for p in doc.paragraphs:
        by_style.setdefault(p.style.name, p)
    title, h1, h2 = by_style["Title"], by_style["Heading 1"], by_style["Heading 2"]
    body = next(p for p in doc.paragraphs if p.text.startswith("2026年是"))
    assert _east_asian_font(title, title.runs[0]) == "方正小标宋简体"
    assert _east_asian_font(h1, h1.runs[0]) == "黑体"
    assert _east_asian_font(h2, h2.runs[0]) == "楷体_GB2312"
    assert _east_asian_font(body, body.runs[0]) == "仿宋_GB2312"
    # The style definitions themselves, where Word users would change them.
    for name, font in (
        ("Normal", "仿宋_GB2312"),
        ("Title", "方正小标宋简体"),
        ("Heading 1", "黑体"),
        ("Heading 2", "楷体_GB2312"),
        ("Heading 3", "仿宋_GB2312"),
    ):
        rfonts = doc.styles[name].element.rPr.rFonts
        assert rfonts.get(qn("w:eastAsia")) == font, name
        # Theme fonts would override the named ones in Word.
        assert rfonts.get(qn("w:eastAsiaTheme")) is None and rfonts.get(qn("w:asciiTheme")) is None, name
    assert doc.styles["Title"].font.size == Pt(22)
    for name in ("Normal", "Heading 1", "Heading 2", "Heading 3"):
        assert doc.styles[name].font.size == Pt(16), name
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        font = doc.styles[name].font
        assert str(font.color.rgb) == "000000", name  # not the template's blue
        assert font.italic is False, name
    assert doc.styles["Heading 1"].font.bold is False and doc.styles["Heading 3"].font.bold is True
    assert _style_value(title, lambda s: s.paragraph_format.alignment) == WD_ALIGN_PARAGRAPH.CENTER
    # Simplified Chinese glyphs, not the template's Japanese default.
    lang = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:lang"))
    assert lang.get(qn("w:eastAsia")) == "zh-CN"


def test_font_table_describes_the_chinese_fonts(docx_bytes):
    # Charset 86 (GB2312) and an alternative name let Word substitute sensibly where a font is missing.
    xml = zipfile.ZipFile(io.BytesIO(docx_bytes)).read("word/fontTable.xml").decode("utf-8")
    for name, alt in (
        ("仿宋_GB2312", "仿宋"),
        ("楷体_GB2312", "楷体"),
        ("黑体", "SimHei"),
        ("方正小标宋简体", "方正小标宋_GBK"),
    ):
        m = re.search(f'<w:font w:name="{name}">(.*?)</w:font>', xml, re.S)
        assert m, name
        assert f'<w:altName w:val="{alt}"/>' in m.group(1) and '<w:charset w:val="86"/>' in m.group(1), name


def test_body_paragraph_layout_and_page_setup(doc):
    body = next(p for p in doc.paragraphs if p.text.startswith("2026年是"))
    assert body.style.name == "Normal"
    assert _style_value(body, lambda s: s.paragraph_format.first_line_indent) == Pt(32)
    assert _style_value(body, lambda s: s.paragraph_format.line_spacing_rule) == WD_LINE_SPACING.EXACTLY
    assert _style_value(body, lambda s: s.paragraph_format.line_spacing) == Pt(28)
    section = doc.sections[0]
    # Word stores lengths in twips, so millimetres come back rounded.
    mm = lambda length: round(length.mm)  # noqa: E731
    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)  # A4
    assert (mm(section.top_margin), mm(section.bottom_margin)) == (37, 35)
    assert (mm(section.left_margin), mm(section.right_margin)) == (28, 26)
    # Page numbers come from a PAGE field in the footers, "— n —".
    for footer in (section.footer, section.even_page_footer):
        xml = footer._element.xml
        assert " PAGE " in xml and 'w:fldCharType="begin"' in xml
        assert footer.paragraphs[0].text.startswith("— ") and footer.paragraphs[0].text.endswith(" —")


def test_numbered_items_bullets_notes_and_sources(doc):
    texts = [p.text for p in doc.paragraphs]
    # Numbers stay as typed; bold and citation marks are formatting, the text is intact.
    assert (
        "1. （延续）推进街道分馆标准化建设，年内完成3个街道分馆的设施改造和服务提升，实现通借通还全覆盖[1][4]。"
        in texts
    )
    protect = next(p for p in doc.paragraphs if p.text.startswith("加强组织领导"))
    assert protect.style.name == "Normal"  # the "- " is gone, the paragraph is body text
    assert not any(t.startswith(("- ", "|")) or t == "---" for t in texts)
    note = next(p for p in doc.paragraphs if p.text.startswith("说明："))
    assert note.style.name == "Plan Note"
    assert _east_asian_font(note) == "楷体_GB2312"
    assert note.style.font.size == Pt(12) and note.style.paragraph_format.first_line_indent == Pt(0)
    sources = [p for p in doc.paragraphs if p.style.name == "Plan Source"]
    assert [p.text[:3] for p in sources] == ["[1]", "[2]", "[3]", "[4]", "[5]", "[6]"]
    assert sources[1].text == "[2] 青川区公共文化服务体系建设实施方案.docx · 三、主要任务 > （二）完善设施网络 · 第3页"
    assert sources[0].style.font.size == Pt(12) and sources[0].style.paragraph_format.first_line_indent == Pt(0)
    # A source's label is a list label, not a raised citation mark.
    assert not any(r.font.superscript for p in sources for r in p.runs)
    # The sources come last; nothing of the body leaks after them.
    assert doc.paragraphs[-1].text.startswith("[6]")


def test_citation_marks_are_superscript_and_bold_is_bold(doc):
    item = next(p for p in doc.paragraphs if p.text.startswith("1. （延续）推进街道分馆"))
    runs = [(r.text, bool(r.bold), bool(r.font.superscript)) for r in item.runs]
    assert runs == [
        ("1. ", False, False),
        ("（延续）", True, False),
        ("推进街道分馆标准化建设，年内完成3个街道分馆的设施改造和服务提升，实现通借通还全覆盖", False, False),
        ("[1][4]", False, True),
        ("。", False, False),
    ]
    sup = [r.text for p in doc.paragraphs if p.style.name == "Normal" for r in p.runs if r.font.superscript]
    assert sup.count("[2][5]") == 1 and "[3]" in sup and "[6]" in sup
    assert all(re.fullmatch(r"(\[\d+\])+", s) for s in sup)
    # No literal Markdown left anywhere.
    assert not any("**" in p.text for p in doc.paragraphs)


def test_pipe_table_becomes_word_table(doc):
    assert len(doc.tables) == 1
    table = doc.tables[0]
    assert table.style.name == "Table Grid"
    cells = [[c.text for c in row.cells] for row in table.rows]
    assert cells == [
        ["指标", "2025年实际", "2026年目标", "说明"],
        ["进馆人次（万）", "86.4", "92", "含分馆和读书驿站"],
        ["外借册次（万）", "41.2", "45", "纸质图书"],
        ["读者活动（场）", "612", "650", "线上线下合计"],
        ["新增持证读者（人）", "9860", "10500", "含电子读者证"],
    ]
    header = table.rows[0].cells[0].paragraphs[0]
    assert all(r.bold for r in header.runs)
    body_cell = table.rows[1].cells[0].paragraphs[0]
    assert not any(r.bold for r in body_cell.runs)
    assert _east_asian_font(body_cell) == "仿宋_GB2312"
    assert _style_value(body_cell, lambda s: s.font.size) == Pt(12)
    # "---:" right-aligns the numbers.
    assert table.rows[1].cells[1].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    # The table sits between the goals paragraph and the note, where the Markdown put it.
    body = doc.element.body
    order = [el.tag.rsplit("}", 1)[1] for el in body.iterchildren()]
    tbl_at = order.index("tbl")
    prev_p = body[tbl_at - 1]
    assert "到2026年底" in "".join(t.text or "" for t in prev_p.iter(qn("w:t")))


def test_core_properties_and_determinism(docx_bytes, doc):
    props = doc.core_properties
    assert props.title == "青川区图书馆2026年工作计划（草稿）"
    assert props.author == "兰台" and props.language == "zh-CN"
    assert props.created.replace(tzinfo=UTC) == CREATED == props.modified.replace(tzinfo=UTC)
    # Same Markdown, same time: the same bytes.
    assert markdown_to_docx(PLAN_MD, created=CREATED) == docx_bytes
    # Without a fixed time only the core properties differ.
    a = zipfile.ZipFile(io.BytesIO(markdown_to_docx(PLAN_MD)))
    b = zipfile.ZipFile(io.BytesIO(docx_bytes))
    assert a.namelist() == b.namelist()
    assert "docProps/thumbnail.jpeg" not in a.namelist()
    for name in a.namelist():
        if name != "docProps/core.xml":
            assert a.read(name) == b.read(name), name
    assert docx_filename(PLAN_MD) == "青川区图书馆2026年工作计划（草稿）.docx"


@pytest.mark.parametrize(
    "markdown",
    [
        "",
        "\n\n   \n",
        "只有一行正文，没有标题",
        "## 没有一级标题[1]\n正文**未闭合的加粗\n| 只有竖线 | 没有分隔行 |\n>\n> \n---\n***",
        "# 标题 #\n```markdown\n## 一、思路\n```\n|a|b|\n|-|-|\n|1|2|3|4|\n|x|\n\n- \n1.\n#\n####### 七级\n<br>换行<br/>测试",
        "\ufeff# 带BOM的标题\r\n\r\n## 参考来源\r\n- [1] a.pdf\r\n1. [2] b.pdf\r\n",
    ],
)
def test_odd_and_edited_markdown_never_crashes(markdown, tmp_path):
    data = markdown_to_docx(markdown)
    reopened = Document(io.BytesIO(data))
    assert reopened.paragraphs is not None
    path = write_docx(markdown, tmp_path / "sub" / "plan.docx")
    assert path.read_bytes()[:2] == b"PK"


def test_tolerant_parsing_details():
    blocks = parse_plan_markdown(
        "\ufeff# 带BOM的标题 #\r\n```markdown\n## **一、思路**\n```\n|a|b|\n|:-:|-|\n|1|2|3|\n"
        "正文一\n正文二\n## 五、参考来源\n- [1] a.pdf · 第1页\n## 六、其他\n- 条目"
    )
    assert [(b.kind, b.text, b.level) for b in blocks if b.kind != "table"] == [
        ("title", "带BOM的标题", 0),
        ("heading", "一、思路", 1),
        ("body", "正文一", 0),  # every line is its own paragraph
        ("body", "正文二", 0),
        ("heading", "五、参考来源", 1),
        ("source", "[1] a.pdf · 第1页", 0),
        ("heading", "六、其他", 1),
        ("body", "条目", 0),  # a later section is body text again
    ]
    table = next(b for b in blocks if b.kind == "table")
    assert table.rows == [["a", "b", ""], ["1", "2", "3"]]  # widened, nothing dropped
    assert table.aligns == ["center", "left", "left"]
    # A bracketed year is not a citation mark.
    doc = Document(io.BytesIO(markdown_to_docx("依据[2025]12号文件[3]。")))
    assert [r.text for r in doc.paragraphs[0].runs if r.font.superscript] == ["[3]"]
