"""What staff see of a duplicate: the CLI summary (both languages, exit 0), the job over REST (Chinese
notice, the form option to keep it), and the 文档 list naming the document it copies."""

from __future__ import annotations

import time

from duplicate_texts import write_summary, year_summary
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from index import KnowledgeBase
from ui.api import create_app
from ui.cli import app
from ui.settings import Settings
from ui.web.frames import documents_frame
from ui.web.render import job_markdown


def test_cli_says_a_copy_was_skipped_in_both_languages(tmp_path):
    first = write_summary(tmp_path, 2024)
    copy = write_summary(tmp_path, 2024, name="转发件.txt")
    data = str(tmp_path / "data")
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(first), "--data-dir", data]).exit_code == 0
    skipped = runner.invoke(app, ["ingest", str(copy), "--data-dir", data])
    assert skipped.exit_code == 0, skipped.output
    out = " ".join(skipped.output.split())
    assert "未重复导入" in out and "not indexed again" in out and first.name in out
    assert "重复未导入 duplicates skipped 1" in out
    kept = runner.invoke(app, ["ingest", str(copy), "--keep-duplicates", "--data-dir", data])
    assert kept.exit_code == 0 and "新增 added 1" in kept.output


def _wait(client: TestClient, job_id: str) -> dict:
    deadline = time.monotonic() + 60
    while (job := client.get(f"/api/jobs/{job_id}").json())["state"] not in ("done", "failed"):
        assert time.monotonic() < deadline, job
        time.sleep(0.05)
    return job


def _upload(client: TestClient, name: str, **form: str) -> dict:
    files = [("files", (name, year_summary(2024).encode("utf-8"), "text/plain"))]
    r = client.post("/api/documents", files=files, data={"visibility": "internal", **form})
    assert r.status_code == 202, r.text
    return _wait(client, r.json()["job_id"])


def test_rest_job_tells_of_the_copy_and_the_list_names_its_original(tmp_path, embedder):
    data = tmp_path / "data"
    kb = KnowledgeBase(data, embedder)
    settings = Settings(_env_file=None, data_dir=data, llm_api_base=None, reranker_path=None)
    try:
        with TestClient(create_app(settings, kb=kb, api_keys=[])) as client:
            assert _upload(client, "临江区图书馆2024年工作总结.txt")["files"][0]["status"] == "added"
            job = _upload(client, "转发件.txt")
            (entry,) = job["files"]
            assert job["state"] == "done" and entry["status"] == "duplicate" and entry["error"] is None
            assert "临江区图书馆2024年工作总结.txt" in entry["notice"] and "未重复导入" in entry["notice"]
            assert "重复，未导入" in job_markdown(job) and "未重复导入" in job_markdown(job)
            listed = {d["file_name"]: d for d in client.get("/api/documents").json()}
            original = listed["临江区图书馆2024年工作总结.txt"]
            assert listed["转发件.txt"]["status"] == "duplicate"
            assert listed["转发件.txt"]["duplicate_of"] == original["id"]
            frame = documents_frame(kb.documents())
            state = dict(zip(frame["文件"], frame["状态"]))
            assert state["转发件.txt"] == "重复，未导入（与「临江区图书馆2024年工作总结.txt」相同）"
            again = _upload(client, "另一份转发件.txt", keep_duplicates="true")
            assert again["files"][0]["status"] == "added"
    finally:
        kb.close()
