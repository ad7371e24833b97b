"""The sample corpus's Word document, written from its Markdown-like source."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from .containers import normalize_zip
from .source import is_as_of_line, parse_source

DOCX_DATE = dt.datetime(2024, 1, 12, 9, 30, 0)


def _set_east_asian_font(style, name: str) -> None:
    from docx.oxml.ns import qn

    style.font.name = name
    rpr = style.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    rfonts.set(qn("w:eastAsia"), name)


def build_docx(source: Path, target: Path, title: str) -> Path:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document = docx.Document()
    styles = document.styles
    _set_east_asian_font(styles["Normal"], "仿宋")
    styles["Normal"].font.size = Pt(14)
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        _set_east_asian_font(styles[name], "黑体")

    for item in parse_source(source):
        if item.kind == "title":
            p = document.add_paragraph(item.text, style="Title")
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif item.kind == "heading":
            document.add_heading(item.text, level=item.level)
        elif item.kind == "table":
            rows = item.rows or []
            table = document.add_table(rows=len(rows), cols=len(rows[0]))
            table.style = "Table Grid"
            for r, cells in enumerate(rows):
                for c, value in enumerate(cells):
                    cell = table.cell(r, c)
                    cell.text = value
                    if r == 0:
                        for run in cell.paragraphs[0].runs:
                            run.bold = True
        else:
            p = document.add_paragraph(item.text)
            if is_as_of_line(item.text) or item.text.startswith("表"):
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            else:
                p.paragraph_format.first_line_indent = Pt(28)

    props = document.core_properties
    props.title = title
    props.author = "青川区图书馆办公室"
    props.last_modified_by = "青川区图书馆办公室"
    props.created = DOCX_DATE
    props.modified = DOCX_DATE
    props.last_printed = DOCX_DATE
    props.revision = 1
    props.comments = ""
    props.keywords = "工作总结"

    buf = io.BytesIO()
    document.save(buf)
    target.write_bytes(normalize_zip(buf.getvalue()))
    return target
