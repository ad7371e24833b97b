"""The account's access_token, kept until shortly before it expires, fetched by one caller at a time.

Renewed a fifth of its lifetime early (at most five minutes), or at once when
WeChat rejected it (``stale``: the token it rejected; a caller holding an
older one than the cache's just gets the cache's). Every fetch invalidates
the tokens fetched before it (40001 for their holders), so there must be one
refresher: here one lock in one process; ``ui.shared_state.token`` is the
same for several processes, in Redis.

``fetch`` is an async callable giving ``(token, lifetime in seconds)``.
"""

from __future__ import annotations

import asyncio
import time


def refresh_margin(lifetime: float) -> float:
    """How long before expiry a token is renewed."""
    return min(300.0, lifetime / 5)


class LocalToken:
    def __init__(self):
        self._token: str | None = None
        self._refresh_at = 0.0
        self._lock = asyncio.Lock()

    async def get(self, fetch, stale: str | None = None) -> str:
        async with self._lock:
            if stale is not None and self._token == stale:
                self._token = None
            if self._token is None or time.monotonic() >= self._refresh_at:
                token, lifetime = await fetch()
                self._token, self._refresh_at = token, time.monotonic() + lifetime - refresh_margin(lifetime)
            return self._token


__all__ = ["LocalToken", "refresh_margin"]
