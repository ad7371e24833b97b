"""`lantai serve --workers N`: refused without Redis; with it, N processes answer each WeChat message once.

The multi-process run is the load script's (``eval.wechat_load``) at small scale: the real command
in its own processes, a real redis-server on loopback, the WeChat stand-in pushing messages
(a quarter lose their first reply, so WeChat retries them, each attempt on a new connection)
and serving tokens that expire during the run.
"""

from __future__ import annotations

import httpx
import pytest
from base_checks import flat, lantai
from conftest import flush_state
from redis_server import free_port
from wechat_env import ANSWER_FIGURE, QUESTION

from eval.wechat_load import report, run
from index import KnowledgeBase

pytestmark = pytest.mark.slow


def test_several_workers_without_redis_are_refused_in_both_languages(tmp_path):
    result = lantai("serve", "--workers", "2", "--data-dir", str(tmp_path / "data"), timeout=120)
    assert result.returncode == 2
    message = flat(result.stderr)
    assert "需要先配置LANTAI_REDIS_URL" in message and "needsLANTAI_REDIS_URL" in message
    assert not (tmp_path / "data" / ".lantai.lock").exists()  # refused before anything was opened


def test_no_workers_is_a_clear_error(tmp_path):
    result = lantai("serve", "--workers", "0", "--data-dir", str(tmp_path / "data"), timeout=120)
    assert result.returncode == 2
    assert "工作进程数至少为1" in flat(result.stderr) and "--workersmustbeatleast1" in flat(result.stderr)


def test_an_incomplete_wechat_configuration_is_refused_before_any_worker_starts(tmp_path, redis_url):
    env = {"LANTAI_REDIS_URL": redis_url, "LANTAI_WECHAT_TOKEN": "t"}  # no AppID: every worker would fail
    result = lantai(
        "serve",
        "--workers",
        "2",
        "--port",
        str(free_port()),
        "--data-dir",
        str(tmp_path / "data"),
        timeout=300,
        env=env,
    )
    assert result.returncode == 2
    output = flat(result.stderr)
    assert "配置错误" in output and "configurationerror" in output and "LANTAI_WECHAT_APPID" in output
    assert not (tmp_path / "data" / ".lantai.lock").exists()  # no worker was started


PUBLIC_DOC = f"""青川区图书馆2024年工作总结

一、主要数据

{QUESTION.removesuffix("是多少？")}为{ANSWER_FIGURE}，同比增长5.2%。全年举办阅读推广活动312场次。
"""


@pytest.mark.fault  # concurrent processes on a real data directory: slow
def test_two_workers_answer_every_message_once_with_one_token_per_expiry(tmp_path, embedder, redis_url, capsys):
    flush_state({"redis_url": redis_url})
    doc = tmp_path / "qingchuan-2024-summary.txt"
    doc.write_text(PUBLIC_DOC, encoding="utf-8")
    data = tmp_path / "data"
    kb = KnowledgeBase(data, embedder)
    assert kb.ingest([doc], visibility="public").ok
    checks = {}

    def while_served(url: str) -> None:
        upload = httpx.post(url + "/api/documents", files=[("files", ("x.txt", b"x", "text/plain"))], timeout=30)
        checks["upload"] = (upload.status_code, upload.json().get("detail", ""))
        checks["ingest"] = lantai("ingest", str(doc), "--data-dir", str(data), timeout=300)
        checks["web"] = httpx.get(url + "/", timeout=30).status_code
        checks["health"] = httpx.get(url + "/healthz", timeout=30).status_code

    result = run(
        kb,
        messages=16,
        users=4,
        seconds=4,
        budget=0.0,
        lossy=0.25,
        settle_seconds=60,
        workers=2,
        redis_url=redis_url,
        token_ttl=3,
        while_served=while_served,
    )
    report(result)
    assert "served by: 2 worker process(es), state shared in Redis" in capsys.readouterr().out
    assert result["duplicates"] == 0 and result["lost"] == 0 and result["invalid_replies"] == 0
    assert result["customer_service"] == 16 and result["retries"] >= 4  # every answer late: sent once each
    assert len(result["worker_cpu_s"]) == 2
    assert 1 <= result["token_fetches"] <= result["token_periods"], result  # one refresher across the workers
    status, detail = checks["upload"]
    assert status == 409 and "多个工作进程" in detail and "several worker processes" in detail
    assert checks["ingest"].returncode == 3, checks["ingest"].stderr  # the data directory is the server's
    assert "正被" in flat(checks["ingest"].stderr)
    assert (checks["web"], checks["health"]) == (404, 200)  # the API and WeChat only: no web UI across workers
