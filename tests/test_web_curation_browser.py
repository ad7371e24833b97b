"""The curation loop in a real browser over the sample corpus: 👎 opens the correction box, the saved correction
answers the question asked again in other words (marked 馆员审核的答案, with its citation) but not the same
question about another year; the 审核 tab queues the refused question, and the 统计 tab's counts are the log's.

`lantai serve` in a subprocess with a login (an admin and a staff member), Debian's Chromium through Playwright.
Screenshots at 1366×768 and 390×844 go to /tmp/lantai-screens/curation/.
"""

from __future__ import annotations

import io
import re
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from web_server import CHROMIUM, chromium_browser, lantai_served

pytestmark = [pytest.mark.browser, pytest.mark.slow]
playwright_api = pytest.importorskip("playwright.sync_api")
if not CHROMIUM.exists():
    pytest.skip("/usr/bin/chromium is missing (apt-get install -y chromium)", allow_module_level=True)

SHOTS = Path("/tmp/lantai-screens/curation")
ADMIN, STAFF = ("管理员", "pw-admin-1"), ("馆员", "pw-staff-1")
QUESTION = "青川区图书馆2024年进馆人数是多少？"
REPHRASED = "请问青川区图书馆2024年进馆人次是多少？"
OTHER_YEAR = "青川区图书馆2023年进馆人数是多少？"
REFUSED = "江州市图书馆2024年累计馆藏量是多少？"
CORRECTED = "2024年全年进馆208.37万人次，比上年增长6.05%（馆员核对）。"


@pytest.fixture(scope="module")
def server(sample_corpus, embedder, tmp_path_factory):
    from index import KnowledgeBase

    root = tmp_path_factory.mktemp("web-curation")
    data = root / "data"
    kb = KnowledgeBase(data, embedder)
    report = kb.ingest([sample_corpus])
    assert report.ok, [e.bilingual() for e in report.failed]
    count = len(kb.documents())
    kb.close()
    users = f"{ADMIN[0]}:{ADMIN[1]},{STAFF[0]}:{STAFF[1]}"
    with lantai_served(root, data, count, LANTAI_UI_USERS=users, LANTAI_ADMIN_USERS=ADMIN[0]) as base:
        yield {"base": base, "data": data}


@pytest.fixture(scope="module")
def browser():
    SHOTS.mkdir(parents=True, exist_ok=True)
    with chromium_browser() as chromium:
        yield chromium


def _page(browser, server, user: tuple[str, str], width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(server["base"] + "/")
    page.get_by_label("用户名").fill(user[0])
    page.get_by_label("密码").fill(user[1])
    page.get_by_role("button", name="登录").click()
    page.locator("#lt-question textarea").wait_for()
    return page


def _open_tab(page, name: str) -> None:
    """A tab by its name; on a phone the tabs that do not fit are behind the 「⋯」 menu."""
    tab = page.get_by_role("tab", name=name)
    if tab.count() and tab.first.is_visible():
        tab.first.click()
        return
    page.locator(".overflow-menu button").first.click()
    page.locator(".overflow-dropdown button", has_text=name).first.click()


def _ask(page, question: str):
    before = page.locator("#lt-chat .lt-badge").count()
    page.locator("#lt-question textarea").fill(question)
    page.locator("#lt-ask").click()
    page.wait_for_function(f"document.querySelectorAll('#lt-chat .lt-badge').length > {before}")
    return page.locator("#lt-chat .lt-msg").last


def _shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _log(server) -> tuple[int, int]:
    with sqlite3.connect(server["data"] / "curation.sqlite3") as db:
        return db.execute("SELECT COUNT(*), SUM(refused) FROM asked").fetchone()


def test_a_dislike_becomes_the_answer_to_the_question_in_other_words(browser, server):
    page = _page(browser, server, STAFF, 1366, 768)
    card = _ask(page, QUESTION)
    assert "馆员审核的答案" not in card.inner_text()
    page.locator("#lt-down").click()
    box = page.locator("#lt-correction").first
    box.wait_for(state="visible")
    assert page.locator("#lt-correction-question textarea").input_value() == QUESTION
    cites = page.locator("#lt-correction-cites input[type=checkbox]")
    kept = cites.count()
    assert kept >= 1 and all(cites.nth(i).is_checked() for i in range(kept))
    page.locator("#lt-correction-answer textarea").fill(CORRECTED)
    _shot(page, "correction-box-1366")
    page.locator("#lt-correction-save").click()
    page.locator("#lt-correction-status").get_by_text("已保存为馆员审核的答案").wait_for()
    assert not box.is_visible()

    card = _ask(page, REPHRASED)
    assert CORRECTED in card.inner_text()
    assert card.locator(".lt-badge").inner_text() == "馆员审核的答案"
    assert f"审核人：{STAFF[0]}" in card.locator(".lt-checked").inner_text()
    assert card.locator("details.lt-cite").count() == kept
    card.locator("details.lt-cite summary").first.click()
    _shot(page, "reviewed-answer-1366")

    card = _ask(page, OTHER_YEAR)
    assert "馆员审核的答案" not in card.inner_text() and "196.48" in card.inner_text()
    assert _ask(page, REFUSED).locator(".lt-badge").inner_text() == "未找到答案"
    page.context.close()


def test_the_usage_tab_counts_what_the_log_holds(browser, server):
    page = _page(browser, server, ADMIN, 1366, 768)
    asked, refused = _log(server)
    assert (asked, refused) == (4, 1)  # the four questions of the test before
    _open_tab(page, "统计")
    summary = page.locator("#lt-usage-summary")
    summary.get_by_text("提问总数").wait_for()
    assert f"提问总数 {asked}" in summary.inner_text()
    assert f"未找到答案 {refused}" in summary.inner_text() and "拒答率 25.0%" in summary.inner_text()
    assert "馆员审核的答案被采用 1 次" in summary.inner_text()
    per_day = page.locator("#lt-usage-per_day")
    today = date.today().isoformat()
    assert re.search(rf"{today}\s*{asked}\s*{refused}", per_day.text_content() or "")  # cells: day, asked, refused
    assert QUESTION in (page.locator("#lt-usage-top_questions").text_content() or "")
    _shot(page, "usage-tab-1366")
    page.locator("#lt-usage-export").click()
    link = page.locator("#lt-usage-file a").first
    link.wait_for()
    with page.expect_download() as info:
        link.click()
    book = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))  # saved without its .xlsx name
    summary_sheet = {row[0]: row[1] for row in book["概况"].iter_rows(min_row=2, values_only=True)}
    assert (summary_sheet["提问总数"], summary_sheet["未找到答案"]) == (asked, refused)

    _open_tab(page, "审核")
    queue = page.locator("#lt-review-queue")
    page.locator("#lt-review-status").get_by_text("待审核的问题").wait_for()
    assert REFUSED in (queue.text_content() or "")
    assert QUESTION not in (queue.text_content() or "")  # reviewed: off the queue
    assert QUESTION in (page.locator("#lt-review-answers").text_content() or "")
    _shot(page, "review-tab-1366")
    page.context.close()


def test_staff_who_are_no_admins_see_no_statistics(browser, server):
    page = _page(browser, server, STAFF, 1366, 768)
    _open_tab(page, "统计")
    page.locator("#lt-usage-summary").get_by_text("只有管理员").wait_for()
    page.context.close()


def test_the_loop_on_a_phone(browser, server):
    page = _page(browser, server, ADMIN, 390, 844)
    card = _ask(page, "2024年青川区图书馆的进馆人数有多少")
    assert card.locator(".lt-badge").inner_text() == "馆员审核的答案"
    _shot(page, "reviewed-answer-390")
    page.locator("#lt-down").click()
    page.locator("#lt-correction").first.wait_for(state="visible")
    page.locator("#lt-correction").first.scroll_into_view_if_needed()
    _shot(page, "correction-box-390")
    page.locator("#lt-correction-cancel").click()
    _open_tab(page, "统计")
    page.locator("#lt-usage-summary").get_by_text("提问总数").wait_for()
    assert f"提问总数 {_log(server)[0]}" in page.locator("#lt-usage-summary").inner_text()
    _shot(page, "usage-tab-390")
    page.context.close()
