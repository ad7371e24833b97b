"""The 操作记录 tab: the operations log (``ui.services.audit``), newest first, filterable by user; admins only.

The tab is hidden from a 馆员, and its handlers refuse one too: they are public
``/gradio_api/call/<name>`` endpoints like every other.
"""

from __future__ import annotations

import gradio as gr
import pandas as pd

from ...services import Services
from ..markup import inert
from ..roles import NOT_ALLOWED, may_administer

COLUMNS = ["时间", "操作人", "途径", "操作", "对象"]
EVERYONE = "全部"
SHOWN = 200  # entries the table shows at most; GET /api/audit reads further


def _frame(entries) -> pd.DataFrame:
    rows = [[e.time.replace("T", " ")[:19], e.user, e.surface, e.action, e.target] for e in entries]
    return pd.DataFrame(rows, columns=COLUMNS)


def build_audit_tab(services: Services) -> None:
    """The 「操作记录」 tab; call inside ``gr.Tabs()``."""
    settings, audit = services.settings, services.audit

    def show_audit(user: str | None, request: gr.Request):
        if not may_administer(settings, request):
            return _frame([]), gr.update(choices=[EVERYONE], value=EVERYONE), NOT_ALLOWED
        chosen = None if not user or user == EVERYONE else user
        entries = audit.entries(chosen, SHOWN)
        who = f"「{inert(chosen)}」的" if chosen else ""
        note = f"{who}最近 {len(entries)} 条操作（最新在前，最多显示 {SHOWN} 条）。" if entries else "还没有操作记录。"
        choices = [EVERYONE, *audit.users()]
        return _frame(entries), gr.update(choices=choices, value=chosen or EVERYONE), note

    def show_tab(request: gr.Request):
        return gr.update(visible=may_administer(settings, request))

    with gr.Tab("操作记录", id="audit", visible=False) as tab:
        gr.Markdown("管理员的每一次操作：上传、删除、修改可见范围、重新索引、保存词表、导出反馈——谁、何时、做了什么。")
        with gr.Row():
            user = gr.Dropdown(
                [EVERYONE], value=EVERYONE, label="操作人", scale=3, allow_custom_value=True, elem_id="lt-audit-user"
            )
            refresh = gr.Button("刷新", size="sm", scale=1, elem_id="lt-audit-refresh")
        note = gr.Markdown("", elem_id="lt-audit-note")
        table = gr.Dataframe(
            value=_frame([]), headers=COLUMNS, interactive=False, wrap=True, label="操作记录", elem_id="lt-audit"
        )
        tab.select(show_audit, [user], [table, user, note], api_name="audit_show")
        refresh.click(show_audit, [user], [table, user, note], api_name="audit_refresh")
        user.input(show_audit, [user], [table, user, note], api_name="audit_by_user")
    # On page load: the tab exists for admins only.
    gr.on(None, show_tab, None, [tab], api_name="audit_tab")


__all__ = ["build_audit_tab"]
