"""A cap on request bodies, applied before any route reads, parses or spools them.

``BodyCap`` is an ASGI middleware. A request whose ``Content-Length`` is over
its cap gets 413 at once, before a byte of the body is read; a body without a
length (chunked) is counted as it arrives and stopped with 413 at the cap. So a
JSON route never parses more than ``max_json_kb`` and a multipart upload is never
spooled to a temporary file beyond what the upload limit allows.

Caps (``Settings``):

* multipart bodies (file uploads): ``max_file_mb`` × ``max_files_per_upload``,
  plus a little for the form's own headers;
* bodies that carry a whole plan's Markdown (``/api/draft-plan/export`` and the
  web UI's event routes): ``max_text_kb``;
* every other body (JSON, forms): ``max_json_kb``.
"""

from __future__ import annotations

import json

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .settings import Settings

# Room for the multipart boundaries and part headers around the files themselves.
MULTIPART_OVERHEAD = 256 * 1024
# Routes whose bodies may hold a whole plan's Markdown (up to 500,000 characters).
TEXT_ROUTES = (
    "/api/draft-plan/export",
    "/gradio_api/queue/join",
    "/gradio_api/call/",
    "/gradio_api/run/",
    "/gradio_api/api/",
)


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a body without a length passes its cap; routes answer 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, too_large_message(limit))


def too_large_message(limit: int) -> str:
    size = f"{limit / 1024 / 1024:.1f} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"
    return f"请求内容过大（上限 {size}），未处理 / the request body exceeds the limit of {size}"


class BodyCap:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.json_limit = int(settings.max_json_kb * 1024)
        self.text_limit = int(settings.max_text_kb * 1024)
        self.upload_limit = int(settings.max_bytes * settings.max_files_per_upload) + MULTIPART_OVERHEAD

    def limit_for(self, scope: Scope) -> int:
        headers = dict(scope.get("headers") or [])
        content_type = headers.get(b"content-type", b"").decode("latin-1").lower()
        if content_type.startswith("multipart/"):
            return self.upload_limit
        path = scope.get("path", "")
        if any(path == r or (r.endswith("/") and path.startswith(r)) for r in TEXT_ROUTES):
            return max(self.text_limit, self.json_limit)
        return self.json_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        length = _content_length(scope)
        if length is not None and length > limit:
            await _refuse(send, limit)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            if started:
                raise
            await _refuse(send, limit)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers") or []:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps({"detail": too_large_message(limit)}, ensure_ascii=False).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


__all__ = ["BodyCap", "BodyTooLarge", "too_large_message", "TEXT_ROUTES"]
