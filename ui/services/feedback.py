"""Staff ratings of answers (👍/👎), kept in the curation store (``ui.services.curation_store``).

A 👎 puts the question in the review queue (``ui.services.usage.review_queue``). The ratings download
as the JSON lines earlier versions appended to ``feedback.jsonl``; such a file is read into the store
once, and left where it is. A download is written in the operations log (``ui.services.audit``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import StrEnum

from assistant.reviewed import normalise_question

from .audit import Action, Actor, AuditLog
from .curation_store import LEGACY_FEEDBACK, CurationStore
from .reviewed import citation_record

FEEDBACK_FILE = LEGACY_FEEDBACK  # the download's name, as before


class Rating(StrEnum):
    UP = "up"  # 👍 有帮助
    DOWN = "down"  # 👎 没帮助


def now_text() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


def feedback_record(answer, rating: str, user: str | None = None) -> dict:
    """What is kept of a rated answer: the question, the answer, its citations with the chunks they
    came from (a correction may keep them), and whether it was refused (``rating`` "" until rated)."""
    return {
        "question": answer.question,
        "answer": answer.answer,
        "citations": [citation_record(c) for c in answer.citations],
        "refused": answer.refused,
        "library": answer.library,
        "rating": rating,
        "time": now_text(),
        "user": user,
    }


class FeedbackLog:
    """The ratings in the curation store."""

    def __init__(self, store: CurationStore, audit: AuditLog):
        self.store = store
        self.audit = audit

    def save(self, record: dict, rating: Rating, user: str | None) -> None:
        kept = {k: v for k, v in record.items() if k not in ("rating", "time", "user")}
        self.store.add_feedback(kept, str(rating), user, normalise_question(str(record.get("question", ""))))

    def read(self) -> bytes | None:
        """Every rating as JSON lines, oldest first, or None before anything was rated."""
        records = self.store.feedback_records()
        if not records:
            return None
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")

    def export(self, by: Actor) -> bytes | None:
        """The whole log for a download, written in the operations log (it holds staff's questions)."""
        content = self.read()
        if content is not None:
            self.audit.record(by, Action.EXPORT_FEEDBACK, FEEDBACK_FILE)
        return content


__all__ = ["FEEDBACK_FILE", "FeedbackLog", "Rating", "feedback_record"]
