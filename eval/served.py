"""``lantai serve`` as a child process on a free loopback port, for the soak, the fuzzers and the reliability run.

It is started over a data dir with ``LANTAI_*`` settings of its own (API keys, WeChat), filled through
the API as a client would, and stopped with SIGINT; its log is kept to count unhandled errors.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from eval.live import free_port


def _env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANTAI_")}
    env.update(
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        GRADIO_ANALYTICS_ENABLED="False",
        ORT_DISABLE_TELEMETRY="1",
        ANONYMIZED_TELEMETRY="False",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def sample_files(root: Path) -> list[Path]:
    """The sample corpus, built under ``root/corpus``."""
    from corpus import build_corpus

    return build_corpus(root / "corpus")


def prepare_data(root: Path) -> Path:
    """An empty data dir under ``root``; ``Served.ingest`` fills it through the API once served."""
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    return data


class Served:
    """``lantai serve`` as a child process on a free loopback port over ``data_dir``.

    ``env`` adds ``LANTAI_*`` settings (API keys, WeChat). The server's output
    goes to ``log``; ``tracebacks()`` counts the unhandled errors it logged.
    """

    def __init__(self, data_dir: Path, env: dict[str, str] | None = None, start_timeout: float = 120.0):
        self.data_dir = Path(data_dir)
        self.port = free_port()
        self.env = _env(env or {})
        self.start_timeout = start_timeout
        self.log = self.data_dir.parent / f"server-{self.port}.log"
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> Served:
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "ui.cli",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--data-dir",
                    str(self.data_dir),
                ],
                cwd=self.data_dir.parent,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"the server exited: {self.log_tail()}")
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the server did not start within {self.start_timeout:.0f} s: {self.log_tail()}")

    def ingest(self, files: list[Path], visibility: str = "public", timeout: float = 600.0) -> None:
        """Upload ``files`` through ``POST /api/documents`` and wait until their job is done."""
        keys = self.env.get("LANTAI_API_KEYS", "").split(",")
        headers = {"Authorization": f"Bearer {keys[0]}"} if keys[0] else {}
        with httpx.Client(base_url=self.url, headers=headers, timeout=120) as http:
            r = http.post(
                "/api/documents",
                data={"visibility": visibility},
                files=[("files", (f.name, f.read_bytes(), "application/octet-stream")) for f in files],
            )
            r.raise_for_status()
            job = r.json()["job_id"]
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                snap = http.get(f"/api/jobs/{job}").json()
                if snap["state"] in ("done", "failed"):
                    failed = [f for f in snap["files"] if f["status"] == "failed"]
                    if snap["state"] == "failed" or failed:
                        raise RuntimeError(f"ingest failed: {failed or snap.get('error')}")
                    return
                time.sleep(0.5)
        raise RuntimeError(f"ingest did not finish within {timeout:.0f} s")

    def stop(self, timeout: float = 30.0) -> int | None:
        if self.proc is None:
            return None
        if self.alive():
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        return self.proc.returncode

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def log_tail(self, chars: int = 2000) -> str:
        return self.log_text()[-chars:]

    def tracebacks(self) -> int:
        return self.log_text().count("Traceback (most recent call last)")

    def __enter__(self) -> Served:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
