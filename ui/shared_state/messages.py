"""WeChat's retries recognised across server processes: the Redis twin of ``ui.wechat.dedup.SeenMessages``.

A retry of a message may reach another worker than the one answering it.
One hash per message key holds what every worker must agree on: how many
attempts came, who delivers the reply (``owner``), the reply once ready and
how it was delivered. The decisions that read and change it (a new message or
a retry; the latest attempt handing the reply over) are Lua scripts, so they
are atomic across workers exactly as the in-memory table's are within one
event loop. The hash lives ``ttl`` seconds from the first attempt, as the
in-memory entry does; an answer kept for the user's next message keeps it
alive as long as the kept answer.

Waiting for a reply another worker computes is polling (every
``poll`` seconds): cheap on loopback, and it needs no subscription to keep
alive. The worker computing the reply also resolves its local future, so a
retry on the same worker is answered without polling.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from ..wechat.dedup import Action, Delivery, Entry
from . import SharedRedis, text

# KEYS[1] the message; ARGV: user, ttl ms.  Returns this attempt's number (1: the message is new).
_ARRIVE = """
local n = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
if n == 1 then
  redis.call('HSET', KEYS[1], 'owner', ARGV[3], 'user', ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return n
"""

# KEYS[1] the message; ARGV: attempt, sends (0/1), final (0/1), kept ttl ms.  Returns {action, reply}.
_DECIDE = """
local owner = redis.call('HGET', KEYS[1], 'owner')
if not owner then return {'nothing', ''} end
if owner == 'customer_service' then return {'nothing', ''} end
if owner == 'kept' then return {'notice', ''} end
local reply = redis.call('HGET', KEYS[1], 'reply')
if reply then
  redis.call('HSET', KEYS[1], 'delivered', 'passive')
  return {'reply', reply}
end
if ARGV[3] == '0' then return {'wait', ''} end
if tonumber(ARGV[1]) == tonumber(redis.call('HGET', KEYS[1], 'attempts')) then
  if ARGV[2] == '1' then
    redis.call('HSET', KEYS[1], 'owner', 'customer_service')
    return {'deliver', ''}
  end
  redis.call('HSET', KEYS[1], 'owner', 'kept')
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  return {'keep', ''}
end
return {'nothing', ''}
"""

# KEYS[1] the message; ARGV: the reply.  Only while the message is remembered: no entry, no attempt waiting.
_ANSWERED = """
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'reply', ARGV[1]) end
return 0
"""

# The scripts spell these values out.
assert (Delivery.PASSIVE, Delivery.CUSTOMER_SERVICE, Delivery.KEPT) == ("passive", "customer_service", "kept")


class RedisMessages:
    """Entries by message key in Redis, shared by every worker; same calls as ``SeenMessages``."""

    def __init__(
        self,
        shared: SharedRedis,
        ttl: float = 300.0,
        kept_ttl: float = 48 * 3600.0,
        poll: float = 0.025,
        delivery_poll: float = 0.1,
    ):
        self.shared = shared
        self.ttl_ms = int(ttl * 1000)
        self.kept_ttl_ms = int(kept_ttl * 1000)
        self.poll = poll
        self.delivery_poll = delivery_poll

    def key(self, message_key: str) -> str:
        return self.shared.key("wechat", "msg", message_key)

    async def _run(self, script: str, keys: list[str], args: list) -> Any:
        """What the Lua script returns: a number, a string or a list of them, as the script says."""
        return await self.shared.aio.eval(script, len(keys), *keys, *args)

    async def arrive(self, key: str, user: str) -> tuple[Entry, int, bool]:
        attempt = int(await self._run(_ARRIVE, [self.key(key)], [user, self.ttl_ms, Delivery.PASSIVE]))
        entry = Entry(key, user, asyncio.get_running_loop().create_future(), attempts=attempt)
        return entry, attempt, attempt == 1

    async def answered(self, entry: Entry, text: str) -> None:
        await self._run(_ANSWERED, [self.key(entry.key)], [text])
        if not entry.reply.done():
            entry.reply.set_result(text)

    async def _ready(self, entry: Entry) -> bool:
        return entry.reply.done() or bool(await self.shared.aio.hexists(self.key(entry.key), "reply"))

    async def wait(self, entry: Entry, timeout: float) -> None:
        deadline = time.monotonic() + max(0.0, timeout)
        while not await self._ready(entry):
            left = deadline - time.monotonic()
            if left <= 0:
                return
            try:  # the local future wakes this at once when this worker computes the reply
                await asyncio.wait_for(asyncio.shield(entry.reply), min(self.poll, left))
            except TimeoutError:
                pass

    async def decide(self, entry: Entry, attempt: int, sends: bool, final: bool) -> tuple[Action, str | None]:
        action, reply = await self._run(
            _DECIDE, [self.key(entry.key)], [attempt, int(sends), int(final), self.kept_ttl_ms]
        )
        return Action(action), (reply or None) if action == Action.REPLY else None

    async def reply(self, entry: Entry) -> str | None:
        """The reply, once any worker has it; ``None`` when the message was forgotten before it came."""
        while True:
            if entry.reply.done():
                return entry.reply.result()
            values = await self.shared.aio.hmget(self.key(entry.key), ["reply", "owner"])
            if values[0] is not None:
                return text(values[0])
            if values[1] is None:
                return None
            await asyncio.sleep(self.delivery_poll)

    async def mark(self, entry: Entry, delivered: Delivery) -> None:
        await self.shared.aio.hset(self.key(entry.key), "delivered", delivered)


__all__ = ["RedisMessages"]
