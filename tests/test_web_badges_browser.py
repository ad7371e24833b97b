"""The answer card in a real browser over the sample corpus's plans and summaries: each citation's label and
passage are one chunk, the badge says what it checked and is ⚠ for another year's plan, and on a phone the
answer comes first with the figures folded and scrolling inside the card. Screenshots go to /tmp/shots-badge/."""

from __future__ import annotations

from pathlib import Path

import pytest
from web_server import CHROMIUM, documents_served, screenshot_browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]
playwright_api = pytest.importorskip("playwright.sync_api")
if not CHROMIUM.exists():
    pytest.skip("/usr/bin/chromium is missing (apt-get install -y chromium)", allow_module_level=True)
SHOTS = Path("/tmp/shots-badge")
DOCS = ("qingchuan-2023-plan.txt", "qingchuan-2023-summary.docx", "qingchuan-2024-summary-2025-plan.pdf")


@pytest.fixture(scope="module")
def server(sample_corpus, embedder, tmp_path_factory):
    with documents_served(tmp_path_factory, embedder, [sample_corpus / name for name in DOCS], "web-badges") as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with screenshot_browser(SHOTS) as chromium:
        yield chromium


def _ask(browser, base: str, question: str, width: int, height: int):
    page = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN").new_page()
    page.set_default_timeout(60_000)
    page.goto(base + "/")
    page.locator("#lt-question textarea").fill(question)
    page.locator("#lt-ask").click()
    page.locator("#lt-chat .lt-badge").wait_for()
    return page, page.locator("#lt-chat .lt-msg").last


def _shot(page, name: str) -> None:
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)


def test_each_citation_label_opens_its_own_passage(browser, server):
    page, card = _ask(browser, server, "青川2023年的进馆人数目标完成了吗？", 1366, 768)
    cites = card.locator("details.lt-cite")
    assert cites.count() == 2
    for i in range(2):
        cites.nth(i).locator("summary").click()
    plan, summary = cites.nth(0), cites.nth(1)
    assert "青川区图书馆2023年工作计划" in plan.locator("summary").inner_text()
    assert "文件：qingchuan-2023-plan.txt" in plan.inner_text()
    assert "180万次" in plan.locator("blockquote").inner_text()
    assert "196.48万次" not in plan.locator("blockquote").inner_text()
    assert "青川区图书馆2023年工作总结" in summary.locator("summary").inner_text()
    assert "196.48万次" in summary.locator("blockquote").inner_text()
    badge = card.locator(".lt-badge")
    assert badge.inner_text() == "✓ 已核实"
    assert badge.get_attribute("title") == "已核对：数字2处均见于引文或指标表；年份2023；单位青川区图书馆"
    badge.hover()
    _shot(page, "desktop-1366-citations-open")
    page.context.close()


def test_another_years_plan_gets_a_warning_badge_with_its_reason(browser, server):
    page, card = _ask(browser, server, "青川2026年的工作计划有哪些？", 1366, 768)
    badge = card.locator(".lt-badge")
    assert badge.inner_text().startswith("⚠未核实：引文[1]是2025年的资料")
    assert "问题问的是2026年" in badge.get_attribute("title")
    assert "问题问的是2026年" in card.locator(".lt-checked").inner_text()
    _shot(page, "desktop-1366-wrong-year-warning")
    page.context.close()


def test_on_a_phone_the_answer_comes_first_and_the_figures_fold_and_scroll_inside(browser, server):
    page, card = _ask(browser, server, "青川2023年的进馆人数目标完成了吗？", 390, 844)
    order = card.evaluate(
        "m => [...m.querySelectorAll('.lt-text, .lt-badge, details.lt-figs-fold')].map(e => e.className)"
    )
    assert order == ["lt-text", "lt-badge lt-ok", "lt-figs-fold"]
    fold = card.locator("details.lt-figs-fold")
    assert fold.get_attribute("open") is None and not fold.locator("table").is_visible()
    for i in range(card.locator("details.lt-cite").count()):
        card.locator("details.lt-cite").nth(i).locator("summary").click()
    fold.locator("summary").click()
    box = fold.locator(".lt-scroll")
    box.wait_for(state="visible")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the page never scrolls sideways
    assert box.evaluate("b => b.scrollWidth > b.clientWidth")  # the table does, inside its box
    _shot(page, "phone-390-citations-and-figures-open")
    page.context.close()
