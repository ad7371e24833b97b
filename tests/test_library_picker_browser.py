"""The 单位 picker in a real browser (Debian's Chromium, Playwright) against ``lantai serve`` over two fictional
libraries' documents (``library_docs``): a question naming no library is answered for the library picked and
the answer says so; picking the other library answers with its figure; the picker's list follows the
documents. Screenshots at 1366×768 and 390×844 go to /tmp/shots-picker/."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest
from library_docs import DOCUMENTS, VISITS_2024, WANGCHUAN, YUNLING, write_documents
from web_server import CHROMIUM, chromium_browser, get, lantai_served

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHOTS = Path("/tmp/shots-picker")
QUESTION = "2024年进馆人数是多少？"

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not CHROMIUM.exists():
    pytest.skip("/usr/bin/chromium is missing (apt-get install -y chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def base(embedder, tmp_path_factory):
    from index import KnowledgeBase

    root = tmp_path_factory.mktemp("picker-web")
    kb = KnowledgeBase(root / "data", embedder)
    assert kb.ingest(write_documents(root / "docs")).ok
    kb.close()
    with lantai_served(root, root / "data", len(DOCUMENTS)) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium_browser() as chromium:
        yield chromium


def _open(browser, base: str, width: int, height: int):
    page = browser.new_page(viewport={"width": width, "height": height}, locale="zh-CN")
    page.set_default_timeout(30_000)
    page.goto(base + "/")
    page.wait_for_function("document.querySelector('#lt-chat-org input')?.value.length > 0")
    return page


def _pick(page, elem_id: str, library: str) -> None:
    page.locator(f"#{elem_id} input").click()
    page.get_by_role("option", name=library, exact=True).click()


def _ask(page, question: str, answers_before: int) -> str:
    page.locator("#lt-question textarea").fill(question)
    page.locator("#lt-ask").click()
    cards = page.locator("#lt-chat .lt-badge")
    cards.nth(answers_before).wait_for(timeout=60_000)
    return page.locator("#lt-chat .lt-msg").last.inner_text()


@pytest.mark.parametrize("width,height", [(1366, 768), (390, 844)])
def test_an_answer_is_for_the_library_picked_and_says_so(browser, base, width, height):
    page = _open(browser, base, width, height)
    assert page.locator("#lt-chat-org input").input_value() == YUNLING  # most documents: picked by default
    first = _ask(page, QUESTION, 0)
    assert VISITS_2024[YUNLING] in first and f"单位：{YUNLING}" in first
    assert VISITS_2024[WANGCHUAN] not in first
    _pick(page, "lt-chat-org", WANGCHUAN)
    second = _ask(page, QUESTION, 1)
    assert VISITS_2024[WANGCHUAN] in second and f"单位：{WANGCHUAN}" in second
    assert VISITS_2024[YUNLING] not in second
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"chat-{width}x{height}.png"), full_page=True)
    # The library picked here is the one the other tabs show.
    page.get_by_role("tab", name="指标").click()
    page.wait_for_function(f"document.querySelector('#lt-trend-title').innerText.includes('{WANGCHUAN}')")
    assert page.locator("#lt-metrics-org input").input_value() == WANGCHUAN
    page.close()


def _listed(page) -> list[str]:
    page.locator("#lt-chat-org input").click()
    options = page.get_by_role("option")
    options.first.wait_for()
    listed = [text.split("\n")[-1] for text in options.all_inner_texts()]  # the picked one is ticked: ✓\n…
    page.keyboard.press("Escape")
    return listed


def test_the_picker_list_follows_the_documents(browser, base):
    page = _open(browser, base, 1366, 768)
    assert _listed(page) == [YUNLING, WANGCHUAN]
    docs = json.loads(get(base + "/api/documents"))
    for doc in (d for d in docs if d["org"] == YUNLING):  # 云岭 removed while the page is open
        request = urllib.request.Request(f"{base}/api/documents/{doc['id']}", method="DELETE")
        urllib.request.urlopen(request, timeout=30).close()
    page.get_by_role("tab", name="文档").click()
    page.get_by_role("tab", name="问答").click()
    page.wait_for_function(f"document.querySelector('#lt-chat-org input').value === '{WANGCHUAN}'")
    assert _listed(page) == [WANGCHUAN]  # one library left: it is shown, picked, with no click
    page.close()
