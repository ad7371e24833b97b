"""WeChat's retries, recognised: one entry per message (``Inbound.key``), kept for a while.

WeChat sends a message again when it had no valid reply within 5 seconds,
three times in all. Each message gets one entry holding the future of its
reply; retries find the entry and wait for that future instead of starting
a second answer. Entries live in a ``cachetools.TTLCache`` (bounded in size
and age), behind a lock, so the table never grows without limit.

``owner`` says who will deliver the reply: ``passive`` (the HTTP reply to
whichever attempt is waiting when it is ready) until an attempt gives up on
its budget, then ``customer_service`` for good — or ``kept`` when no
customer-service message can be sent: the user's next message takes it.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field

from cachetools import TTLCache

PASSIVE = "passive"
CUSTOMER_SERVICE = "customer_service"
KEPT = "kept"


@dataclass
class Entry:
    key: str
    user: str
    reply: asyncio.Future  # the reply text (first page), set once
    created: float = field(default_factory=time.monotonic)
    attempts: int = 0  # how many times WeChat has sent this message so far
    owner: str = PASSIVE
    delivered: str = ""  # "" | passive | customer_service | kept | failed | uncertain


class SeenMessages:
    """Entries by message key, forgotten after ``ttl`` seconds or beyond ``maxsize`` entries."""

    def __init__(self, ttl: float = 300.0, maxsize: int = 20000):
        self._entries: TTLCache[str, Entry] = TTLCache(maxsize=maxsize, ttl=ttl)
        self._lock = threading.Lock()

    def arrive(self, key: str, user: str, loop: asyncio.AbstractEventLoop) -> tuple[Entry, int, bool]:
        """Record one attempt of a message: (its entry, this attempt's number, whether it is new)."""
        with self._lock:
            entry = self._entries.get(key)
            new = entry is None
            if new:
                entry = Entry(key, user, loop.create_future())
                self._entries[key] = entry
            entry.attempts += 1
            return entry, entry.attempts, new

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


__all__ = ["CUSTOMER_SERVICE", "KEPT", "PASSIVE", "Entry", "SeenMessages"]
