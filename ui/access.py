"""One access rule for every surface of the server.

Keys (``Settings.api_keys``) and web logins (``Settings.ui_users``) are
settings like any other, so a value in ``.env`` counts as much as one in the
environment. Once keys are configured, nothing that reads or changes documents
answers without a key or a login:

* ``/api/*``: ``Authorization: Bearer <key>`` (``ui.rest.auth``);
* the web UI and every Gradio route under it (page, ``/config``,
  ``/gradio_api/*``, files, uploads, the queue): a request with a valid
  ``Authorization: Bearer <key>`` passes; otherwise a Gradio login is needed —
  the configured web users, or, with none, any user name and an API key as the
  password. ``GradioGate`` lets only the login page and its static assets
  through without one.

``/healthz`` stays open, and the WeChat endpoint checks its own signature.

``LoginThrottle`` pauses logins, and key attempts, for a user name or a client
address after ``login_max_failures`` failures within ``login_window_seconds``;
a successful login is never counted.
"""

from __future__ import annotations

import hmac
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar

from fastapi import FastAPI, HTTPException, Request
from pydantic import SecretStr
from starlette._utils import get_route_path  # the path below root_path, as starlette's router reads it
from starlette.requests import cookie_parser
from starlette.routing import Mount
from starlette.types import ASGIApp, Receive, Scope, Send

API_USER = "API 密钥"  # the user name the web UI sees for a request authenticated by key
SCOPE_USER = "lantai.user"
_CLIENT: ContextVar[str] = ContextVar("lantai_client", default="")

# Routes of the mounted UI served without a login: the login page itself and what it loads.
OPEN_EXACT = {
    "",
    "/",
    "/login",
    "/login/",
    "/logout",
    "/favicon.ico",
    "/robots.txt",
    "/manifest.json",
    "/theme.css",
    "/gradio_api/theme.css",
}
OPEN_PREFIXES = ("/assets/", "/static/", "/pwa_icon")

UNAUTHORIZED = "需要登录，或在请求头中提供 Authorization: Bearer <API 密钥> / login or API key required"


def secret_text(value: SecretStr | str | None) -> str:
    if value is None:
        return ""
    return value.get_secret_value() if isinstance(value, SecretStr) else str(value)


def parse_api_keys(value: SecretStr | str | list[str] | tuple[str, ...] | None) -> list[str]:
    """Keys from ``LANTAI_API_KEYS`` ("k1,k2") or a list; blanks dropped."""
    if value is None:
        return []
    items = secret_text(value).split(",") if isinstance(value, (str, SecretStr)) else list(value)
    return [k.strip() for k in items if k and k.strip()]


def matches(given: str, secrets: Iterable[str]) -> bool:
    """Constant-time comparison against every secret (no early exit)."""
    found = False
    for s in secrets:
        found |= hmac.compare_digest(given.encode(), s.encode())
    return found


def bearer(authorization: str | None) -> str | None:
    """The token of ``Authorization: Bearer <token>`` (scheme case-insensitive), or None."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else ""


# -- throttling -------------------------------------------------------------------------------------
class LoginThrottle:
    """Failed attempts per user name and per client address; too many pause further attempts."""

    def __init__(
        self,
        max_failures: int = 5,
        window: float = 300.0,
        lockout: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
        max_entries: int = 10_000,
    ) -> None:
        self.max_failures, self.window, self.lockout = max_failures, window, lockout
        self.clock, self.max_entries = clock, max_entries
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._until: dict[str, float] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings) -> LoginThrottle:
        return cls(settings.login_max_failures, settings.login_window_seconds, settings.login_lockout_seconds)

    def wait(self, *keys: str) -> float:
        """Seconds until any of ``keys`` may try again (0: now)."""
        now = self.clock()
        with self._lock:
            return max([self._until.get(k, 0.0) - now for k in keys if k] + [0.0])

    def failed(self, *keys: str) -> None:
        now = self.clock()
        with self._lock:
            for key in filter(None, keys):
                times = self._failures.pop(key, None) or deque()
                times.append(now)
                while times and times[0] <= now - self.window:
                    times.popleft()
                if len(times) >= self.max_failures:
                    self._until[key] = now + self.lockout
                    times.clear()
                self._failures[key] = times  # most recent last
            while len(self._failures) > self.max_entries:
                old, _ = self._failures.popitem(last=False)
                if self._until.get(old, 0.0) <= now:
                    self._until.pop(old, None)

    def refusal(self, wait: float) -> HTTPException:
        minutes = max(1, math.ceil(wait / 60))
        return HTTPException(
            429,
            f"登录或密钥验证失败次数过多，请 {minutes} 分钟后再试 / too many failed attempts, try again in {minutes} min",
            headers={"Retry-After": str(max(1, math.ceil(wait)))},
        )


def user_key(name: str) -> str:
    return f"user:{name}" if name else ""


def address_key(address: str) -> str:
    return f"addr:{address}" if address else ""


def check_key(authorization: str | None, keys: list[str], throttle: LoginThrottle | None, address: str) -> bool:
    """True for a valid bearer key; a wrong one counts against the client's address.

    Raises 429 while that address is paused, whatever key it presents.
    """
    token = bearer(authorization)
    if token is None:
        return False
    if throttle is not None:
        wait = throttle.wait(address_key(address))
        if wait > 0:
            raise throttle.refusal(wait)
    if matches(token, keys):
        return True
    if throttle is not None:
        throttle.failed(address_key(address))
    return False


# -- the web UI's login -----------------------------------------------------------------------------
def make_login(users: list[tuple[str, str]], keys: list[str], throttle: LoginThrottle):
    """Gradio's ``auth`` callable: the web users, or (with none) any name and an API key as password."""
    table = dict(users)

    def check(username: str, password: str) -> bool:
        name = (username or "").strip()
        keys_tried = (user_key(name), address_key(_CLIENT.get()))
        wait = throttle.wait(*keys_tried)
        if wait > 0:
            raise throttle.refusal(wait)
        given = password or ""
        if table:
            ok = name in table and hmac.compare_digest(given.encode(), table[name].encode())
        else:
            ok = bool(name) and bool(keys) and matches(given, keys)
        if not ok:
            throttle.failed(*keys_tried)
        return ok

    return check


def login_message(users: list[tuple[str, str]], settings) -> str:
    rule = (
        f"连续输错 {settings.login_max_failures} 次后，需等待 "
        f"{max(1, math.ceil(settings.login_lockout_seconds / 60))} 分钟才能再次登录。"
    )
    if users:
        return "请输入兰台的用户名和密码登录。" + rule
    return "请登录兰台：用户名可任意填写，密码请填写一个 API 密钥（LANTAI_API_KEYS 中的任意一个）。" + rule


class GradioGate:
    """In front of the mounted Gradio app: a key, a login cookie, or only the login page."""

    def __init__(self, app: ASGIApp, keys: list[str], throttle: LoginThrottle) -> None:
        self.app, self.keys, self.throttle = app, keys, throttle

    def _logged_in(self, scope: Scope) -> bool:
        tokens = getattr(self.app, "tokens", {})
        cookie_id = getattr(self.app, "cookie_id", None)
        header = next((v for k, v in scope.get("headers") or [] if k == b"cookie"), b"")
        cookies = cookie_parser(header.decode("latin-1"))
        names = (f"access-token-{cookie_id}", f"access-token-unsecure-{cookie_id}")
        return any(cookies.get(n) in tokens for n in names if cookies.get(n))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        address = client_address(scope)
        headers = dict(scope.get("headers") or [])
        try:
            keyed = check_key(headers.get(b"authorization", b"").decode("latin-1"), self.keys, self.throttle, address)
        except HTTPException as exc:
            await _deny(scope, send, exc.status_code, exc.detail, exc.headers)
            return
        if keyed:
            scope[SCOPE_USER] = API_USER
        elif not self._logged_in(scope) and not _open_path(scope):
            await _deny(scope, send, 401, UNAUTHORIZED, {"WWW-Authenticate": "Bearer"})
            return
        token = _CLIENT.set(address)
        try:
            await self.app(scope, receive, send)
        finally:
            _CLIENT.reset(token)


def _open_path(scope: Scope) -> bool:
    if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD", "POST"):
        return False
    path = get_route_path(scope)
    if scope["method"] == "POST":
        return path in ("/login", "/login/")
    return path in OPEN_EXACT or path.startswith(OPEN_PREFIXES)


async def _deny(scope: Scope, send: Send, status: int, detail: str, headers: Mapping[str, str] | None) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    import json

    body = json.dumps({"detail": detail}, ensure_ascii=False).encode("utf-8")
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), str(v).encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def iter_routes(routes, prefix: str = ""):
    """(path prefix, route) for every route, looking into mounts and included routers."""
    for route in routes:
        if isinstance(route, Mount):
            yield from iter_routes(route.routes, prefix + route.path)
        elif hasattr(route, "original_router") and hasattr(route, "include_context"):  # FastAPI's lazy include
            yield from iter_routes(route.original_router.routes, prefix + route.include_context.prefix)
        else:
            yield prefix, route


def guard_gradio(app, keys: list[str], throttle: LoginThrottle) -> None:
    """Put ``GradioGate`` in front of the Gradio app mounted on ``app`` and let it vouch for key holders.

    Gradio resolves the user of every request through one dependency
    (``get_current_user``); it is overridden to name the key holder the gate
    recognised, and otherwise asks Gradio's own login cookie as before.
    """
    mount = next(r for r in app.routes if isinstance(r, Mount) and hasattr(r.app, "get_blocks"))
    gradio_app = mount.app
    assert isinstance(gradio_app, FastAPI)  # Gradio's app is one
    original = next(
        r.endpoint for _, r in iter_routes(gradio_app.routes) if getattr(r, "name", "") == "get_current_user"
    )

    async def current_user(request: Request) -> str | None:
        return request.scope.get(SCOPE_USER) or await original(request)

    gradio_app.dependency_overrides[original] = current_user
    mount.app = GradioGate(gradio_app, keys, throttle)


__all__ = [
    "API_USER",
    "GradioGate",
    "LoginThrottle",
    "bearer",
    "check_key",
    "guard_gradio",
    "iter_routes",
    "login_message",
    "make_login",
    "matches",
    "parse_api_keys",
    "secret_text",
]
