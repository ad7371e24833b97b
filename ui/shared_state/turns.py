"""A user's recent questions across server processes: the Redis twin of ``ui.wechat.conversation.Conversations``.

A list per user of ``<wall-clock time>\\t<question>``, at most ``turns`` long,
dropped after ``window`` seconds of silence. Wall-clock time, not the
monotonic clock: the workers' monotonic clocks have different origins.
"""

from __future__ import annotations

import time

from . import SharedRedis, texts

# KEYS[1] the user's list; ARGV: now, the new turn, window s, turns, window ms.
_ADD = """
local last = redis.call('LINDEX', KEYS[1], -1)
if last then
  local at = tonumber(string.match(last, '^([^\\t]+)'))
  if not at or tonumber(ARGV[1]) - at > tonumber(ARGV[3]) then redis.call('DEL', KEYS[1]) end
end
redis.call('RPUSH', KEYS[1], ARGV[2])
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[4]), -1)
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 0
"""


class RedisConversations:
    def __init__(self, shared: SharedRedis, window: float = 600.0, turns: int = 3):
        self.shared = shared
        self.window = window
        self.turns = turns
        self._add = shared.sync.register_script(_ADD)

    def _key(self, user: str) -> str:
        return self.shared.key("wechat", "turns", user)

    def history(self, user: str) -> list[str]:
        if self.turns <= 0 or self.window <= 0:
            return []
        asked = [item.split("\t", 1) for item in texts(self.shared.sync.lrange(self._key(user), 0, -1))]
        if not asked or time.time() - float(asked[-1][0]) > self.window:
            return []
        return [question for _, question in asked]

    def add(self, user: str, question: str) -> None:
        if self.turns <= 0 or self.window <= 0:
            return
        now = time.time()
        self._add(
            keys=[self._key(user)],
            args=[repr(now), f"{now!r}\t{question}", self.window, self.turns, int(max(self.window, 1.0) * 1000)],
        )


__all__ = ["RedisConversations"]
