"""Generate the binary and tabular files of the fictional 青川区图书馆 sample corpus.

Run ``python -m corpus.build [--out DIR]``. The default output is ``corpus/docs``,
where the hand-written Markdown/text documents already live; with another
``--out`` those are copied there too, so DIR holds the complete corpus.

Generated here:

* ``qingchuan-2023-summary.docx`` from ``sources/qingchuan-2023-summary.md``
* ``qingchuan-2024-summary-2025-plan.pdf`` from ``sources/qingchuan-2024-summary-2025-plan.md``
* ``qingchuan-statistics-2022-2024.xlsx`` and ``qingchuan-2024-branches.csv`` from the
  tables in this module.

Source convention (both .md sources): ``% `` title line, ``# `` heading 1,
``## `` heading 2, ``### `` heading 3, a fenced block opened by a line
```` ```table ```` holds a table (cells separated by ``|``, first row is the
header), any other non-blank line is a body paragraph.

Output is byte-for-byte deterministic: fixed document metadata dates and fixed
timestamps inside the docx/xlsx zip containers.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

from . import CORPUS_DIR, SOURCES_DIR

HAND_WRITTEN_SUFFIXES = (".md", ".txt")
ZIP_DATE = (2025, 1, 10, 9, 0, 0)

# ---------------------------------------------------------------------------
# Data: the statistics workbook and the branch CSV (see corpus/FACTS.md)
# ---------------------------------------------------------------------------

YEARS = (2022, 2023, 2024)

# 指标, 单位, 2022年, 2023年, 2024年 — the single source of yearly figures.
MAIN_INDICATORS: list[tuple[str, str, float | int, float | int, float | int]] = [
    ("进馆人数", "万次", 142.05, 196.48, 208.37),
    ("文献流通量", "万册次", 92.41, 86.23, 79.65),
    ("外借册次", "万册次", 61.38, 58.94, 55.17),
    ("新增注册读者", "万人", 1.52, 2.37, 1.98),
    ("累计持证读者", "万人", 18.64, 21.01, 22.99),
    ("累计馆藏量", "万册", 186.42, 192.87, 198.15),
    ("新增文献", "万册", 6.85, 7.13, 6.02),
    ("剔旧文献", "万册", 0.72, 0.68, 0.74),
    ("文献购置经费", "万元", 318.5, 342.6, 265.8),
    ("阅读推广活动场次", "场次", 286, 412, 468),
    ("活动参与人次", "万人次", 6.37, 8.6, 9.42),
    ("读书驿站数", "间", 38, 52, 63),
    ("分馆数", "个", 6, 7, 7),
    ("服务点数", "个", 9, 11, 12),
    ("官网访问量", "万次", 58.36, 71.92, 80.45),
    ("公众号推文篇数", "篇", 186, 214, 236),
    ("公众号阅读量", "万人次", 9.84, 12.61, 14.05),
    ("视频号发布视频", "条", 21, 46, 73),
    ("在编人员", "人", 38, 40, 41),
]

MAIN_NOTES = [
    "注：数据截至各年12月31日；文献流通量含外借、阅览及通借通还册次；读书驿站数、分馆数、服务点数、累计持证读者、累计馆藏量为年末存量。",
    "资料来源：青川区图书馆办公室、总分馆建设管理部。",
]

BRANCH_HEADERS = [
    "分馆名称",
    "所在镇街",
    "建筑面积（平方米）",
    "每周开放时间（小时）",
    "2024年进馆人次（万人次）",
    "2024年外借册次（万册次）",
    "2024年阅读推广活动（场次）",
    "2024年末馆藏量（万册）",
]

# 名称, 镇街, 面积, 开放时间, 进馆人次, 外借册次, 活动场次, 馆藏量 (2024)
BRANCHES_2024: list[tuple] = [
    ("总馆", "青川街道", 16800, 72, 96.42, 21.36, 172, 132.46),
    ("临江分馆", "临江街道", 2400, 63, 18.63, 5.42, 41, 9.85),
    ("白鹭湖分馆", "白鹭湖街道", 2100, 63, 15.27, 4.87, 38, 8.72),
    ("石桥分馆", "石桥镇", 1500, 56, 8.91, 2.15, 24, 5.31),
    ("云岭分馆", "云岭镇", 1200, 56, 5.36, 1.38, 17, 3.96),
    ("东坪分馆", "东坪镇", 1300, 56, 6.08, 1.64, 19, 4.28),
    ("桃源分馆", "桃源街道", 1800, 63, 12.45, 3.96, 33, 7.64),
    ("高新分馆", "高新产业园区", 2000, 63, 9.74, 2.71, 29, 6.17),
    ("服务点（12个）", "—", "—", "—", 11.26, 3.82, 36, 6.42),
    ("读书驿站（63间）", "—", "—", "—", 24.25, 7.86, 59, 13.34),
]

BRANCH_NOTES = [
    "注：服务点、读书驿站按类型汇总填报；合计数与“主要指标”表2024年数据一致。",
]

CSV_HEADERS = [
    "年度",
    "名称",
    "类型",
    "所在镇街",
    "每周开放时间（小时）",
    "进馆人次（万人次）",
    "外借册次（万册次）",
    "阅读推广活动（场次）",
]

# 名称, 类型, 镇街, 开放时间, 进馆人次, 外借册次, 活动场次 (2024); numbers kept as text
# so the CSV shows them exactly as written.
SERVICE_POINTS_2024: list[tuple[str, str, str, str, str, str, str]] = [
    ("区政务服务中心服务点", "服务点", "青川街道", "40", "1.42", "0.43", "4"),
    ("区人民医院服务点", "服务点", "青川街道", "56", "0.86", "0.33", "2"),
    ("滨江公园服务点", "服务点", "临江街道", "70", "1.37", "0.46", "4"),
    ("白鹭湖社区服务点", "服务点", "白鹭湖街道", "56", "0.95", "0.38", "3"),
    ("石桥中学服务点", "服务点", "石桥镇", "40", "0.74", "0.35", "3"),
    ("云岭茶园服务点", "服务点", "云岭镇", "42", "0.48", "0.17", "2"),
    ("东坪工业园服务点", "服务点", "东坪镇", "48", "0.83", "0.24", "2"),
    ("桃源老年大学服务点", "服务点", "桃源街道", "40", "0.91", "0.36", "4"),
    ("高新区人才公寓服务点", "服务点", "高新产业园区", "84", "0.77", "0.29", "3"),
    ("青川火车站服务点", "服务点", "青川街道", "84", "1.65", "0.31", "2"),
    ("临江新市民之家服务点", "服务点", "临江街道", "48", "0.69", "0.22", "3"),
    ("青川科技馆服务点", "服务点", "青川街道", "48", "0.59", "0.28", "4"),
]


def _is_as_of_line(text: str) -> bool:
    """The centred line under a title that says when the figures were counted."""
    return text.startswith("（") and "数据截至" in text[:8]


def _indicator(name: str, year: int) -> float | int:
    for row in MAIN_INDICATORS:
        if row[0] == name:
            return row[2 + YEARS.index(year)]
    raise KeyError(name)


def _check_data() -> None:
    """The tables must add up: branches to the 2024 totals, service points to their row."""
    totals = {4: "进馆人数", 5: "外借册次", 6: "阅读推广活动场次", 7: "累计馆藏量"}
    for col, name in totals.items():
        total = round(sum(row[col] for row in BRANCHES_2024), 2)
        assert total == _indicator(name, 2024), (name, total)
    sp_row = next(r for r in BRANCHES_2024 if r[0].startswith("服务点"))
    for col, sp_col in ((4, 4), (5, 5), (6, 6)):
        total = round(sum(float(sp[sp_col]) for sp in SERVICE_POINTS_2024), 2)
        assert total == sp_row[col], (BRANCH_HEADERS[col], total)
    assert len(SERVICE_POINTS_2024) == _indicator("服务点数", 2024)


# ---------------------------------------------------------------------------
# Source parsing (shared by the docx and pdf builders)
# ---------------------------------------------------------------------------


@dataclass
class Item:
    kind: str  # "title" | "heading" | "para" | "table"
    text: str = ""
    level: int = 0
    rows: list[list[str]] | None = None


def parse_source(path: Path) -> list[Item]:
    items: list[Item] = []
    table: list[list[str]] | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if table is not None:
            if line.startswith("```"):
                items.append(Item("table", rows=table))
                table = None
            elif line:
                table.append([c.strip() for c in line.split("|")])
            continue
        if not line:
            continue
        if line.startswith("```table"):
            table = []
        elif line.startswith("% "):
            items.append(Item("title", line[2:].strip()))
        elif line.startswith("#"):
            hashes, _, rest = line.partition(" ")
            items.append(Item("heading", rest.strip(), level=len(hashes)))
        else:
            items.append(Item("para", line))
    if table is not None:
        raise ValueError(f"{path.name}: unterminated table block")
    return items


# ---------------------------------------------------------------------------
# Deterministic zip containers (docx, xlsx)
# ---------------------------------------------------------------------------


def _normalize_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed entry timestamps and attributes, same entry order."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zi.create_system = 3
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()


# ---------------------------------------------------------------------------
# docx
# ---------------------------------------------------------------------------

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
            if _is_as_of_line(item.text) or item.text.startswith("表"):
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
    target.write_bytes(_normalize_zip(buf.getvalue()))
    return target


# ---------------------------------------------------------------------------
# pdf
# ---------------------------------------------------------------------------

PDF_DATE = "D:20250110093000+08'00'"
FONT = "china-s"
_NO_LINE_START = set("，。、；：？！）》」』”’%")


class _PdfWriter:
    """Lays out lines on A4 pages: running header, page number footer, wrapped paragraphs."""

    def __init__(self, header: str) -> None:
        import pymupdf

        self.pymupdf = pymupdf
        self.doc = pymupdf.open()
        self.header = header
        self.width, self.height = pymupdf.paper_size("a4")
        self.left = 72.0
        self.right = self.width - 72.0
        self.top = 100.0
        self.bottom = 750.0
        self.size = 12.0
        self.leading = 22.0
        self.page = None
        self.y = 0.0
        self.new_page()

    def text_len(self, text: str, size: float | None = None) -> float:
        return self.pymupdf.get_text_length(text, fontname=FONT, fontsize=size or self.size)

    def new_page(self) -> None:
        self.page = self.doc.new_page(width=self.width, height=self.height)
        number = self.doc.page_count
        hsize = 9.0
        hx = (self.width - self.text_len(self.header, hsize)) / 2
        self.page.insert_text((hx, 52), self.header, fontname=FONT, fontsize=hsize)
        self.page.draw_line((self.left, 60), (self.right, 60), width=0.5)
        footer = f"- {number} -"
        fx = (self.width - self.text_len(footer, 10.5)) / 2
        self.page.insert_text((fx, 805), footer, fontname=FONT, fontsize=10.5)
        self.y = self.top

    def ensure(self, lines: int) -> None:
        if self.y + self.leading * (lines - 1) > self.bottom:
            self.new_page()

    def line(self, x: float, text: str, size: float | None = None) -> None:
        self.ensure(1)
        self.page.insert_text((x, self.y), text, fontname=FONT, fontsize=size or self.size)
        self.y += self.leading

    def centered(self, text: str, size: float | None = None) -> None:
        self.line((self.width - self.text_len(text, size)) / 2, text, size)

    def wrap(self, text: str, first_indent: float) -> list[tuple[float, str]]:
        """Greedy character wrap at the page width; numbers and words may split."""
        lines: list[tuple[float, str]] = []
        x0 = self.left + first_indent
        current = ""
        for ch in text:
            if current and x0 + self.text_len(current + ch) > self.right + 0.01:
                carry = ""
                if ch in _NO_LINE_START and len(current) > 1:
                    current, carry = current[:-1], current[-1]  # no closing mark at a line start
                lines.append((x0, current))
                current, x0 = carry, self.left
            current += ch
        if current:
            lines.append((x0, current))
        return lines

    def paragraph(self, text: str) -> None:
        for x, part in self.wrap(text, 2 * self.size):
            self.line(x, part)

    def heading(self, text: str) -> None:
        self.ensure(2)  # keep a heading with the first line that follows it
        for x, part in self.wrap(text, 2 * self.size):
            self.line(x, part)

    def right_aligned(self, text: str) -> None:
        x = self.right - 2 * self.size - self.text_len(text)
        self.line(x, text)

    def tobytes(self, metadata: dict) -> bytes:
        self.doc.set_metadata(metadata)
        return self.doc.tobytes(garbage=4, deflate=True, no_new_id=True)


def build_pdf(source: Path, target: Path, title: str) -> Path:
    items = parse_source(source)
    writer = _PdfWriter(header=title)
    signature = False
    for item in items:
        if item.kind == "title":
            writer.y += 6
            writer.centered(item.text, 16.0)
            writer.y += 4
        elif item.kind == "heading":
            writer.heading(item.text)
        elif item.kind == "table":
            raise ValueError("tables are not supported in the PDF source")
        elif _is_as_of_line(item.text):
            writer.centered(item.text)
        elif item.text == "青川区图书馆" or signature:
            if not signature:
                writer.y += writer.leading
            signature = True
            writer.right_aligned(item.text)
        else:
            writer.paragraph(item.text)
    data = writer.tobytes(
        {
            "title": title,
            "author": "青川区图书馆",
            "subject": "年度工作总结及工作计划",
            "keywords": "工作总结, 工作计划, 总分馆, 读书驿站",
            "creator": "青川区图书馆办公室",
            "producer": "PyMuPDF",
            "creationDate": PDF_DATE,
            "modDate": PDF_DATE,
        }
    )
    target.write_bytes(data)
    return target


# ---------------------------------------------------------------------------
# xlsx and csv
# ---------------------------------------------------------------------------

XLSX_DATE = dt.datetime(2025, 1, 8, 16, 0, 0)


def build_xlsx(target: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.writer.excel import ExcelWriter

    wb = Workbook()
    bold = Font(bold=True)
    center = Alignment(horizontal="center", vertical="center")

    ws = wb.active
    ws.title = "主要指标"
    ws.append(["指标", "单位", "2022年", "2023年", "2024年"])
    for row in MAIN_INDICATORS:
        ws.append(list(row))
    ws.append([])
    for note in MAIN_NOTES:
        ws.append([note])
        r = ws.max_row
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=5)
        ws.cell(r, 1).alignment = Alignment(wrap_text=True, vertical="top")
    for cell in ws[1]:
        cell.font, cell.alignment = bold, center
    ws.column_dimensions["A"].width = 20
    ws.column_dimensions["B"].width = 10
    for col in "CDE":
        ws.column_dimensions[col].width = 12
    ws.freeze_panes = "C2"

    ws2 = wb.create_sheet("分馆")
    ws2.append(BRANCH_HEADERS)
    for row in BRANCHES_2024:
        ws2.append(list(row))
    sums = [round(sum(r[c] for r in BRANCHES_2024), 2) for c in range(4, 8)]
    ws2.append(["合计", "—", "—", "—", *[int(s) if float(s).is_integer() else s for s in sums]])
    ws2.append([])
    for note in BRANCH_NOTES:
        ws2.append([note])
        r = ws2.max_row
        ws2.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(BRANCH_HEADERS))
    for cell in ws2[1]:
        cell.font, cell.alignment = bold, Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws2.column_dimensions["A"].width = 18
    ws2.column_dimensions["B"].width = 14
    for col in "CDEFGH":
        ws2.column_dimensions[col].width = 16
    ws2.freeze_panes = "B2"

    props = wb.properties
    props.creator = "青川区图书馆办公室"
    props.lastModifiedBy = "青川区图书馆办公室"
    props.title = "青川区图书馆2022—2024年主要业务统计"
    props.created = XLSX_DATE
    props.modified = XLSX_DATE

    buf = io.BytesIO()
    archive = zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(wb, archive).save()  # unlike Workbook.save, keeps props.modified
    target.write_bytes(_normalize_zip(buf.getvalue()))
    return target


def build_csv(target: Path) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADERS)
    for row in BRANCHES_2024:
        if row[0].endswith("分馆"):
            name, town, _area, hours, visits, loans, events, _holdings = row
            writer.writerow(["2024", name, "分馆", town, hours, visits, loans, events])
    for row in SERVICE_POINTS_2024:
        writer.writerow(["2024", *row])
    target.write_bytes(out.getvalue().encode("utf-8"))
    return target


# ---------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------


def hand_written_files() -> list[Path]:
    return sorted(p for p in CORPUS_DIR.iterdir() if p.is_file() and p.suffix in HAND_WRITTEN_SUFFIXES)


def build_corpus(out_dir: Path = CORPUS_DIR) -> list[Path]:
    """Write the generated corpus files to ``out_dir`` (copying the hand-written ones
    when it is not ``corpus/docs``) and return every corpus file now in ``out_dir``."""
    _check_data()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    same_dir = out_dir.resolve() == CORPUS_DIR.resolve()
    for path in hand_written_files():
        target = out_dir / path.name
        if not same_dir:
            shutil.copyfile(path, target)
        written.append(target)
    written.append(
        build_docx(
            SOURCES_DIR / "qingchuan-2023-summary.md",
            out_dir / "qingchuan-2023-summary.docx",
            title="青川区图书馆2023年工作总结",
        )
    )
    written.append(
        build_pdf(
            SOURCES_DIR / "qingchuan-2024-summary-2025-plan.md",
            out_dir / "qingchuan-2024-summary-2025-plan.pdf",
            title="青川区图书馆2024年工作总结暨2025年工作计划",
        )
    )
    written.append(build_xlsx(out_dir / "qingchuan-statistics-2022-2024.xlsx"))
    written.append(build_csv(out_dir / "qingchuan-2024-branches.csv"))
    return sorted(written)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Build the 青川区图书馆 sample corpus.")
    parser.add_argument("--out", type=Path, default=CORPUS_DIR, help="output directory (default: corpus/docs)")
    args = parser.parse_args(argv)
    for path in build_corpus(args.out):
        print(path)


if __name__ == "__main__":
    main()
