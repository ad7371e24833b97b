"""Staff ratings of answers (👍/👎), kept as JSON lines beside the data."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from .audit import Action, Actor, AuditLog

FEEDBACK_FILE = "feedback.jsonl"


class Rating(StrEnum):
    UP = "up"  # 👍 有帮助
    DOWN = "down"  # 👎 没帮助


def now_text() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


def feedback_record(answer, rating: str, user: str | None = None) -> dict:
    """What is kept of a rated answer: the question, the answer, its citations (``rating`` "" until rated)."""
    return {
        "question": answer.question,
        "answer": answer.answer,
        "citations": [c.as_dict() for c in answer.citations],
        "rating": rating,
        "time": now_text(),
        "user": user,
    }


class FeedbackLog:
    """``<data dir>/feedback.jsonl``, appended to by one writer at a time."""

    def __init__(self, data_dir: Path, audit: AuditLog):
        self.path = Path(data_dir) / FEEDBACK_FILE
        self.audit = audit
        self._lock = threading.Lock()

    def save(self, record: dict, rating: Rating, user: str | None) -> None:
        entry = dict(record, rating=rating, time=now_text(), user=user)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as out:
                out.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def read(self) -> bytes | None:
        """The whole log, or None before anything was rated."""
        if not self.path.exists():
            return None
        with self._lock:
            return self.path.read_bytes()

    def export(self, by: Actor) -> bytes | None:
        """The whole log for a download, written in the operations log (it holds staff's questions)."""
        content = self.read()
        if content is not None:
            self.audit.record(by, Action.EXPORT_FEEDBACK, FEEDBACK_FILE)
        return content


__all__ = ["FEEDBACK_FILE", "FeedbackLog", "Rating", "feedback_record"]
