"""Answers kept for a user's next message, when no customer-service message can carry them.

An account without 客服消息 (an unverified 订阅号, or one WeChat answers with
48001), or a user WeChat will not take messages for now (45015: the 48 hours
are over; 45047: the send limit is reached): a late answer cannot be pushed,
but the user's next message can take it back as its passive reply.

One slot per user holds the future of the kept answer's first page (the rest
waits in 「更多」 as always): it may still be computing when the user writes
again. A newer kept answer replaces an older one. Slots live in a
``cachetools.TTLCache`` behind a lock, like the dedup table and the 「更多」
pages, so the table stays bounded in size and age.
"""

from __future__ import annotations

import asyncio
import threading

from cachetools import TTLCache

NOT_READY = object()  # ``take`` while the kept answer is still being computed


class KeptAnswers:
    def __init__(self, ttl: float = 48 * 3600.0, maxsize: int = 50000):
        self._slots: TTLCache[str, asyncio.Future] = TTLCache(maxsize=maxsize, ttl=ttl)
        self._lock = threading.Lock()

    def keep(self, entry) -> None:
        """Keep the reply of this message (a ``dedup.Entry``; done or not) for its user's next message."""
        with self._lock:
            self._slots[entry.user] = entry.reply

    def has(self, user: str) -> bool:
        with self._lock:
            return user in self._slots

    def take(self, user: str):
        """The kept text (and the slot is emptied), ``NOT_READY``, or ``None`` when nothing is kept."""
        with self._lock:
            reply = self._slots.get(user)
            if reply is None:
                return None
            if not reply.done():
                return NOT_READY
            del self._slots[user]
        if reply.cancelled() or reply.exception() is not None:
            return None
        return reply.result() or None

    def __len__(self) -> int:
        with self._lock:
            return len(self._slots)


__all__ = ["KeptAnswers", "NOT_READY"]
