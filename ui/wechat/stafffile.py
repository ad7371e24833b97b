"""A file staff edit by hand, read again when it changes, never lost to a bad edit.

``WatchedFile(path, parse)`` holds what ``parse`` made of the file's lines.
``current()`` looks at the file's modification time at most once a second and
parses it again when it changed, so an edit takes effect without a restart.
A file that fails to parse at start is a configuration error (``ValueError``
naming the line); later, the last good version stays in use and the error is
logged, so a half-saved edit never empties the list.

Lines: UTF-8, one entry a line, ``#`` starts a comment line, blank lines are
skipped; ``split_entry`` cuts ``left<TAB>right``.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


class StaffFileError(ValueError):
    """A line of a staff-maintained file that cannot be read; the message names the line, in Chinese."""


def fold(text: str) -> str:
    """Text as the lists compare it: full-width and half-width alike (NFKC), letter case ignored."""
    return unicodedata.normalize("NFKC", text).casefold()


def entries(text: str) -> list[tuple[int, str]]:
    """(line number, line) of the lines that hold entries: no blank lines, no ``#`` comments."""
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip("\r\n").strip(" ")
        if line.strip() and not line.lstrip().startswith("#"):
            out.append((number, line))
    return out


def split_entry(number: int, line: str) -> tuple[str, str]:
    left, tab, right = line.partition("\t")
    if not tab or not left.strip() or not right.strip():
        raise StaffFileError(f"第 {number} 行格式不对：应为「关键词[Tab]内容」/ line {number}: expected key[Tab]value")
    return left.strip(), right.strip()


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step: a reader sees the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class WatchedFile(Generic[T]):
    def __init__(self, path: Path, parse: Callable[[str], T], check_every: float = 1.0):
        self.path = Path(path)
        self.parse = parse
        self.check_every = check_every
        self._lock = threading.Lock()
        self._checked = time.monotonic()
        self._stamp = self._stat()
        self._value = parse(self._read())  # a bad file at start is a configuration error

    def _stat(self) -> tuple[int, int] | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return st.st_mtime_ns, st.st_size

    def _read(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise StaffFileError(f"找不到文件 {self.path} / file not found") from None
        except UnicodeDecodeError:
            raise StaffFileError(f"{self.path} 不是 UTF-8 编码 / not UTF-8") from None

    def current(self) -> T:
        now = time.monotonic()
        if now - self._checked < self.check_every:
            return self._value
        with self._lock:
            self._checked = now
            stamp = self._stat()
            if stamp != self._stamp:
                self._stamp = stamp
                self._load()
            return self._value

    def reload(self) -> T:
        """Read the file now (after it was saved here); the last good value stays when it fails."""
        with self._lock:
            self._stamp = self._stat()
            self._checked = time.monotonic()
            self._load()
            return self._value

    def _load(self) -> None:
        try:
            self._value = self.parse(self._read())
        except (StaffFileError, OSError) as exc:
            log.error("%s could not be read again; the last good version stays in use: %s", self.path, exc)


__all__ = ["StaffFileError", "WatchedFile", "entries", "fold", "split_entry", "write_atomically"]
