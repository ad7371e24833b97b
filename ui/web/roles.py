"""Who may do what in the web app: one home for the role checks every tab uses.

Two roles (``ui.web.users.Role``): 管理员 manage documents (upload, remove,
re-index, visibility), export feedback, review answers (审核), read the question
statistics (统计), edit the word list and read the operations log; 馆员 ask, draft and read the metrics. A login's role is the one
its ``LANTAI_UI_USERS`` entry names; without one it is 管理员 when the name is in
``LANTAI_ADMIN_USERS`` and 馆员 otherwise — so is anyone logged in with an API
key as the password, or calling with a key (``API 密钥``).

Without any web login (the server then listens on loopback only: one person at
this machine) nobody is asked who they are, and the page behaves as before roles
existed: documents, feedback export, 审核, 统计 and the log are open to that person
(``may_administer``), while the word list still needs a named admin (``is_admin``).

Every Gradio event handler is also a public ``/gradio_api/call/<name>`` endpoint,
so a handler that shows or changes admin-only data asks here itself; hiding a
button is only a courtesy.
"""

from __future__ import annotations

from typing import Any

from .users import Role, WebUser, parse_ui_users

LOCAL_USER = "本机用户"  # who acts when the page has no login (loopback only)
NOT_ALLOWED = "只有管理员可以进行此操作；当前账号为馆员，可以问答、起草计划和查看指标。"


def web_users(settings) -> list[WebUser]:
    secret = settings.ui_users
    return parse_ui_users(secret.get_secret_value() if hasattr(secret, "get_secret_value") else secret)


def admin_names(settings) -> set[str]:
    return {n.strip() for n in (settings.admin_users or "").split(",") if n.strip()}


def login_name(request: Any) -> str | None:
    """The logged-in web user of a Gradio request, or None without a login."""
    return getattr(request, "username", None) if request is not None else None


def role_of(settings, request: Any) -> Role | None:
    """The caller's role; None when the page has no login at all."""
    name = login_name(request)
    if not name:
        return None
    named = next((u.role for u in web_users(settings) if u.name == name and u.role is not None), None)
    if named is not None:
        return named
    return Role.ADMIN if name in admin_names(settings) else Role.STAFF


def is_admin(settings, request: Any) -> bool:
    """A logged-in 管理员 (the word list asks for a name even on a page without logins)."""
    return role_of(settings, request) == Role.ADMIN


def may_administer(settings, request: Any) -> bool:
    """A 管理员, or the one local user of a page without logins: documents, feedback export, 审核, 统计, the log."""
    return role_of(settings, request) in (Role.ADMIN, None)


def actor_name(request: Any) -> str:
    """Who the operations log names for this request."""
    return login_name(request) or LOCAL_USER


__all__ = [
    "LOCAL_USER",
    "NOT_ALLOWED",
    "actor_name",
    "admin_names",
    "is_admin",
    "login_name",
    "may_administer",
    "role_of",
    "web_users",
]
