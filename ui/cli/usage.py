"""``lantai usage``: the statistics of the question log (as the web app's 统计 tab), or its Excel workbook.

It reads ``<data dir>/curation.sqlite3`` only — SQLite is safe to read beside a running server — so it
works while ``lantai serve`` holds the data directory.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from ..services.curation_store import CURATION_FILE, CurationStore
from ..services.usage import usage_stats, usage_workbook
from ..usage_export import CHANNEL_ZH
from .common import AsJson, DataDir, console, fail, settings_for


def usage(
    data_dir: Path | None = DataDir,
    as_json: bool = AsJson,
    top: int = typer.Option(10, "--top", min=1, help="每个列表的行数 / lines per list"),
    xlsx: Path | None = typer.Option(None, "--xlsx", help="导出 Excel 文件 / write an .xlsx file"),
) -> None:
    """提问统计：每日提问、拒答率、热门问题、最慢回答、文档引用次数 / statistics of the questions asked."""
    folder = settings_for(data_dir).data_dir
    if not (folder / CURATION_FILE).is_file():
        fail(f"还没有提问记录 / no questions logged yet in {folder}")
    store = CurationStore(folder)
    if xlsx is not None:
        if xlsx.suffix.lower() != ".xlsx":
            fail(f"导出文件须以 .xlsx 结尾 / the export file must end in .xlsx: {xlsx}")
        xlsx.write_bytes(usage_workbook(store).content)
        console.print(f"[green]✓[/green] 已导出提问统计 / wrote the statistics to {xlsx}")
        return
    stats = usage_stats(store, top)
    if as_json:
        print(json.dumps(stats.as_dict(), ensure_ascii=False, indent=1))
        return
    console.print(
        f"提问 asked {stats.asked} · 未找到答案 refused {stats.refused} ({stats.refusal_rate:.1%})"
        f" · 馆员审核的答案 reviewed {stats.reviewed_served}",
        highlight=False,
    )
    days = Table("日期 day", "提问 asked", "未找到答案 refused")
    for d in stats.per_day:
        days.add_row(d["day"], str(d["asked"]), str(d["refused"]))
    questions = Table("问题 question", "次数 times")
    for q in stats.top_questions:
        questions.add_row(q["question"], str(q["times"]))
    slowest = Table("时间 time", "渠道 channel", "问题 question", "毫秒 ms")
    for s in stats.slowest:
        slowest.add_row(s["time"], CHANNEL_ZH.get(s["channel"], s["channel"]), s["question"], f"{s['latency_ms']:.0f}")
    documents = Table("文档 document", "被引用 cited")
    for d in stats.documents:
        documents.add_row(d["title"], str(d["cited"]))
    for table in (days, questions, slowest, documents):
        console.print(table)


def register(app: typer.Typer) -> None:
    app.command()(usage)
