"""The 指标 tab: the metrics table filtered by indicator, year and scope, a trend chart, conflicts, downloads."""

from __future__ import annotations

import gradio as gr

from ...services import Services
from ...services.trends import notes
from ..frames import CONFLICT_COLUMNS, METRIC_COLUMNS, conflicts_frame, empty_trend, metrics_frame, trend_frame
from ..library_picker import library_picker, picker_update
from ..uploads import UploadCache

ALL = "（全部）"
DEFAULT_TREND = "进馆人数"


def filter_args(indicator, year, scope) -> dict:
    """The dropdowns' values as filters: 「（全部）」 or nothing means no filter; a year that is no number too."""
    year_value = None
    if year not in (None, "", ALL):
        try:
            year_value = int(year)
        except (TypeError, ValueError):
            year_value = None
    return {
        "indicator": None if indicator in (None, "", ALL) else indicator,
        "year": year_value,
        "scope": None if scope in (None, "", ALL) else scope,
    }


class MetricHandlers:
    """What the tab's controls do. Handler names are the names of the page's API endpoints."""

    def __init__(self, services: Services, cache: UploadCache):
        self.metrics = services.metrics
        self.libraries = services.metrics.known_libraries
        self.cache = cache

    def filter_choices(self, library=None):
        """Fresh choices: indicators, the years and scopes of the picked library's figures, and the picker."""
        rows = self.metrics.rows(org=_picked(library))
        years = sorted({r.year for r in rows if r.year is not None})
        scopes = sorted({r.scope for r in rows if r.scope})
        indicators = self.metrics.indicators_known()
        return (
            gr.update(choices=[ALL] + indicators),
            gr.update(choices=[ALL] + [str(y) for y in years]),
            gr.update(choices=[ALL] + scopes),
            {"__type__": "update", "choices": indicators},
            picker_update(self.libraries, library),
        )

    def query_metrics(self, indicator, year, scope, library=None):
        rows = self.metrics.rows(**filter_args(indicator, year, scope), org=_picked(library))
        return metrics_frame(rows), f"共 {len(rows)} 条。"

    def trend(self, indicator, scope, library=ALL):
        """The chart's heading, its points and what it leaves out. One library a chart, and only the plot's
        value changes: a title or colour changed with it re-draws the chart from the data it had before."""
        args = filter_args(indicator, None, scope)
        if not args["indicator"]:
            return "#### 趋势\n\n请选择指标。", gr.update(value=empty_trend()), ""
        lib = None if library in (None, "", ALL) else library
        found = self.metrics.trend(args["indicator"], lib, args["scope"])
        if lib is None and found.libraries():  # one line: the library with most years; the note names the others
            lib = max(found.libraries(), key=lambda x: sum(p.library == x for p in found.points))
            found = self.metrics.trend(args["indicator"], lib, args["scope"])
        where = "、".join(x for x in (lib, args["scope"] or "全区") if x)
        unit = f"（单位：{found.unit}）" if found.unit else ""
        heading = f"#### {found.indicator}{unit} · {where}"
        if not found.points:
            heading += "\n\n没有可画的数字。"
        note = "\n".join(f"- {line}" for line in notes(found))
        return heading, gr.update(value=trend_frame(found)), note

    def export(self, fmt: str):
        def handler(indicator, year, scope, library=None):
            download = self.metrics.export(fmt, **filter_args(indicator, year, scope), org=_picked(library))
            return gr.update(value=self.cache.offer(download.file_name, download.content), visible=True)

        return handler

    def open_metrics(self, indicator, year, scope, trend_indicator, library):
        """Opening the tab: fresh choices, the table, the conflicts and a trend to look at."""
        ind, yr, sc, tind, libs = self.filter_choices(library)
        library = libs["value"]  # the picked library, or the default when it is gone
        table, count = self.query_metrics(indicator, year, scope, library)
        known = tind["choices"]
        if trend_indicator not in known:
            trend_indicator = DEFAULT_TREND if DEFAULT_TREND in known else (known[0] if known else None)
        tind["value"] = trend_indicator
        found = [c for c in self.metrics.conflicts() if not library or c.org in (library, "")]
        conflicts = conflicts_frame(found)
        note = f"发现 {len(found)} 处数值不一致，请核对原文。" if len(conflicts) else "暂未发现数值不一致。"
        return ind, yr, sc, tind, libs, table, count, conflicts, note, *self.trend(trend_indicator, scope, library)

    def library_picked(self, indicator, year, scope, trend_indicator, library):
        """Another library picked: everything read again for it, the picker itself left as it is."""
        opened = self.open_metrics(indicator, year, scope, trend_indicator, library)
        return opened[:4] + opened[5:]


def _picked(library) -> str | None:
    return None if library in (None, "", ALL) else library


def build_metrics_tab(services: Services, cache: UploadCache) -> gr.Dropdown:
    """The 指标 tab, inside the page's ``gr.Tabs``; its 单位 picker is returned to be linked with the others."""
    on = MetricHandlers(services, cache)
    with gr.Tab("指标", id="metrics") as metrics_tab:
        library = library_picker("lt-metrics-org")
        with gr.Row():
            m_indicator = gr.Dropdown([ALL], value=ALL, label="指标", allow_custom_value=True)
            m_year = gr.Dropdown([ALL], value=ALL, label="年份")
            m_scope = gr.Dropdown([ALL], value=ALL, label="范围", allow_custom_value=True)
            m_query = gr.Button("查询", variant="primary")
        m_count = gr.Markdown("")
        m_table = gr.Dataframe(headers=METRIC_COLUMNS, label="指标表", interactive=False, wrap=True, max_height=420)
        with gr.Row():
            csv_btn = gr.Button("导出 CSV", size="sm")
            xlsx_btn = gr.Button("导出 Excel（XLSX）", size="sm")
        m_file = gr.File(label="导出文件", interactive=False, visible=False, height=60, elem_id="lt-export")
        gr.Markdown("### 趋势")
        with gr.Row():
            t_indicator = gr.Dropdown([], label="指标（按年份）", scale=3)
            t_btn = gr.Button("画趋势图", scale=1)
        gr.Markdown("范围按上方「范围」：（全部）即全馆（全区）合计，不含分馆、服务点。", elem_classes="lt-hint")
        t_title = gr.Markdown("#### 趋势", elem_id="lt-trend-title")
        t_plot = gr.LinePlot(
            empty_trend(),
            x="年份",
            y="数值",
            x_title="年份",
            y_title="数值",
            height=320,
            elem_id="lt-trend",
        )
        t_note = gr.Markdown("", elem_id="lt-trend-note")
        gr.Markdown("### 数值不一致（同一指标在不同文档中的说法不同）")
        c_note = gr.Markdown("", elem_id="lt-conflicts-note")
        c_table = gr.Dataframe(headers=CONFLICT_COLUMNS, interactive=False, wrap=True)

        filters = [m_indicator, m_year, m_scope]
        m_query.click(on.query_metrics, [*filters, library], [m_table, m_count])
        csv_btn.click(on.export("csv"), [*filters, library], [m_file])
        xlsx_btn.click(on.export("xlsx"), [*filters, library], [m_file])
        trend_in, trend_out = [t_indicator, m_scope, library], [t_title, t_plot, t_note]
        t_btn.click(on.trend, trend_in, trend_out)
        for control in (t_indicator, m_scope):  # the chart never shows another choice's data
            control.change(on.trend, trend_in, trend_out)
        opened = [*filters, t_indicator, library]
        # Opening the tab or picking another library (here or in another tab) reads everything again.
        opening = [*opened, m_table, m_count, c_table, c_note, *trend_out]
        metrics_tab.select(on.open_metrics, opened, opening)
        library.change(on.library_picked, opened, [o for o in opening if o is not library])
    return library
