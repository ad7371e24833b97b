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
:class:`Request` and returns a :class:`Reply`. To serve another endpoint (for
example ``/v1/models``), register a handler with :meth:`route`, or
add one to ``_default_routes`` in a subclass. A ``Reply`` can carry a JSON
payload, raw bytes, or a ``stream`` of byte chunks (sent with chunked
transfer encoding, as server-sent events need).

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
import json
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Handler = Callable[["Request"], "Reply"]


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: Any  # parsed JSON, or None
    raw: bytes = b""


@dataclass
class Reply:
    status: int = 200
    json: Any = None
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    stream: Iterable[bytes] | None = None  # sent chunked when given
    close_connection: bool = False  # drop the connection without sending anything


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


class OpenAIStandin:
    """Context manager: a threaded stdlib HTTP server speaking the OpenAI protocol."""

    def __init__(self, *, dim: int = 64, api_key: str | None = None, host: str = "127.0.0.1"):
        self.dim = dim
        self.api_key = api_key  # when set, requests must carry "Authorization: Bearer <api_key>"
        self.host = host
        self.reverse_order = False  # answer embeddings in reverse index order (clients must sort by index)
        self.requests: list[Request] = []
        self.routes: dict[tuple[str, str], Handler] = dict(self._default_routes())
        self._failures: list[_Failure] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._stopping = threading.Event()  # wakes handlers that are "thinking" (delay) when stopped
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
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("stand-in server is not running")
        return self._server.server_address[1]

    @property
    def root_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What an OpenAI client takes as ``base_url``."""
        return self.root_url + "/v1"

    def start(self) -> OpenAIStandin:
        standin = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as httpx expects
            timeout = 30

            def setup(self) -> None:
                super().setup()
                with standin._lock:
                    standin._connections.add(self.connection)

            def finish(self) -> None:
                with standin._lock:
                    standin._connections.discard(self.connection)
                super().finish()

            def log_message(self, format: str, *args: Any) -> None:  # quiet in tests
                pass

            def do_GET(self) -> None:
                standin._dispatch(self)

            def do_POST(self) -> None:
                standin._dispatch(self)

            def do_DELETE(self) -> None:
                standin._dispatch(self)

        self._stopping.clear()
        self._server = ThreadingHTTPServer((self.host, 0), _Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="openai-standin", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:  # drop kept-alive connections so "down" really is down
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> OpenAIStandin:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ----------------------------------------------------------------- serving
    def _dispatch(self, http: BaseHTTPRequestHandler) -> None:
        length = int(http.headers.get("Content-Length") or 0)
        raw = http.rfile.read(length) if length else b""
        path = http.path.split("?", 1)[0]
        headers = {k.lower(): v for k, v in http.headers.items()}
        try:
            body = json.loads(raw) if raw else None
            bad_json = False
        except ValueError:
            body, bad_json = None, True
        request = Request(http.command, path, headers, body, raw)
        with self._lock:
            self.requests.append(request)
            failure = next((f for f in self._failures if f.remaining > 0 and f.path in (None, path)), None)
            if failure is not None:
                failure.remaining -= 1
            handler = self.routes.get((http.command, path))
            path_known = any(p == path for _, p in self.routes)

        if failure is not None and failure.style == "tei":
            reply = tei_error_reply(failure.status, f"scripted failure (HTTP {failure.status})")
        elif failure is not None:
            extra = {"retry-after-ms": str(failure.retry_after_ms)} if failure.retry_after_ms is not None else {}
            reply = error_reply(failure.status, f"scripted failure (HTTP {failure.status})", "server_error", **extra)
        elif self.api_key is not None and headers.get("authorization") != f"Bearer {self.api_key}":
            reply = error_reply(401, "Incorrect API key provided.", "invalid_api_key")
        elif handler is None:
            reply = error_reply(405 if path_known else 404, f"no route for {http.command} {path}")
        elif bad_json:
            reply = error_reply(400, "request body is not valid JSON")
        else:
            try:
                reply = handler(request)
            except Exception as exc:  # a handler bug shows as a 500 with its message
                reply = error_reply(500, f"stand-in handler failed: {exc!r}", "server_error")
        try:
            self._send(http, reply)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            http.close_connection = True  # the client gave up (e.g. its time-out): nothing to answer

    @staticmethod
    def _send(http: BaseHTTPRequestHandler, reply: Reply) -> None:
        if reply.close_connection:
            http.close_connection = True
            try:
                http.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        http.send_response(reply.status)
        http.send_header("Content-Type", reply.content_type)
        for name, value in reply.headers.items():
            http.send_header(name, value)
        if reply.stream is not None:
            http.send_header("Transfer-Encoding", "chunked")
            http.end_headers()
            for chunk in reply.stream:
                if chunk is None:  # the stream asks to drop the connection here (no terminating chunk)
                    http.close_connection = True
                    http.wfile.flush()
                    try:
                        http.connection.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    return
                if chunk:
                    http.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                    http.wfile.flush()
            http.wfile.write(b"0\r\n\r\n")
            http.wfile.flush()
            return
        payload = json.dumps(reply.json, ensure_ascii=False).encode("utf-8") if reply.json is not None else reply.body
        http.send_header("Content-Length", str(len(payload)))
        http.end_headers()
        http.wfile.write(payload)
        http.wfile.flush()

    # --------------------------------------------------------------- endpoints
    def handle_embeddings(self, request: Request) -> Reply:
        with self._lock:
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
            stall = self._stalls.pop(0) if self._stalls else 0.0
        try:
            if stall or self.embed_delay:
                self._stopping.wait(stall or self.embed_delay)
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
        if script.delay > 0 and self._stopping.wait(script.delay):
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
            stream=self._chat_events(script, completion_id, created, model, usage if include_usage else None),
        )

    def _chat_events(
        self, script: ChatReply, completion_id: str, created: int, model: str, usage: dict | None
    ) -> Iterator[bytes | None]:
        """Server-sent events as OpenAI streams them; ``None`` asks the sender to drop the connection."""

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
            if sent and script.chunk_delay > 0 and self._stopping.wait(script.chunk_delay):
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
