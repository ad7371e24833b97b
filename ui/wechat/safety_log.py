"""Where the gate's hits are written for the account's staff: one JSON line per hit.

A line holds the time (UTC), the user's openid hashed, where the hit was
(``question`` or ``answer``), what found it (``words`` or ``moderation``) and
the categories. The message itself, and the words it matched, are written
only when ``LANTAI_WECHAT_LOG_BODIES`` allows: a log is read by more people
than the messages were meant for.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from .privacy import openid_hash

log = logging.getLogger(__name__)


class SafetyLog:
    def __init__(self, path: Path, bodies: bool = False):
        self.path = Path(path)
        self.bodies = bodies
        self._lock = threading.Lock()

    def hit(
        self, openid: str, where: str, source: str, categories: list[str], words: Sequence[str] = (), text: str = ""
    ) -> None:
        record = {
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
            "user": openid_hash(openid),
            "where": where,
            "source": source,
            "categories": sorted(set(categories)),
        }
        if self.bodies:
            record["words"] = sorted(set(words))
            record["text"] = text
        line = json.dumps(record, ensure_ascii=False) + "\n"
        log.warning(
            "content-safety hit: user %s, %s, %s, %s", record["user"], where, source, "、".join(record["categories"])
        )
        with self._lock:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as out:
                    out.write(line)
            except OSError as exc:  # the refusal still stands; only its record is missing
                log.error("the content-safety log %s could not be written: %s", self.path, exc)

    def read(self, last: int | None = None) -> list[dict]:
        """The hits, oldest first (the ``last`` ones only); a line cut short by a crash is skipped."""
        try:
            lines = self.path.read_text(encoding="utf-8", errors="replace").splitlines()
        except FileNotFoundError:
            return []
        hits = []
        for line in lines:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict):
                hits.append(record)
        return hits[-last:] if last else hits


__all__ = ["SafetyLog"]
