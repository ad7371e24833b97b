"""A full disk, recognised however it surfaces, and told to staff plainly.

It reaches us as ``OSError(ENOSPC)`` from file writes, as SQLite's
"database or disk is full" (or a bare "disk I/O error" while SQLite sizes its
shared-memory file), or as text inside Chroma's own errors. Writes already
committed stay intact in every case: SQLite rolls the transaction back, and a
document cut off midway stays invisible until the next ingest finishes it.
"""

from __future__ import annotations

import errno
import shutil
import sqlite3
from pathlib import Path

# Below this much free space SQLite cannot even size its WAL index: treat as full.
NEARLY_FULL_BYTES = 1 << 20
_FULL_TEXTS = ("no space left on device", "database or disk is full", "disk is full", "enospc")


class DiskFull(OSError):
    """The data directory's disk is full; nothing stored was lost."""

    def __init__(self, data_dir: Path | str):
        self.data_dir = Path(data_dir)
        self.zh = (
            f"磁盘空间已满（数据目录 {self.data_dir}），本次写入未完成，已保存的内容没有丢失。"
            "请清理磁盘空间后重试；查询、统计仍可使用。"
        )
        self.en = (
            f"the disk holding {self.data_dir} is full; this write did not complete and nothing stored "
            "was lost. Free some space and try again; search and stats still work."
        )
        super().__init__(errno.ENOSPC, self.bilingual())

    def bilingual(self) -> str:
        return f"{self.zh} / {self.en}"


def is_disk_full(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or anything it was raised from) says the disk is full."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, DiskFull):
            return True
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if isinstance(exc, sqlite3.Error) and getattr(exc, "sqlite_errorcode", None) == 13:  # SQLITE_FULL
            return True
        if any(text in str(exc).lower() for text in _FULL_TEXTS):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def nearly_full(path: Path) -> bool:
    """Too little free space left where ``path`` lives for SQLite to open a database for writing."""
    try:
        return shutil.disk_usage(path).free < NEARLY_FULL_BYTES
    except OSError:
        return False


__all__ = ["DiskFull", "is_disk_full", "nearly_full", "NEARLY_FULL_BYTES"]
