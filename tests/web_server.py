"""`lantai serve` as a real subprocess on a free loopback port, and Debian's Chromium, for the browser tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from serving import free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
REPO = Path(__file__).resolve().parents[1]


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.read()


@contextmanager
def lantai_served(root: Path, data: Path, documents: int, **env_extra: str):
    """The base URL of `lantai serve` over ``data``, once /healthz counts ``documents``; stopped after."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANTAI_")}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False", PYTHONPATH=str(REPO))
    env.update(env_extra)
    log = (root / "server.log").open("w")
    command = ["-m", "ui.cli", "serve", "--host", "127.0.0.1", "--port", str(port), "--data-dir", str(data)]
    proc = subprocess.Popen([sys.executable, *command], cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            if json.loads(get(base + "/healthz"))["documents"] == documents:
                break
        except Exception:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("server did not start:\n" + (root / "server.log").read_text(encoding="utf-8")[-3000:])
        time.sleep(0.3)
    try:
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextmanager
def chromium_browser():
    """Debian's Chromium, headless, through Playwright (the caller skips when either is missing)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def documents_served(tmp_path_factory, embedder, paths: list[Path], name: str, **env_extra: str):
    """`lantai serve` over a fresh knowledge base holding ``paths``, ingested first (see ``lantai_served``)."""
    from index import KnowledgeBase

    root = tmp_path_factory.mktemp(name)
    data = root / "data"
    kb = KnowledgeBase(data, embedder)
    report = kb.ingest(list(paths))
    assert report.ok, [e.bilingual() for e in report.failed]
    kb.close()
    with lantai_served(root, data, len(paths), **env_extra) as base:
        yield base


@contextmanager
def screenshot_browser(shots: Path):
    """``chromium_browser``, with the folder its screenshots go to made first."""
    shots.mkdir(parents=True, exist_ok=True)
    with chromium_browser() as chromium:
        yield chromium
