"""A served process's resident memory over a run, and whether it stayed flat."""

from __future__ import annotations

import statistics
import threading
import time

FLAT_LIMIT = 0.10  # "flat": the RSS grows less than 10% over the second half of the run


class RssSampler:
    """The RSS of one process, sampled every ``interval`` seconds in a thread until stopped."""

    def __init__(self, pid: int, interval: float = 1.0):
        import psutil

        self.process = psutil.Process(pid)
        self.interval = interval
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        started = time.monotonic()
        while not self._stop.is_set():
            try:
                self.samples.append((time.monotonic() - started, self.process.memory_info().rss))
            except psutil.Error:
                return
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def summary(self) -> dict:
        values = [rss for _, rss in self.samples]
        if not values:
            return {
                "samples": 0,
                "start_mb": None,
                "end_mb": None,
                "max_mb": None,
                "second_half_growth": None,
                "flat": False,
            }
        half = len(values) // 2
        window = max(1, min(5, len(values) // 10 or 1))
        mid = statistics.median(values[half : half + window])
        end = statistics.median(values[-window:])
        growth = (end - mid) / mid if mid else 0.0
        mb = 1024 * 1024
        return {
            "samples": len(values),
            "start_mb": round(values[0] / mb, 1),
            "end_mb": round(values[-1] / mb, 1),
            "max_mb": round(max(values) / mb, 1),
            "second_half_growth": round(growth, 4),
            "flat": growth < FLAT_LIMIT,
        }
