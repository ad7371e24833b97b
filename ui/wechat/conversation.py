"""A user's recent questions, so a follow-up such as 「那去年呢？」 is understood as in the web chat.

The assistant takes a conversation as the list of earlier questions
(``Assistant.ask(question, history=...)``), as the web chat and the API pass
it. WeChat has no session: a user's questions count as one conversation while
they come within ``window`` seconds of each other, and only the last
``turns`` are kept. Commands (「更多」「结果」), keyword answers and refused
questions are no turns. Kept per user in a ``cachetools.TTLCache`` behind a
lock, like the dedup table and the 「更多」 pages.
"""

from __future__ import annotations

import threading
import time
from collections import deque

from cachetools import TTLCache


class Conversations:
    def __init__(self, window: float = 600.0, turns: int = 3, maxsize: int = 50000):
        self.window = window
        self.turns = turns
        self._questions: TTLCache[str, deque[tuple[float, str]]] = TTLCache(maxsize=maxsize, ttl=max(window, 1.0))
        self._lock = threading.Lock()

    def history(self, user: str) -> list[str]:
        """The user's earlier questions of this conversation, oldest first (empty after ``window`` of silence)."""
        if self.turns <= 0 or self.window <= 0:
            return []
        with self._lock:
            asked = self._questions.get(user)
            if not asked or time.monotonic() - asked[-1][0] > self.window:
                return []
            return [question for _, question in asked]

    def add(self, user: str, question: str) -> None:
        if self.turns <= 0 or self.window <= 0:
            return
        now = time.monotonic()
        with self._lock:
            asked = self._questions.get(user)
            if not asked or now - asked[-1][0] > self.window:
                asked = deque(maxlen=self.turns)
            asked.append((now, question))
            self._questions[user] = asked  # stored again: its time to live starts anew


__all__ = ["Conversations"]
