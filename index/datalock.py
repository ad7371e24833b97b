"""One process per data directory, enforced across processes.

Chroma's ``PersistentClient`` keeps its own in-memory view of the vector
index: two processes on one data directory — even a reader beside a writer —
corrupt each other's view (searches fail with "Error finding id", vectors
become unreachable). So a ``KnowledgeBase`` takes an exclusive OS file lock
(``flock`` through filelock) on ``<data_dir>/.lantai.lock`` when it opens the
directory. The OS drops the lock when the process dies, so a crash never
leaves the directory locked.

Within one process the hold is shared and counted: several bases may open
the same directory (they share Chroma's client for it anyway); the file lock
is released when the last of them closes. Beside the lock,
``.lantai.lock.json`` names the holder (pid, command line, start time), so a
refused process can say who has the directory.

A server of several worker processes (``lantai serve --workers N``) is one
holder: its supervising process takes the lock for ``workers`` processes
(``lock_data_dir(data_dir, workers=N)``) and says so in its note; a process
whose parent is that holder joins the hold instead of being refused. Every
other process is still refused. Several processes reading one embedded
Chroma is safe; one of them writing is not, so a worker that joined a group
must not write to an embedded Chroma (``joined_group`` tells it).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
from filelock import FileLock, Timeout

LOCK_NAME = ".lantai.lock"
HOLDER_NAME = ".lantai.lock.json"


class DataDirBusy(RuntimeError):
    """Another process has this data directory open; nothing here was touched."""

    def __init__(self, data_dir: Path, holder: dict[str, Any] | None):
        self.data_dir = Path(data_dir)
        self.holder = holder
        who_zh, who_en = "另一个进程", "another process"
        if holder:
            command = str(holder.get("command") or "?")[:300]
            who_zh = f"进程 {holder.get('pid')}（{command}）"
            who_en = f"process {holder.get('pid')} ({command})"
        self.zh = (
            f"数据目录 {self.data_dir} 正被{who_zh}使用，本次操作未做任何改动。"
            "同一数据目录同时只能由一个兰台进程打开：如果是服务器（lantai serve）在运行，"
            "请通过它的网页上传文档或调用 POST /api/documents，或者先停止服务器再执行此命令。"
        )
        self.en = (
            f"the data directory {self.data_dir} is in use by {who_en}; nothing was changed. "
            "Only one Lantai process may open a data directory at a time: if the server (lantai serve) "
            "is running, upload through its web page or POST /api/documents, or stop the server first."
        )
        super().__init__(self.bilingual())

    def bilingual(self) -> str:
        return f"{self.zh} / {self.en}"


@dataclass
class _Hold:
    lock: FileLock | None  # None: a worker that joined its parent's hold
    count: int


_HOLDS: dict[str, _Hold] = {}
_GUARD = threading.Lock()


class DataDirLock:
    """This process's counted hold on one data directory; ``release()`` once (later calls do nothing)."""

    def __init__(self, key: str):
        self.key = key
        self._released = False

    def release(self) -> None:
        with _GUARD:
            if self._released:
                return
            self._released = True
            hold = _HOLDS.get(self.key)
            if hold is None:
                return
            hold.count -= 1
            if hold.count <= 0:
                del _HOLDS[self.key]
                if hold.lock is not None:
                    hold.lock.release(force=True)


def lock_data_dir(data_dir: Path, workers: int = 1) -> DataDirLock:
    """Hold ``data_dir`` for this process, or raise ``DataDirBusy`` at once if another process has it.

    ``workers`` > 1: held for this process's worker processes too (they join it: see the module's note).
    """
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    key = str(data_dir.resolve())
    with _GUARD:
        hold = _HOLDS.get(key)
        if hold is None:
            lock: FileLock | None
            lock = FileLock(data_dir / LOCK_NAME, thread_local=False, preserve_lock_file=True)
            try:
                lock.acquire(timeout=0)
            except Timeout:
                holder = read_holder(data_dir)
                if not _my_group(holder):
                    raise DataDirBusy(data_dir, holder) from None
                lock = None  # the parent server holds it for its workers, this one among them
            else:
                _write_holder(data_dir, workers)
            hold = _HOLDS[key] = _Hold(lock, 0)
        hold.count += 1
        return DataDirLock(key)


def _my_group(holder: dict[str, Any] | None) -> bool:
    """The holder is this process's parent, holding the directory for its workers."""
    return (
        holder is not None
        and bool(holder)
        and int(holder.get("workers") or 1) > 1
        and holder.get("pid") == os.getppid()
    )


def joined_group(data_dir: Path) -> bool:
    """This process holds ``data_dir`` as one worker of several (its parent took the lock)."""
    with _GUARD:
        hold = _HOLDS.get(str(Path(data_dir).resolve()))
        return hold is not None and hold.lock is None


def read_holder(data_dir: Path, attempts: int = 5) -> dict[str, Any] | None:
    """Who holds the directory, if the note beside the lock is about a live process."""
    for _ in range(attempts):  # the holder may be writing its note this very moment
        try:
            info = json.loads((Path(data_dir) / HOLDER_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            time.sleep(0.05)
            continue
        return info if _alive(info) else None
    return None


def _alive(info: dict[str, Any]) -> bool:
    """The note names a running process (a recycled pid has another start time)."""
    try:
        proc = psutil.Process(int(info["pid"]))
        return abs(proc.create_time() - float(info["started"])) < 1.0
    except (KeyError, TypeError, ValueError, psutil.Error):
        return False


def _write_holder(data_dir: Path, workers: int = 1) -> None:
    me = psutil.Process()
    note = {
        "pid": os.getpid(),
        "started": me.create_time(),
        "command": " ".join(sys.argv) or me.name(),
        "since": time.time(),
        "workers": workers,
    }
    tmp = data_dir / f"{HOLDER_NAME}.{os.getpid()}.tmp"
    try:
        tmp.write_text(json.dumps(note, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, data_dir / HOLDER_NAME)
    except OSError:  # a full disk must not stop reading; the refusal then just names no holder
        tmp.unlink(missing_ok=True)


__all__ = ["DataDirBusy", "DataDirLock", "joined_group", "lock_data_dir", "read_holder", "LOCK_NAME", "HOLDER_NAME"]
