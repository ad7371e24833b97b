"""A full disk: clear bilingual errors, nothing stored lost, reading still works, no server paths shown."""

from __future__ import annotations

import json

import pytest
from base_checks import flat, lantai, write_summaries
from small_disk import fill, tmpfs

from index import KnowledgeBase
from ui.jobs import JobRegistry

pytestmark = pytest.mark.slow


@pytest.fixture
def full_disk_base(tmp_path, embedder):
    """A base with two documents on a small filesystem, then the filesystem filled to the last byte."""
    docs = write_summaries(tmp_path / "docs", files=3, items=10)
    with tmpfs(tmp_path / "disk", 40) as disk:
        data = disk / "data"
        kb = KnowledgeBase(data, embedder)
        assert kb.ingest([docs / "summary-2010.txt", docs / "summary-2011.txt"]).ok
        kb.close()
        filler = fill(disk)
        yield data, docs
        filler.unlink()


def test_cli_on_a_full_disk_reads_and_refuses_writes_clearly(full_disk_base):
    data, docs = full_disk_base
    r = lantai("ingest", str(docs / "summary-2012.txt"), "--data-dir", str(data))
    assert r.returncode == 4, r.stdout + r.stderr
    message = flat(r.stderr)
    assert "磁盘空间已满" in message and "thediskholding" in message and "nothingstoredwaslost" in message
    assert "Traceback" not in r.stderr

    stats = lantai("stats", "--json", "--data-dir", str(data))
    assert stats.returncode == 0, stats.stderr
    info = json.loads(stats.stdout)
    assert info["documents"] == 2 and info["read_only"] is True
    search = lantai("search", "2011年阅读推广活动", "--json", "--data-dir", str(data))
    assert search.returncode == 0, search.stderr
    assert {h["file"] for h in json.loads(search.stdout)} <= {"summary-2010.txt", "summary-2011.txt"}
    assert json.loads(search.stdout)[0]["file"] == "summary-2011.txt"
    assert "只读" in search.stderr  # told that search runs on keywords only


def test_job_error_on_a_full_disk_names_no_server_path(full_disk_base, embedder, tmp_path):
    data, docs = full_disk_base
    kb = KnowledgeBase(data, embedder)
    jobs = JobRegistry(kb)
    job = jobs.submit([docs / "summary-2012.txt"], "internal")
    snap = jobs.wait(job.id, 120)
    jobs.shutdown()
    kb.close()
    assert snap["state"] == "failed"
    shown = json.dumps(snap, ensure_ascii=False)
    assert "磁盘空间已满" in shown
    assert str(tmp_path) not in shown and str(data) not in shown
