"""The word list of the public channel: categories, a whitelist, one Aho–Corasick pass per message.

Format (a UTF-8 file named by ``LANTAI_SAFETY_WORDS``; the bundled
``safety_words.txt`` when unset): one entry a line, ``category<TAB>word``, or
a bare word (category 其他); ``#`` starts a comment line. ``白名单<TAB>word``
is an exception: a hit that lies inside a whitelisted word's span does not
count (「远离毒品」 does not hit 「毒品」).

Words and messages are compared folded (NFKC, so full-width and half-width
alike; case ignored) with whitespace and zero-width characters removed, so
「加 我 微 信」 hits 「加我微信」.

Matching is one pass of a pyahocorasick automaton over the message, whatever
the size of the list (``python -m eval.safety_bench`` measures it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import ahocorasick

from .stafffile import StaffFileError, entries, fold

BUNDLED = Path(__file__).with_name("safety_words.txt")
WHITELIST = "白名单"
DEFAULT_CATEGORY = "其他"
MAX_WORD_CHARS = 50
MAX_CATEGORY_CHARS = 20
MAX_ENTRIES = 200_000
_IGNORED = re.compile(r"[\s\u200b-\u200f\u2060\ufeff]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def normalise(text: str) -> str:
    return _IGNORED.sub("", fold(text))


@dataclass(frozen=True)
class Hit:
    category: str
    word: str  # the list's entry that matched


class WordList:
    """A parsed list: ``find(text)`` gives the hits that no whitelisted word covers."""

    def __init__(self, pairs: list[tuple[str, str]]):
        self.pairs = pairs  # (category, word) as written, whitelist included
        self.blocked = sum(1 for c, _ in pairs if c != WHITELIST)
        self.allowed = len(pairs) - self.blocked
        self.categories = sorted({c for c, _ in pairs if c != WHITELIST})
        self._automaton = ahocorasick.Automaton()
        found: dict[str, list[tuple[str, str]]] = {}
        for category, word in pairs:
            key = normalise(word)
            if key:
                found.setdefault(key, []).append((category, word))
        for key, values in found.items():
            self._automaton.add_word(key, (len(key), tuple(values)))
        self._ready = bool(found)
        if self._ready:
            self._automaton.make_automaton()

    def find(self, text: str) -> list[Hit]:
        if not self._ready or not text:
            return []
        blocked: list[tuple[int, int, Hit]] = []
        allowed: list[tuple[int, int]] = []
        for end, (length, values) in self._automaton.iter(normalise(text)):
            start = end - length + 1
            for category, word in values:
                if category == WHITELIST:
                    allowed.append((start, end))
                else:
                    blocked.append((start, end, Hit(category, word)))
        return [hit for start, end, hit in blocked if not any(a <= start and end <= b for a, b in allowed)]


def parse_words(text: str) -> WordList:
    """The list in ``text``; ``StaffFileError`` naming the first bad line."""
    pairs: list[tuple[str, str]] = []
    for number, line in entries(text):
        category, tab, word = line.partition("\t")
        if not tab:
            category, word = DEFAULT_CATEGORY, line
        category, word = category.strip(), word.strip()
        if "\t" in word or not category or not normalise(word):
            raise StaffFileError(
                f"第 {number} 行格式不对：应为「类别[Tab]词语」或只写词语 / line {number}: "
                "expected category[Tab]word or a word"
            )
        if _CONTROL.search(line):
            raise StaffFileError(f"第 {number} 行含有控制字符 / line {number}: control characters")
        if len(word) > MAX_WORD_CHARS or len(category) > MAX_CATEGORY_CHARS:
            raise StaffFileError(
                f"第 {number} 行太长：词语最多 {MAX_WORD_CHARS} 字，类别最多 {MAX_CATEGORY_CHARS} 字"
                f" / line {number}: too long"
            )
        pairs.append((category, word))
        if len(pairs) > MAX_ENTRIES:
            raise StaffFileError(f"词表超过 {MAX_ENTRIES} 条 / more than {MAX_ENTRIES} entries")
    return WordList(pairs)


__all__ = ["BUNDLED", "DEFAULT_CATEGORY", "Hit", "WHITELIST", "WordList", "normalise", "parse_words"]
