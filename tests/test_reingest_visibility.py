"""Re-ingesting an unchanged file never changes its visibility silently."""

from __future__ import annotations

from base_checks import flat, write_summaries
from typer.testing import CliRunner

from index import KnowledgeBase
from ui.cli import app
from ui.jobs import JobRegistry


def _visibility(data, embedder, name):
    kb = KnowledgeBase(data, embedder)
    try:
        return kb.find_documents(name)[0].visibility
    finally:
        kb.close()


def test_cli_keeps_visibility_unless_given_and_reports_a_change(tmp_path, embedder):
    docs = write_summaries(tmp_path / "docs", files=1, items=5)
    data = str(tmp_path / "data")
    runner = CliRunner()
    first = runner.invoke(app, ["ingest", str(docs), "--visibility", "public", "--data-dir", data])
    assert first.exit_code == 0, first.output

    again = runner.invoke(app, ["ingest", str(docs), "--data-dir", data])  # no --visibility: kept
    assert again.exit_code == 0 and "未变 unchanged 1" in again.output
    assert _visibility(tmp_path / "data", embedder, "summary-2010.txt") == "public"

    changed = runner.invoke(app, ["ingest", str(docs), "--visibility", "internal", "--data-dir", data])
    assert changed.exit_code == 0, changed.output
    out = flat(changed.output)
    assert "summary-2010.txt:内容未变，可见范围已改为internal" in out and "visibilitychanged1" in out
    assert _visibility(tmp_path / "data", embedder, "summary-2010.txt") == "internal"

    helped = runner.invoke(app, ["ingest", "--help"])
    assert "已有文档保持原可见范围" in flat(helped.output)


def test_job_snapshot_reports_a_visibility_change(tmp_path, embedder):
    docs = write_summaries(tmp_path / "docs", files=1, items=5)
    kb = KnowledgeBase(tmp_path / "data", embedder)
    jobs = JobRegistry(kb)
    assert jobs.wait(jobs.submit([docs / "summary-2010.txt"], "internal").id)["state"] == "done"
    snap = jobs.wait(jobs.submit([docs / "summary-2010.txt"], "public").id)
    jobs.shutdown()
    assert snap["state"] == "done" and snap["files"][0]["status"] == "visibility_changed"
    assert kb.documents()[0].visibility == "public"
    kb.close()
