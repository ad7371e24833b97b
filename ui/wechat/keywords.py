"""Staff-maintained answers: exact keywords and menu clicks, answered before the assistant is asked.

The file (``LANTAI_WECHAT_KEYWORD_ANSWERS``) holds one entry a line,
``key<TAB>answer``. A key is either a keyword such as 开放时间, matched
against the whole message (spaces and a trailing 。？！ ignored; full-width and
half-width, upper and lower case alike), or a menu item's EventKey, matched
against a ``CLICK`` event's key. ``\\n`` in an answer is a line break.
Lines starting with ``#`` are comments. The file is read again when it
changes (``stafffile.WatchedFile``).
"""

from __future__ import annotations

from pathlib import Path

from .stafffile import StaffFileError, WatchedFile, entries, fold, split_entry

_END = "。.!！?？ \t"


def keyword(text: str) -> str:
    return "".join(fold(text).split()).rstrip(_END)


def parse_answers(text: str, max_bytes: int = 2000) -> dict[str, str]:
    answers: dict[str, str] = {}
    for number, line in entries(text):
        key, answer = split_entry(number, line)
        answer = answer.replace("\\n", "\n")
        if len(answer.encode("utf-8")) > max_bytes:
            raise StaffFileError(
                f"第 {number} 行的回答超过 {max_bytes} 字节，微信无法发送 / line {number}: "
                f"answer longer than {max_bytes} bytes"
            )
        answers[keyword(key)] = answer
    return answers


class KeywordAnswers:
    def __init__(self, path: Path, max_bytes: int = 2000):
        self._file = WatchedFile(path, lambda text: parse_answers(text, max_bytes))

    def lookup(self, key: str) -> str | None:
        """The staff's answer for a message or an EventKey, or ``None``."""
        if not key.strip():
            return None
        return self._file.current().get(keyword(key))


__all__ = ["KeywordAnswers", "keyword", "parse_answers"]
