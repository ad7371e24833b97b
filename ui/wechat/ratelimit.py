"""Messages per user in a moving window (``limits``: in memory, or in Redis shared by every worker)."""

from __future__ import annotations

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter


class UserRateLimit:
    def __init__(self, limit: int, window_seconds: int, storage_uri: str | None = None, namespace: str = "wechat"):
        self.limit = limit
        self.window = window_seconds
        self.namespace = namespace
        self._item = RateLimitItemPerSecond(limit, window_seconds)
        storage = storage_from_string(storage_uri) if storage_uri else MemoryStorage()
        self._limiter = MovingWindowRateLimiter(storage)

    def allow(self, user: str) -> bool:
        """Count one message from ``user``; False when it is over the limit."""
        return self._limiter.hit(self._item, self.namespace, user)


__all__ = ["UserRateLimit"]
