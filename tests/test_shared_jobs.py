"""Ingest jobs across workers: a job one server runs is reported, listed and cancelled through another.

Two API apps share one redis-server (started on loopback for the session), as two workers of
``lantai serve --workers 2`` do. Each has a knowledge base of its own here (one process may not
open another's data directory); what they share is the job board.
"""

from __future__ import annotations

import time

import pytest
from base_checks import write_summaries
from conftest import flush_state
from fastapi.testclient import TestClient

from index import KnowledgeBase
from ingest import ChunkSizes
from ui.api import create_app
from ui.settings import Settings

pytestmark = pytest.mark.slow

SMALL = ChunkSizes(20, 60, 0)  # many embedding batches per file: the job runs long enough to watch


def _app(data, embedder, redis_url):
    kb = KnowledgeBase(data, embedder, chunk_sizes=SMALL)
    settings = Settings(_env_file=None, data_dir=data, llm_api_base=None, reranker_path=None, redis_url=redis_url)
    return kb, create_app(settings, kb=kb, api_keys=[])


def test_a_job_is_reported_and_cancelled_by_another_worker(tmp_path, embedder, redis_url):
    flush_state({"redis_url": redis_url})
    docs = write_summaries(tmp_path / "docs", files=12, items=12)
    kb_one, one = _app(tmp_path / "one", embedder, redis_url)
    kb_two, two = _app(tmp_path / "two", embedder, redis_url)
    files = [("files", (p.name, p.read_bytes(), "text/plain")) for p in sorted(docs.iterdir())]
    with TestClient(one) as worker_one, TestClient(two) as worker_two:
        job_id = worker_one.post("/api/documents", files=files).json()["job_id"]
        deadline = time.monotonic() + 120
        while True:  # progress as the other worker reports it
            seen = worker_two.get(f"/api/jobs/{job_id}")
            assert seen.status_code == 200, seen.text
            if seen.json()["files_done"] >= 2:
                break
            assert time.monotonic() < deadline, seen.json()
            time.sleep(0.05)
        assert seen.json()["state"] == "running" and seen.json()["chunks_embedded"] > 0
        assert job_id in [j["job_id"] for j in worker_two.get("/api/jobs").json()]

        cancelled = worker_two.post(f"/api/jobs/{job_id}/cancel")  # the running worker stops at its next batch
        assert cancelled.status_code == 200, cancelled.text
        assert cancelled.json()["state"] == "cancelled", cancelled.json()
        mine = worker_one.get(f"/api/jobs/{job_id}").json()
        assert mine["state"] == "cancelled" and "cancelled" in [f["status"] for f in mine["files"]]
        added = {f["name"] for f in mine["files"] if f["status"] == "added"}
        assert 2 <= len(added) < len(files)
        assert {d["file_name"] for d in worker_one.get("/api/documents").json()} == added
        assert worker_two.get("/api/documents").json() == []  # nothing ran on the other worker
        again = worker_two.post(f"/api/jobs/{job_id}/cancel")
        assert again.status_code == 200 and again.json()["state"] == "cancelled"
        assert worker_two.get("/api/jobs/nope").status_code == 404
    kb_one.close()
    kb_two.close()
