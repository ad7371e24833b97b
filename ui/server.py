"""One server for people and programs: the REST API under ``/api`` and the web UI at ``/``.

``create_server_app(settings)`` builds the API app of ``ui.rest.create_app``
(``/api/...``, ``/healthz``, OpenAPI at ``/docs``) and mounts the Gradio UI of
``ui.web.build_ui`` at ``/`` over the same services (knowledge base, assistant
and ingest jobs). The API routes are registered first, so they win over the mount.

Several worker processes on one port (``lantai serve --workers N``): uvicorn
starts each from ``ui.worker_app`` (the API and WeChat, without the web
UI); what they must share (WeChat's retries, 「更多」 pages, rate
limits, the access_token, ingest jobs) is kept in Redis (``LANTAI_REDIS_URL``,
``ui.shared_state``).

Access (``ui.access``): keys and web users are settings (``LANTAI_API_KEYS``,
``LANTAI_UI_USERS`` = "user:password,user2:pw2", from the environment or
``.env``; an entry may end in its role, ``:admin`` or ``:staff``, see
``ui.web.roles``). When either is set, the UI is mounted with Gradio's own ``auth=``
and ``GradioGate`` stands in front of every Gradio route: a valid
``Authorization: Bearer <key>`` passes, otherwise only a logged-in browser does
— with web users configured, those users; with keys alone, any user name and an
API key as the password. Failed logins are throttled. The ``/api`` routes keep
their own key check; ``/healthz`` and the WeChat endpoint stay open.
"""

from __future__ import annotations

import gradio as gr
from fastapi import FastAPI
from pydantic import SecretStr

from .access import guard_gradio, login_message, make_login, secret_text
from .rest import BindError, create_app, is_loopback
from .settings import Settings
from .web import CSS, HEAD, WebUser, build_ui, parse_ui_users

UI_USERS_ENV = "LANTAI_UI_USERS"


def check_ui_bind(host: str, ui_users: SecretStr | str | list[tuple[str, str]] | None) -> None:
    """Refuse to serve the web UI beyond this machine without a login.

    The UI reads and changes internal documents; off loopback it needs
    ``LANTAI_UI_USERS`` just as the API needs ``LANTAI_API_KEYS``.
    """
    users = _users(ui_users)
    if users or is_loopback(host):
        return
    raise BindError(
        f"未配置网页登录账号时只能监听本机地址（127.0.0.1、::1、localhost），不能监听 {host or '（空）'}；"
        f"请在环境变量或 .env 中设置 {UI_USERS_ENV}（格式 用户:密码，多个用逗号分隔）后再对外提供服务。"
        f" / Refusing to serve the web UI on {host or '(empty)'} without a login: set {UI_USERS_ENV} "
        "(user:password, comma-separated) or bind to 127.0.0.1, ::1 or localhost."
    )


def _users(value) -> list[WebUser]:
    if value is None or isinstance(value, str) or hasattr(value, "get_secret_value"):
        return parse_ui_users(secret_text(value))
    return [WebUser(*user) for user in value]


def _entries(users: list[WebUser]) -> SecretStr:
    """Users as ``LANTAI_UI_USERS`` writes them, so the roles of the page read what the login checks."""
    return SecretStr(",".join(":".join(filter(None, user)) for user in users))


def create_server_app(
    settings: Settings | None = None,
    *,
    kb=None,
    assistant=None,
    api_keys=None,
    ui_users: str | list[tuple[str, str]] | list[WebUser] | None = None,
) -> FastAPI:
    """The API app with the web UI mounted at ``/``.

    ``ui_users`` default to ``settings.ui_users`` (and replace them in the settings the
    services get, where ``ui.web.roles`` reads each login's role). With neither users nor
    API keys the UI needs no login (loopback only: see ``check_ui_bind``).
    """
    settings = settings or Settings()
    users = _users(settings.ui_users if ui_users is None else ui_users)
    if ui_users is not None:
        settings = settings.model_copy(update={"ui_users": _entries(users)})
    app = create_app(settings, kb=kb, assistant=assistant, api_keys=api_keys)
    keys: list[str] = app.state.api_keys
    guarded = bool(users or keys)
    app.state.ui_users = [user.name for user in users]
    logins = [(user.name, user.password) for user in users]
    demo = build_ui(app.state.services, lambda: getattr(app.state.wechat, "gate", None))
    demo.queue(default_concurrency_limit=4)
    gr.mount_gradio_app(
        app,
        demo,
        path="/",
        auth=make_login(logins, keys, app.state.throttle) if guarded else None,
        auth_message=login_message(logins, settings) if guarded else None,
        max_file_size=settings.max_bytes,
        footer_links=[],
        mcp_server=False,
        ssr_mode=False,
        css=CSS,
        head=HEAD,
        theme=gr.themes.Soft(),
    )
    if guarded:
        guard_gradio(app, keys, app.state.throttle)
    return app


__all__ = ["create_server_app", "check_ui_bind", "UI_USERS_ENV"]
