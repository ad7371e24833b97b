"""The two ways the WeChat load test serves Lantai: in this process, or as ``lantai serve --workers N``.

Both are context managers with ``url``, ``pending`` and ``figures()``; the workers share their state
through Redis, which ``shared_redis`` names or starts on a free loopback port.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path


class InProcessServer:
    """Lantai's API app over ``kb``, served by uvicorn in a thread of this process."""

    def __init__(self, kb, settings):
        from eval.live import LiveServer
        from ui.api import create_app

        self.app = create_app(settings, kb=kb, api_keys=[])
        self.live = LiveServer(self.app)

    def __enter__(self):
        self.live.start()
        self.url = self.live.url
        return self

    def __exit__(self, *exc) -> None:
        self.live.stop()

    @property
    def pending(self) -> int:
        return self.app.state.wechat.pending

    def figures(self) -> dict:
        channel = self.app.state.wechat
        return {
            "answers_started": channel.counts.answers_started,
            "delivery_failed": channel.counts.delivery_failed,
            "gate_words": channel.gate.words.blocked if channel.gate else 0,
            "gate_refused": channel.gate.refused if channel.gate else 0,
        }


class WorkerProcesses:
    """``lantai serve --workers N`` in its own processes, configured through the environment as deployed."""

    def __init__(self, data_dir: Path, settings_env: dict[str, str], workers: int, log: Path):
        from eval.live import free_port

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.command = [
            sys.executable,
            "-m",
            "ui.cli",
            "serve",
            "--workers",
            str(workers),
            "--port",
            str(self.port),
            "--data-dir",
            str(data_dir),
        ]
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("LANTAI_")} | settings_env
        self.log = log
        self.workers = workers
        self.pending = 0  # other processes: what is under way there is seen from outside only

    def __enter__(self):
        self._out = self.log.open("w")
        self.proc = subprocess.Popen(
            self.command,
            env=self.env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            cwd=Path(__file__).resolve().parents[1],
        )
        try:
            self._wait_started()
        except BaseException:
            self._stop()  # never leave a half-started server behind
            raise
        self._cpu_at_start = self._cpu()
        return self

    def _wait_started(self) -> None:
        import httpx

        deadline = time.monotonic() + 300
        while True:
            if self.proc.poll() is not None:
                raise SystemExit(f"lantai serve exited with {self.proc.returncode}: see {self.log}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"lantai serve did not answer in 300 s: see {self.log}")
            time.sleep(0.25)
        while self.log.read_text(errors="replace").count("Application startup complete") < self.workers:
            if time.monotonic() > deadline or self.proc.poll() is not None:  # the first to answer may be alone
                raise SystemExit(f"not every worker of lantai serve started: see {self.log}")
            time.sleep(0.25)

    def __exit__(self, *exc) -> None:
        self._stop()

    def _stop(self) -> None:
        import psutil

        try:
            workers = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.Error:
            workers = []
        self.proc.send_signal(signal.SIGINT)  # uvicorn's graceful shutdown: late answers still go out
        try:
            self.proc.wait(90)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for worker in workers:  # a supervisor killed mid-restart may leave its workers behind
            try:
                worker.kill()
            except psutil.Error:
                pass
        self._out.close()

    def _cpu(self) -> dict[int, float]:
        """CPU seconds of each worker process (uvicorn spawns them through multiprocessing)."""
        import psutil

        return {
            c.pid: sum(c.cpu_times()[:2])
            for c in psutil.Process(self.proc.pid).children()
            if "spawn_main" in " ".join(c.cmdline())
        }

    def figures(self) -> dict:
        """What can be seen from outside: the CPU seconds each worker spent during the run (the load's spread)."""
        now = self._cpu()
        spent = sorted((round(t - self._cpu_at_start.get(pid, 0.0), 1) for pid, t in now.items()), reverse=True)
        return {
            "answers_started": None,
            "delivery_failed": None,
            "gate_words": None,
            "gate_refused": None,
            "worker_cpu_s": spent,
        }


@contextmanager
def shared_redis(url: str | None):
    """The Redis the workers share: the one named, or a redis-server started here on a free loopback port."""
    if url:
        yield url
        return
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit(
            "--workers needs Redis: install redis-server (Debian: apt-get install redis-server) or pass --redis-url"
        )
    from eval.live import free_port

    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        proc = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", folder, "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        try:
            time.sleep(0.3)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            proc.terminate()
            proc.wait(10)
