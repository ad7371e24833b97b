"""The web app (Gradio), built tab by tab over the services the REST API uses.

``build_ui(services, gate)`` takes the services of ``ui.rest.create_app``
(``app.state.services``), so the page and the API share one knowledge base,
one assistant and one ingest queue. Each tab is a module of ``ui.web.tabs``:
``chat`` (问答), ``documents`` (文档), ``metrics`` (指标), ``drafting``
(计划起草), ``safety`` (公众号词表, the word list of the WeChat channel),
``review`` (审核: the review queue and reviewed answers), ``usage`` (统计) and ``audit`` (操作记录, the
operations log); ``correction`` is the 问答 tab's box that turns a 👎 into a reviewed answer. Who may do
what: ``ui.web.roles``. The first three share one 单位 picker (``library_picker``).
All text shown to people is Simplified Chinese.

Login is not done here: ``ui.server`` mounts these Blocks with Gradio's own
``auth=`` when ``LANTAI_UI_USERS`` is set (see ``ui.web.users``).

Two rules hold for everything a browser sends or is shown:

- Files: an input takes only a file the page uploaded into Gradio's upload
  cache (``ui.web.uploads.accept_only_uploads``).
- Text from documents is shown as text (``ui.web.markup.inert``).
"""

from __future__ import annotations

from collections.abc import Callable

import gradio as gr

from ..services import Services
from ..services.feedback import FEEDBACK_FILE
from .citation_panel import PANEL_CSS, PANEL_SCRIPT
from .library_picker import link_pickers
from .markup import CSS as TEXT_CSS
from .markup import inert
from .render import job_markdown, plan_preview, render_answer
from .tabs.audit import build_audit_tab
from .tabs.chat import build_chat_tab
from .tabs.documents import build_documents_tab
from .tabs.drafting import build_drafting_tab
from .tabs.metrics import build_metrics_tab
from .tabs.review import build_review_tab
from .tabs.safety import build_safety_tab
from .tabs.usage import build_usage_tab
from .uploads import CACHE_LIFETIME, UploadCache, accept_only_uploads
from .users import WebUser, make_auth, parse_ui_users

TITLE = "兰台 · 图书馆工作文档知识助手"
CSS = TEXT_CSS + PANEL_CSS
HEAD = PANEL_SCRIPT  # the page's own script: citation links open the side panel


def build_ui(services: Services, gate: Callable[[], object] = lambda: None) -> gr.Blocks:
    """The Chinese web page; ``gate`` gives the WeChat channel's content gate, if there is one."""
    cache = UploadCache()  # Gradio's upload cache: the only files inputs accept
    with gr.Blocks(title=TITLE, delete_cache=CACHE_LIFETIME, analytics_enabled=False) as demo:
        gr.Markdown(f"## {TITLE}\n答案均来自已导入的工作文档，附引用原文；数字经核对。")
        with gr.Tabs():
            chat_org = build_chat_tab(services, cache)
            build_documents_tab(services, cache)
            metrics_org = build_metrics_tab(services, cache)
            plan_org = build_drafting_tab(services, cache)
            build_review_tab(services)
            build_usage_tab(services, cache)
            build_safety_tab(services, gate)
            build_audit_tab(services)
        link_pickers(demo, services.libraries, [chat_org, metrics_org, plan_org])
    accept_only_uploads(demo, cache.root)
    return demo


__all__ = [
    "build_ui",
    "parse_ui_users",
    "WebUser",
    "make_auth",
    "render_answer",
    "job_markdown",
    "plan_preview",
    "inert",
    "CSS",
    "HEAD",
    "FEEDBACK_FILE",
]
