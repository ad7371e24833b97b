"""The scripted answers of the OpenAI stand-in's ``/v1/chat/completions``, and how a streamed one is sent."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any


@dataclass
class ChatReply:
    """One scripted answer of ``/v1/chat/completions``.

    ``text`` is the answer; when streamed it is cut into ``deltas`` (given, or
    pieces of ``delta_size`` characters). ``delay`` seconds pass before
    anything is sent (a slow model); ``chunk_delay`` between stream chunks.
    ``status`` sends an OpenAI-style error with that HTTP status instead;
    ``close`` drops the connection without a reply; ``close_after`` (stream
    only) drops it after that many content deltas; ``raw`` sends those bytes
    verbatim as a 200 body (a malformed answer).
    """

    text: str = ""
    deltas: list[str] | None = None
    delay: float = 0.0
    chunk_delay: float = 0.0
    status: int | None = None
    close: bool = False
    close_after: int | None = None
    raw: bytes | None = None
    finish_reason: str = "stop"
    delta_size: int = 4
    retry_after_ms: int | None = 10  # on ``status`` replies: keeps client retries quick

    def __post_init__(self) -> None:
        if self.deltas is not None:
            self.text = "".join(self.deltas)

    def stream_deltas(self) -> list[str]:
        if self.deltas is not None:
            return list(self.deltas)
        size = max(1, self.delta_size)
        return [self.text[i : i + size] for i in range(0, len(self.text), size)]


ChatResponder = Callable[[list[dict]], "str | ChatReply"]


def chat_events(
    script: ChatReply, completion_id: str, created: int, model: str, usage: dict | None, stopping: threading.Event
) -> Iterator[bytes | None]:
    """Server-sent events as OpenAI streams them; ``None`` asks the sender to drop the connection
    (``close_after``, or the server stopping between two chunks)."""

    def event(choices: list[dict], **extra: Any) -> bytes:
        chunk = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "system_fingerprint": "fp_standin",
            "choices": choices,
            **extra,
        }
        return b"data: " + json.dumps(chunk, ensure_ascii=False).encode("utf-8") + b"\n\n"

    def choice(delta: dict, finish_reason: str | None = None) -> dict:
        return {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}

    yield event([choice({"role": "assistant", "content": "", "refusal": None})])
    for sent, delta in enumerate(script.stream_deltas()):
        if script.close_after is not None and sent >= script.close_after:
            yield None
            return
        if sent and script.chunk_delay > 0 and stopping.wait(script.chunk_delay):
            yield None
            return
        yield event([choice({"content": delta})])
    if script.close_after is not None and script.close_after <= len(script.stream_deltas()):
        yield None
        return
    yield event([choice({}, script.finish_reason)])
    if usage is not None:
        yield event([], usage=usage)
    yield b"data: [DONE]\n\n"


__all__ = ["ChatReply", "ChatResponder", "chat_events"]
