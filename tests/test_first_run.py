"""What staff meet on a first run: a knowledge base with no documents yet, a mistyped data directory, a
port already taken. Real parts throughout: the real embedder, Chroma and SQLite in temp dirs, the REST API
and the WeChat endpoint over real HTTP on loopback, the ``lantai`` command itself."""

from __future__ import annotations

import socket

import httpx
import pytest
from typer.testing import CliRunner
from wechat_env import APPID, SECRET, lantai, wechat, wechat_settings

from eval.standins.wechat import WeChatAPIStandin
from index import KnowledgeBase
from ui.cli import app
from ui.cli_errors import EXIT_NO_KNOWLEDGE_BASE

QUESTION = "2024年进馆人数是多少？"
REFUSAL = "文档中没有相关信息"
SUMMARY = "青川区图书馆2024年工作总结\n\n一、主要工作\n\n全年进馆人数208.37万人次，同比增长6.05%。\n"


@pytest.fixture
def empty_data_dir(tmp_path, embedder):
    """A knowledge base as `lantai serve` leaves it before anything is ingested."""
    data = tmp_path / "data"
    KnowledgeBase(data, embedder).close()
    return data


def _run(*args: str):
    return CliRunner().invoke(app, list(args))


# -- an empty knowledge base ------------------------------------------------------------------------
def test_empty_base_tells_staff_to_upload_over_rest_and_wechat(kb):
    with WeChatAPIStandin(APPID, SECRET) as api:
        settings = wechat_settings(kb.data_dir, api)
        with lantai(kb, settings) as server:
            answer = httpx.post(server.url + "/api/ask", json={"question": QUESTION}, timeout=60).json()
            assert answer["refused"] is True
            assert "知识库中还没有文档" in answer["answer"] and "「文档」页上传" in answer["answer"]
            assert REFUSAL not in answer["answer"]
            stream = httpx.post(server.url + "/api/ask/stream", json={"question": QUESTION}, timeout=60).text
            assert "知识库中还没有文档" in stream
            with wechat(server) as push:
                reply = push.send(push.text("oFirstRunUser", QUESTION)).shown
    assert reply and "还没有公开的文档" in reply and "公开" in reply and REFUSAL not in reply


def test_base_of_internal_documents_only_is_empty_to_wechat_not_to_staff(kb, tmp_path):
    doc = tmp_path / "青川区图书馆2024年工作总结.txt"
    doc.write_text(SUMMARY, encoding="utf-8")
    assert kb.ingest([doc], visibility="internal").ok
    with WeChatAPIStandin(APPID, SECRET) as api, lantai(kb, wechat_settings(kb.data_dir, api)) as server:
        answer = httpx.post(server.url + "/api/ask", json={"question": QUESTION}, timeout=60).json()
        assert "208.37" in answer["answer"] and "还没有" not in answer["answer"]
        with wechat(server) as push:
            reply = push.send(push.text("oFirstRunPublic", QUESTION)).shown
    assert reply and "还没有公开的文档" in reply and "208.37" not in reply


def test_cli_ask_on_an_empty_base_says_so_in_both_languages(empty_data_dir):
    result = _run("ask", QUESTION, "--data-dir", str(empty_data_dir))
    assert result.exit_code == 0, result.output
    assert "知识库中还没有文档" in result.output and "lantai ingest" in result.output
    assert "has no documents yet" in result.output
    assert REFUSAL not in result.output


# -- a data directory that does not exist -----------------------------------------------------------
@pytest.mark.parametrize(
    "command",
    [
        ["ask", QUESTION],
        ["search", "进馆人数"],
        ["stats"],
        ["docs"],
        ["remove", "a.txt"],
        ["metrics"],
        ["metrics", "conflicts"],
        ["draft-plan"],
    ],
    ids=lambda c: "-".join(c[:2]) if c[0] == "metrics" else c[0],
)
def test_read_command_refuses_a_missing_data_dir_and_creates_nothing(tmp_path, command):
    missing = tmp_path / "dta"  # a typo of "data"
    result = _run(*command, "--data-dir", str(missing))
    assert result.exit_code == EXIT_NO_KNOWLEDGE_BASE, result.output
    assert "数据目录不存在" in result.output and "data directory not found" in result.output
    assert "lantai ingest" in result.output
    assert not missing.exists()


def test_read_command_refuses_a_directory_without_a_base_and_writes_nothing_in_it(tmp_path):
    folder = tmp_path / "Documents"
    folder.mkdir()
    result = _run("stats", "--data-dir", str(folder))
    assert result.exit_code == EXIT_NO_KNOWLEDGE_BASE, result.output
    assert "不是兰台的数据目录" in result.output and "not a Lantai data directory" in result.output
    assert list(folder.iterdir()) == []


def test_ingest_still_starts_a_new_base(tmp_path):
    doc = tmp_path / "青川区图书馆2024年工作总结.txt"
    doc.write_text(SUMMARY, encoding="utf-8")
    data = tmp_path / "new-data"
    assert _run("ingest", str(doc), "--data-dir", str(data)).exit_code == 0
    result = _run("stats", "--data-dir", str(data), "--json")
    assert result.exit_code == 0 and '"documents": 1' in result.output


# -- a port already taken ---------------------------------------------------------------------------
def test_serve_on_a_busy_port_says_so_before_starting(tmp_path):
    data = tmp_path / "data"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _run("serve", "--port", str(port), "--data-dir", str(data))
    assert result.exit_code == 2, result.output
    assert f"端口 {port} 已被占用" in result.output and f"port {port} is already in use" in result.output
    assert "--port" in result.output
    assert "已启动" not in result.output and "serving" not in result.output
    assert not data.exists()  # nothing opened before the port was checked
