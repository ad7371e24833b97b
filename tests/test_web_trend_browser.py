"""The 指标 tab's trend chart in a real browser (Debian's chromium, Playwright) against ``lantai serve``
over part of the sample corpus: the whole library's figures, never a branch's, and a chart that follows
the indicator chosen. Screenshots at 1366×768 and 390×844 go to /tmp/shots-trend/."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path("/tmp/shots-trend")
REPO = Path(__file__).resolve().parents[1]
# The 2024 branch table is read before the 2024 summary: its 临江分馆 row is the year's first figure.
FILES = (
    "qingchuan-2023-summary.docx",
    "qingchuan-2024-branches.csv",
    "qingchuan-2024-summary-2025-plan.pdf",
    "qingchuan-statistics-2022-2024.xlsx",
)
POINTS = "Array.from(document.querySelectorAll('#lt-trend svg [aria-label^=\"年份\"]')).map(e => e.ariaLabel)"

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not CHROMIUM.exists():
    pytest.skip("/usr/bin/chromium is missing (apt-get install -y chromium)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def base(sample_corpus, embedder, tmp_path_factory):
    from index import KnowledgeBase

    root = tmp_path_factory.mktemp("trend-web")
    docs = root / "docs"
    docs.mkdir()
    for name in FILES:
        shutil.copy(sample_corpus / name, docs / name)
    kb = KnowledgeBase(root / "data", embedder)
    assert kb.ingest([docs / name for name in FILES]).ok
    kb.close()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANTAI_")}
    env.update(HF_HUB_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False", PYTHONPATH=str(REPO))
    log = (root / "server.log").open("w")
    cmd = [sys.executable, "-m", "ui.cli", "serve", "--port", str(port), "--data-dir", str(root / "data")]
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=5) as r:
                if json.loads(r.read())["documents"] == len(FILES):
                    break
        except Exception:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("server did not start:\n" + (root / "server.log").read_text(encoding="utf-8")[-3000:])
        time.sleep(0.3)
    yield url
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        yield chromium
        chromium.close()


def _open_metrics(browser, base: str, width: int, height: int):
    page = browser.new_page(viewport={"width": width, "height": height}, locale="zh-CN")
    page.set_default_timeout(30_000)
    page.goto(base + "/")
    page.get_by_role("tab", name="指标").click()
    page.wait_for_function(f"{POINTS}.some(p => p.startsWith('年份: 2024'))")
    return page


def _points(page) -> dict[str, str]:
    """The plotted points by year, as the chart's own labels give them (年份: 2024; 数值: 208.37; …)."""
    out = {}
    for label in page.evaluate(POINTS):
        fields = dict(part.split(": ", 1) for part in label.split("; "))
        out[fields["年份"]] = next(v for k, v in fields.items() if k.startswith("数值"))
    return out


@pytest.mark.parametrize("width,height", [(1366, 768), (390, 844)])
def test_whole_library_trend_in_the_browser(browser, base, width, height):
    page = _open_metrics(browser, base, width, height)
    assert _points(page) == {"2022": "142.05", "2023": "196.48", "2024": "208.37"}  # not 临江分馆's 18.63
    assert "进馆人数" in page.locator("#lt-trend-title").inner_text()
    assert "临江分馆" in page.locator("#lt-trend-note").inner_text()  # the branches left out, named
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#lt-trend-title").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"trend-{width}x{height}.png"), full_page=True)
    page.close()


def test_chart_follows_the_indicator_without_a_click(browser, base):
    page = _open_metrics(browser, base, 1366, 768)
    dropdown = page.get_by_label("指标（按年份）")
    dropdown.click()
    dropdown.fill("外借册次")
    page.get_by_role("option", name="外借册次", exact=True).click()
    page.wait_for_function(f"{POINTS}.some(p => p.includes('数值: 55.17'))")
    assert _points(page) == {"2022": "61.38", "2023": "58.94", "2024": "55.17"}
    assert "外借册次" in page.locator("#lt-trend-title").inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "trend-changed-1366x768.png"), full_page=True)
    page.close()
