"""Run a function in a child process under a watchdog: a time limit and a memory limit.

Bombs and fuzzed inputs are read in a child so that a file that hangs or
swallows memory is counted (and the child killed) instead of taking the
measuring process, or the machine, down with it. The child reports, for each
call, the seconds it took and its extra peak RSS over what it held before the
call: the kernel's high-water mark (VmHWM) is reset before each call, so the
peak is that call's own.
"""

from __future__ import annotations

import multiprocessing as mp
import re
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psutil

_POLL = 0.05  # seconds between watchdog looks at the child


@dataclass
class Outcome:
    status: str  # "ok" | "error" (the function raised) | "timeout" | "memory" | "died"
    seconds: float
    extra_rss_mb: float  # peak RSS during the call minus RSS before it (at the kill, for timeout/memory)
    value: Any = None  # the function's return value, or (exception type name, message, traceback tail)


def _rss_kb(field: str) -> int:
    with open("/proc/self/status") as f:
        m = re.search(rf"{field}:\s+(\d+)", f.read())
    return int(m.group(1)) if m else 0


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # resets VmHWM to the current RSS (Linux >= 4.0)
        return True
    except OSError:
        return False


def _serve(target: Callable[..., Any], warm: Callable[[], Any] | None, conn: Any) -> None:
    if warm is not None:
        warm()  # imports and models loaded once, outside every measurement
    conn.send("ready")
    while True:
        try:
            args = conn.recv()
        except EOFError:
            return
        before = _rss_kb("VmRSS")
        _reset_peak()
        started = time.perf_counter()
        try:
            status, value = "ok", target(*args)
        except BaseException as exc:  # reported, not raised: the parent decides what counts
            tail = "".join(traceback.format_exception(exc)[-3:])
            status, value = "error", (type(exc).__name__, str(exc)[:500], tail[-1500:])
        seconds = time.perf_counter() - started
        extra = max(0, _rss_kb("VmHWM") - before) / 1024
        conn.send((status, seconds, extra, value))


class Worker:
    """One child process serving calls of ``target``; restarted after a kill."""

    def __init__(
        self,
        target: Callable[..., Any],
        warm: Callable[[], Any] | None = None,
        timeout: float = 10.0,
        max_rss_mb: float = 2048.0,
    ):
        self.target, self.warm = target, warm
        self.timeout, self.max_rss_mb = timeout, max_rss_mb
        self._proc: Any = None
        self._conn: Any = None

    def _start(self) -> None:
        ctx = mp.get_context("spawn")  # a clean interpreter: nothing inherited from the measuring process
        self._conn, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(self.target, self.warm, child), daemon=True)
        self._proc.start()
        child.close()
        if not self._conn.poll(300) or self._conn.recv() != "ready":
            raise RuntimeError("worker did not start")

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.join()
            self._conn.close()
        self._proc = None

    def call(self, *args: Any) -> Outcome:
        if self._proc is None or not self._proc.is_alive():
            self._start()
        ps = psutil.Process(self._proc.pid)
        base = ps.memory_info().rss
        self._conn.send(args)
        started = time.perf_counter()
        while True:
            try:
                if self._conn.poll(_POLL):
                    status, seconds, extra, value = self._conn.recv()
                    return Outcome(status, seconds, extra, value)
            except (EOFError, OSError):
                self.stop()
                return Outcome("died", time.perf_counter() - started, 0.0)
            elapsed = time.perf_counter() - started
            try:
                rss = ps.memory_info().rss
            except psutil.NoSuchProcess:
                rss = base
            if not self._proc.is_alive():
                code = self._proc.exitcode  # e.g. -11: a segfault in a native library
                self.stop()
                return Outcome("died", elapsed, 0.0, code)
            grown = (rss - base) / 1024 / 1024
            if grown > self.max_rss_mb or elapsed > self.timeout:
                self.stop()
                return Outcome("memory" if grown > self.max_rss_mb else "timeout", elapsed, grown)

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()
