"""WeChat's API, stood in for on 127.0.0.1: access tokens, customer-service messages, content checks.

``GET /cgi-bin/token`` issues tokens (with a chosen lifetime), ``POST
/cgi-bin/message/custom/send`` records customer-service messages. ``fail_next``
scripts failures: errcode -1, 40001, 42001, 45015 (outside the 48 hours), 45047
(send limit), 48001 (an account without 客服消息), HTTP 500, or a dropped
connection; ``expire_tokens`` makes every token issued so far expired. ``POST
/wxa/msg_sec_check`` is WeChat's content check (version 2): a text holding one
of ``risky`` (word → label) is ``risky``, anything else ``pass``;
``moderation_down`` drops every call (the service is down).
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from .server import Reply, Request, StandinServer

MAX_TEXT_BYTES = 2048  # WeChat's limit for a text reply and a customer-service text message


@dataclass
class SentMessage:
    touser: str
    content: str
    token: str
    at: float


@dataclass
class Call:
    path: str
    query: dict[str, str]
    body: Any
    errcode: int | None
    status: int
    at: float = field(default_factory=time.monotonic)


@dataclass
class _Failure:
    remaining: int
    path: str
    errcode: int | None
    status: int | None
    drop: bool
    take: bool  # a dropped send that was taken (delivered) before the connection dropped


class WeChatAPIStandin(StandinServer):
    """``with WeChatAPIStandin(appid, secret) as api: ... api.base_url ... api.sent``"""

    name = "wechat-api-standin"

    TOKEN = "/cgi-bin/token"
    SEND = "/cgi-bin/message/custom/send"
    MODERATION = "/wxa/msg_sec_check"

    def __init__(self, appid: str, secret: str, token_ttl: int = 7200, old_token_grace: float | None = None):
        super().__init__()
        self.appid = appid
        self.secret = secret
        self.token_ttl = token_ttl
        # As WeChat does: a new token leaves the older ones valid for this long only (WeChat: 5 minutes);
        # None: older tokens live out their own lifetime.
        self.old_token_grace = old_token_grace
        self.sent: list[SentMessage] = []
        self.risky: dict[str, int] = {}  # words msg_sec_check finds risky, with their label (20002: 色情 ...)
        self.moderation_down = False
        self.moderated: list[str] = []  # the texts msg_sec_check was asked about
        self.calls: list[Call] = []
        self._tokens: dict[str, float] = {}  # token -> expiry (monotonic)
        self._failures: list[_Failure] = []
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)

    # -- scripting ----------------------------------------------------------------------------------
    def fail_next(
        self,
        n: int,
        *,
        errcode: int | None = None,
        status: int | None = None,
        drop: bool = False,
        take: bool = False,
        path: str = SEND,
    ) -> None:
        """The next ``n`` calls to ``path`` fail: with ``errcode`` (HTTP 200), HTTP ``status``, or ``drop``
        (the connection closes without an answer; ``take`` delivers the message first)."""
        with self._lock:
            self._failures.append(_Failure(n, path, errcode, status, drop, take))

    def expire_tokens(self) -> None:
        """Every token issued so far is now expired (42001), as after its two hours."""
        with self._lock:
            for token in self._tokens:
                self._tokens[token] = 0.0

    def token_requests(self) -> int:
        with self._lock:
            return sum(1 for c in self.calls if c.path == self.TOKEN)

    def send_calls(self) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.path == self.SEND]

    def sent_to(self, user: str) -> list[str]:
        with self._lock:
            return [m.content for m in self.sent if m.touser == user]

    def wait_for_sent(self, n: int, timeout: float, user: str | None = None) -> list[SentMessage]:
        """Block until ``n`` messages (to ``user``, or anyone) were taken, or ``timeout`` passed."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                got = [m for m in self.sent if user is None or m.touser == user]
                left = deadline - time.monotonic()
                if len(got) >= n or left <= 0:
                    return got
                self._cond.wait(left)

    def reset(self) -> None:
        with self._lock:
            self.sent.clear()
            self.calls.clear()
            self._failures.clear()
            self.token_ttl = 7200
            self.old_token_grace = None
            self.risky.clear()
            self.moderation_down = False
            self.moderated.clear()

    # -- addresses -----------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return self.root_url + "/cgi-bin/"

    @property
    def moderation_url(self) -> str:
        return self.root_url + self.MODERATION

    # -- serving ------------------------------------------------------------------------------------
    def respond(self, request: Request) -> Reply:
        path, query, body = request.path, request.query, request.body
        with self._lock:
            failure = next((f for f in self._failures if f.remaining > 0 and f.path == path), None)
            if failure is not None:
                failure.remaining -= 1
            if failure is None and path == self.MODERATION and self.moderation_down:
                failure = _Failure(0, path, None, None, drop=True, take=False)
        if failure is not None and failure.drop:
            if failure.take and path == self.SEND and isinstance(body, dict):
                self._take(body, query.get("access_token", ""))
            self._record(path, query, body, None, 0)
            return Reply(close_connection=True)
        if failure is not None and failure.status is not None:
            self._record(path, query, body, None, failure.status)
            return _json(failure.status, {"error": "scripted failure"})
        if failure is not None and failure.errcode is not None:
            return self._answer(path, query, body, {"errcode": failure.errcode, "errmsg": "scripted failure"})
        if path == self.TOKEN and request.method == "GET":
            return self._answer(path, query, body, self._token(query))
        if path == self.SEND and request.method == "POST":
            return self._answer(path, query, body, self._send(query, body))
        if path == self.MODERATION and request.method == "POST":
            return self._answer(path, query, body, self._moderate(query, body))
        self._record(path, query, body, None, 404)
        return _json(404, {"errcode": 404, "errmsg": "no such api"})

    def _token(self, query: dict[str, str]) -> dict:
        if query.get("grant_type") != "client_credential":
            return {"errcode": 40002, "errmsg": "invalid grant_type"}
        if query.get("appid") != self.appid:
            return {"errcode": 40013, "errmsg": "invalid appid"}
        if query.get("secret") != self.secret:
            return {"errcode": 40125, "errmsg": "invalid appsecret"}
        token = secrets.token_urlsafe(24)
        with self._lock:
            now = time.monotonic()
            if self.old_token_grace is not None:
                for old, expiry in self._tokens.items():
                    self._tokens[old] = min(expiry, now + self.old_token_grace)
            self._tokens[token] = now + self.token_ttl
        return {"access_token": token, "expires_in": self.token_ttl}

    def _send(self, query: dict[str, str], body: Any) -> dict:
        token = query.get("access_token", "")
        problem = self._token_problem(token)
        if problem:
            return problem
        if not isinstance(body, dict) or body.get("msgtype") != "text" or not body.get("touser"):
            return {"errcode": 40008, "errmsg": "invalid message type"}
        content = (body.get("text") or {}).get("content")
        if not isinstance(content, str) or not content:
            return {"errcode": 44003, "errmsg": "empty news data"}
        if len(content.encode("utf-8")) > MAX_TEXT_BYTES:
            return {"errcode": 45002, "errmsg": "content size out of limit"}
        self._take(body, token)
        return {"errcode": 0, "errmsg": "ok"}

    def _moderate(self, query: dict[str, str], body: Any) -> dict:
        problem = self._token_problem(query.get("access_token", ""))
        if problem:
            return problem
        if (
            not isinstance(body, dict)
            or not isinstance(body.get("content"), str)
            or body.get("version") != 2
            or not body.get("openid")
            or body.get("scene") not in (1, 2, 3, 4)
        ):
            return {"errcode": 47001, "errmsg": "data format error"}
        content = body["content"]
        with self._lock:
            self.moderated.append(content)
            found = next(((w, label) for w, label in self.risky.items() if w in content), None)
        trace = secrets.token_hex(8)
        if found is None:
            return {
                "errcode": 0,
                "errmsg": "ok",
                "result": {"suggest": "pass", "label": 100},
                "detail": [{"strategy": "content_model", "errcode": 0, "suggest": "pass", "label": 100}],
                "trace_id": trace,
            }
        word, label = found
        return {
            "errcode": 0,
            "errmsg": "ok",
            "result": {"suggest": "risky", "label": label},
            "detail": [
                {"strategy": "keyword", "errcode": 0, "suggest": "risky", "label": label, "level": 90, "keyword": word}
            ],
            "trace_id": trace,
        }

    def _token_problem(self, token: str) -> dict | None:
        with self._lock:
            expiry = self._tokens.get(token)
        if expiry is None:
            return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"}
        if expiry <= time.monotonic():
            return {"errcode": 42001, "errmsg": "access_token expired"}
        return None

    def _take(self, body: dict, token: str) -> None:
        with self._cond:
            self.sent.append(SentMessage(body["touser"], body["text"]["content"], token, time.monotonic()))
            self._cond.notify_all()

    def _record(self, path: str, query: dict, body: Any, errcode: int | None, status: int) -> None:
        with self._lock:
            self.calls.append(Call(path, query, body, errcode, status))

    def _answer(self, path: str, query: dict, body: Any, data: dict) -> Reply:
        self._record(path, query, body, data.get("errcode", 0), 200)
        return _json(200, data)


def _json(status: int, data: dict) -> Reply:
    return Reply(status=status, json=data, content_type="application/json; charset=utf-8")


__all__ = ["MAX_TEXT_BYTES", "Call", "SentMessage", "WeChatAPIStandin"]
