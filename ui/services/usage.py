"""What the question log says: the queue of questions to review, and the statistics of the 统计 tab.

Both read ``ui.services.curation_store`` only. A question counts as the same question when its
normalised text is (``assistant.reviewed.normalise_question``): 「2024年进馆人数？」 and
「2024年进馆人数」 are one line of the top questions and of the queue.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .curation_store import CurationStore, local_time
from .metrics import XLSX_MEDIA, Download

REASON_ZH = {"refused": "未找到答案", "down": "👎 没帮助"}

# Refused questions and 👎 ratings, one line per question, unless a reviewed answer in force was saved for
# that question after it: the latest wording, when, how often, why, and who asked last.
_QUEUE = """
SELECT question, MAX(at) AS last, COUNT(*) AS times, GROUP_CONCAT(DISTINCT reason) AS reasons, who
FROM (
    SELECT at, question, normalised, 'refused' AS reason, COALESCE(asker, channel) AS who FROM asked WHERE refused = 1
    UNION ALL
    SELECT at, question, normalised, 'down' AS reason, COALESCE(user, 'web') AS who FROM feedback WHERE rating = 'down'
) AS item
WHERE NOT EXISTS (
    SELECT 1 FROM reviewed r
    WHERE r.normalised = item.normalised AND r.withdrawn_at IS NULL AND r.reviewed_at >= item.at
)
GROUP BY normalised
ORDER BY last DESC
LIMIT ?
"""


def review_queue(store: CurationStore, limit: int = 200) -> list[dict]:
    """Questions waiting for a reviewed answer, newest first."""
    with store.connect() as db:
        rows = db.execute(_QUEUE, (limit,)).fetchall()
    return [
        {
            "question": r["question"],
            "last_asked": local_time(r["last"]),
            "times": r["times"],
            "reasons": [REASON_ZH.get(x, x) for x in sorted((r["reasons"] or "").split(",")) if x],
            "who": r["who"],
        }
        for r in rows
    ]


@dataclass
class UsageStats:
    """Counts of the question log; lists are cut to ``top`` lines unless asked whole."""

    asked: int = 0
    refused: int = 0
    per_day: list[dict] = field(default_factory=list)  # day, asked, refused
    top_questions: list[dict] = field(default_factory=list)  # question, times (hit count per question)
    slowest: list[dict] = field(default_factory=list)  # time, channel, question, latency_ms
    documents: list[dict] = field(default_factory=list)  # title, doc_id, cited (hit count per document)
    reviewed_served: int = 0

    @property
    def refusal_rate(self) -> float:
        return self.refused / self.asked if self.asked else 0.0

    def as_dict(self) -> dict:
        return {
            "asked": self.asked,
            "refused": self.refused,
            "refusal_rate": round(self.refusal_rate, 4),
            "reviewed_served": self.reviewed_served,
            "per_day": self.per_day,
            "top_questions": self.top_questions,
            "slowest": self.slowest,
            "documents": self.documents,
        }


def usage_stats(store: CurationStore, top: int | None = 10) -> UsageStats:
    """The log counted: per day, refusals, the most asked questions, the slowest answers, the most cited
    documents. ``top=None`` gives every line (the Excel export)."""
    limit = -1 if top is None else top  # SQLite: LIMIT -1 is no limit
    with store.connect() as db:
        totals = db.execute(
            "SELECT COUNT(*) AS asked, COALESCE(SUM(refused), 0) AS refused,"
            " COALESCE(SUM(reviewed_id IS NOT NULL), 0) AS reviewed FROM asked"
        ).fetchone()
        per_day = db.execute(
            "SELECT day, COUNT(*) AS asked, SUM(refused) AS refused FROM asked GROUP BY day ORDER BY day DESC LIMIT ?",
            (limit,),
        ).fetchall()
        questions = db.execute(
            "SELECT question, COUNT(*) AS times, MAX(at) AS last FROM asked GROUP BY normalised"
            " ORDER BY times DESC, last DESC LIMIT ?",
            (limit,),
        ).fetchall()
        slowest = db.execute(
            "SELECT at, channel, question, latency_ms FROM asked ORDER BY latency_ms DESC LIMIT ?", (limit,)
        ).fetchall()
        documents = db.execute(
            "SELECT doc_id, title, COUNT(*) AS cited, MAX(asked_id) AS last FROM asked_documents GROUP BY doc_id"
            " ORDER BY cited DESC, last DESC LIMIT ?",
            (limit,),
        ).fetchall()
    return UsageStats(
        asked=totals["asked"],
        refused=totals["refused"],
        reviewed_served=totals["reviewed"],
        per_day=[{"day": r["day"], "asked": r["asked"], "refused": r["refused"]} for r in per_day],
        top_questions=[{"question": r["question"], "times": r["times"]} for r in questions],
        slowest=[
            {
                "time": local_time(r["at"]),
                "channel": r["channel"],
                "question": r["question"],
                "latency_ms": round(r["latency_ms"], 1),
            }
            for r in slowest
        ],
        documents=[{"title": r["title"], "doc_id": r["doc_id"], "cited": r["cited"]} for r in documents],
    )


def usage_workbook(store: CurationStore) -> Download:
    """Every table of the statistics, whole, as an Excel workbook."""
    import io

    from ..usage_export import to_xlsx

    buf = io.BytesIO()
    to_xlsx(usage_stats(store, top=None), buf)
    return Download(buf.getvalue(), XLSX_MEDIA, "提问统计.xlsx", "lantai-usage.xlsx")


__all__ = ["REASON_ZH", "UsageStats", "review_queue", "usage_stats", "usage_workbook"]
