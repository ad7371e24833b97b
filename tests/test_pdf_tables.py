"""A ruled table in a PDF exported from Word is read as a table: one row per data row, every cell
as the Word file has it (decimals, thousands separators, wrapped cells), its caption, in its place
between the paragraphs, and its figures in the metrics table; a table going on over a page keeps
its header and caption."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from ingest.loaders.layout import Line, paragraphs_from_pages
from ingest.loaders.pdf import load_pdf

BEFORE = "2024年，宁川县图书馆各项工作稳步推进，主要业务指标完成情况见下表。"
CAPTION = "表1 2024年主要业务指标完成情况"
HEADER = ["指标名称及计量单位", "2024年年度目标", "2024年实际完成", "完成率"]
ROWS = [
    ["总流通人次（万人次）", "22", "21.4", "97.3%"],
    ["新办读者证（张）", "2,500", "2,610", "104.4%"],
    ["书刊外借（万册次）", "13", "13.5", "103.8%"],
]
AFTER = "总流通人次未达目标，主要原因是老馆7月至8月进行消防设施改造。"


def _write_docx(path: Path) -> None:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    document = docx.Document()
    document.add_paragraph(BEFORE)
    document.add_paragraph(CAPTION).alignment = WD_ALIGN_PARAGRAPH.CENTER
    table = document.add_table(rows=1 + len(ROWS), cols=len(HEADER))
    table.style = "Table Grid"
    table.autofit = False
    for r, values in enumerate([HEADER, *ROWS]):
        for c, value in enumerate(values):
            cell = table.cell(r, c)
            cell.width = Cm(2.2)  # narrow enough that the header and the first column wrap
            cell.text = value
    document.add_paragraph(AFTER)
    document.save(str(path))


def _to_pdf(docx_path: Path, out_dir: Path) -> Path:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui")
    profile = out_dir / "lo-profile"
    proc = subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore"]
        + ["--convert-to", "pdf", "--outdir", str(out_dir), str(docx_path)],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "HOME": str(out_dir)},
    )
    pdf = out_dir / (docx_path.stem + ".pdf")
    assert proc.returncode == 0 and pdf.exists(), f"soffice failed: {proc.stdout}\n{proc.stderr}"
    return pdf


@pytest.fixture(scope="module")
def table_pdf(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pdf-table")
    source = out / "宁川县图书馆2024年工作总结.docx"
    _write_docx(source)
    return _to_pdf(source, out)


def _plain(text: str) -> str:
    return "".join(text.split())


@pytest.mark.office
@pytest.mark.slow
def test_the_table_is_read_row_by_row_between_its_paragraphs(table_pdf):
    blocks, pages = load_pdf(table_pdf)
    assert pages == 1
    kinds = [b.kind for b in blocks]
    assert kinds == ["text", "text", *["table_row"] * len(ROWS), "text"]
    assert _plain(blocks[0].text) == _plain(BEFORE)
    assert _plain(blocks[-1].text) == _plain(AFTER)
    rows = [b for b in blocks if b.kind == "table_row"]
    for block, values in zip(rows, ROWS):
        assert block.label == values[0]
        assert block.cells == tuple(zip(HEADER[1:], values[1:]))
        assert block.table == CAPTION
        assert block.page == 1
    assert (
        rows[0].text == f"{CAPTION}｜总流通人次：2024年年度目标：22万人次；2024年实际完成：21.4万人次；完成率：97.3%。"
    )


@pytest.mark.office
@pytest.mark.slow
def test_a_table_cell_is_a_figure_of_the_metrics_table(table_pdf, kb):
    kb.ingest([table_pdf])
    rows = kb.metrics.all("流通人次", 2024)
    actual = [(r.value, r.unit) for r in rows if r.kind == "actual"]
    assert (21.4, "万人次") in actual
    readers = kb.metrics.all("新办读者证", 2024)
    assert (2610, "张") in [(r.value, r.unit) for r in readers if r.kind == "actual"]


def test_a_table_going_on_over_a_page_keeps_its_header_and_caption():
    header = ("指标", "2023年", "2024年")
    first = Line("", 90, 600, 500, 780, rows=(header, ("总流通人次（万人次）", "167.3", "186.37")), caption=CAPTION)
    # Word repeats the header row at the top of the next page, or does not.
    repeated = Line("", 90, 72, 500, 120, rows=(header, ("书刊外借（万册次）", "121.8", "132.6")))
    going_on = Line("", 90, 72, 500, 120, rows=(("读者活动（场）", "1,205", "1,312"),))
    prose = Line("全年举办读者活动1312场。", 90, 130, 230, 142)
    blocks = paragraphs_from_pages([[first], [repeated], [going_on, prose]])
    rows = [b for b in blocks if b.kind == "table_row"]
    assert [(r.label, r.page, r.table) for r in rows] == [
        ("总流通人次（万人次）", 1, CAPTION),
        ("书刊外借（万册次）", 2, CAPTION),
        ("读者活动（场）", 3, CAPTION),
    ]
    assert rows[2].cells == (("2023年", "1,205"), ("2024年", "1,312"))
    assert blocks[-1].kind == "text" and blocks[-1].page == 3
