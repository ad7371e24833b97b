"""A real, small OpenAI-compatible HTTP server for tests.

It listens on 127.0.0.1 (a free port), runs in a background thread and speaks
enough of the OpenAI wire protocol for the project's clients:

* ``POST /v1/embeddings`` -- deterministic vectors: character 1-3-gram counts
  hashed into ``dim`` buckets (not normalised, like many real servers), in
  ``float`` or ``base64`` encoding.

Routing is a table of ``(method, path) -> handler``; a handler takes a
:class:`Request` and returns a :class:`Reply`. To serve another endpoint (for
example ``/v1/chat/completions``), register a handler with :meth:`route`, or
add one to ``_default_routes`` in a subclass. A ``Reply`` can carry a JSON
payload, raw bytes, or a ``stream`` of byte chunks (sent with chunked
transfer encoding, as server-sent events need).

Scripting and inspection:

* ``fail_next(n, status=500)`` -- the next ``n`` requests (optionally only
  those to one path) get an OpenAI-style error with that status. The reply
  carries ``retry-after-ms`` so client retries are quick in tests.
* ``requests`` -- every request received (method, path, headers, JSON body),
  ``request_count(path)`` -- how many.

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
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterable

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


@dataclass
class _Failure:
    remaining: int
    status: int
    path: str | None
    retry_after_ms: int | None


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

    # ----------------------------------------------------------------- routing
    def _default_routes(self) -> dict[tuple[str, str], Handler]:
        return {("POST", "/v1/embeddings"): self.handle_embeddings}

    def route(self, method: str, path: str, handler: Handler) -> None:
        """Serve ``handler`` for ``method path`` (replaces any earlier handler)."""
        with self._lock:
            self.routes[(method.upper(), path)] = handler

    # --------------------------------------------------------------- scripting
    def fail_next(self, n: int, status: int = 500, *, path: str | None = None, retry_after_ms: int | None = 10) -> None:
        """Answer the next ``n`` requests (to ``path``, or any) with HTTP ``status``."""
        with self._lock:
            self._failures.append(_Failure(n, status, path, retry_after_ms))

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

    def start(self) -> "OpenAIStandin":
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

    def __enter__(self) -> "OpenAIStandin":
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

        if failure is not None:
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
        self._send(http, reply)

    @staticmethod
    def _send(http: BaseHTTPRequestHandler, reply: Reply) -> None:
        http.send_response(reply.status)
        http.send_header("Content-Type", reply.content_type)
        for name, value in reply.headers.items():
            http.send_header(name, value)
        if reply.stream is not None:
            http.send_header("Transfer-Encoding", "chunked")
            http.end_headers()
            for chunk in reply.stream:
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
        body = request.body
        if not isinstance(body, dict) or "input" not in body or "model" not in body:
            return error_reply(400, "'model' and 'input' are required")
        inputs = body["input"]
        if isinstance(inputs, str) or (isinstance(inputs, list) and inputs and isinstance(inputs[0], int)):
            inputs = [inputs]  # one string, or one token array
        if not isinstance(inputs, list) or not inputs:
            return error_reply(400, "'input' must be a string or a non-empty array")
        encoding = body.get("encoding_format", "float")
        if encoding not in ("float", "base64"):
            return error_reply(400, f"unsupported encoding_format {encoding!r}")
        data = []
        tokens = 0
        for index, item in enumerate(inputs):
            text = item if isinstance(item, str) else " ".join(map(str, item))
            vector = hashed_ngram_vector(text, self.dim)
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
