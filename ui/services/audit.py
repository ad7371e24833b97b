"""The operations log (操作记录): every admin action — who, when, what — in SQLite beside the data.

The services write it as they act (``Documents``, ``FeedbackLog.export``,
``save_word_list``), so an upload through the web page and one through
``POST /api/documents`` land in the same log. Who acted is the web login name,
``本机用户`` on a page without logins, ``API`` for the REST API (keys carry no
names) and ``命令行`` for the ``lantai`` command. Admins read it in the web app's
操作记录 tab and at ``GET /api/audit``.

An entry is written after the action succeeded. A log that cannot be written
(a full disk) does not undo the action it describes: the failure is logged.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

log = logging.getLogger(__name__)

AUDIT_FILE = "audit.sqlite3"
# Seconds a writer waits for another process (a worker of several) holding the file.
BUSY_TIMEOUT = 10.0


class Action(StrEnum):
    """What was done; the values are what staff read."""

    UPLOAD = "上传"
    REMOVE = "删除"
    MAKE_PUBLIC = "设为公开"
    MAKE_INTERNAL = "设为不公开"
    REINDEX = "重新索引"
    SAVE_WORDS = "保存词表"
    EXPORT_FEEDBACK = "导出反馈"


@dataclass(frozen=True)
class Actor:
    name: str  # a login name, 本机用户, API or 命令行
    surface: str  # 网页 | API | 命令行


API_ACTOR = Actor("API", "API")
CLI_ACTOR = Actor("命令行", "命令行")


def web_actor(name: str) -> Actor:
    return Actor(name, "网页")


@dataclass(frozen=True)
class AuditEntry:
    time: str  # local time with its offset, to the second
    user: str
    surface: str
    action: str
    target: str

    def as_dict(self) -> dict[str, str]:
        return dict(self.__dict__)


_SCHEMA = """
CREATE TABLE IF NOT EXISTS actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    user TEXT NOT NULL,
    surface TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS actions_by_user ON actions (user, id);
"""


class AuditLog:
    """``<data dir>/audit.sqlite3``; a connection per call, so any thread or worker process may write."""

    def __init__(self, data_dir: Path):
        self.path = Path(data_dir) / AUDIT_FILE
        self._ready = threading.Lock()
        self._created = False

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT)
        with self._ready:
            if not self._created:
                connection.executescript(_SCHEMA)
                self._created = True
        return connection

    def record(self, actor: Actor, action: Action, target: str = "") -> None:
        """Add one entry now; a failure to write is logged, never raised (the action is done already)."""
        when = datetime.now(UTC).astimezone().isoformat(timespec="seconds")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with closing(self._connect()) as db, db:
                db.execute(
                    "INSERT INTO actions (time, user, surface, action, target) VALUES (?, ?, ?, ?, ?)",
                    (when, actor.name, actor.surface, str(action), target),
                )
        except (sqlite3.Error, OSError):
            log.exception("could not write the operations log: %s %s %s", actor.name, action, target)

    def entries(self, user: str | None = None, limit: int = 200) -> list[AuditEntry]:
        """The latest ``limit`` entries, newest first; only ``user``'s when given."""
        if not self.path.exists():
            return []
        where, args = ("WHERE user = ?", [user]) if user else ("", [])
        with closing(self._connect()) as db:
            rows = db.execute(
                f"SELECT time, user, surface, action, target FROM actions {where} ORDER BY id DESC LIMIT ?",
                (*args, limit),
            ).fetchall()
        return [AuditEntry(*row) for row in rows]

    def users(self) -> list[str]:
        """Everyone the log names, in order."""
        if not self.path.exists():
            return []
        with closing(self._connect()) as db:
            return [row[0] for row in db.execute("SELECT DISTINCT user FROM actions ORDER BY user")]


__all__ = ["API_ACTOR", "AUDIT_FILE", "Action", "Actor", "AuditEntry", "AuditLog", "CLI_ACTOR", "web_actor"]
