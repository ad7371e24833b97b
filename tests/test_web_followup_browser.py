"""Follow-ups in a real browser: a question about a year's plan as a whole, asked after a question about
one figure, is answered for the whole plan, not for that figure; one that leans back (那…呢) keeps the figure.
Screenshots go to /tmp/shots-followup/."""

from __future__ import annotations

from pathlib import Path

import pytest
from web_server import CHROMIUM, chromium_browser, lantai_served

pytestmark = [pytest.mark.browser, pytest.mark.slow]
playwright_api = pytest.importorskip("playwright.sync_api")
if not CHROMIUM.exists():
    pytest.skip("/usr/bin/chromium is missing (apt-get install -y chromium)", allow_module_level=True)
SHOTS = Path("/tmp/shots-followup")
DOCS = ("qingchuan-2024-plan.txt", "qingchuan-2024-summary-2025-plan.pdf")


@pytest.fixture(scope="module")
def server(sample_corpus, embedder, tmp_path_factory):
    from index import KnowledgeBase

    root = tmp_path_factory.mktemp("web-followup")
    data = root / "data"
    kb = KnowledgeBase(data, embedder)
    report = kb.ingest([sample_corpus / name for name in DOCS])
    assert report.ok, [e.bilingual() for e in report.failed]
    kb.close()
    with lantai_served(root, data, len(DOCS)) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    SHOTS.mkdir(parents=True, exist_ok=True)
    with chromium_browser() as chromium:
        yield chromium


def _conversation(browser, base: str, questions: list[str], width: int, height: int):
    page = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN").new_page()
    page.set_default_timeout(60_000)
    page.goto(base + "/")
    for turn, question in enumerate(questions, start=1):
        page.locator("#lt-question textarea").fill(question)
        page.locator("#lt-ask").click()
        page.wait_for_function(f"document.querySelectorAll('#lt-chat .lt-msg .lt-badge').length >= {turn}")
    return page, page.locator("#lt-chat .lt-msg").last.locator(".lt-text").inner_text()


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (390, 844)])
def test_a_whole_plan_question_after_a_figure_answers_for_the_whole_plan(browser, server, width, height):
    page, answer = _conversation(
        browser, server, ["青川2024年进馆人数是多少？", "2024年计划的目标完成了吗？"], width, height
    )
    page.screenshot(path=str(SHOTS / f"whole-plan-{width}.png"), full_page=True)
    page.context.close()
    assert answer.count("目标") >= 3, answer  # several of the plan's targets, not the one figure asked before
    assert "公众号推文" in answer and "服务点数" in answer


def test_leaning_back_keeps_the_figure_asked_before(browser, server):
    page, answer = _conversation(browser, server, ["青川2024年进馆人数是多少？", "那它的目标完成了吗？"], 1366, 768)
    page.context.close()
    assert "进馆人数" in answer and "210万" in answer and "公众号推文" not in answer, answer
