"""Ingest jobs seen by every server process: a board in Redis beside ``ui.jobs.JobRegistry``.

A job runs on the worker that took the upload (its files are there, its
thread writes). That worker publishes the job's snapshot here at every
change (state, file started or done, embedding batch), so ``GET
/api/jobs/{id}`` answered by any worker reports it. A cancel that reaches
another worker is a flag here, which the running worker checks between files
and embedding batches, as it checks its own cancel button. Snapshots expire
``ttl`` seconds after their last change; the list keeps the latest ``keep``.
"""

from __future__ import annotations

import json

from . import SharedRedis, texts


class RedisJobBoard:
    def __init__(self, shared: SharedRedis, ttl: float = 7 * 24 * 3600.0, keep: int = 200):
        self.shared = shared
        self.ttl_ms = int(ttl * 1000)
        self.keep = keep
        self.index = shared.key("jobs", "recent")  # job ids scored by creation time

    def _key(self, job_id: str) -> str:
        return self.shared.key("jobs", "job", job_id)

    def _cancel_key(self, job_id: str) -> str:
        return self.shared.key("jobs", "cancel", job_id)

    def publish(self, snapshot: dict) -> None:
        job_id = snapshot["job_id"]
        with self.shared.sync.pipeline(transaction=True) as pipe:
            pipe.set(self._key(job_id), json.dumps(snapshot, ensure_ascii=False), px=self.ttl_ms)
            pipe.zadd(self.index, {job_id: snapshot["created_at"]})
            pipe.zremrangebyrank(self.index, 0, -self.keep - 1)
            pipe.execute()

    def snapshot(self, job_id: str) -> dict | None:
        raw = self.shared.sync.get(self._key(job_id))
        return json.loads(raw) if raw else None

    def snapshots(self) -> list[dict]:
        """The latest jobs of every worker, newest first."""
        ids = texts(self.shared.sync.zrevrange(self.index, 0, self.keep - 1))
        if not ids:
            return []
        raws = self.shared.sync.mget([self._key(i) for i in ids])
        return [json.loads(raw) for raw in raws if raw]

    def request_cancel(self, job_id: str) -> None:
        self.shared.sync.set(self._cancel_key(job_id), "1", px=self.ttl_ms)

    def cancel_requested(self, job_id: str) -> bool:
        return bool(self.shared.sync.exists(self._cancel_key(job_id)))


__all__ = ["RedisJobBoard"]
