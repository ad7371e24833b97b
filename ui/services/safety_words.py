"""The public channel's word list and the gate's hits, as staff read and change them.

The REST endpoints (``ui.rest.safety_words``) and the web page's panel
(``ui.web.tabs.safety``) both go through here: a bad line is named
(``StaffFileError``) and nothing is written; a good list replaces the file in
one step and the running channel's gate is rebuilt at once. The bundled
example list is read-only (``ReadOnlyList``).
"""

from __future__ import annotations

import threading
from pathlib import Path

from ..settings import Settings
from ..wechat import safety_log_file, safety_words_file
from ..wechat.gate import ContentGate
from ..wechat.safety import WordList, parse_words
from ..wechat.safety_log import SafetyLog
from ..wechat.stafffile import StaffFileError, write_atomically
from .audit import Action, Actor, AuditLog


class ReadOnlyList(Exception):
    """The bundled example list is in use: it is not written to."""

    message = (
        "正在使用内置示例词表：请先设置 LANTAI_SAFETY_WORDS 指向一个可写的文件 / "
        "set LANTAI_SAFETY_WORDS to a writable file first"
    )


_SAVING = threading.Lock()


def word_list_file(settings: Settings) -> Path:
    return safety_words_file(settings)


def load_word_list(settings: Settings) -> tuple[str, WordList]:
    """The list's text and what it parses to; ``StaffFileError`` when the file was edited into a bad state."""
    try:
        text = safety_words_file(settings).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        text = ""
    return text, parse_words(text)


def save_word_list(
    settings: Settings, text: str, gate: ContentGate | None, *, audit: AuditLog, by: Actor
) -> tuple[str, WordList]:
    """Parse ``text`` (``StaffFileError`` naming the bad line: nothing written), replace the file in one step
    and rebuild the running gate's automaton; the save goes into the operations log. ``ReadOnlyList`` for
    the bundled list, ``OSError`` when the file cannot be written (the old one stays)."""
    if settings.safety_words is None:
        raise ReadOnlyList(ReadOnlyList.message)
    words = parse_words(text)
    text = text if text.endswith("\n") or not text else text + "\n"
    with _SAVING:
        write_atomically(settings.safety_words, text)
        if gate is not None and gate.words_file == settings.safety_words:
            gate.reload()
    audit.record(
        by, Action.SAVE_WORDS, f"{settings.safety_words.name}（{words.blocked} 条敏感词、{words.allowed} 条白名单）"
    )
    return text, words


def recent_hits(settings: Settings, limit: int) -> list[dict]:
    """The last ``limit`` hits of the gate, oldest first, as logged."""
    return SafetyLog(safety_log_file(settings)).read(last=limit)


__all__ = ["ReadOnlyList", "StaffFileError", "load_word_list", "recent_hits", "save_word_list", "word_list_file"]
