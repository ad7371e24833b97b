"""The reliability tools at tiny size against a real ``lantai serve`` on loopback, and proof they can fail.

One served instance (sample corpus ingested, API keys and the WeChat channel
configured) takes a 4-client soak, a WeChat fuzz and a schemathesis run: all
must come back clean. Then the same tools are pointed at a loopback server
that answers every request with a 500 (serving the real schema at
``/openapi.json``), and each must report it.
"""

from __future__ import annotations

import asyncio
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from eval import api_fuzz, soak, wechat_fuzz
from eval.standins.wechat import WeChatAPIStandin, new_aes_key

pytestmark = pytest.mark.slow

AES_KEY = new_aes_key()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("reliability")
    with WeChatAPIStandin(wechat_fuzz.APPID, wechat_fuzz.SECRET) as api:
        env = {"LANTAI_API_KEYS": f"{soak.API_KEY},{soak.OTHER_KEY}", **wechat_fuzz.wechat_env(api.base_url, AES_KEY)}
        with soak.Served(soak.prepare_data(root), env) as server:
            server.ingest(soak.sample_files(root))
            yield server


@pytest.fixture(scope="module")
def broken(served):
    """A loopback server with the real schema that answers everything else with 500."""
    schema = httpx.get(served.url + "/openapi.json", timeout=30).content

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            if length:
                self.rfile.read(min(length, 1 << 20))
            ok = self.path.startswith("/openapi.json")
            body = schema if ok else json.dumps({"detail": "boom"}).encode()
            self.send_response(200 if ok else 500)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _answer

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_soak_at_tiny_size_has_no_errors_and_loses_nothing(served):
    result = soak.soak(4, 5.0, server=served)
    assert result["errors"] == 0, result["error_samples"]
    assert result["requests"] > 10 and result["data_lost"] == 0 and result["server_alive"]
    assert result["by_kind"]["ask"]["requests"] > 0 and result["rss"]["samples"] >= 3


def test_wechat_fuzz_finds_no_crash_or_hang(served):
    result = wechat_fuzz.fuzz(served.url + "/wechat", aes_key=AES_KEY, inputs=200, seconds=60)
    assert result["inputs"] == 200
    assert result["crashes"] == 0 and result["hangs"] == 0, result["failures"]
    assert result["server_alive"] and result["replies"] > 0
    assert {"400", "403", "413"} <= set(result["statuses"])


def test_api_fuzz_finds_no_server_error_or_schema_mismatch(served):
    # one fuzzing thread: Hypothesis's internal caches are not thread-safe (a KeyError in the fuzzer itself)
    result = api_fuzz.fuzz(served.url, soak.API_KEY, examples=2, seconds=120, workers=1)
    assert result["tested"] == result["operations"] > 10
    assert result["failures"] == 0 and result["errors"] == 0, result["summaries"]
    assert served.alive() and served.tracebacks() == 0


def test_the_tools_report_a_server_that_fails(broken):
    traffic = soak.Traffic(broken, 1.0, 30, seed=1, indicators=["进馆人数"], timeout=5, job_wait=2)
    asyncio.run(traffic.run(2))
    assert sum(traffic.tally.errors.values()) > 0

    result = wechat_fuzz.fuzz(broken + "/wechat", aes_key=AES_KEY, inputs=20, seconds=20, timeout=5)
    assert result["crashes"] > 0 and not result["server_alive"] and not result["ok"]

    result = api_fuzz.fuzz(broken, soak.API_KEY, examples=1, seconds=120)
    assert result["failures"] > 0 and not result["ok"]
    assert any("ST101" in line for line in result["summaries"])
