"""Customer-service messages (客服消息): the way out for an answer that missed the 5-second window.

``POST {api_base}message/custom/send?access_token=...`` with
``{"touser", "msgtype": "text", "text": {"content"}}``; the access_token comes
from ``GET {api_base}token?grant_type=client_credential&appid&secret``.

Why not ``wechatpy.WeChatClient``: its token URL is fixed to
api.weixin.qq.com whatever ``API_BASE_URL`` says, its retry on an expired
token recurses without bound, and it is synchronous (requests). This client is
httpx (async) with tenacity for the retries.

Token: cached until shortly before it expires (a fifth of its lifetime, at
most five minutes early), fetched by one caller at a time (``tokens``: in this
process, ``ui.wechat.token.LocalToken``, or shared by every worker through
Redis); when WeChat says it is invalid or expired (40001, 40014, 42001) it is
fetched again and the send is tried once more.

What is retried, and why: a customer-service message has no idempotency key,
so only failures that prove the message was not taken are retried (with
exponential backoff and jitter): errcode -1 (system busy), HTTP 5xx, and
transport errors before the request was out (connect, pool, write). A time-out
or a dropped connection while waiting for the answer may follow a send that
succeeded: it is not retried (``DeliveryUncertain``), so a message is never
sent twice, at the price of one possibly lost.
"""

from __future__ import annotations

import json
import logging

import httpx
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from .token import LocalToken

log = logging.getLogger(__name__)

TOKEN_REJECTED = (40001, 40014, 42001)  # invalid credential, invalid token, token expired
SYSTEM_BUSY = -1
# The request never reached the server (or never completely): safe to send again.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteError, httpx.WriteTimeout)


class DeliveryError(Exception):
    """The message was not delivered and will not be retried (WeChat refused it, or retries ran out)."""

    def __init__(self, message: str, errcode: int | None = None):
        super().__init__(message)
        self.errcode = errcode


class DeliveryUncertain(DeliveryError):
    """The request went out but no answer came back: it may have been delivered; not retried."""


class _Transient(Exception):
    """A failure that proves the request was not taken; retried with backoff."""


class _TokenRejected(Exception):
    pass


class CustomerService:
    """Sends text messages to users through WeChat's customer-service API."""

    def __init__(
        self,
        api_base: str,
        appid: str,
        secret: str,
        *,
        timeout: float = 10.0,
        attempts: int = 4,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        transport: httpx.AsyncBaseTransport | None = None,
        tokens=None,
    ):
        self.appid = appid
        self.secret = secret
        self.attempts = max(1, attempts)
        self._wait = wait_exponential_jitter(initial=backoff, max=max_backoff, jitter=backoff)
        self.http = httpx.AsyncClient(base_url=api_base.rstrip("/") + "/", timeout=timeout, transport=transport)
        self.tokens = tokens or LocalToken()
        self.token_fetches = 0  # by this process

    async def aclose(self) -> None:
        await self.http.aclose()

    # -- access token -----------------------------------------------------------------------------
    async def access_token(self, stale: str | None = None) -> str:
        """The cached token, or a new one when it is near expiry or ``stale`` (the one WeChat rejected)."""
        return await self.tokens.get(lambda: self._retrying(self._fetch_token), stale)

    async def _fetch_token(self) -> tuple[str, float]:
        """A new token from WeChat and its lifetime in seconds."""
        params = {"grant_type": "client_credential", "appid": self.appid, "secret": self.secret}
        try:
            response = await self.http.get("token", params=params)
        except httpx.TransportError as exc:  # fetching a token twice is harmless: every failure is retried
            raise _Transient(f"token: {exc!r}") from exc
        data = _json(response, "token")
        errcode = int(data.get("errcode") or 0)
        if errcode == SYSTEM_BUSY:
            raise _Transient("token: system busy")
        if errcode or not data.get("access_token"):
            raise DeliveryError(f"token refused: {errcode} {data.get('errmsg', '')}", errcode)
        self.token_fetches += 1
        return str(data["access_token"]), max(1.0, float(data.get("expires_in") or 7200))

    # -- sending ------------------------------------------------------------------------------------
    async def send_text(self, openid: str, content: str) -> None:
        """Deliver one text message, or raise ``DeliveryError`` (``DeliveryUncertain`` when unknowable)."""
        body = json.dumps(
            {"touser": openid, "msgtype": "text", "text": {"content": content}}, ensure_ascii=False
        ).encode("utf-8")

        async def once() -> None:
            token = await self.access_token()
            try:
                await self._post(body, token)
            except _TokenRejected:
                log.info("access_token rejected by WeChat; fetching a new one")
                token = await self.access_token(stale=token)
                try:
                    await self._post(body, token)
                except _TokenRejected as exc:
                    raise DeliveryError(f"a fresh access_token was rejected too: {exc}") from None

        await self._retrying(once)

    async def _post(self, body: bytes, token: str) -> None:
        try:
            response = await self.http.post(
                "message/custom/send",
                params={"access_token": token},
                content=body,
                headers={"Content-Type": "application/json; charset=utf-8"},
            )
        except _NOT_SENT as exc:
            raise _Transient(f"send: {exc!r}") from exc
        except httpx.TransportError as exc:
            raise DeliveryUncertain(f"send: no answer after the request went out ({exc!r})") from exc
        data = _json(response, "send")
        errcode = int(data.get("errcode") or 0)
        if errcode == 0:
            return
        if errcode in TOKEN_REJECTED:
            raise _TokenRejected(f"{errcode} {data.get('errmsg', '')}")
        if errcode == SYSTEM_BUSY:
            raise _Transient("send: system busy")
        raise DeliveryError(f"send refused: {errcode} {data.get('errmsg', '')}", errcode)

    async def _retrying(self, call):
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.attempts),
            wait=self._wait,
            retry=retry_if_exception_type(_Transient),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await call()
        except _Transient as exc:
            raise DeliveryError(f"gave up after {self.attempts} attempts: {exc}") from None


def _json(response: httpx.Response, what: str) -> dict:
    if response.status_code >= 500:
        raise _Transient(f"{what}: HTTP {response.status_code}")
    if response.status_code != 200:
        raise DeliveryError(f"{what}: HTTP {response.status_code}")
    try:
        data = response.json()
    except ValueError:
        raise DeliveryError(f"{what}: the answer is not JSON") from None
    if not isinstance(data, dict):
        raise DeliveryError(f"{what}: unexpected answer")
    return data


__all__ = ["CustomerService", "DeliveryError", "DeliveryUncertain"]
