"""SIGKILL an ingest midway: nothing half-indexed is visible, and the next run completes it."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index import KnowledgeBase

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]


def _make_folder(folder: Path, files: int = 6) -> Path:
    folder.mkdir()
    for i in range(files):
        year = 2018 + i
        sentences = "".join(
            f"第{j + 1}项：全年开展阅读推广活动{1000 * (i + 1) + j}场次，服务读者{i + 1}.{j:03d}万人次。"
            for j in range(60)
        )
        (folder / f"summary-{year}.txt").write_text(
            f"青川区图书馆{year}年工作总结\n\n一、主要工作\n\n{sentences}\n", encoding="utf-8"
        )
    return folder


def _statuses(db: Path) -> list[str]:
    if not db.exists():
        return []
    try:
        with sqlite3.connect(db, timeout=1) as conn:
            return [r[0] for r in conn.execute("SELECT status FROM documents")]
    except sqlite3.Error:
        return []


def test_sigkill_mid_ingest_then_rerun_is_consistent(tmp_path, embedder):
    folder = _make_folder(tmp_path / "docs")
    data = tmp_path / "data"
    cmd = [sys.executable, "-m", "ui.cli", "ingest", str(folder), "--data-dir", str(data)]
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db = data / "registry.sqlite3"
    deadline = time.time() + 240
    killed_while = None
    while time.time() < deadline and proc.poll() is None:
        statuses = _statuses(db)
        if "ready" in statuses and "indexing" in statuses:
            os.kill(proc.pid, signal.SIGKILL)
            killed_while = statuses
            break
        time.sleep(0.05)
    proc.wait(timeout=60)
    assert killed_while is not None, "the ingest finished before it could be killed"
    assert proc.returncode == -signal.SIGKILL

    # After the kill: the half-indexed document is invisible to search.
    kb = KnowledgeBase(data, embedder)
    ready = {d.id for d in kb.documents() if d.status == "ready"}
    pending = [d for d in kb.documents() if d.status == "indexing"]
    assert pending
    for hit in kb.search("阅读推广活动场次", k=20):
        assert hit.chunk.doc_id in ready
    kb.close()

    # The next run completes it.
    rerun = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr

    kb = KnowledgeBase(data, embedder)
    docs = kb.documents()
    assert len(docs) == 6 and all(d.status == "ready" for d in docs)
    chunk_ids = [c.id for c in kb.registry.ready_chunks()]
    assert len(chunk_ids) == len(set(chunk_ids)) == sum(d.chunk_count for d in docs)
    assert sorted(kb.vectors.collection.get(include=[])["ids"]) == sorted(chunk_ids)
    kb.refresh_keywords()
    assert sorted(kb.keywords._ids) == sorted(chunk_ids)
    hits = kb.search("2020年阅读推广活动", k=3)
    assert hits and len({h.chunk.id for h in hits}) == len(hits)
    kb.close()

    listed = subprocess.run(
        cmd[:3] + ["docs", "--json", "--data-dir", str(data)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert len(json.loads(listed.stdout)) == 6
