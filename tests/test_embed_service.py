"""The OpenAI-compatible embedding service: requests, batches, retries and errors against the real stand-in
server in ``eval/standins/openai_api.py`` (a GPU embedding server stood in for), ingest through it, and the
stand-in itself."""

from __future__ import annotations

import os
import time

# Nothing in these tests may reach a model hub.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import numpy as np
import openai
import pytest
from embed_support import VISITORS, _assert_unit_rows, _expected, standin  # noqa: F401  (standin is a fixture, used as a parameter)

from eval.standins.openai_api import OpenAIStandin, Reply, hashed_ngram_vector
from index.embed import (
    Embedder,
    EmbedderError,
    OpenAICompatibleEmbedder,
)

# ------------------------------------------------------------ openai-compatible


def test_openai_dim_is_discovered_lazily(standin):
    embedder = OpenAICompatibleEmbedder(standin.base_url, "bge-m3")
    assert embedder.name == "openai-bge-m3"
    assert standin.request_count() == 0
    query = embedder.embed_query("进馆人数")
    assert standin.request_count() == 1
    assert embedder.dim == 64 and query.shape == (64,)
    _assert_unit_rows(query)
    np.testing.assert_allclose(query, _expected("进馆人数"), atol=1e-6)
    assert standin.request_count() == 1  # dim came from that answer, no probe

    fresh = OpenAICompatibleEmbedder(standin.base_url, "bge-m3", dim=None)
    assert fresh.dim == 64  # read before any call: one probe
    assert fresh.dim == 64
    assert standin.request_count() == 2
    assert isinstance(fresh, Embedder)
    body = standin.requests[-1].body
    assert body["model"] == "bge-m3" and body["encoding_format"] == "base64"


def test_openai_falls_back_to_floats_for_a_server_without_base64(standin):
    embedder = OpenAICompatibleEmbedder(standin.base_url, "m", dim=64)
    standin.fail_next(1, status=422)  # e.g. a server whose schema knows only "float"
    np.testing.assert_allclose(embedder.embed_passages(["进馆人数"])[0], _expected("进馆人数"), atol=1e-6)
    np.testing.assert_allclose(embedder.embed_query("读书驿站"), _expected("读书驿站"), atol=1e-6)
    assert [r.body["encoding_format"] for r in standin.requests_to("/v1/embeddings")] == ["base64", "float", "float"]


def test_openai_batches_and_keeps_order(standin):
    standin.reverse_order = True  # the client must sort rows by "index"
    texts = [f"第{i}号文件：{VISITORS[: 5 + i]}" for i in range(10)]
    embedder = OpenAICompatibleEmbedder(standin.base_url, "m", batch_size=4, concurrency=1)  # requests in order
    matrix = embedder.embed_passages(texts)
    assert matrix.shape == (10, 64)
    _assert_unit_rows(matrix)
    sent = [r.body["input"] for r in standin.requests_to("/v1/embeddings")]
    assert [len(batch) for batch in sent] == [4, 4, 2]
    assert [t for batch in sent for t in batch] == texts
    np.testing.assert_allclose(matrix, np.vstack([_expected(t) for t in texts]), atol=1e-6)
    assert embedder.embed_passages([]).shape == (0, 64)
    assert standin.request_count() == 3


def test_openai_retries_after_500(standin):
    standin.fail_next(2, status=500)
    embedder = OpenAICompatibleEmbedder(standin.base_url, "m")
    vectors = embedder.embed_passages(["古籍修复", "少儿阅览"])
    assert vectors.shape == (2, 64)
    requests = standin.requests_to("/v1/embeddings")
    assert len(requests) == 3
    # the openai client itself did the retrying
    assert [r.headers.get("x-stainless-retry-count") for r in requests] == ["0", "1", "2"]


def test_openai_gives_up_after_its_retries(standin):
    standin.fail_next(100, status=503)
    embedder = OpenAICompatibleEmbedder(standin.base_url, "m", max_retries=3)
    with pytest.raises(EmbedderError, match="HTTP 503") as info:
        embedder.embed_passages(["x"])
    assert standin.base_url in str(info.value) and "返回错误" in str(info.value)
    assert standin.request_count() == 4
    standin.reset()
    standin.fail_next(100, status=503)
    with pytest.raises(EmbedderError, match="HTTP 503"):
        embedder.embed_query("x")  # a question waits for one quick retry only
    assert standin.request_count() == 2


def test_openai_client_errors_are_not_retried(standin):
    standin.fail_next(10, status=400)
    with pytest.raises(EmbedderError, match="HTTP 400"):
        OpenAICompatibleEmbedder(standin.base_url, "m").embed_query("x")
    # no retries: one ask in base64, one in plain floats (in case base64 was what it refused), then the error
    assert [r.body["encoding_format"] for r in standin.requests] == ["base64", "float"]


def test_openai_api_key_is_sent():
    with OpenAIStandin(api_key="sk-local") as server:
        assert OpenAICompatibleEmbedder(server.base_url, "m", api_key="sk-local").embed_query("x").shape == (64,)
        with pytest.raises(EmbedderError, match="HTTP 401"):
            OpenAICompatibleEmbedder(server.base_url, "m").embed_query("x")


def test_openai_bare_host_gets_v1(standin):
    embedder = OpenAICompatibleEmbedder(standin.root_url, "m")
    assert embedder.api_base == standin.base_url
    embedder.embed_query("x")
    assert standin.requests[-1].path == "/v1/embeddings"


def test_openai_server_down_is_a_clear_error():
    with OpenAIStandin() as server:
        url = server.base_url
    embedder = OpenAICompatibleEmbedder(url, "m", timeout=5, max_retries=3)
    started = time.monotonic()
    with pytest.raises(EmbedderError, match="cannot reach the embedding service") as info:
        embedder.embed_passages(["a", "b"])
    assert url in str(info.value) and "无法连接" in str(info.value)
    assert isinstance(info.value.__cause__, openai.APIConnectionError)
    assert time.monotonic() - started < 20


# ------------------------------------------------------------ bulk embedding (a GPU server stood in for)
def test_openai_keeps_a_bounded_number_of_batches_in_flight_in_order(standin):
    standin.reverse_order = True
    standin.embed_delay = 0.2  # long enough that serial requests could never overlap by chance
    embedder = OpenAICompatibleEmbedder(standin.base_url, "m", batch_size=4, concurrency=3, dim=64)
    texts = [f"{VISITORS}第{i}段" for i in range(26)]  # 7 batches: 4 x 6 + 2
    assert embedder.ingest_step == 12
    vectors = embedder.embed_passages(texts)
    np.testing.assert_allclose(vectors, np.vstack([_expected(t) for t in texts]), rtol=1e-5)
    sent = [r.body["input"] for r in standin.requests_to("/v1/embeddings")]
    assert sorted(len(b) for b in sent) == [2, 4, 4, 4, 4, 4, 4]
    assert sorted(t for b in sent for t in b) == sorted(texts)
    assert standin.max_in_flight == 3  # several at once, never more than asked


@pytest.mark.parametrize("status", [429, 503])
@pytest.mark.parametrize("style", ["openai", "tei"])
def test_openai_retries_an_overloaded_or_unhealthy_server_then_succeeds(standin, status, style):
    """OpenAI-style errors carry Retry-After; TEI's (429 Overloaded, 503 Unhealthy) do not: back-off alone."""
    embedder = OpenAICompatibleEmbedder(standin.base_url, "m", batch_size=2, concurrency=2, dim=64)
    standin.fail_next(1, status=status, style=style)
    texts = ["古籍修复", "少儿阅览", "读书驿站", "流动图书车"]
    vectors = embedder.embed_passages(texts)
    np.testing.assert_allclose(vectors, np.vstack([_expected(t) for t in texts]), rtol=1e-5)
    requests = standin.requests_to("/v1/embeddings")
    assert len(requests) == 3  # two batches, one of them sent twice
    assert sorted(r.headers.get("x-stainless-retry-count") for r in requests) == ["0", "0", "1"]


def test_openai_retries_a_request_that_times_out(standin):
    standin.stall_next(1, 3.0)
    embedder = OpenAICompatibleEmbedder(standin.base_url, "m", timeout=0.5, dim=64)
    np.testing.assert_allclose(embedder.embed_passages(["古籍修复"])[0], _expected("古籍修复"), rtol=1e-5)
    assert standin.request_count("/v1/embeddings") == 2


def test_a_batch_larger_than_tei_allows_is_a_clear_error_not_retried(standin):
    standin.max_client_batch = 32  # TEI's default --max-client-batch-size
    embedder = OpenAICompatibleEmbedder(standin.base_url, "m", batch_size=64, concurrency=1, dim=64)
    with pytest.raises(EmbedderError, match="HTTP 413") as info:
        embedder.embed_passages([f"第{i}段" for i in range(40)])
    assert "LANTAI_EMBED_BATCH_SIZE" in str(info.value) and "调小每批条数" in str(info.value)
    assert standin.request_count() == 1
    small = OpenAICompatibleEmbedder(standin.base_url, "m", batch_size=32, dim=64)
    assert small.embed_passages([f"第{i}段" for i in range(40)]).shape == (40, 64)


def test_ingest_through_the_openai_embedder_fills_its_requests(tmp_path, standin, seed_txt):
    from index import KnowledgeBase

    standin.embed_delay = 0.05
    embedder = OpenAICompatibleEmbedder(standin.base_url, "m", batch_size=2, concurrency=3)
    kb = KnowledgeBase(tmp_path / "data", embedder)
    try:
        report = kb.ingest([seed_txt])
        assert report.ok and report.chunks_embedded > embedder.ingest_step  # more than one step's worth
        sizes = [
            len(r.body["input"])
            for r in standin.requests_to("/v1/embeddings")
            if r.body["input"] != ["dimension probe"]
        ]
        assert max(sizes) == 2 and sum(sizes) == report.chunks_embedded
        assert standin.max_in_flight == 3
        assert kb.search("进馆人数", k=1)[0].vector_rank is not None
    finally:
        kb.close()


def test_an_embedding_service_failing_past_its_retries_stops_ingest_and_loses_nothing(tmp_path, standin):
    from index import KnowledgeBase
    from index.embed import EmbedderUnavailable

    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("青川区图书馆2023年工作总结\n\n一、主要工作\n\n全年开展阅读推广活动412场次。\n", encoding="utf-8")
    second.write_text("青川区图书馆2024年工作总结\n\n一、主要工作\n\n新建读书驿站12间。\n", encoding="utf-8")
    embedder = OpenAICompatibleEmbedder(standin.base_url, "m", max_retries=1, dim=64)
    kb = KnowledgeBase(tmp_path / "data", embedder)
    try:
        standin.fail_next(100, status=503, style="tei")
        with pytest.raises(EmbedderUnavailable, match="HTTP 503"):
            kb.ingest([first, second])  # stops at the first file instead of waiting out every file's retries
        assert {d.file_name: d.status for d in kb.documents()} == {"a.txt": "indexing"}
        standin.reset()
        report = kb.ingest([second])
        assert report.resumed == ["a.txt"] and report.added == ["b.txt"]
        assert kb.search("阅读推广活动", k=1)[0].chunk.file_name == "a.txt"
    finally:
        kb.close()


def test_api_and_cli_say_the_embedding_service_is_down(tmp_path):
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from index import KnowledgeBase
    from ui.api import create_app
    from ui.cli import app as cli_app
    from ui.cli_errors import EXIT_EMBEDDER_FAILED
    from ui.settings import Settings

    doc = tmp_path / "a.txt"
    doc.write_text(
        "青川区图书馆2023年工作总结\n\n一、主要工作\n\n读书驿站由社区提供场地，图书馆统一配书、培训志愿者。\n",
        encoding="utf-8",
    )
    data = tmp_path / "data"
    server = OpenAIStandin().start()
    url = server.base_url
    kb = KnowledgeBase(data, OpenAICompatibleEmbedder(url, "m", dim=64))
    try:
        assert kb.ingest([doc]).added == ["a.txt"]
        server.stop()  # from here on nothing answers at that address
        settings = Settings(_env_file=None, data_dir=data, llm_api_base=None, reranker_path=None)
        with TestClient(create_app(settings, kb=kb, api_keys=[])) as client:
            down = client.post("/api/ask", json={"question": "读书驿站是怎么建起来的？"})
        assert down.status_code == 503
        assert "无法连接向量服务" in down.json()["detail"] and url in down.json()["detail"]
    finally:
        server.stop()
        kb.close()
    env = {
        "LANTAI_EMBEDDER": "openai",
        "LANTAI_EMBED_API_BASE": url,
        "LANTAI_EMBED_MODEL": "m",
        "LANTAI_EMBED_MAX_RETRIES": "1",
    }
    result = CliRunner().invoke(cli_app, ["search", "读书驿站", "--data-dir", str(data)], env=env)
    assert result.exit_code == EXIT_EMBEDDER_FAILED
    assert "无法连接向量服务" in result.output and "cannot reach the embedding service" in result.output


# ------------------------------------------------------------ the stand-in itself
def test_standin_speaks_base64_and_single_string(standin):
    client = openai.OpenAI(base_url=standin.base_url, api_key="none", max_retries=0)
    response = client.embeddings.create(model="m", input="进馆人数")  # the client asks for base64 by default
    assert standin.requests[-1].body["encoding_format"] == "base64"
    assert response.model == "m" and len(response.data) == 1
    np.testing.assert_allclose(np.asarray(response.data[0].embedding), hashed_ngram_vector("进馆人数", 64))


def test_standin_routes_are_extensible(standin):
    import httpx

    standin.route("POST", "/v1/echo", lambda req: Reply(json={"echo": req.body}))
    standin.route(
        "GET",
        "/v1/stream",
        lambda req: Reply(content_type="text/event-stream", stream=[b"data: 1\n\n", b"data: [DONE]\n\n"]),
    )
    with httpx.Client(base_url=standin.base_url) as http:
        assert http.post("/echo", json={"a": 1}).json() == {"echo": {"a": 1}}
        assert http.get("/stream").text == "data: 1\n\ndata: [DONE]\n\n"
        assert http.get("/nowhere").status_code == 404
        assert http.get("/embeddings").status_code == 405
