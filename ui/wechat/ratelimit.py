"""Messages per user in a moving window (``limits``, in memory)."""

from __future__ import annotations

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter


class UserRateLimit:
    def __init__(self, limit: int, window_seconds: int):
        self.limit = limit
        self.window = window_seconds
        self._item = RateLimitItemPerSecond(limit, window_seconds)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def allow(self, user: str) -> bool:
        """Count one message from ``user``; False when it is over the limit."""
        return self._limiter.hit(self._item, "wechat", user)


__all__ = ["UserRateLimit"]
