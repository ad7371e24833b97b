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

The channel talks to the table through a few async calls (``arrive``,
``answered``, ``wait``, ``decide``, ``reply``, ``mark``), so the same
channel runs over this in-memory table (one process) or over the Redis one
of ``ui.shared_state.messages`` (several processes, where a retry may land
on another worker than the one answering).
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field
from enum import StrEnum

from cachetools import TTLCache


class Delivery(StrEnum):
    """How a reply leaves: an entry's ``owner`` is one of the first three, its ``delivered`` any of them."""

    PASSIVE = "passive"
    CUSTOMER_SERVICE = "customer_service"
    KEPT = "kept"
    FAILED = "failed"  # the customer-service API refused it
    UNCERTAIN = "uncertain"  # the request went out but no answer came back


class Action(StrEnum):
    """What an attempt does, as ``decide`` says."""

    NOTHING = "nothing"  # reply ``success``: the reply leaves another way, or a newer attempt waits for it
    NOTICE = "notice"  # the answer is kept for the user's next message: say so (again)
    REPLY = "reply"  # the reply is ready: send it passively
    WAIT = "wait"  # not ready yet: wait until the attempt's budget runs out, then decide for good
    DELIVER = "deliver"  # this attempt handed the reply to the customer-service API: deliver it once ready
    KEEP = "keep"  # this attempt gave up and no customer-service message can be sent: keep it


@dataclass
class Entry:
    key: str
    user: str
    reply: asyncio.Future  # the reply text (first page), set once
    created: float = field(default_factory=time.monotonic)
    attempts: int = 0  # how many times WeChat has sent this message so far
    owner: Delivery = Delivery.PASSIVE
    delivered: str = ""  # "" (not yet) or a Delivery


class SeenMessages:
    """Entries by message key, forgotten after ``ttl`` seconds or beyond ``maxsize`` entries."""

    def __init__(self, ttl: float = 300.0, maxsize: int = 20000):
        self._entries: TTLCache[str, Entry] = TTLCache(maxsize=maxsize, ttl=ttl)
        self._lock = threading.Lock()

    async def arrive(self, key: str, user: str) -> tuple[Entry, int, bool]:
        """Record one attempt of a message: (its entry, this attempt's number, whether it is new)."""
        loop = asyncio.get_running_loop()
        with self._lock:
            entry = self._entries.get(key)
            new = entry is None
            if entry is None:
                entry = Entry(key, user, loop.create_future())
                self._entries[key] = entry
            entry.attempts += 1
            return entry, entry.attempts, new

    async def answered(self, entry: Entry, text: str) -> None:
        """The reply is ready (its first page; "" for nothing to say)."""
        entry.reply.set_result(text)

    async def wait(self, entry: Entry, timeout: float) -> None:
        """Until the reply is ready or ``timeout`` seconds passed."""
        if not entry.reply.done():
            try:
                await asyncio.wait_for(asyncio.shield(entry.reply), max(0.0, timeout))
            except TimeoutError:
                pass

    async def decide(self, entry: Entry, attempt: int, sends: bool, final: bool) -> tuple[Action, str | None]:
        """What this attempt does now and the reply text for ``Action.REPLY``.

        ``final``: the attempt's budget is over; the latest attempt then hands the
        reply over (``Action.DELIVER``, or ``Action.KEEP`` when ``sends`` is off) for good.
        """
        if entry.owner == Delivery.CUSTOMER_SERVICE:
            return Action.NOTHING, None
        if entry.owner == Delivery.KEPT:
            return Action.NOTICE, None
        if entry.reply.done():
            entry.delivered = Delivery.PASSIVE
            return Action.REPLY, entry.reply.result() or None
        if not final:
            return Action.WAIT, None
        if attempt == entry.attempts:
            entry.owner = Delivery.CUSTOMER_SERVICE if sends else Delivery.KEPT
            return (Action.DELIVER if sends else Action.KEEP), None
        return Action.NOTHING, None

    async def reply(self, entry: Entry) -> str | None:
        """The reply, once ready (for the customer-service delivery)."""
        return await entry.reply

    async def mark(self, entry: Entry, delivered: Delivery) -> None:
        entry.delivered = delivered

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


__all__ = ["Action", "Delivery", "Entry", "SeenMessages"]
