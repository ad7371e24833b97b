"""A stand-in for WeChat on 127.0.0.1, speaking the real protocol both ways.

``WeChatPush`` is WeChat's side of the callback: it signs real XML messages
(plain, or encrypted with wechatpy's crypto in safe mode) with timestamp,
nonce, signature (and msg_signature) query parameters and POSTs them to the
server under test the way WeChat does: it waits ``timeout`` seconds (5), and
when no valid answer came in time it sends the same message again, three times
in all. A reply is checked as WeChat would: ``success`` or an empty body, or a
text reply XML (signed and encrypted in safe mode) addressed back to the user,
at most 2048 bytes. ``lose`` makes it act as if the first replies never
arrived (a slow network), so retries can be provoked on purpose.

``WeChatAPIStandin`` is WeChat's API: ``GET /cgi-bin/token`` issues tokens
(with a chosen lifetime), ``POST /cgi-bin/message/custom/send`` records
customer-service messages. ``fail_next`` scripts failures: errcode -1, 40001,
42001, 45015 (outside the 48 hours), 45047 (send limit), 48001 (an account
without 客服消息), HTTP 500, or a dropped connection; ``expire_tokens`` makes
every token issued so far expired. ``POST /wxa/msg_sec_check`` is WeChat's
content check (version 2): a text holding one of ``risky`` (word → label) is
``risky``, anything else ``pass``; ``moderation_down`` drops every call
(the service is down).
"""

from __future__ import annotations

import itertools
import json
import random
import secrets
import socket
import string
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import defusedxml.ElementTree as SafeET
import httpx
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

MAX_TEXT_BYTES = 2048  # WeChat's limit for a text reply and a customer-service text message
_msg_ids = itertools.count(int(time.time() * 1000) % 10**12 * 1000)


def new_aes_key() -> str:
    """A random EncodingAESKey: 43 characters of base64 (a 32-byte key)."""
    import base64

    return base64.b64encode(secrets.token_bytes(32)).decode().rstrip("=")


def _sign(*parts: str) -> str:
    signer = WeChatSigner()
    signer.add_data(*parts)
    return signer.signature


def _nonce() -> str:
    return "".join(random.choices(string.ascii_letters + string.digits, k=10))


def _cdata(value: str) -> str:
    return f"<![CDATA[{value}]]>"


# -- the push side ----------------------------------------------------------------------------------
@dataclass
class Attempt:
    status: int | None  # HTTP status; None when it timed out or could not connect
    body: str
    elapsed: float  # seconds until the answer (or the time-out)
    reply: str | None = None  # the text of a passive reply
    error: str = ""  # timeout | connect | invalid: ...
    lost: bool = False  # acted as if this answer never arrived

    @property
    def accepted(self) -> bool:
        """WeChat took this answer: it stops retrying (and shows ``reply`` if there is one)."""
        return not self.lost and self.status == 200 and not self.error


@dataclass
class Delivery:
    user: str
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def accepted(self) -> Attempt | None:
        return next((a for a in self.attempts if a.accepted), None)

    @property
    def shown(self) -> str | None:
        """The passive reply the user sees, if any."""
        a = self.accepted
        return a.reply if a else None

    @property
    def invalid(self) -> bool:
        """An answer WeChat cannot use: the user sees 该公众号暂时无法提供服务."""
        return any(a.error.startswith("invalid") for a in self.attempts)


class WeChatPush:
    def __init__(
        self,
        url: str,
        token: str,
        appid: str,
        aes_key: str | None = None,
        account: str = "gh_lantai_standin",
        timeout: float = 5.0,
        attempts: int = 3,
        keepalive: bool = True,
    ):
        self.url = url
        self.token = token
        self.appid = appid
        self.account = account
        self.timeout = timeout
        self.attempts = attempts
        self.crypto = WeChatCrypto(token, aes_key, appid) if aes_key else None
        # keepalive False: a new connection per attempt, as WeChat's many servers make; several server
        # processes on one port then each take their share (a kept-alive connection stays with one).
        limits = httpx.Limits(max_keepalive_connections=20 if keepalive else 0)
        self.http = httpx.Client(timeout=timeout, limits=limits)

    def close(self) -> None:
        self.http.close()

    # -- messages -----------------------------------------------------------------------------------
    def text(self, user: str, content: str, msg_id: int | None = None) -> str:
        return self._message(user, "text", f"<Content>{_cdata(content)}</Content>", msg_id)

    def image(self, user: str, msg_id: int | None = None) -> str:
        return self._message(
            user,
            "image",
            f"<PicUrl>{_cdata('http://127.0.0.1/p.jpg')}</PicUrl><MediaId>{_cdata('media1')}</MediaId>",
            msg_id,
        )

    def voice(self, user: str, recognition: str | None = None, msg_id: int | None = None) -> str:
        """A voice message; ``recognition`` is WeChat's transcript, sent when 语音识别 is on for the account."""
        fields = f"<MediaId>{_cdata('voice-media-1')}</MediaId><Format>{_cdata('amr')}</Format>"
        if recognition is not None:
            fields += f"<Recognition>{_cdata(recognition)}</Recognition>"
        return self._message(user, "voice", fields, msg_id)

    def event(self, user: str, event: str, create_time: int | None = None, key: str | None = None) -> str:
        """An event; ``key`` is the EventKey (a menu item's key for CLICK)."""
        event_key = f"<EventKey>{_cdata(key)}</EventKey>" if key is not None else ""
        return (
            f"<xml><ToUserName>{_cdata(self.account)}</ToUserName><FromUserName>{_cdata(user)}</FromUserName>"
            f"<CreateTime>{create_time or int(time.time())}</CreateTime><MsgType>{_cdata('event')}</MsgType>"
            f"<Event>{_cdata(event)}</Event>{event_key}</xml>"
        )

    def _message(self, user: str, kind: str, fields: str, msg_id: int | None) -> str:
        msg_id = msg_id or next(_msg_ids)
        return (
            f"<xml><ToUserName>{_cdata(self.account)}</ToUserName><FromUserName>{_cdata(user)}</FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType>{_cdata(kind)}</MsgType>{fields}"
            f"<MsgId>{msg_id}</MsgId></xml>"
        )

    # -- signing ------------------------------------------------------------------------------------
    def signed(self, xml: str, user: str = "", at: float | None = None) -> tuple[bytes, dict[str, str]]:
        """The request body and query WeChat would send for this message (signed at ``at``, default now)."""
        timestamp, nonce = str(int(time.time() if at is None else at)), _nonce()
        params = {"signature": _sign(self.token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}
        if user:
            params["openid"] = user
        if self.crypto is None:
            return xml.encode("utf-8"), params
        envelope = SafeET.fromstring(self.crypto.encrypt_message(xml, nonce, timestamp))
        encrypt = envelope.findtext("Encrypt")
        params.update(encrypt_type="aes", msg_signature=_sign(self.token, timestamp, nonce, encrypt))
        body = f"<xml><ToUserName>{_cdata(self.account)}</ToUserName><Encrypt>{_cdata(encrypt)}</Encrypt></xml>"
        return body.encode("utf-8"), params

    def verify_url(self, echostr: str, *, token: str | None = None) -> httpx.Response:
        """WeChat's GET check of the server URL."""
        timestamp, nonce = str(int(time.time())), _nonce()
        signature = _sign(token or self.token, timestamp, nonce)
        return self.http.get(
            self.url, params={"signature": signature, "timestamp": timestamp, "nonce": nonce, "echostr": echostr}
        )

    def post(self, body: bytes, params: dict[str, str], timeout: float | None = None) -> httpx.Response:
        # Each push on a connection of its own: a retry comes ~5 s after the last reply, just when the
        # server drops an idle keep-alive connection, and reusing it would race that close.
        return self.http.post(
            self.url,
            params=params,
            content=body,
            headers={"Content-Type": "text/xml", "Connection": "close"},
            timeout=timeout or self.timeout,
        )

    # -- delivery as WeChat does it -----------------------------------------------------------------
    def send(self, xml: str, *, lose: int = 0, timeout: float | None = None) -> Delivery:
        """Push a message, retrying as WeChat does; the first ``lose`` answers count as never arrived."""
        timeout = timeout or self.timeout
        user = SafeET.fromstring(xml).findtext("FromUserName") or ""
        delivery = Delivery(user)
        for number in range(self.attempts):
            body, params = self.signed(xml, user)
            started = time.monotonic()
            try:
                response = self.post(body, params, timeout)
                attempt = Attempt(response.status_code, response.text, time.monotonic() - started)
                if response.status_code == 200:
                    self._check_reply(attempt, user)
                else:
                    attempt.error = f"http {response.status_code}"
            except httpx.TimeoutException:
                attempt = Attempt(None, "", time.monotonic() - started, error="timeout")
            except httpx.TransportError as exc:
                attempt = Attempt(None, "", time.monotonic() - started, error=f"connect: {exc!r}")
            attempt.lost = number < lose
            delivery.attempts.append(attempt)
            if attempt.accepted or attempt.error.startswith("invalid"):
                break
            time.sleep(max(0.0, timeout - (time.monotonic() - started)))  # WeChat waits out its time-out
        return delivery

    def _check_reply(self, attempt: Attempt, user: str) -> None:
        body = attempt.body
        if body.strip() in ("", "success"):
            return
        try:
            root = SafeET.fromstring(body.encode("utf-8"), forbid_dtd=True)
            if self.crypto is not None:
                if root.findtext("Encrypt") is None:
                    raise ValueError("a plain reply to an encrypted message")
                inner = self.crypto.decrypt_message(
                    body, root.findtext("MsgSignature"), root.findtext("TimeStamp"), root.findtext("Nonce")
                )
                root = SafeET.fromstring(inner.encode("utf-8"), forbid_dtd=True)
            if root.findtext("MsgType") != "text":
                raise ValueError(f"MsgType {root.findtext('MsgType')!r}")
            if root.findtext("ToUserName") != user or root.findtext("FromUserName") != self.account:
                raise ValueError("the reply is not addressed back to the user")
            content = root.findtext("Content") or ""
            if len(content.encode("utf-8")) > MAX_TEXT_BYTES:
                raise ValueError(f"content of {len(content.encode('utf-8'))} bytes")
            attempt.reply = content
        except Exception as exc:  # anything WeChat could not use
            attempt.error = f"invalid: {exc!r}"


# -- the API side -----------------------------------------------------------------------------------
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


class WeChatAPIStandin:
    """``with WeChatAPIStandin(appid, secret) as api: ... api.base_url ... api.sent``"""

    TOKEN = "/cgi-bin/token"
    SEND = "/cgi-bin/message/custom/send"
    MODERATION = "/wxa/msg_sec_check"

    def __init__(self, appid: str, secret: str, token_ttl: int = 7200, old_token_grace: float | None = None):
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
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

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

    # -- lifecycle ----------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/cgi-bin/"

    @property
    def moderation_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}{self.MODERATION}"

    def start(self) -> WeChatAPIStandin:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                standin._serve(self)

            def do_POST(self) -> None:
                standin._serve(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="wechat-api-standin", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> WeChatAPIStandin:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- serving ------------------------------------------------------------------------------------
    def _serve(self, http: BaseHTTPRequestHandler) -> None:
        url = urlsplit(http.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        length = int(http.headers.get("Content-Length") or 0)
        raw = http.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        with self._lock:
            failure = next((f for f in self._failures if f.remaining > 0 and f.path == url.path), None)
            if failure is not None:
                failure.remaining -= 1
            if failure is None and url.path == self.MODERATION and self.moderation_down:
                failure = _Failure(0, url.path, None, None, drop=True, take=False)
        if failure is not None and failure.drop:
            if failure.take and url.path == self.SEND and isinstance(body, dict):
                self._take(body, query.get("access_token", ""))
            self._record(url.path, query, body, None, 0)
            http.close_connection = True
            try:
                http.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if failure is not None and failure.status is not None:
            self._record(url.path, query, body, None, failure.status)
            return self._reply(http, failure.status, {"error": "scripted failure"})
        if failure is not None and failure.errcode is not None:
            return self._answer(http, url.path, query, body, {"errcode": failure.errcode, "errmsg": "scripted failure"})
        if url.path == self.TOKEN and http.command == "GET":
            return self._answer(http, url.path, query, body, self._token(query))
        if url.path == self.SEND and http.command == "POST":
            return self._answer(http, url.path, query, body, self._send(query, body))
        if url.path == self.MODERATION and http.command == "POST":
            return self._answer(http, url.path, query, body, self._moderate(query, body))
        self._record(url.path, query, body, None, 404)
        self._reply(http, 404, {"errcode": 404, "errmsg": "no such api"})

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

    def _answer(self, http: BaseHTTPRequestHandler, path: str, query: dict, body: Any, data: dict) -> None:
        self._record(path, query, body, data.get("errcode", 0), 200)
        self._reply(http, 200, data)

    @staticmethod
    def _reply(http: BaseHTTPRequestHandler, status: int, data: dict) -> None:
        payload = json.dumps(data, ensure_ascii=False).encode("utf-8")
        try:
            http.send_response(status)
            http.send_header("Content-Type", "application/json; charset=utf-8")
            http.send_header("Content-Length", str(len(payload)))
            http.end_headers()
            http.wfile.write(payload)
            http.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            http.close_connection = True


__all__ = ["Attempt", "Delivery", "MAX_TEXT_BYTES", "SentMessage", "WeChatAPIStandin", "WeChatPush", "new_aes_key"]
