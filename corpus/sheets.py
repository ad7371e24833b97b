"""The sample corpus's statistics workbook (xlsx) and branch list (csv), written from ``corpus.tables``."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

from .containers import normalize_zip
from .tables import (
    BRANCH_HEADERS,
    BRANCH_NOTES,
    BRANCHES_2024,
    CSV_HEADERS,
    MAIN_INDICATORS,
    MAIN_NOTES,
    SERVICE_POINTS_2024,
)

XLSX_DATE = dt.datetime(2025, 1, 8, 16, 0, 0)


def build_xlsx(target: Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.writer.excel import ExcelWriter

    wb = Workbook()
    bold = Font(bold=True)
    center = Alignment(horizontal="center", vertical="center")

    ws = wb.worksheets[0]  # the sheet a new workbook starts with (its active one), typed as a worksheet
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
    target.write_bytes(normalize_zip(buf.getvalue()))
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
