"""The statistics of the question log as an Excel workbook, one sheet per table of the 统计 tab.

Questions are typed by whoever asks, so every text cell goes through ``metrics_export.safe_cell``
and is typed as text: a question starting with ``=`` is shown, never evaluated.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

from .metrics_export import safe_cell
from .services.usage import UsageStats

CHANNEL_ZH = {"web": "网页", "api": "接口", "cli": "命令行", "wechat": "公众号"}

SHEETS: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("每日提问", "per_day", [("day", "日期"), ("asked", "提问数"), ("refused", "未找到答案")]),
    ("问题命中", "top_questions", [("question", "问题"), ("times", "提问次数")]),
    (
        "最慢回答",
        "slowest",
        [("time", "时间"), ("channel", "渠道"), ("question", "问题"), ("latency_ms", "耗时（毫秒）")],
    ),
    ("文档引用", "documents", [("title", "文档"), ("doc_id", "文档ID"), ("cited", "被引用次数")]),
]


def summary_rows(stats: UsageStats) -> list[tuple[str, object]]:
    return [
        ("提问总数", stats.asked),
        ("未找到答案", stats.refused),
        ("拒答率", round(stats.refusal_rate, 4)),
        ("馆员审核答案被采用", stats.reviewed_served),
    ]


def _cell(key: str, value):
    return safe_cell(CHANNEL_ZH.get(value, value) if key == "channel" else value)


def to_xlsx(stats: UsageStats, path: Path | IO[bytes]) -> None:
    """The workbook: 概况 (totals), then each table whole, saved to a path or a binary file object."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.worksheet import Worksheet

    wb = Workbook()
    summary = wb.active
    assert isinstance(summary, Worksheet)  # a new workbook opens on one empty worksheet
    summary.title = "概况"
    summary.append(["项目", "数值"])
    for name, value in summary_rows(stats):
        summary.append([name, value])
    data = stats.as_dict()
    for title, key, columns in SHEETS:
        ws = wb.create_sheet(title)
        ws.append([zh for _, zh in columns])
        for row in data[key]:
            ws.append([_cell(field, row[field]) for field, _ in columns])
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text stays text, whatever it starts with
    for ws in wb.worksheets:
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
    wb.save(path)


__all__ = ["CHANNEL_ZH", "SHEETS", "summary_rows", "to_xlsx"]
