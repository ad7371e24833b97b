"""A real Chroma server (`chroma run`, shipped with the chromadb package) on a free loopback port.

CI starts one for the whole run and passes its URL in ``LANTAI_TEST_CHROMA_URL``;
without it the tests start their own, or skip the server mode when there is no
``chroma`` command.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from serving import free_port

URL_VARIABLE = "LANTAI_TEST_CHROMA_URL"


def chroma_command() -> str | None:
    """The ``chroma`` command beside this interpreter (the venv's), else on PATH."""
    beside = Path(sys.executable).parent / "chroma"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("chroma")


def alive(url: str) -> bool:
    try:
        return httpx.get(url + "/api/v2/heartbeat", timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


class ChromaProcess:
    """``chroma run --path DIR --host 127.0.0.1 --port P`` in the background; ``stop()`` ends it."""

    def __init__(self, path: Path, port: int | None = None):
        self.path = Path(path)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60.0) -> ChromaProcess:
        command = chroma_command()
        if command is None:
            raise RuntimeError("no `chroma` command (it ships with the chromadb package)")
        self.path.mkdir(parents=True, exist_ok=True)
        log = open(self.path.parent / f"chroma-{self.port}.log", "ab")  # noqa: SIM115 - the server writes to it until stopped
        self.process = subprocess.Popen(
            [command, "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        )
        log.close()
        deadline = time.monotonic() + timeout
        while not alive(self.url):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the Chroma server on port {self.port} did not start")
            time.sleep(0.1)
        return self

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None

    def __enter__(self) -> ChromaProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
