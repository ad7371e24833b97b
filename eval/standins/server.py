"""What every stand-in server shares: a threaded stdlib HTTP server on a free local port, run in a
background thread, that turns each request into a ``Request`` and sends back the ``Reply`` a subclass
makes of it.

A subclass sets ``name`` (its thread's name), ``methods`` (the HTTP methods it answers; others get the
standard library's 501) and ``connection_timeout`` (seconds an idle kept-alive connection stays open,
None: until the client closes it), and implements ``respond``. ``stop`` also drops the connections
clients keep alive, so a stopped stand-in is really down; ``stopping`` is set from then on, for
handlers that wait (a slow model) to give up.

A ``Reply`` carries a JSON payload, raw bytes, or a ``stream`` of byte chunks (sent with chunked
transfer encoding, as server-sent events need; a ``None`` chunk drops the connection there), or
``close_connection``: no answer at all.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: Any  # parsed JSON, or None
    raw: bytes = b""
    query: dict[str, str] = field(default_factory=dict)  # the first value of each parameter
    bad_json: bool = False  # a body was sent and is not JSON


@dataclass
class Reply:
    status: int = 200
    json: Any = None
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    stream: Iterable[bytes | None] | None = None  # sent chunked when given; None drops the connection there
    close_connection: bool = False  # drop the connection without sending anything


class StandinServer:
    """Context manager: ``with Server() as s: ... s.root_url ...``; subclasses implement ``respond``."""

    name = "standin"
    methods: tuple[str, ...] = ("GET", "POST")
    connection_timeout: float | None = None

    def __init__(self, host: str = "127.0.0.1"):
        self.host = host
        self.stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def respond(self, request: Request) -> Reply:
        raise NotImplementedError

    # -- lifecycle ------------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("stand-in server is not running")
        return self._server.server_address[1]

    @property
    def root_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> Self:
        self.stopping.clear()
        self._server = ThreadingHTTPServer((self.host, 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name=self.name, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        with self._connections_lock:
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

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as httpx expects
            timeout = standin.connection_timeout

            def setup(self) -> None:
                super().setup()
                with standin._connections_lock:
                    standin._connections.add(self.connection)

            def finish(self) -> None:
                with standin._connections_lock:
                    standin._connections.discard(self.connection)
                super().finish()

            def log_message(self, format: str, *args: Any) -> None:  # quiet in tests
                pass

        def serve(http: BaseHTTPRequestHandler) -> None:
            standin._serve(http)

        for method in self.methods:
            setattr(Handler, f"do_{method}", serve)
        return Handler

    # -- serving --------------------------------------------------------------------------------------
    def _serve(self, http: BaseHTTPRequestHandler) -> None:
        reply = self.respond(read_request(http))
        try:
            send_reply(http, reply)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            http.close_connection = True  # the client gave up (e.g. its time-out): nothing to answer


def read_request(http: BaseHTTPRequestHandler) -> Request:
    length = int(http.headers.get("Content-Length") or 0)
    raw = http.rfile.read(length) if length else b""
    url = urlsplit(http.path)
    try:
        body, bad_json = (json.loads(raw) if raw else None), False
    except ValueError:
        body, bad_json = None, True
    return Request(
        http.command,
        url.path,
        {k.lower(): v for k, v in http.headers.items()},
        body,
        raw,
        query={k: v[0] for k, v in parse_qs(url.query).items()},
        bad_json=bad_json,
    )


def drop_connection(http: BaseHTTPRequestHandler) -> None:
    http.close_connection = True
    try:
        http.connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def send_reply(http: BaseHTTPRequestHandler, reply: Reply) -> None:
    if reply.close_connection:
        drop_connection(http)
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
                http.wfile.flush()
                drop_connection(http)
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


__all__ = ["Reply", "Request", "StandinServer", "drop_connection", "read_request", "send_reply"]
