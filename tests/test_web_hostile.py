"""The web UI against hostile input over real HTTP: server paths sent as files, a hostile document in the browser.

The setting (``hostile_server``): the real server app (API + Gradio UI) under uvicorn on a free
loopback port over a temp data dir, with Gradio's upload cache in a temp folder of its own; requests
go over real HTTP to the public ``/gradio_api`` endpoints the way any logged-in page could send them.
A small HTTP server on loopback stands for an outside host and records every request that reaches
it. What the UI renders and exports, apart from a server, is in ``test_web_inert.py``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hostile_server import (  # noqa: F401  (outside and server are fixtures, used as parameters)
    CHROMIUM,
    HOSTILE_NAME,
    REFUSAL,
    REPO,
    SCREENS,
    SECRET_MARKER,
    SUMMARY,
    SUMMARY_NAME,
    _paths,
    _refused,
    _request,
    _status,
    call,
    documents,
    file_data,
    files_holding,
    outside,
    server,
    upload_to_gradio,
)
from web_server import CHROMIUM, chromium_browser

from eval.live import free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow]


# -- 1. files only from the upload cache ----------------------------------------------------------
def test_upload_refuses_a_server_path_outside_the_upload_cache(server):
    events = call(server.base, "upload_any", [[file_data(server.secret)], None, "public", False])
    assert _refused(events), events
    assert "馆务机密.txt" not in documents(server.base)
    assert files_holding(server.data, SECRET_MARKER) == []  # nothing staged, nothing indexed
    assert files_holding(server.cache, SECRET_MARKER) == []  # and no copy left to download


def test_upload_refuses_a_link_in_the_cache_that_leads_outside(server):
    link = server.cache / "planted" / "馆务机密.txt"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(server.secret)
    try:
        events = call(server.base, "upload_any", [None, [file_data(link)], "internal", False])
    finally:
        link.unlink()
    assert _refused(events), events
    assert "馆务机密.txt" not in documents(server.base)
    assert files_holding(server.data, SECRET_MARKER) == []


def test_upload_refuses_a_url_and_fetches_nothing(server, outside):
    outside.requests.clear()
    events = call(
        server.base,
        "upload_any",
        [[file_data(f"http://127.0.0.1:{outside.port}/doc.txt", "doc.txt")], None, "internal", False],
    )
    assert _refused(events), events
    assert outside.requests == []


@pytest.mark.parametrize(
    "api_name, data",
    [
        ("reindex_document", lambda p: [file_data(p)]),
        ("delete_document", lambda p: [file_data(p), True]),
        ("change_visibility", lambda p: [file_data(p), "public"]),
        ("ask", lambda p: ["你好", [{"role": "user", "content": file_data(p)}]]),
        ("ask", lambda p: [file_data(p), []]),
    ],
)
def test_no_other_input_copies_a_server_file(server, api_name, data):
    """Any input can carry a file reference: none may copy a server file where it can be downloaded."""
    for stale in files_holding(server.cache, SECRET_MARKER):
        stale.unlink()
    events = call(server.base, api_name, data(server.secret))
    assert files_holding(server.cache, SECRET_MARKER) == []
    shown = json.dumps(events, ensure_ascii=False)
    assert SECRET_MARKER not in shown and "/gradio_api/file=" not in shown


def test_web_upload_is_ingested_and_leaves_no_downloadable_copy(server):
    marker = "少儿阅读简报专用标记5821"
    name = "青川区图书馆2024年少儿阅读简报.txt"
    cached = upload_to_gradio(
        server.base, name, f"青川区图书馆2024年少儿阅读简报\n\n{marker}，暑期开展亲子共读活动。\n".encode()
    )
    assert Path(cached).resolve().is_relative_to(server.cache.resolve())
    events = call(server.base, "upload_any", [[file_data(cached, name)], None, "internal", False])
    assert events[-1][0] == "complete", events
    assert "新增" in json.dumps(events[-1][1], ensure_ascii=False)
    assert name in documents(server.base)
    assert not Path(cached).exists()  # the cache copy is gone once staged
    assert _status(f"{server.base}/gradio_api/file={cached}") in (403, 404)
    assert files_holding(server.cache, marker) == []

    doc_id = next(d["id"] for d in json.loads(_request(server.base + "/api/documents")[1]) if d["file_name"] == name)
    events = call(server.base, "delete_document", [doc_id, True])
    assert "已删除" in json.dumps(events[-1][1], ensure_ascii=False)
    assert files_holding(server.data / "uploads", marker) == [] and files_holding(server.cache, marker) == []


def test_hostile_document_answer_in_the_browser_fetches_nothing_and_covers_nothing(server, outside, tmp_path):
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing")
    outside.requests.clear()
    SCREENS.mkdir(parents=True, exist_ok=True)
    with chromium_browser() as browser:
        for width, height in ((1280, 900), (390, 844)):
            context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
            page = context.new_page()
            page.set_default_timeout(60_000)
            page.goto(server.base + "/")
            page.locator("#lt-question textarea").fill("系统维护期间自助借还机暂停服务吗？")
            page.locator("#lt-ask").click()
            chat = page.locator("#lt-chat")
            chat.locator("details.lt-cite").first.wait_for()
            page.wait_for_timeout(1500)
            assert outside.requests == []
            covering = page.evaluate(
                """() => [...document.querySelectorAll('body *')].filter(e => {
                       const s = getComputedStyle(e);
                       return (s.position === 'fixed' || s.position === 'absolute')
                              && (e.innerText || '').startsWith('会话已过期');
                   }).length"""
            )
            assert covering == 0
            middle = page.evaluate(
                "() => (document.elementFromPoint(innerWidth / 2, innerHeight / 2)"
                "?.innerText || '').startsWith('会话已过期')"
            )
            assert not middle
            for summary in chat.locator("details.lt-cite summary").all():
                summary.click(timeout=5_000)
            page.wait_for_timeout(1000)
            text = chat.inner_text()
            assert "会话已过期，请重新登录" in text and "<img src=http" in text  # shown as words
            assert "![x](http" in text
            chat.locator("details.lt-cite").first.scroll_into_view_if_needed()
            page.screenshot(path=str(SCREENS / f"hostile-answer-{width}.png"), full_page=True)
            context.close()
    assert outside.requests == []


# -- 4. nothing left behind -----------------------------------------------------------------------
def test_a_stopped_server_leaves_no_download_folder(tmp_path, embedder):
    from index import KnowledgeBase

    data = tmp_path / "data"
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / SUMMARY_NAME).write_text(SUMMARY, encoding="utf-8")
    kb = KnowledgeBase(data, embedder)
    assert kb.ingest([docs]).ok
    kb.close()
    rating = '{"question": "q", "rating": "up", "time": "2025-01-02T10:00:00+08:00"}\n'
    (data / "feedback.jsonl").write_text(rating, encoding="utf-8")  # something to download, read in at start
    scratch, cache = tmp_path / "tmp", tmp_path / "gradio-cache"
    scratch.mkdir()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANTAI_")}
    env.update(
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        GRADIO_ANALYTICS_ENABLED="False",
        PYTHONPATH=str(REPO),
        TMPDIR=str(scratch),
        GRADIO_TEMP_DIR=str(cache),
    )
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.cli", "serve", "--host", "127.0.0.1", "--port", str(port), "--data-dir", str(data)],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if _status(base + "/healthz") == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "server.log").read_text()
            time.sleep(0.3)
        events = call(base, "download_feedback", [])
        assert events[-1][0] == "complete", events
        exported = _paths(events[-1][1])[0]
        assert _status(f"{base}/gradio_api/file={exported}") == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
    # uvicorn re-raises the SIGTERM it handled once the shutdown is complete
    assert proc.returncode in (0, -signal.SIGTERM), (tmp_path / "server.log").read_text()[-2000:]
    assert "Application shutdown complete" in (tmp_path / "server.log").read_text()
    assert [p.name for p in scratch.iterdir() if p.name.startswith("lantai-ui-")] == []
    assert [p for p in cache.rglob("*") if p.is_file()] == []  # exports served from the cache are gone too
