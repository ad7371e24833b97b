"""The HTTP face of the channel: ``GET`` for WeChat's URL check, ``POST`` for messages.

Status codes: a bad signature gets 403, a body that is not a readable
message (malformed XML, a DTD or entity, a wrong shape) 400, a body over
``wechat_max_body_bytes`` 413. A message gets a passive XML reply, or the
text ``success`` when there is nothing to say now (WeChat then stops
retrying and shows nothing).
"""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from .channel import WeChatChannel
from .protocol import BadMessage, BadSignature, WeChatProtocol

SUCCESS = "success"


class _TooLarge(Exception):
    pass


async def _read_capped(request: Request, max_bytes: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise _TooLarge
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > max_bytes:
            raise _TooLarge
    return bytes(body)


def wechat_router(channel: WeChatChannel, protocol: WeChatProtocol, path: str, max_body_bytes: int) -> APIRouter:
    router = APIRouter(tags=["wechat"])

    @router.get(path, response_class=PlainTextResponse, summary="微信服务器地址验证 / WeChat URL verification")
    def verify(
        signature: str | None = None, timestamp: str | None = None, nonce: str | None = None, echostr: str | None = None
    ) -> PlainTextResponse:
        try:
            protocol.check(signature, timestamp, nonce)
        except BadSignature:
            return PlainTextResponse("invalid signature", status_code=403)
        if not echostr:
            return PlainTextResponse("echostr is required", status_code=400)
        return PlainTextResponse(echostr)

    @router.post(
        path,
        summary="微信消息 / WeChat messages",
        responses={200: {"content": {"application/xml": {}, "text/plain": {}}}},
    )
    async def receive(
        request: Request,
        signature: str | None = None,
        timestamp: str | None = None,
        nonce: str | None = None,
        encrypt_type: str | None = None,
        msg_signature: str | None = None,
    ) -> Response:
        arrived = time.monotonic()  # the reply budget counts from here
        try:
            protocol.check(signature, timestamp, nonce)
            body = await _read_capped(request, max_body_bytes)
            encrypted = (encrypt_type or "").lower() == "aes"
            message = protocol.read(
                body, encrypted=encrypted, msg_signature=msg_signature, timestamp=timestamp or "", nonce=nonce or ""
            )
        except BadSignature:
            return PlainTextResponse("invalid signature", status_code=403)
        except _TooLarge:
            return PlainTextResponse("request body too large", status_code=413)
        except BadMessage as exc:
            return PlainTextResponse(f"bad message: {exc}", status_code=400)
        text = await channel.handle(message, arrived)
        if text is None:
            return PlainTextResponse(SUCCESS)
        xml = protocol.render(message, text, encrypted=encrypted, nonce=nonce or "")
        return Response(xml, media_type="application/xml")

    return router


__all__ = ["SUCCESS", "wechat_router"]
