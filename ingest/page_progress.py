"""Page-by-page progress of reading scanned pages, with an estimate of the time left.

OCR costs seconds a page, so a scan of a dozen pages keeps one file "running" for
a minute or more; a count of files alone looks stuck. The OCR loader reports each
page as it starts reading it (``PageTimer.next_page``); the estimate is the mean
time of the pages read so far times the pages still to read, so it needs one page
read before it says anything. Once two pages are read the first is left out of the
mean: it carries the OCR models' warm-up (measured here at 2-2.5 times a later page).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

# Shown before a scan is read (upload hint, first page of a job): why it takes longer.
SCAN_HINT_ZH = "扫描件需要文字识别，每页约数秒"
SCAN_HINT_EN = "scanned pages are read by OCR, a few seconds a page"


@dataclass(frozen=True)
class PageProgress:
    """Page ``page`` of ``total`` scanned pages is being read; ``seconds_left`` is None until one page is timed."""

    file_name: str
    page: int
    total: int
    seconds_left: float | None

    def zh(self) -> str:
        head = f"正在识别扫描件：第 {self.page}/{self.total} 页"
        if self.seconds_left is None:
            return f"{head}（{SCAN_HINT_ZH}）"
        return f"{head}，预计还需{about_zh(self.seconds_left)}"

    def en(self) -> str:
        head = f"OCR page {self.page}/{self.total}"
        return (
            f"{head} ({SCAN_HINT_EN})" if self.seconds_left is None else f"{head}, {about_en(self.seconds_left)} left"
        )


OnPage = Callable[[PageProgress], None]


def _rounded(seconds: float) -> tuple[int, str]:
    """A rough figure: whole seconds under 10, fives under a minute, whole minutes beyond."""
    if seconds < 10:
        return max(1, math.ceil(seconds)), "s"
    if seconds < 60:
        return min(60, 5 * math.ceil(seconds / 5)), "s"
    return math.ceil(seconds / 60), "min"


def about_zh(seconds: float) -> str:
    value, unit = _rounded(seconds)
    return f"约 {value} 秒" if unit == "s" else f"约 {value} 分钟"


def about_en(seconds: float) -> str:
    value, unit = _rounded(seconds)
    return f"about {value} {unit}"


class PageTimer:
    """Times the pages of one file and reports each page as it starts; without ``on_page`` it does nothing."""

    def __init__(self, file_name: str, total: int, on_page: OnPage | None, clock: Callable[[], float] = time.monotonic):
        self.file_name, self.total, self.on_page, self.clock = file_name, total, on_page, clock
        self.started: float | None = None
        self.second: float | None = None  # when the first page was done: the warm-up is behind
        self.page = 0  # the page being read (1-based); the ones before it are finished

    def next_page(self) -> None:
        """The next page is about to be read."""
        now = self.clock()
        if self.started is None:
            self.started = now
        elif self.second is None:
            self.second = now
        self.page += 1
        if self.on_page is None:
            return
        read = self.page - 1
        self.on_page(PageProgress(self.file_name, self.page, self.total, self._left(now, read)))

    def _left(self, now: float, read: int) -> float | None:
        if not read or self.started is None:
            return None
        if read >= 2 and self.second is not None:
            mean = (now - self.second) / (read - 1)
        else:
            mean = (now - self.started) / read
        return mean * (self.total - read)


__all__ = ["OnPage", "PageProgress", "PageTimer", "SCAN_HINT_EN", "SCAN_HINT_ZH", "about_en", "about_zh"]
