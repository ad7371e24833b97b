"""The WeChat channel's tables on Redis, made from the channel's limits."""

from __future__ import annotations

from ..wechat.ratelimit import UserRateLimit
from . import SharedRedis
from .kept import RedisKeptAnswers
from .messages import RedisMessages
from .pages import RedisMorePages
from .turns import RedisConversations


def shared_tables(shared: SharedRedis, limits):
    """(seen messages, 「更多」 pages, kept answers, conversations, rate limit), every one in Redis."""
    seen = RedisMessages(shared, limits.dedup_seconds, limits.kept_seconds)
    return (
        seen,
        RedisMorePages(shared, limits.more_seconds),
        RedisKeptAnswers(shared, seen, limits.kept_seconds),
        RedisConversations(shared, limits.followup_seconds, limits.followup_turns),
        UserRateLimit(
            limits.rate_limit, limits.rate_window, storage_uri=shared.url, namespace=shared.key("wechat", "rate")
        ),
    )


__all__ = ["shared_tables"]
