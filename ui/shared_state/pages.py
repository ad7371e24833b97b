"""「更多」 pages across server processes: the Redis twin of ``ui.wechat.pages.MorePages``.

One list per user; a new answer replaces what was left of the last one, and
the list is forgotten ``ttl`` seconds after it was kept, as in memory.
"""

from __future__ import annotations

from . import SharedRedis, text


class RedisMorePages:
    def __init__(self, shared: SharedRedis, ttl: float = 1800.0):
        self.shared = shared
        self.ttl_ms = int(ttl * 1000)

    def _key(self, user: str) -> str:
        return self.shared.key("wechat", "more", user)

    def keep(self, user: str, pages: list[str]) -> None:
        key = self._key(user)
        with self.shared.sync.pipeline(transaction=True) as pipe:
            pipe.delete(key)
            if pages:
                pipe.rpush(key, *pages)
                pipe.pexpire(key, self.ttl_ms)
            pipe.execute()

    def next(self, user: str) -> str | None:
        return text(self.shared.sync.lpop(self._key(user))) or None


__all__ = ["RedisMorePages"]
