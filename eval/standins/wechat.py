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

``WeChatAPIStandin`` is WeChat's API (``eval.standins.wechat_api``, imported
here so a test takes both sides from one module).
"""

from __future__ import annotations

import itertools
import random
import secrets
import string
import time
from dataclasses import dataclass, field

import defusedxml.ElementTree as SafeET
import httpx
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

from .wechat_api import MAX_TEXT_BYTES, SentMessage, WeChatAPIStandin

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
        if encrypt is None:
            raise ValueError("wechatpy's envelope holds no Encrypt element")
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


__all__ = ["Attempt", "Delivery", "MAX_TEXT_BYTES", "SentMessage", "WeChatAPIStandin", "WeChatPush", "new_aes_key"]
