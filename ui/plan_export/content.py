"""The blocks of a plan written into a Word document: paragraphs in their styles, runs, tables."""

from __future__ import annotations

from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from .markdown import LINE_BREAK, Block, inline_runs, plain
from .styles import STYLE_NOTE, STYLE_SOURCE, STYLE_TABLE

# --- Content --------------------------------------------------------------------------------


def _add_runs(paragraph, text: str, *, citations: bool = True, bold: bool = False) -> None:
    for n, part in enumerate(LINE_BREAK.split(text)):
        if n:
            paragraph.add_run().add_break()
        for chunk, is_bold, is_sup in inline_runs(part, citations=citations):
            run = paragraph.add_run(chunk)
            if is_bold or bold:
                run.bold = True
            if is_sup:
                run.font.superscript = True


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in plain(text))


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
    align_map = {
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
        "left": WD_ALIGN_PARAGRAPH.LEFT,
    }
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            cell = table.cell(r, c)
            cell.width = widths[c]
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            p = cell.paragraphs[0]
            p.style = doc.styles[STYLE_TABLE]
            p.paragraph_format.alignment = (
                WD_ALIGN_PARAGRAPH.CENTER if r == 0 else align_map.get(aligns[c], WD_ALIGN_PARAGRAPH.LEFT)
            )
            _add_runs(p, value, bold=(r == 0))
    for c, column in enumerate(table.columns):
        column.width = widths[c]
    # The header row repeats on every page a long table spans.
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def add_blocks(doc, blocks: list[Block]) -> None:
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
