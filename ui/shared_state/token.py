"""One access_token for every server process, one refresher at a time: the Redis twin of ``LocalToken``.

The token and the wall-clock time it is due for renewal sit under one key
(expiring with the token). A worker that finds it missing, due, or the one
WeChat just rejected takes a Redis lock and, holding it, looks again before
fetching: the others wait (polling) and read the token the holder stored. So
each expiry costs one fetch, whichever worker notices it first, and no worker
invalidates another's token. The lock expires on its own (``lock_seconds``)
if its holder dies while fetching.
"""

from __future__ import annotations

import asyncio
import json
import time

from redis.exceptions import LockError

from ..wechat.token import refresh_margin
from . import SharedRedis


class TokenWaitTimeout(RuntimeError):
    """No worker produced a token in time (WeChat unreachable, or the lock holder stuck)."""


class SharedToken:
    def __init__(
        self,
        shared: SharedRedis,
        appid: str,
        lock_seconds: float = 60.0,
        wait_seconds: float = 60.0,
        poll: float = 0.05,
    ):
        self.shared = shared
        self.key = shared.key("wechat", "token", appid)
        self.lock_seconds = lock_seconds
        self.wait_seconds = wait_seconds
        self.poll = poll

    async def _current(self, stale: str | None) -> str | None:
        raw = await self.shared.aio.get(self.key)
        if not raw:
            return None
        held = json.loads(raw)
        if held["token"] == stale or time.time() >= held["refresh_at"]:
            return None
        return held["token"]

    async def get(self, fetch, stale: str | None = None) -> str:
        deadline = time.monotonic() + self.wait_seconds
        while True:
            token = await self._current(stale)
            if token is not None:
                return token
            lock = self.shared.aio.lock(self.key + ":refresh", timeout=self.lock_seconds)
            if await lock.acquire(blocking=False):
                try:
                    token = await self._current(stale)  # another worker may have refreshed meanwhile
                    if token is not None:
                        return token
                    token, lifetime = await fetch()
                    held = {"token": token, "refresh_at": time.time() + lifetime - refresh_margin(lifetime)}
                    await self.shared.aio.set(self.key, json.dumps(held), px=max(1, int(lifetime * 1000)))
                    return token
                finally:
                    try:
                        await lock.release()
                    except LockError:  # it expired while fetching; another worker may hold it now
                        pass
            if time.monotonic() >= deadline:
                raise TokenWaitTimeout("no access_token from the worker refreshing it")
            await asyncio.sleep(self.poll)


__all__ = ["SharedToken", "TokenWaitTimeout"]
