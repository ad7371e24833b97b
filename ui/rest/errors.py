"""Errors as the REST API answers them: Chinese first, English after " / ".

Validation errors become one readable sentence per problem (422), as does a library (``org``) no document
is by, with the libraries there are; an embedding
service or a Chroma server that is down is a 503 with its own message;
anything else a 500 that says nothing of the server's insides.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from index import VectorStoreUnreachable
from index.embed import EmbedderError

from ..services.libraries import UnknownLibrary
from ..services.questions import MAX_HISTORY, MAX_HISTORY_CHARS, MAX_HISTORY_ITEMS, MAX_QUESTION

log = logging.getLogger(__name__)


def zh_validation(errors: list[dict]) -> str:
    messages = []
    for e in errors:
        loc = [str(p) for p in e.get("loc", ()) if p not in ("body", "query", "path", "form")]
        where = ".".join(loc) or "请求"
        kind = e.get("type", "")
        ctx = e.get("ctx") or {}
        if kind == "value_error":
            msg = str(ctx.get("error") or e.get("msg", "")).removeprefix("Value error, ")
        elif kind == "missing":
            msg = f"缺少「{where}」/ '{where}' is required"
        elif kind == "string_too_short" and loc[:1] == ["question"]:
            msg = "问题不能为空 / the question is empty"
        elif kind == "string_too_long" and loc[:1] == ["question"]:
            msg = f"问题超过 {MAX_QUESTION} 字 / the question is longer than {MAX_QUESTION} characters"
        elif kind == "string_too_long" and loc[:1] == ["history"]:
            msg = (
                f"历史问题每条不能超过 {MAX_HISTORY_CHARS} 字 / an earlier question is longer than "
                f"{MAX_HISTORY_CHARS} characters"
            )
        elif kind == "too_long" and loc[:1] == ["history"]:
            msg = (
                f"历史问题最多 {MAX_HISTORY_ITEMS} 条（只参考最近 {MAX_HISTORY} 条），请只发送最近的几条 / "
                f"at most {MAX_HISTORY_ITEMS} earlier questions (the last {MAX_HISTORY} are read)"
            )
        elif kind == "too_long":
            msg = f"「{where}」条目过多（最多 {ctx.get('max_length')} 条）/ '{where}' has too many items"
        elif kind == "literal_error":
            msg = f"「{where}」只能是 {ctx.get('expected', '')} / '{where}' must be {ctx.get('expected', '')}"
        elif kind in ("int_parsing", "int_type"):
            msg = f"「{where}」必须是整数 / '{where}' must be an integer"
        elif kind in ("string_type", "list_type", "model_attributes_type", "dict_type"):
            msg = f"「{where}」的类型不对 / '{where}' has the wrong type"
        elif kind == "json_invalid":
            msg = "请求正文不是有效的 JSON / the request body is not valid JSON"
        else:
            msg = f"「{where}」不符合要求 / '{where}': {e.get('msg', '')}"
        if msg not in messages:
            messages.append(msg)
    return "；".join(messages) or "请求内容不符合要求 / invalid request"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "type": e.get("type", ""), "msg": e.get("msg", "")} for e in exc.errors()
        ]
        return JSONResponse({"detail": zh_validation(list(exc.errors())), "errors": errors}, status_code=422)

    @app.exception_handler(UnknownLibrary)
    async def _unknown_library(request: Request, exc: UnknownLibrary) -> JSONResponse:
        return JSONResponse({"detail": exc.bilingual(), "libraries": exc.known}, status_code=422)

    @app.exception_handler(EmbedderError)
    async def _embedder_down(request: Request, exc: EmbedderError) -> JSONResponse:
        log.error("embedding service failed on %s %s: %s", request.method, request.url.path, exc)
        return JSONResponse({"detail": str(exc)}, status_code=503)

    @app.exception_handler(VectorStoreUnreachable)
    async def _vector_store_down(request: Request, exc: VectorStoreUnreachable) -> JSONResponse:
        log.error("Chroma server unreachable on %s %s: %s", request.method, request.url.path, exc.detail)
        return JSONResponse({"detail": exc.bilingual()}, status_code=503)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": "服务器内部错误，请稍后再试 / internal server error"}, status_code=500)


__all__ = ["install_error_handlers", "zh_validation"]
