"""The key policy of the REST API, and where the server may listen without one.

Every route under ``/api`` needs ``Authorization: Bearer <key>`` once API keys
are configured (``Settings.api_keys``: ``LANTAI_API_KEYS`` in the environment
or ``.env``, comma-separated; ``app.state.api_keys``); ``/healthz`` never does.
Wrong keys count towards the login throttle (``ui.access.LoginThrottle``).

Admin routes (the word list, the operations log, reviewed answers, statistics) further need one of
``LANTAI_ADMIN_KEYS`` (``require_admin``): 403 for any other key, and for every
key while none is set.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import SecretStr

from ..access import bearer, check_key, client_address, matches, parse_api_keys

LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")


def is_loopback(host: str) -> bool:
    host = (host or "").strip().strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class BindError(ValueError):
    """Serving beyond this machine without an API key."""


def check_bind(host: str, api_keys: SecretStr | str | list[str] | None) -> None:
    """Refuse to listen on a non-loopback address when no API key is configured.

    ``api_keys`` are the keys the server will require (a list, or the comma-
    separated ``LANTAI_API_KEYS`` string); none means anyone who can reach the
    port could read internal documents, so only 127.0.0.1, ::1 and localhost
    are allowed then.
    """
    if parse_api_keys(api_keys) or is_loopback(host):
        return
    raise BindError(
        f"未配置 API 密钥时只能监听本机地址（127.0.0.1、::1、localhost），不能监听 {host or '（空）'}；"
        "请在环境变量或 .env 中设置 LANTAI_API_KEYS（多个密钥用逗号分隔）后再对外提供服务。"
        f" / Refusing to listen on {host or '(empty)'} without an API key: set LANTAI_API_KEYS "
        "(comma-separated) or bind to 127.0.0.1, ::1 or localhost."
    )


_bearer = HTTPBearer(auto_error=False, description="LANTAI_API_KEYS 中的一个密钥 / one of the LANTAI_API_KEYS")


def require_key(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> None:
    keys: list[str] = request.app.state.api_keys
    if not keys:
        return
    if not check_key(
        request.headers.get("authorization"), keys, request.app.state.throttle, client_address(request.scope)
    ):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "缺少或无效的 API 密钥，请在请求头中提供 Authorization: Bearer <密钥> / missing or invalid API key",
            headers={"WWW-Authenticate": "Bearer"},
        )


def require_admin(request: Request) -> None:
    """The key must also be one of ``LANTAI_ADMIN_KEYS`` (401 without a key, 403 otherwise)."""
    admins = parse_api_keys(request.app.state.settings.admin_keys)
    token = bearer(request.headers.get("authorization"))
    if token is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "需要管理员密钥 / an admin key is required",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not admins or not matches(token, admins):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "只有管理员（LANTAI_ADMIN_KEYS 中的密钥）可以进行此操作 / admins only"
        )


__all__ = ["BindError", "check_bind", "is_loopback", "require_admin", "require_key", "LOOPBACK_HOSTS"]
