"""Ingest jobs can be cancelled: the write lock comes back at once and the base stays consistent."""

from __future__ import annotations

import threading
import time

import pytest
from base_checks import assert_fully_searchable, write_summaries
from fastapi.testclient import TestClient

from index import IngestProgress, KnowledgeBase
from ingest import ChunkSizes
from ui.api import create_app
from ui.settings import Settings

pytestmark = pytest.mark.slow

# Short chunks: many embedding batches per file, each cheap (the shared test machine is slow).
SMALL = ChunkSizes(20, 60, 0)


class _CancelInSecondFile(IngestProgress):
    """Sets the cancel signal once the second file has embedded its first batch."""

    def __init__(self, event: threading.Event):
        self.event = event
        self.started: list[str] = []

    def file_started(self, name: str) -> None:
        self.started.append(name)

    def chunks_embedded(self, count: int) -> None:
        if len(self.started) == 2:
            self.event.set()


def test_cancel_between_batches_removes_the_cut_document_whole(tmp_path, embedder):
    docs = write_summaries(tmp_path / "docs", files=4, items=40)  # ~40 chunks a file: two batches
    kb = KnowledgeBase(tmp_path / "data", embedder, chunk_sizes=SMALL)
    event = threading.Event()
    progress = _CancelInSecondFile(event)
    report = kb.ingest([docs], progress=progress, cancel=event)
    assert report.added == ["summary-2010.txt"]
    assert report.cancelled == ["summary-2011.txt", "summary-2012.txt", "summary-2013.txt"]
    assert progress.started == ["summary-2010.txt", "summary-2011.txt"]  # stopped inside the second file
    assert [d.file_name for d in kb.documents()] == ["summary-2010.txt"]
    assert_fully_searchable(kb)

    again = kb.ingest([docs], cancel=lambda: False)  # the next run does the rest
    assert again.unchanged == ["summary-2010.txt"] and len(again.added) == 3
    assert_fully_searchable(kb)
    kb.close()


def _wait(client: TestClient, job_id: str, states, timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["state"] in states:
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.05)


def test_cancelled_job_frees_the_write_lock_for_patch_and_delete(tmp_path, embedder, state):
    docs = write_summaries(tmp_path / "docs", files=16, items=12)
    data = tmp_path / "data"
    kb = KnowledgeBase(data, embedder, chunk_sizes=SMALL)
    settings = Settings(_env_file=None, data_dir=data, llm_api_base=None, reranker_path=None, **state)
    app = create_app(settings, kb=kb, api_keys=[])
    files = [("files", (p.name, p.read_bytes(), "text/plain")) for p in sorted(docs.iterdir())]
    with TestClient(app) as client:
        first = client.post("/api/documents", files=files[:1])
        _wait(client, first.json()["job_id"], ("done",))
        ready = client.get("/api/documents").json()[0]

        slow = client.post("/api/documents", files=files[1:]).json()["job_id"]
        queued = client.post("/api/documents", files=files[:1]).json()["job_id"]  # behind the slow one
        deadline = time.monotonic() + 120
        while client.get(f"/api/jobs/{slow}").json()["files_done"] < 2:
            assert time.monotonic() < deadline
            time.sleep(0.05)

        waiting = client.post(f"/api/jobs/{queued}/cancel").json()  # never starts
        assert waiting["state"] == "cancelled" and waiting["files"][0]["status"] == "cancelled"
        started = time.perf_counter()
        r = client.post(f"/api/jobs/{slow}/cancel")
        assert r.status_code == 200, r.text
        job = _wait(client, slow, ("cancelled",), timeout=60)  # the route itself waits a while for it
        stopped = time.perf_counter() - started
        statuses = [f["status"] for f in job["files"]]
        assert statuses.count("added") >= 2 and "cancelled" in statuses and "queued" not in statuses

        patched = client.patch(f"/api/documents/{ready['id']}", json={"visibility": "public"})
        assert patched.status_code == 200 and patched.json()["visibility"] == "public"
        assert client.delete(f"/api/documents/{ready['id']}").status_code == 204
        waited = time.perf_counter() - started
        done = sum(1 for f in job["files"] if f["status"] == "added")
        assert done < len(files) - 1 and waited < 60, (stopped, waited, done)
        print(
            f"cancel: stopped after {stopped:.2f}s, PATCH+DELETE done {waited:.2f}s after the cancel, "
            f"{done} of {len(files) - 1} files ingested"
        )

        assert client.post(f"/api/jobs/{slow}/cancel").json()["state"] == "cancelled"  # again: no change
        finished = client.post(f"/api/jobs/{first.json()['job_id']}/cancel")
        assert finished.status_code == 409 and "已结束" in finished.json()["detail"]
        assert client.post("/api/jobs/nope/cancel").status_code == 404
        names = {d["file_name"] for d in client.get("/api/documents").json()}
        added = {f["name"] for f in job["files"] if f["status"] == "added"}
        assert names == added
        uploads = {p.name for p in (data / "uploads").iterdir() if p.is_file()}
        assert uploads == added  # cancelled uploads are not kept
    assert_fully_searchable(kb)
    kb.close()
