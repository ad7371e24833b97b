"""Who may do what in the web app: one home for the admin check every tab uses.

Every Gradio event handler is also a public ``/gradio_api/call/<name>`` endpoint,
so a handler that shows or changes admin-only data asks ``is_admin`` itself.
Admins are the web login names listed in ``LANTAI_ADMIN_USERS``.
"""

from __future__ import annotations

from typing import Any


def admin_names(settings) -> set[str]:
    return {n.strip() for n in (settings.admin_users or "").split(",") if n.strip()}


def login_name(request: Any) -> str | None:
    """The logged-in web user of a Gradio request, or None without a login."""
    return getattr(request, "username", None) if request is not None else None


def is_admin(settings, request: Any) -> bool:
    name = login_name(request)
    return bool(name) and name in admin_names(settings)


__all__ = ["admin_names", "is_admin", "login_name"]
