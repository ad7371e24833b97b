"""Answers kept for a user's next message, across server processes: the twin of ``ui.wechat.kept.KeptAnswers``.

The slot names the message whose reply is kept; the reply itself stays in
that message's entry of ``RedisMessages`` (kept alive as long as the slot),
since it may still be computing on another worker when the user writes
again. ``take`` reads and empties the slot in one script.
"""

from __future__ import annotations

from ..wechat.kept import NOT_READY
from . import SharedRedis

# KEYS[1] the user's slot; ARGV[1] the prefix of message entries.  Returns {state, text}.
_TAKE = """
local message = redis.call('GET', KEYS[1])
if not message then return {'none', ''} end
local entry = ARGV[1] .. message
if redis.call('EXISTS', entry) == 0 then
  redis.call('DEL', KEYS[1])
  return {'none', ''}
end
local reply = redis.call('HGET', entry, 'reply')
if not reply then return {'wait', ''} end
redis.call('DEL', KEYS[1])
return {'text', reply}
"""


class RedisKeptAnswers:
    def __init__(self, shared: SharedRedis, messages, ttl: float = 48 * 3600.0):
        self.shared = shared
        self.messages = messages  # the RedisMessages whose entries hold the replies
        self.ttl_ms = int(ttl * 1000)
        self._take = shared.sync.register_script(_TAKE)

    def _key(self, user: str) -> str:
        return self.shared.key("wechat", "kept", user)

    def keep(self, entry) -> None:
        with self.shared.sync.pipeline(transaction=True) as pipe:
            pipe.set(self._key(entry.user), entry.key, px=self.ttl_ms)
            pipe.pexpire(self.messages.key(entry.key), self.ttl_ms)  # the reply lives as long as the slot
            pipe.execute()

    def has(self, user: str) -> bool:
        return bool(self.shared.sync.exists(self._key(user)))

    def take(self, user: str):
        state, text = self._take(keys=[self._key(user)], args=[self.messages.key("")])
        if state == "wait":
            return NOT_READY
        return (text or None) if state == "text" else None


__all__ = ["RedisKeptAnswers"]
