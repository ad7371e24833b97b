"""The 指标 tab's trend chart in a real browser (Debian's chromium, Playwright) against ``lantai serve``
over part of the sample corpus: the whole library's figures, never a branch's, and a chart that follows
the indicator chosen. Screenshots at 1366×768 and 390×844 go to /tmp/shots-trend/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from web_server import CHROMIUM, chromium_browser, lantai_served

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHOTS = Path("/tmp/shots-trend")
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
    with lantai_served(root, root / "data", len(FILES)) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium_browser() as chromium:
        yield chromium


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
