"""The web app's panel for the WeChat word list: admins load, edit and save it.

Admins are the logins whose role is 管理员 (``ui.web.roles``). Every Gradio
event handler is also a public ``/gradio_api/call/<name>`` endpoint, so each
handler checks the caller itself: anyone else gets a refusal and not one line
of the list. Saving goes through ``ui.services.safety_words.save_word_list``, as the
REST endpoint does: a bad line is named and nothing is written; a good list
replaces the file in one step and the running channel uses it at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gradio as gr

from ...services import Services
from ...services.audit import web_actor
from ...services.safety_words import ReadOnlyList, StaffFileError, load_word_list, save_word_list
from ..roles import actor_name, is_admin

HELP = (
    "公众号的问题和答案发出前都要经过敏感词表检查。格式：每行一条，「类别、制表符（Tab 键）、词语」，或只写词语（归入「其他」）；"
    "「白名单、制表符、词语」为例外；以 # 开头的行为注释。只有管理员可以查看和修改。"
)
NOT_ADMIN = "只有管理员可以查看和修改公众号敏感词表。"


def _summary(words) -> str:
    return f"共 {words.blocked} 条敏感词、{words.allowed} 条白名单；类别：{'、'.join(words.categories) or '无'}。"


def build_safety_tab(services: Services, gate: Callable[[], Any]) -> None:
    """The 「公众号词表」 tab; call inside ``gr.Tabs()``."""
    settings = services.settings

    def load_words(request: gr.Request):
        if not is_admin(settings, request):
            return gr.update(value=""), NOT_ADMIN
        try:
            text, words = load_word_list(settings)
        except StaffFileError as exc:
            return gr.update(), f"词表文件有误，请修正后重新保存：{exc}"
        where = "" if settings.safety_words else "（正在使用内置示例词表，只读；请设置 LANTAI_SAFETY_WORDS）"
        return text, _summary(words) + where

    def save_words(text: str, request: gr.Request):
        if not is_admin(settings, request):
            return gr.update(value=""), NOT_ADMIN
        try:
            by = web_actor(actor_name(request))
            saved, words = save_word_list(settings, text or "", gate(), audit=services.audit, by=by)
        except (ReadOnlyList, StaffFileError) as exc:
            return gr.update(), f"未保存：{exc}"
        except OSError as exc:
            return gr.update(), f"未保存，原词表未改动：{exc.strerror or exc}"
        return saved, "已保存并生效。" + _summary(words)

    with gr.Tab("公众号词表", id="safety") as tab:
        gr.Markdown(HELP)
        status = gr.Markdown("", elem_id="lt-safety-status")
        words = gr.Textbox(label="词表", lines=20, max_lines=40, elem_id="lt-safety-words")
        with gr.Row():
            load_btn = gr.Button("重新载入", size="sm")
            save_btn = gr.Button("保存", variant="primary", elem_id="lt-safety-save")
        tab.select(load_words, None, [words, status], api_name="safety_words_load")
        load_btn.click(load_words, None, [words, status], api_name="safety_words_reload")
        save_btn.click(save_words, [words], [words, status], api_name="safety_words_save")


__all__ = ["build_safety_tab"]
