"""State that several server processes must share: in Redis when ``LANTAI_REDIS_URL`` is set, else in process.

One server process keeps WeChat's retry table, 「更多」 pages, rate limits,
follow-up turns, the access_token and ingest jobs in memory. Several
processes behind one port (``lantai serve --workers N``) would each see a
part: a retry landing on another worker would start a second answer, and
each worker would fetch its own access_token, invalidating the others'. So
each kind of state has one small interface with two implementations: the
in-memory one beside the code that uses it (``ui.wechat.dedup`` …) and a
Redis one here, in a module of its own.

``open_shared(settings)`` gives the Redis connection of this process, or
``None`` when no Redis is configured.
"""

from __future__ import annotations

from typing import Any, cast

import redis
import redis.asyncio

from ..settings import Settings


class SharedRedis:
    """This process's connection to the shared Redis, every key under one prefix.

    Two clients on one URL: a synchronous one for calls made from synchronous
    code (the triage of a message, the job registry's threads) and an
    asynchronous one, made on first use inside the server's event loop, for
    waits that must not block it.
    """

    def __init__(self, url: str, prefix: str = "lantai:"):
        self.url = url
        self.prefix = prefix
        self.sync = redis.Redis.from_url(url, decode_responses=True)
        self._async: redis.asyncio.Redis | None = None

    @property
    def aio(self) -> redis.asyncio.Redis:
        if self._async is None:
            self._async = redis.asyncio.Redis.from_url(self.url, decode_responses=True)
        return self._async

    def key(self, *parts: str) -> str:
        return self.prefix + ":".join(parts)

    def check(self) -> None:
        """Fail at start-up, with a clear message, when the Redis named in the settings cannot be reached."""
        try:
            self.sync.ping()
        except redis.RedisError as exc:
            raise ValueError(
                f"无法连接 Redis（LANTAI_REDIS_URL={_redacted(self.url)}）：{exc} / "
                f"cannot reach Redis at LANTAI_REDIS_URL={_redacted(self.url)}: {exc}"
            ) from None

    async def aclose(self) -> None:
        if self._async is not None:
            await self._async.aclose()
            self._async = None

    def close(self) -> None:
        self.sync.close()


# Both clients decode replies (``decode_responses=True``), which redis-py's types cannot know: they type
# every reply ``bytes | str``. These say what the connection guarantees, and convert nothing.
def text(reply: Any) -> str | None:
    """A string reply (``None`` for a missing key)."""
    return cast("str | None", reply)


def texts(reply: Any) -> list[str]:
    """A list of string replies."""
    return cast("list[str]", reply)


def _redacted(url: str) -> str:
    """The URL without its password, for messages and logs."""
    scheme, sep, rest = url.partition("://")
    if "@" in rest:
        rest = "***@" + rest.rsplit("@", 1)[1]
    return scheme + sep + rest


def open_shared(settings: Settings) -> SharedRedis | None:
    """The Redis the settings name (checked reachable), or ``None``: state stays in this process."""
    if not settings.redis_url:
        return None
    shared = SharedRedis(settings.redis_url, settings.redis_prefix)
    shared.check()
    return shared


__all__ = ["SharedRedis", "open_shared", "text", "texts"]
