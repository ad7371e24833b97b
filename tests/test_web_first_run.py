"""The web app on a first run, in a real browser (Debian's chromium, headless, driven by Playwright).

``lantai serve`` runs in a subprocess over a data directory with no document yet. Asking tells staff to
upload documents first; pop-ups carry Chinese titles. Both are looked at on a laptop (1366×768) and a
phone (390×844); screenshots go to the pytest temp dir and are copied to /tmp/shots-firstrun/.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from web_server import CHROMIUM, chromium_browser, lantai_served

from ui.web.markup import POPUP_TITLES

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCREENS = Path("/tmp/shots-firstrun")
VIEWPORTS = {"laptop": (1366, 768), "phone": (390, 844)}

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install playwright)"
)
if not CHROMIUM.exists():
    pytest.skip("/usr/bin/chromium is missing (apt-get install -y chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("first-run")
    with lantai_served(root, root / "data", 0) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with chromium_browser() as chromium:
        yield chromium


@pytest.fixture(params=list(VIEWPORTS))
def page(request, browser, server, tmp_path):
    width, height = VIEWPORTS[request.param]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    pg.goto(server + "/")
    pg.locator("#lt-question textarea").wait_for()
    SCREENS.mkdir(parents=True, exist_ok=True)

    def shot(name: str) -> None:
        path = tmp_path / f"{name}-{width}x{height}.png"
        pg.screenshot(path=str(path))
        shutil.copy(path, SCREENS / path.name)

    pg.shot = shot
    pg.fits = lambda selector: pg.evaluate(  # nothing wider than the window
        f"(() => {{ const r = document.querySelector('{selector}').getBoundingClientRect();"
        " return r.left >= 0 && r.right <= window.innerWidth; })()"
    )
    yield pg
    context.close()


def test_empty_base_chat_says_to_upload_documents_first(page):
    page.locator("#lt-question textarea").fill("2024年进馆人数是多少？")
    page.locator("#lt-ask").click()
    hint = page.locator("#lt-chat").get_by_text("知识库中还没有文档")
    hint.wait_for()
    text = page.locator("#lt-chat").inner_text()
    assert "请先在「文档」页上传" in text and "文档中没有相关信息" not in text
    assert page.fits("#lt-chat") and hint.bounding_box()["width"] <= page.viewport_size["width"]
    page.shot("empty-base-answer")


def test_pop_up_has_a_chinese_title(page):
    page.locator("#lt-ask").click()  # no question: a warning pops up
    toast = page.locator("[data-testid=toast-body]").first
    toast.wait_for()
    page.wait_for_timeout(1000)  # its fly-in and fade-in end
    assert "请输入问题" in toast.inner_text()
    title = toast.locator(".toast-title")
    shown = title.evaluate("e => getComputedStyle(e, '::before').content")
    assert shown == '"提示"'
    assert title.evaluate("e => getComputedStyle(e).fontSize") == "0px"  # Gradio's own "Warning" is not seen
    assert title.bounding_box()["width"] > 10  # ... and the Chinese one is
    assert page.fits("[data-testid=toast-body]")
    page.shot("pop-up-title")
    # Every kind of pop-up (gr.Info, gr.Error, gr.Success) is titled in Chinese on this page too.
    for kind, chinese in POPUP_TITLES.items():
        content = page.evaluate(
            "kind => { const s = document.createElement('span'); s.className = 'toast-title ' + kind;"
            " document.body.append(s); const c = getComputedStyle(s, '::before').content; s.remove(); return c; }",
            kind,
        )
        assert content == f'"{chinese}"', kind
