"""The rest of a long answer, per user, until they reply 「更多」 (bounded in size and age)."""

from __future__ import annotations

import threading
from collections import deque

from cachetools import TTLCache


class MorePages:
    def __init__(self, ttl: float = 1800.0, maxsize: int = 50000):
        self._pages: TTLCache[str, deque[str]] = TTLCache(maxsize=maxsize, ttl=ttl)
        self._lock = threading.Lock()

    def keep(self, user: str, pages: list[str]) -> None:
        """The pages still to show this user; a new answer replaces what was left of the last one."""
        with self._lock:
            if pages:
                self._pages[user] = deque(pages)
            else:
                self._pages.pop(user, None)

    def next(self, user: str) -> str | None:
        with self._lock:
            left = self._pages.get(user)
            if not left:
                return None
            page = left.popleft()
            if not left:
                self._pages.pop(user, None)
            return page


__all__ = ["MorePages"]
