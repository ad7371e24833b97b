"""An ASGI app served for real by uvicorn on a free loopback port, in a background thread.

Used by load scripts and tests that must go through real HTTP with real
time-outs (a TestClient calls the app in-process and never times out).
"""

from __future__ import annotations

import socket
import threading
import time


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """``with LiveServer(app) as server: httpx.get(server.url + "/healthz")``; the app's lifespan runs too."""

    def __init__(self, app, host: str = "127.0.0.1", port: int | None = None, start_timeout: float = 60.0):
        import uvicorn

        self.host = host
        self.port = port or free_port()
        self.server = uvicorn.Server(
            uvicorn.Config(
                app, host=host, port=self.port, log_level="warning", lifespan="on", timeout_graceful_shutdown=30
            )
        )
        self.thread = threading.Thread(target=self.server.run, name=f"uvicorn-{self.port}", daemon=True)
        self.start_timeout = start_timeout

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + self.start_timeout
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn did not start on {self.url}")
            time.sleep(0.02)
        return self

    def stop(self, timeout: float = 60.0) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=timeout)

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


__all__ = ["LiveServer", "free_port"]
