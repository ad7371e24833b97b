"""Roles in a real browser: a 馆员 sees the document list but no upload or management controls and no
操作记录 tab; a 管理员 sees them all. ``lantai serve`` in a subprocess, Debian's Chromium headless."""

from __future__ import annotations

import pytest
from web_server import CHROMIUM, chromium_browser, lantai_served

pytestmark = [pytest.mark.browser, pytest.mark.slow]

STAFF, ADMIN = ("馆员甲", "pw-staff"), ("王馆长", "pw-admin")
SUMMARY = "青川区图书馆2024年工作总结\n\n一、主要工作\n\n全年进馆人数208.37万人次，同比增长6.05%。\n"

pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
if not CHROMIUM.exists():
    pytest.skip("/usr/bin/chromium is missing (apt-get install -y chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def base(tmp_path_factory, embedder):
    from index import KnowledgeBase

    root = tmp_path_factory.mktemp("roles-web")
    docs, data = root / "docs", root / "data"
    docs.mkdir()
    (docs / "青川区图书馆2024年工作总结.txt").write_text(SUMMARY, encoding="utf-8")
    kb = KnowledgeBase(data, embedder)
    assert kb.ingest([docs]).ok
    kb.close()
    users = f"{STAFF[0]}:{STAFF[1]},{ADMIN[0]}:{ADMIN[1]}"  # no role given: 馆员 unless listed below
    with lantai_served(root, data, 1, LANTAI_UI_USERS=users, LANTAI_ADMIN_USERS=ADMIN[0]) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium_browser() as b:
        yield b


def _documents_tab_as(browser, base: str, login: tuple[str, str]):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(base + "/")
    page.get_by_label("用户名").fill(login[0])
    page.get_by_label("密码").fill(login[1])
    page.get_by_role("button", name="登录").click()
    page.locator("#lt-question textarea").wait_for()
    page.get_by_role("tab", name="文档").click()
    page.locator("#lt-docs").wait_for()
    return context, page


def test_staff_see_the_list_without_the_upload_controls(browser, base):
    context, page = _documents_tab_as(browser, base, STAFF)
    try:
        page.locator("#lt-docs-staff-note").wait_for()
        assert "管理员账号" in page.locator("#lt-docs-staff-note").inner_text()
        assert "青川区图书馆2024年工作总结.txt" in page.locator("#lt-docs").inner_text()
        for control in ("#lt-files", "#lt-upload", "#lt-delete", "#lt-set-vis"):
            assert not page.locator(control).is_visible(), control
        assert page.get_by_role("tab", name="操作记录").count() == 0
    finally:
        context.close()


def test_admins_see_the_upload_controls_and_the_log(browser, base):
    context, page = _documents_tab_as(browser, base, ADMIN)
    try:
        page.locator("#lt-upload").wait_for()
        for control in ("#lt-files", "#lt-upload", "#lt-delete", "#lt-set-vis", "#lt-scan-hint"):
            assert page.locator(control).is_visible(), control
        assert "每页约数秒" in page.locator("#lt-scan-hint").inner_text()
        assert not page.locator("#lt-docs-staff-note").is_visible()
        page.get_by_role("tab", name="操作记录").click()
        page.locator("#lt-audit-note").get_by_text("还没有操作记录").wait_for()
    finally:
        context.close()
