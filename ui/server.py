"""One server for people and programs: the REST API under ``/api`` and the web UI at ``/``.

``create_server_app(settings)`` builds the API app of ``ui.api.create_app``
(``/api/...``, ``/healthz``, OpenAPI at ``/docs``) and mounts the Gradio UI of
``ui.web.build_ui`` at ``/`` over the same knowledge base, assistant and
ingest jobs. The API routes are registered first, so they win over the mount.

Login: when ``LANTAI_UI_USERS`` ("user:password,user2:pw2") is set, the UI is
mounted with Gradio's own ``auth=`` (``gr.mount_gradio_app(..., auth=...)``,
supported by the installed Gradio 6): its login page guards the page and every
Gradio endpoint; the ``/api`` routes keep their own API-key check.
"""

from __future__ import annotations

import os

import gradio as gr
from fastapi import FastAPI

from .api import BindError, create_app, is_loopback
from .settings import Settings
from .web import CSS, build_ui, make_auth, parse_ui_users

UI_USERS_ENV = "LANTAI_UI_USERS"


def check_ui_bind(host: str, ui_users: str | list[tuple[str, str]] | None) -> None:
    """Refuse to serve the web UI beyond this machine without a login.

    The UI reads and changes internal documents; off loopback it needs
    ``LANTAI_UI_USERS`` just as the API needs ``LANTAI_API_KEYS``.
    """
    users = parse_ui_users(ui_users) if isinstance(ui_users, str) or ui_users is None else list(ui_users)
    if users or is_loopback(host):
        return
    raise BindError(
        f"未配置网页登录账号时只能监听本机地址（127.0.0.1、::1、localhost），不能监听 {host or '（空）'}；"
        f"请设置环境变量 {UI_USERS_ENV}（格式 用户:密码，多个用逗号分隔）后再对外提供服务。"
        f" / Refusing to serve the web UI on {host or '(empty)'} without a login: set {UI_USERS_ENV} "
        "(user:password, comma-separated) or bind to 127.0.0.1, ::1 or localhost."
    )


def create_server_app(settings: Settings | None = None, *, kb=None, assistant=None, api_keys=None,
                      ui_users: str | list[tuple[str, str]] | None = None) -> FastAPI:
    """The API app with the web UI mounted at ``/``.

    ``ui_users`` default to ``LANTAI_UI_USERS``; none means the UI needs no login.
    """
    settings = settings or Settings()
    app = create_app(settings, kb=kb, assistant=assistant, api_keys=api_keys)
    if ui_users is None or isinstance(ui_users, str):
        users = parse_ui_users(os.environ.get(UI_USERS_ENV) if ui_users is None else ui_users)
    else:
        users = list(ui_users)
    app.state.ui_users = [u for u, _ in users]
    demo = build_ui(app.state)
    demo.queue(default_concurrency_limit=4)
    gr.mount_gradio_app(
        app, demo, path="/",
        auth=make_auth(users) if users else None,
        auth_message="请输入兰台的用户名和密码登录。" if users else None,
        max_file_size=settings.max_bytes,
        footer_links=[],
        mcp_server=False,
        ssr_mode=False,
        css=CSS,
        theme=gr.themes.Soft(),
    )
    return app


__all__ = ["create_server_app", "check_ui_bind", "UI_USERS_ENV"]
