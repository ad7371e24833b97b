"""The 统计 tab, for admins: questions per day, the refusal rate, the most asked questions, the slowest
answers and the most cited documents, all counted from the question log (``ui.services.usage``),
and the whole of it as an Excel workbook.

The log holds who asked what, so every handler asks ``may_administer`` itself (each is also an API endpoint).
"""

from __future__ import annotations

import gradio as gr
import pandas as pd

from ...services import Services
from ...services.usage import UsageStats, usage_stats, usage_workbook
from ...usage_export import CHANNEL_ZH, SHEETS
from ..roles import NOT_ALLOWED, may_administer
from ..uploads import UploadCache

TABLE_TITLES = {
    "per_day": "每日提问（最近在前）",
    "top_questions": "问得最多的问题",
    "slowest": "最慢的回答",
    "documents": "被引用最多的文档",
}


def summary_markdown(stats: UsageStats) -> str:
    return (
        f"**提问总数 {stats.asked}**　·　未找到答案 {stats.refused}　·　拒答率 {stats.refusal_rate:.1%}"
        f"　·　馆员审核的答案被采用 {stats.reviewed_served} 次"
    )


def frame(stats: UsageStats, key: str) -> pd.DataFrame:
    """One table of the statistics with the workbook's Chinese headings."""
    columns = next(cols for _, k, cols in SHEETS if k == key)
    rows = getattr(stats, key)
    values = [[_shown(f, r[f]) for f, _ in columns] for r in rows]
    return pd.DataFrame(values, columns=[zh for _, zh in columns])


def _shown(field: str, value):
    if field == "channel":
        return CHANNEL_ZH.get(value, value)
    if field == "time":  # 2026-12-08T10:07:59+08:00 → 2026-12-08 10:07:59
        return str(value)[:19].replace("T", " ")
    return value


class UsageHandlers:
    def __init__(self, services: Services, cache: UploadCache):
        self.settings = services.settings
        self.store = services.curation
        self.cache = cache

    def load(self, request: gr.Request):
        if not may_administer(self.settings, request):
            return (NOT_ALLOWED, *[gr.update(value=None) for _ in TABLE_TITLES])
        stats = usage_stats(self.store)
        return (summary_markdown(stats), *[frame(stats, key) for key in TABLE_TITLES])

    def export(self, request: gr.Request):
        if not may_administer(self.settings, request):
            gr.Warning(NOT_ALLOWED)
            return gr.update(value=None, visible=False)
        download = usage_workbook(self.store)
        return gr.update(value=self.cache.offer(download.file_name, download.content), visible=True)


def build_usage_tab(services: Services, cache: UploadCache) -> None:
    """The 统计 tab; call inside ``gr.Tabs()``."""
    on = UsageHandlers(services, cache)
    with gr.Tab("统计", id="usage") as tab:
        summary = gr.Markdown("", elem_id="lt-usage-summary")
        tables = []
        for key, title in TABLE_TITLES.items():
            tables.append(
                gr.Dataframe(label=title, interactive=False, wrap=True, max_height=320, elem_id=f"lt-usage-{key}")
            )
        with gr.Row():
            refresh = gr.Button("刷新", size="sm", elem_id="lt-usage-refresh")
            export = gr.Button("导出 Excel（XLSX）", size="sm", elem_id="lt-usage-export")
        file = gr.File(label="导出文件", interactive=False, visible=False, height=60, elem_id="lt-usage-file")
        tab.select(on.load, None, [summary, *tables], api_name="usage_load")
        refresh.click(on.load, None, [summary, *tables], api_name="usage_refresh")
        export.click(on.export, None, [file], api_name="usage_export")


__all__ = ["build_usage_tab", "frame", "summary_markdown"]
