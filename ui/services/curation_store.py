"""``<data dir>/curation.sqlite3``: reviewed answers, every question asked, and staff ratings.

One SQLite file holds what staff curate and what the statistics read:

- ``reviewed``: answers staff wrote in place of the assistant's, with the citations they kept, who and when,
  the question's facts and its embedding (``assistant.reviewed`` decides when one answers a question);
- ``asked`` and ``asked_documents``: every question (time, who or which channel, refused?, latency, the
  documents cited) — questions per day, refusal rate, hit counts;
- ``feedback``: 👍/👎 ratings of answers. A ``feedback.jsonl`` of earlier versions is read in once.

A connection per call (WAL, a busy timeout): server threads and worker processes write beside each other.
Times are Unix seconds (ordering) and the local calendar day (grouping).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

CURATION_FILE = "curation.sqlite3"
LEGACY_FEEDBACK = "feedback.jsonl"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS reviewed (
    id INTEGER PRIMARY KEY,
    question TEXT NOT NULL,
    normalised TEXT NOT NULL,
    facts TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    reviewed_at REAL NOT NULL,
    withdrawn_at REAL,
    withdrawn_by TEXT,
    embedder TEXT NOT NULL,
    vector BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS asked (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    day TEXT NOT NULL,
    channel TEXT NOT NULL,
    asker TEXT,
    question TEXT NOT NULL,
    normalised TEXT NOT NULL,
    refused INTEGER NOT NULL,
    latency_ms REAL NOT NULL,
    reviewed_id INTEGER
);
CREATE INDEX IF NOT EXISTS asked_day ON asked(day);
CREATE INDEX IF NOT EXISTS asked_normalised ON asked(normalised);
CREATE TABLE IF NOT EXISTS asked_documents (
    asked_id INTEGER NOT NULL REFERENCES asked(id),
    doc_id TEXT NOT NULL,
    title TEXT NOT NULL,
    PRIMARY KEY (asked_id, doc_id)
);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    user TEXT,
    rating TEXT NOT NULL,
    question TEXT NOT NULL,
    normalised TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class ReviewedRow:
    id: int
    question: str
    normalised: str
    facts: str
    answer: str
    citations: list[dict]
    reviewer: str
    reviewed_at: float
    withdrawn_at: float | None
    embedder: str
    vector: np.ndarray


@dataclass(frozen=True)
class Asked:
    """One question as the log keeps it."""

    channel: str  # web | api | cli | wechat
    asker: str | None  # the login name, or the hashed openid on WeChat
    question: str
    normalised: str
    refused: bool
    latency_ms: float
    documents: list[tuple[str, str]]  # (doc id, title) of the documents cited
    reviewed_id: int | None = None


def local_day(at: float) -> str:
    return datetime.fromtimestamp(at).astimezone().strftime("%Y-%m-%d")


def local_time(at: float) -> str:
    """A stored time as staff read it: local, to the second."""
    return datetime.fromtimestamp(at).astimezone().isoformat(timespec="seconds")


class CurationStore:
    def __init__(self, data_dir: Path):
        self.path = Path(data_dir) / CURATION_FILE
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.connect() as db:
            db.executescript(_SCHEMA)
        self._import_legacy_feedback(Path(data_dir) / LEGACY_FEEDBACK)

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30)
        db.row_factory = sqlite3.Row
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA busy_timeout=30000")
            with db:  # one transaction: committed on success, rolled back on error
                yield db
        finally:
            db.close()

    # -- reviewed answers ---------------------------------------------------------------------------
    def add_reviewed(self, row: dict) -> int:
        """A new reviewed answer; ``row`` holds the columns but ``id`` and the withdrawal."""
        with self.connect() as db:
            cursor = db.execute(
                "INSERT INTO reviewed (question, normalised, facts, answer, citations, reviewer, reviewed_at,"
                " embedder, vector) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    row["question"],
                    row["normalised"],
                    row["facts"],
                    row["answer"],
                    json.dumps(row["citations"], ensure_ascii=False),
                    row["reviewer"],
                    time.time(),
                    row["embedder"],
                    np.asarray(row["vector"], dtype=np.float32).tobytes(),
                ),
            )
            return int(cursor.lastrowid or 0)

    def edit_reviewed(self, answer_id: int, answer: str, reviewer: str) -> bool:
        """New text for an answer still in force: it is reviewed again, by ``reviewer``, now."""
        with self.connect() as db:
            cursor = db.execute(
                "UPDATE reviewed SET answer = ?, reviewer = ?, reviewed_at = ? WHERE id = ? AND withdrawn_at IS NULL",
                (answer, reviewer, time.time(), answer_id),
            )
            return cursor.rowcount == 1

    def withdraw_reviewed(self, answer_id: int, by: str) -> bool:
        """The answer stops answering (it stays on record)."""
        with self.connect() as db:
            cursor = db.execute(
                "UPDATE reviewed SET withdrawn_at = ?, withdrawn_by = ? WHERE id = ? AND withdrawn_at IS NULL",
                (time.time(), by, answer_id),
            )
            return cursor.rowcount == 1

    def store_vector(self, answer_id: int, embedder: str, vector: np.ndarray) -> None:
        """The question embedded again by another embedder (the knowledge base's changed)."""
        with self.connect() as db:
            db.execute(
                "UPDATE reviewed SET embedder = ?, vector = ? WHERE id = ?",
                (embedder, np.asarray(vector, dtype=np.float32).tobytes(), answer_id),
            )

    def reviewed(self, *, in_force: bool = True) -> list[ReviewedRow]:
        """Reviewed answers, newest first; only those still in force unless ``in_force`` is False."""
        where = "WHERE withdrawn_at IS NULL" if in_force else ""
        with self.connect() as db:
            rows = db.execute(f"SELECT * FROM reviewed {where} ORDER BY reviewed_at DESC, id DESC").fetchall()
        return [_reviewed_row(r) for r in rows]

    def reviewed_by_id(self, answer_id: int) -> ReviewedRow | None:
        with self.connect() as db:
            row = db.execute("SELECT * FROM reviewed WHERE id = ?", (answer_id,)).fetchone()
        return _reviewed_row(row) if row is not None else None

    # -- the question log -----------------------------------------------------------------------------
    def log_question(self, asked: Asked) -> int:
        at = time.time()
        with self.connect() as db:
            cursor = db.execute(
                "INSERT INTO asked (at, day, channel, asker, question, normalised, refused, latency_ms, reviewed_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    at,
                    local_day(at),
                    asked.channel,
                    asked.asker,
                    asked.question,
                    asked.normalised,
                    int(asked.refused),
                    float(asked.latency_ms),
                    asked.reviewed_id,
                ),
            )
            asked_id = int(cursor.lastrowid or 0)
            db.executemany(
                "INSERT OR IGNORE INTO asked_documents (asked_id, doc_id, title) VALUES (?, ?, ?)",
                [(asked_id, doc_id, title) for doc_id, title in asked.documents],
            )
            return asked_id

    # -- ratings ------------------------------------------------------------------------------------------
    def add_feedback(self, record: dict, rating: str, user: str | None, normalised: str, at: float | None = None):
        with self.connect() as db:
            self._insert_feedback(db, record, rating, user, normalised, time.time() if at is None else at)

    @staticmethod
    def _insert_feedback(db, record: dict, rating: str, user: str | None, normalised: str, at: float) -> None:
        db.execute(
            "INSERT INTO feedback (at, user, rating, question, normalised, record) VALUES (?, ?, ?, ?, ?, ?)",
            (at, user, rating, record.get("question", ""), normalised, json.dumps(record, ensure_ascii=False)),
        )

    def feedback_records(self) -> list[dict]:
        """Every rating, oldest first, as the JSON lines earlier versions wrote."""
        with self.connect() as db:
            rows = db.execute("SELECT at, user, rating, record FROM feedback ORDER BY at, id").fetchall()
        return [
            dict(json.loads(r["record"]), rating=r["rating"], time=local_time(r["at"]), user=r["user"]) for r in rows
        ]

    def _import_legacy_feedback(self, legacy: Path) -> None:
        """Ratings an earlier version appended to ``feedback.jsonl``, read in once; the file is left as it was."""
        if not legacy.is_file():
            return
        from assistant.reviewed import normalise_question

        with self.connect() as db:
            if db.execute("SELECT 1 FROM meta WHERE key = 'feedback_jsonl_imported'").fetchone():
                return
            count = 0
            changed = legacy.stat().st_mtime  # the time of a rating that names none
            for line in legacy.read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    record = json.loads(line)
                    at = datetime.fromisoformat(record["time"]).timestamp() if "time" in record else changed
                except (ValueError, TypeError):
                    continue  # a torn last line of a crashed writer
                if not isinstance(record, dict) or record.get("rating") not in ("up", "down"):
                    continue
                question = str(record.get("question", ""))
                self._insert_feedback(
                    db, record, record["rating"], record.get("user"), normalise_question(question), at
                )
                count += 1
            db.execute("INSERT INTO meta (key, value) VALUES ('feedback_jsonl_imported', ?)", (str(count),))


def _reviewed_row(r: sqlite3.Row) -> ReviewedRow:
    return ReviewedRow(
        id=r["id"],
        question=r["question"],
        normalised=r["normalised"],
        facts=r["facts"],
        answer=r["answer"],
        citations=json.loads(r["citations"]),
        reviewer=r["reviewer"],
        reviewed_at=r["reviewed_at"],
        withdrawn_at=r["withdrawn_at"],
        embedder=r["embedder"],
        vector=np.frombuffer(r["vector"], dtype=np.float32),
    )


__all__ = ["Asked", "CURATION_FILE", "CurationStore", "ReviewedRow", "local_day", "local_time"]
