"""The content-safety gate of the public channel: questions and answers, checked before anything is said.

A question is checked before the assistant is asked, an answer (all its
「更多」 pages at once) before its first page goes out: first the word list
(``safety``), then, when configured, the external moderation endpoint
(``moderation``, which fails closed). A hit gets a polite refusal and one line
in the safety log (``safety_log``).

Staff-maintained keyword answers and the channel's own texts are not checked:
staff wrote them.
"""

from __future__ import annotations

from pathlib import Path

from . import texts
from .moderation import Moderation
from .safety import WordList, parse_words
from .safety_log import SafetyLog
from .stafffile import WatchedFile


class ContentGate:
    def __init__(self, words_file: Path, log: SafetyLog, moderation: Moderation | None = None):
        self.words_file = Path(words_file)
        self._words: WatchedFile[WordList] = WatchedFile(self.words_file, parse_words)
        self.log = log
        self.moderation = moderation
        self.refused = 0

    @property
    def words(self) -> WordList:
        return self._words.current()

    def reload(self) -> WordList:
        """Read the word list now (after it was saved), rebuilding the automaton."""
        return self._words.reload()

    async def question(self, openid: str, text: str) -> str | None:
        """A refusal for this question, or ``None`` when it may be answered."""
        return await self._check(openid, text, "question", texts.SAFETY_REFUSED_QUESTION)

    async def answer(self, openid: str, text: str) -> str | None:
        """A refusal standing in for this answer, or ``None`` when it may be sent."""
        return await self._check(openid, text, "answer", texts.SAFETY_REFUSED_ANSWER)

    async def _check(self, openid: str, text: str, where: str, refusal: str) -> str | None:
        hits = self.words.find(text)
        if hits:
            self.refused += 1
            self.log.hit(openid, where, "words", [h.category for h in hits], [h.word for h in hits], text)
            return refusal
        if self.moderation is None:
            return None
        verdict = await self.moderation.check(text, openid)
        if verdict.passed:
            return None
        self.refused += 1
        self.log.hit(openid, where, "moderation", [verdict.category], [], text)
        return refusal if verdict.available else texts.SAFETY_UNAVAILABLE

    async def aclose(self) -> None:
        if self.moderation is not None:
            await self.moderation.aclose()


__all__ = ["ContentGate"]
