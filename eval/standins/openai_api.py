"""A real, small OpenAI-compatible HTTP server for tests.

It listens on 127.0.0.1 (a free port), runs in a background thread and speaks
enough of the OpenAI wire protocol for the project's clients:

* ``POST /v1/embeddings`` -- deterministic vectors: character 1-3-gram counts
  hashed into ``dim`` buckets (not normalised, like many real servers), in
  ``float`` or ``base64`` encoding.
* ``POST /v1/chat/completions`` -- scripted chat replies, whole
  (``chat.completion``) or streamed (``"stream": true``: server-sent events
  ``data: {chat.completion.chunk}`` ending with ``data: [DONE]``, as OpenAI
  sends them).

Routing is a table of ``(method, path) -> handler``; a handler takes a
``Request`` and returns a ``Reply`` (``eval.standins.server``, which also runs
the server). To serve another endpoint (for example ``/v1/models``), register
a handler with :meth:`route`, or add one to ``_default_routes`` in a subclass.

Scripting and inspection:

* ``fail_next(n, status=500)`` -- the next ``n`` requests (optionally only
  those to one path) get an OpenAI-style error with that status. The reply
  carries ``retry-after-ms`` so client retries are quick in tests.
  ``style="tei"`` answers the way Hugging Face text-embeddings-inference's
  OpenAI route does instead: ``{"message", "code", "type"}`` at the top level
  (429 "Overloaded", 503 "Unhealthy") and no retry header.
* ``stall_next(n, seconds)`` -- the next ``n`` embedding requests wait that
  long before answering (a client time-out, then its retry).

Embedding load (a GPU server stood in for): ``embed_delay`` seconds per
embedding request, ``max_client_batch`` (TEI's ``--max-client-batch-size``:
larger batches get TEI's 413), ``max_in_flight`` -- the most embedding
requests seen being served at once -- and ``vector_for`` (text -> vector), a
cheaper vector maker for throughput benchmarks.
* ``requests`` -- every request received (method, path, headers, JSON body),
  ``request_count(path)`` -- how many.

Chat scripting (each request to ``/v1/chat/completions`` takes the first
that applies):

1. ``queue_chat(*replies)`` -- a queue of replies, one per request; a reply
   is a ``str`` or a :class:`ChatReply` with a per-reply ``delay`` (a slow
   model), ``status`` (an HTTP error), ``close`` (drop the connection without
   answering), ``close_after`` (drop it mid-stream), explicit stream
   ``deltas``, or a ``raw`` body (a malformed answer).
2. ``chat_responder`` -- a function ``(messages) -> str | ChatReply``.
3. Otherwise a fixed echo of the last user message.

``chat_requests()`` -- the recorded chat requests (their ``body`` holds
``model``, ``messages``, ``temperature``, ``stream`` ...).

Use::

    with OpenAIStandin(dim=64) as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="none")
"""

from __future__ import annotations

import base64
import hashlib
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .openai_chat import ChatReply, ChatResponder, chat_events
from .server import Reply, Request, StandinServer

Handler = Callable[["Request"], "Reply"]


def error_reply(status: int, message: str, kind: str = "invalid_request_error", **headers: str) -> Reply:
    """An error body in OpenAI's shape: {"error": {"message", "type", "param", "code"}}."""
    return Reply(
        status=status,
        json={"error": {"message": message, "type": kind, "param": None, "code": None}},
        headers=dict(headers),
    )


def hashed_ngram_vector(text: str, dim: int = 64, n_max: int = 3) -> list[float]:
    """Deterministic bag of character 1..n_max-grams hashed into ``dim`` buckets (stable across runs)."""
    vector = [0.0] * dim
    for n in range(1, n_max + 1):
        for i in range(len(text) - n + 1):
            digest = hashlib.blake2b(text[i : i + n].encode("utf-8"), digest_size=8).digest()
            vector[int.from_bytes(digest, "little") % dim] += 1.0
    return vector


CHAT_PATH = "/v1/chat/completions"


@dataclass
class _Failure:
    remaining: int
    status: int
    path: str | None
    retry_after_ms: int | None
    style: str = "openai"


TEI_ERROR_TYPES = {413: "Validation", 422: "Tokenizer", 424: "Backend", 429: "Overloaded", 503: "Unhealthy"}


def tei_error_reply(status: int, message: str) -> Reply:
    """An error as TEI's OpenAI-compatible route sends it: {"message", "code", "type"}, no retry header."""
    kind = TEI_ERROR_TYPES.get(status, "Backend")
    return Reply(status=status, json={"message": message, "code": status, "type": kind})


class OpenAIStandin(StandinServer):
    """Context manager: a threaded stdlib HTTP server speaking the OpenAI protocol."""

    name = "openai-standin"
    methods = ("GET", "POST", "DELETE")
    connection_timeout = 30

    def __init__(self, *, dim: int = 64, api_key: str | None = None, host: str = "127.0.0.1"):
        super().__init__(host)
        self.dim = dim
        self.api_key = api_key  # when set, requests must carry "Authorization: Bearer <api_key>"
        self.reverse_order = False  # answer embeddings in reverse index order (clients must sort by index)
        self.requests: list[Request] = []
        self.routes: dict[tuple[str, str], Handler] = dict(self._default_routes())
        self._failures: list[_Failure] = []
        self._lock = threading.Lock()
        self.chat_replies: deque[ChatReply] = deque()
        self.chat_responder: ChatResponder | None = None
        self._chat_serial = 0
        self.embed_delay = 0.0  # seconds each embedding request takes (a remote GPU's compute and network)
        self.max_client_batch: int | None = None  # TEI's --max-client-batch-size
        self.vector_for: Callable[[str], list[float]] | None = None  # replaces the n-gram vectors (benchmarks)
        self._stalls: list[float] = []
        self._in_flight = 0
        self.max_in_flight = 0

    # ----------------------------------------------------------------- routing
    def _default_routes(self) -> dict[tuple[str, str], Handler]:
        return {("POST", "/v1/embeddings"): self.handle_embeddings, ("POST", CHAT_PATH): self.handle_chat}

    def route(self, method: str, path: str, handler: Handler) -> None:
        """Serve ``handler`` for ``method path`` (replaces any earlier handler)."""
        with self._lock:
            self.routes[(method.upper(), path)] = handler

    # --------------------------------------------------------------- scripting
    def fail_next(
        self,
        n: int,
        status: int = 500,
        *,
        path: str | None = None,
        retry_after_ms: int | None = 10,
        style: str = "openai",
    ) -> None:
        """Answer the next ``n`` requests (to ``path``, or any) with HTTP ``status`` (``style``: openai or tei)."""
        if style not in ("openai", "tei"):
            raise ValueError(f"unknown error style {style!r}")
        with self._lock:
            self._failures.append(_Failure(n, status, path, retry_after_ms, style))

    def stall_next(self, n: int, seconds: float) -> None:
        """The next ``n`` embedding requests answer only after ``seconds``."""
        with self._lock:
            self._stalls.extend([seconds] * n)

    def queue_chat(self, *replies: str | ChatReply) -> None:
        """Answer the next chat requests, one each, with these replies (in order)."""
        with self._lock:
            self.chat_replies.extend(r if isinstance(r, ChatReply) else ChatReply(text=r) for r in replies)

    def chat_requests(self) -> list[Request]:
        return self.requests_to(CHAT_PATH)

    def request_count(self, path: str | None = None) -> int:
        with self._lock:
            return sum(1 for r in self.requests if path is None or r.path == path)

    def requests_to(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self._failures.clear()
            self._stalls.clear()
            self.max_in_flight = 0
            self.chat_replies.clear()
            self.chat_responder = None

    # ---------------------------------------------------------------- lifecycle
    @property
    def base_url(self) -> str:
        """What an OpenAI client takes as ``base_url``."""
        return self.root_url + "/v1"

    # ----------------------------------------------------------------- serving
    def respond(self, request: Request) -> Reply:
        path, headers = request.path, request.headers
        with self._lock:
            self.requests.append(request)
            failure = next((f for f in self._failures if f.remaining > 0 and f.path in (None, path)), None)
            if failure is not None:
                failure.remaining -= 1
            handler = self.routes.get((request.method, path))
            path_known = any(p == path for _, p in self.routes)

        if failure is not None and failure.style == "tei":
            return tei_error_reply(failure.status, f"scripted failure (HTTP {failure.status})")
        if failure is not None:
            extra = {"retry-after-ms": str(failure.retry_after_ms)} if failure.retry_after_ms is not None else {}
            return error_reply(failure.status, f"scripted failure (HTTP {failure.status})", "server_error", **extra)
        if self.api_key is not None and headers.get("authorization") != f"Bearer {self.api_key}":
            return error_reply(401, "Incorrect API key provided.", "invalid_api_key")
        if handler is None:
            return error_reply(405 if path_known else 404, f"no route for {request.method} {path}")
        if request.bad_json:
            return error_reply(400, "request body is not valid JSON")
        try:
            return handler(request)
        except Exception as exc:  # a handler bug shows as a 500 with its message
            return error_reply(500, f"stand-in handler failed: {exc!r}", "server_error")

    # --------------------------------------------------------------- endpoints
    def handle_embeddings(self, request: Request) -> Reply:
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
            stall = self._stalls.pop(0) if self._stalls else 0.0
        try:
            if stall or self.embed_delay:
                self.stopping.wait(stall or self.embed_delay)
            return self._embeddings(request)
        finally:
            with self._lock:
                self._in_flight -= 1

    def _embeddings(self, request: Request) -> Reply:
        body = request.body
        if not isinstance(body, dict) or "input" not in body or "model" not in body:
            return error_reply(400, "'model' and 'input' are required")
        inputs = body["input"]
        if isinstance(inputs, str) or (isinstance(inputs, list) and inputs and isinstance(inputs[0], int)):
            inputs = [inputs]  # one string, or one token array
        if not isinstance(inputs, list) or not inputs:
            return error_reply(400, "'input' must be a string or a non-empty array")
        if self.max_client_batch is not None and len(inputs) > self.max_client_batch:
            return tei_error_reply(
                413, f"batch size {len(inputs)} > maximum allowed batch size {self.max_client_batch}"
            )
        encoding = body.get("encoding_format", "float")
        if encoding not in ("float", "base64"):
            return error_reply(400, f"unsupported encoding_format {encoding!r}")
        data = []
        tokens = 0
        for index, item in enumerate(inputs):
            text = item if isinstance(item, str) else " ".join(map(str, item))
            vector = self.vector_for(text) if self.vector_for else hashed_ngram_vector(text, self.dim)
            tokens += max(1, len(text))
            embedding: Any = vector
            if encoding == "base64":
                embedding = base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")
            data.append({"object": "embedding", "index": index, "embedding": embedding})
        if self.reverse_order:
            data.reverse()
        return Reply(
            json={
                "object": "list",
                "data": data,
                "model": body["model"],
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            }
        )

    def _next_chat_reply(self, messages: list[dict]) -> ChatReply:
        with self._lock:
            queued = self.chat_replies.popleft() if self.chat_replies else None
            responder = self.chat_responder
            self._chat_serial += 1
        if queued is not None:
            return queued
        if responder is not None:
            answer = responder(messages)
            return answer if isinstance(answer, ChatReply) else ChatReply(text=str(answer))
        last_user = next((m.get("content") for m in reversed(messages) if m.get("role") == "user"), "")
        return ChatReply(text=f"stand-in reply to: {str(last_user)[:80]}")

    def handle_chat(self, request: Request) -> Reply:
        body = request.body
        if not isinstance(body, dict) or not body.get("model") or not isinstance(body.get("messages"), list):
            return error_reply(400, "'model' and 'messages' are required")
        messages = body["messages"]
        if not messages or not all(isinstance(m, dict) and "role" in m for m in messages):
            return error_reply(400, "'messages' must be a non-empty array of {role, content} objects")
        script = self._next_chat_reply(messages)
        if script.delay > 0 and self.stopping.wait(script.delay):
            return Reply(close_connection=True)  # stopped while "thinking"
        if script.close:
            return Reply(close_connection=True)
        if script.status is not None:
            extra = {"retry-after-ms": str(script.retry_after_ms)} if script.retry_after_ms is not None else {}
            kind = "server_error" if script.status >= 500 else "invalid_request_error"
            return error_reply(script.status, f"scripted chat failure (HTTP {script.status})", kind, **extra)
        if script.raw is not None:
            return Reply(body=script.raw)
        model = body["model"]
        with self._lock:
            completion_id = f"chatcmpl-standin{self._chat_serial:06d}"
        created = int(time.time())
        prompt_tokens = sum(len(str(m.get("content") or "")) for m in messages)
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": len(script.text),
            "total_tokens": prompt_tokens + len(script.text),
        }
        if not body.get("stream"):
            return Reply(
                json={
                    "id": completion_id,
                    "object": "chat.completion",
                    "created": created,
                    "model": model,
                    "system_fingerprint": "fp_standin",
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": script.text, "refusal": None},
                            "logprobs": None,
                            "finish_reason": script.finish_reason,
                        }
                    ],
                    "usage": usage,
                }
            )
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        return Reply(
            content_type="text/event-stream",
            headers={"Cache-Control": "no-cache"},
            stream=chat_events(script, completion_id, created, model, usage if include_usage else None, self.stopping),
        )
