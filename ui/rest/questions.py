"""``/api/ask`` and ``/api/ask/stream``: a question answered with citations, whole or as server-sent events."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from index import VectorStoreUnreachable
from index.embed import EmbedderError

from ..services.questions import Questions, answer_pieces
from .common import ServicesDep
from .models import SSE_EVENT, AnswerOut, AskRequest

log = logging.getLogger(__name__)

router = APIRouter(tags=["ask"])

_STREAM_EVENTS = (
    '事件 / events: `delta`（data: {"text": 片段}），依次拼接即为答案文字；'
    '最后一个 `answer`（data: 完整答案对象，同 /api/ask）。出错时为 `error`（data: {"detail": …}）。'
)


def _ask(questions: Questions, body: AskRequest):
    return questions.ask_in_conversation(body.question, body.history, body.org)


def sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


@router.post("/ask", response_model=AnswerOut, summary="提问 / ask a question")
def ask(body: AskRequest, services: ServicesDep) -> Any:
    return _ask(services.questions, body).as_dict()


@router.post(
    "/ask/stream",
    summary="提问（流式，SSE）/ ask, streamed as server-sent events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {"schema": SSE_EVENT}}, "description": _STREAM_EVENTS}},
)
async def ask_stream(body: AskRequest, services: ServicesDep) -> StreamingResponse:
    services.libraries.resolve(body.org)  # an unknown library is a 422 before the stream starts
    return StreamingResponse(
        _events(services.questions, body),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _events(questions: Questions, body: AskRequest) -> AsyncIterator[str]:
    try:
        answer = await run_in_threadpool(_ask, questions, body)
    except VectorStoreUnreachable as exc:
        log.error("Chroma server unreachable: %s", exc.detail)
        yield sse("error", {"detail": exc.bilingual()})
        return
    except EmbedderError as exc:
        log.error("embedding service failed: %s", exc)
        yield sse("error", {"detail": str(exc)})
        return
    except Exception:
        log.exception("ask failed")
        yield sse("error", {"detail": "生成答案时出错，请稍后再试 / failed to answer"})
        return
    for piece in answer_pieces(answer.answer):
        yield sse("delta", {"text": piece})
        await asyncio.sleep(0)
    yield sse("answer", AnswerOut.model_validate(answer.as_dict()).model_dump())
