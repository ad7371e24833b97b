"""The web UI in a real browser: Debian's chromium, headless, driven by Playwright.

The real server (``lantai serve``: API + Gradio UI) runs in a subprocess on a
free loopback port over a temp data dir with two small Chinese documents
ingested first, and ``LANTAI_UI_USERS`` set so the login page is shown.
Screenshots go to the pytest temp dir and are copied to /tmp/lantai-screens/.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from web_server import CHROMIUM, chromium_browser, get, lantai_served

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SCREENS = Path("/tmp/lantai-screens")
USER, PASSWORD = "馆员", "s3cret-兰台"

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install playwright)"
)
if not CHROMIUM.exists():
    pytest.skip("/usr/bin/chromium is missing (apt-get install -y chromium)", allow_module_level=True)

SUMMARY_2024 = (
    "青川区图书馆2024年工作总结\n\n一、主要工作\n\n"
    "全年进馆人数208.37万人次，同比增长6.05%。新建读书驿站11间，全区读书驿站达到63间。\n\n"
    "二、存在问题\n\n部分分馆设施老化，专业人员不足。\n"
)
SUMMARY_2023 = (
    "青川区图书馆2023年工作总结\n\n一、主要工作\n\n"
    "全年进馆人数196.45万人次，同比增长12.3%。新建读书驿站8间，全区读书驿站达到52间。\n"
)
PLAN_2025 = "青川区图书馆2025年工作计划\n\n一、工作目标\n\n2025年计划新建读书驿站12间，全年开展阅读推广活动500场次。\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory, embedder):
    from index import KnowledgeBase

    root = tmp_path_factory.mktemp("web")
    docs = root / "docs"
    docs.mkdir()
    (docs / "青川区图书馆2024年工作总结.txt").write_text(SUMMARY_2024, encoding="utf-8")
    (docs / "青川区图书馆2023年工作总结.txt").write_text(SUMMARY_2023, encoding="utf-8")
    data = root / "data"
    kb = KnowledgeBase(data, embedder)
    report = kb.ingest([docs])
    assert report.ok, [e.bilingual() for e in report.failed]
    kb.close()

    # The login uploads and deletes documents: a 管理员.
    with lantai_served(root, data, 2, LANTAI_UI_USERS=f"{USER}:{PASSWORD}:admin,other:pw") as base:
        yield {"base": base, "root": root, "data": data}


@pytest.fixture(scope="module")
def page(server, tmp_path_factory):
    shots = tmp_path_factory.mktemp("screens")
    SCREENS.mkdir(parents=True, exist_ok=True)
    with chromium_browser() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True)
        pg = context.new_page()
        pg.set_default_timeout(30_000)

        def shot(name: str) -> None:
            path = shots / f"{name}.png"
            pg.screenshot(path=str(path), full_page=True)
            shutil.copy(path, SCREENS / path.name)

        pg.shot = shot
        yield pg
        context.close()


def test_api_and_docs_served_beside_ui(server):
    assert json.loads(get(server["base"] + "/healthz"))["status"] == "ok"
    assert b"openapi" in get(server["base"] + "/openapi.json")
    docs = json.loads(get(server["base"] + "/api/documents"))
    assert {d["file_name"] for d in docs} == {"青川区图书馆2024年工作总结.txt", "青川区图书馆2023年工作总结.txt"}


def test_login_required_and_wrong_password_refused(page, server):
    page.goto(server["base"] + "/")
    page.get_by_label("用户名").fill(USER)
    page.get_by_label("密码").fill("wrong")
    page.get_by_role("button", name="登录").click()
    page.wait_for_timeout(800)
    assert page.locator("#lt-question").count() == 0  # still on the login page
    page.shot("01-login")
    page.get_by_label("用户名").fill(USER)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.locator("#lt-question textarea").wait_for()
    page.shot("02-main")


def test_ask_shows_answer_citation_and_passage(page, server):
    page.locator("#lt-question textarea").fill("青川区图书馆2024年进馆人数是多少？")
    page.locator("#lt-ask").click()
    chat = page.locator("#lt-chat")
    cite = chat.locator("details.lt-cite").first
    cite.wait_for()
    text = chat.inner_text()
    assert "208.37万" in text
    assert "已核实" in text
    assert "[1]" in text
    summary = cite.locator("summary")
    assert "青川区图书馆2024年工作总结" in summary.inner_text()  # the document's title; the file is a detail
    passage = cite.locator("blockquote")
    assert not passage.is_visible()  # closed until clicked
    summary.click()
    passage.wait_for(state="visible")
    assert "文件：青川区图书馆2024年工作总结.txt" in cite.inner_text()
    assert "全年进馆人数208.37万人次" in passage.inner_text()
    chat.locator("details.lt-figs-fold summary").first.click()  # the figures used are folded below the answer
    assert "进馆人数" in chat.locator("table.lt-figs").first.inner_text()
    page.shot("03-answer-citation-open")

    # a follow-up uses the earlier question as context
    page.locator("#lt-question textarea").fill("2023年呢？")
    page.locator("#lt-ask").click()
    page.wait_for_function("document.querySelectorAll('#lt-chat details.lt-cite').length >= 2")
    assert "196.45万" in chat.inner_text()

    # feedback lands in the curation store of the data dir
    page.locator("#lt-up").click()
    page.get_by_text("已记录对最近一条回答的反馈").wait_for()
    from ui.services.curation_store import CurationStore

    record = CurationStore(server["data"]).feedback_records()[-1]
    assert record["rating"] == "up" and record["question"] == "2023年呢？"
    assert record["citations"] and record["user"] == USER and record["time"]
    page.shot("04-follow-up-feedback")


def test_upload_document_is_listed(page, server):
    upload = server["root"] / "青川区图书馆2025年工作计划.txt"
    upload.write_text(PLAN_2025, encoding="utf-8")
    bad = server["root"] / "损坏的表格.xlsx"
    bad.write_bytes(b"this is not a spreadsheet")
    page.get_by_role("tab", name="文档").click()
    page.locator("#lt-files input[type=file]").set_input_files([str(upload), str(bad)])
    page.locator("#lt-upload").click()
    status = page.locator("#lt-upload-status")
    status.get_by_text("导入任务").wait_for()
    page.wait_for_function(
        "document.querySelector('#lt-upload-status').innerText.match(/已完成|失败/)"
        " && document.querySelector('#lt-docs').innerText.includes('2025年工作计划')",
        timeout=60_000,
    )
    assert "新增" in status.inner_text()
    assert "损坏的表格.xlsx：失败（" in status.inner_text()  # the per-file reason, in Chinese
    table = page.locator("#lt-docs").inner_text()
    assert "青川区图书馆2025年工作计划.txt" in table and "仅内部" in table
    docs = json.loads(get(server["base"] + "/api/documents"))
    assert "青川区图书馆2025年工作计划.txt" in {d["file_name"] for d in docs}
    page.shot("05-documents-uploaded")


def test_metrics_tab(page, server):
    page.get_by_role("tab", name="指标").click()
    page.get_by_text("条。").first.wait_for()
    assert "进馆人数" in page.locator("body").inner_text()
    page.shot("06-metrics")


def test_metrics_trend_and_export(page, server):
    trend = page.locator("#lt-trend")
    page.wait_for_function("document.querySelector('#lt-trend').querySelector('canvas, svg') !== null")
    # The tab opens on an empty chart that the indicator's trend then replaces.
    page.wait_for_function("document.querySelector('#lt-trend-title').innerText.includes('进馆人数')")
    assert "174.93" not in trend.inner_text()  # a numeric axis (round ticks), not the values as labels
    page.get_by_text("暂未发现数值不一致").wait_for()
    page.get_by_role("button", name="导出 CSV").click()
    link = page.locator("#lt-export a").first
    link.wait_for()
    with page.expect_download() as info:
        link.click()
    download = info.value
    body = Path(download.path()).read_bytes().decode("utf-8-sig")
    assert body.startswith("指标,年份,数值") and "进馆人数" in body
    page.shot("07-metrics-trend-export")


def test_plan_tab_drafts_previews_edits_and_downloads_word(page, server):
    page.get_by_role("tab", name="计划起草").click()
    page.locator("#lt-plan-org input").click()
    page.get_by_role("option", name="青川区图书馆").click()
    page.locator("#lt-plan-draft").click()
    status = page.locator("#lt-plan-status")
    status.get_by_text("已起草").wait_for(timeout=60_000)
    assert "问题回应" in status.inner_text() and "数字核实" in status.inner_text()
    preview = page.locator("#lt-plan-preview")
    assert "总体思路" in preview.inner_text() and "参考来源" in preview.inner_text()
    editor = page.locator("#lt-plan-edit textarea")
    edited = editor.input_value() + "\n补充一条馆员手工添加的事项。\n"
    editor.fill(edited)
    page.locator("#lt-plan-docx").click()
    link = page.locator("#lt-plan-file a").first
    link.wait_for()
    with page.expect_download() as info:
        link.click()
    import docx

    document = docx.Document(info.value.path())
    texts = [p.text for p in document.paragraphs]
    assert texts[0].startswith("青川区图书馆") and "工作计划（草稿）" in texts[0]
    assert "补充一条馆员手工添加的事项。" in texts  # the edited text is what is exported
    page.shot("08-plan-draft")


def _downloaded_texts(page, link) -> tuple[str, list[str]]:
    import docx

    with page.expect_download() as info:
        link.click()
    document = docx.Document(info.value.path())
    return info.value.suggested_filename, [p.text for p in document.paragraphs]


def _draft_year(page, year: int) -> None:
    page.locator("#lt-plan-year input").fill(str(year))
    page.locator("#lt-plan-draft").click()
    page.locator("#lt-plan-status").get_by_text(f"{year}年工作计划").wait_for(timeout=60_000)


def test_plan_tab_each_draft_downloads_that_draft_and_its_clean_copy(page, server):
    page.get_by_role("tab", name="计划起草").click()
    _draft_year(page, 2025)
    page.locator("#lt-plan-docx").click()
    link = page.locator("#lt-plan-file a").first
    link.wait_for()
    _, texts = _downloaded_texts(page, link)
    assert texts[0] == "青川区图书馆2025年工作计划（草稿）"

    _draft_year(page, 2026)
    offered = page.locator("#lt-plan-file a")
    if offered.count() and offered.first.is_visible():  # whatever is offered now must be the new draft
        _, texts = _downloaded_texts(page, offered.first)
        assert texts[0] == "青川区图书馆2026年工作计划（草稿）", "the previous draft's file is still offered"
    page.locator("#lt-plan-docx").click()
    page.locator("#lt-plan-file a[href*='2026']").first.wait_for()
    _, texts = _downloaded_texts(page, page.locator("#lt-plan-file a").first)
    editor = page.locator("#lt-plan-edit textarea").input_value()
    assert texts[0] == "青川区图书馆2026年工作计划（草稿）"
    headings = [line.lstrip("#").strip() for line in editor.splitlines() if line.startswith("## ")]
    assert [h for h in headings if h in texts] == headings  # the file holds this draft's sections

    page.locator("#lt-plan-clean").click()
    page.locator("#lt-plan-file a[href*='%E6%B8%85%E7%A8%BF'], #lt-plan-file a[href*='清稿']").first.wait_for()
    name, texts = _downloaded_texts(page, page.locator("#lt-plan-file a").first)
    assert "清稿" in name and texts[0] == "青川区图书馆2026年工作计划"
    body = texts[: texts.index("资料来源")]
    assert not any("[" in t or "⚠" in t or "推算" in t for t in body)
    page.shot("09-plan-second-draft")


def test_change_visibility_and_delete(page, server):
    page.get_by_role("tab", name="文档").click()
    pick = page.locator("#lt-doc-pick input")
    pick.click()
    page.get_by_role("option", name="青川区图书馆2025年工作计划.txt").click()
    page.locator("#lt-new-vis").get_by_text("公开").click()
    page.locator("#lt-set-vis").click()
    page.locator("#lt-manage-status").get_by_text("可见范围改为：公开").wait_for()
    assert "公开" in page.locator("#lt-docs").inner_text()
    docs = {d["file_name"]: d for d in json.loads(get(server["base"] + "/api/documents"))}
    assert docs["青川区图书馆2025年工作计划.txt"]["visibility"] == "public"

    pick.click()
    page.get_by_role("option", name="青川区图书馆2025年工作计划.txt").click()
    page.locator("#lt-delete").click()  # not confirmed: refused
    page.get_by_text("请先勾选").first.wait_for()
    page.locator("#lt-confirm input").check()
    page.locator("#lt-delete").click()
    page.locator("#lt-manage-status").get_by_text("已删除").wait_for()
    assert "2025年工作计划" not in page.locator("#lt-docs").inner_text()
    docs = {d["file_name"] for d in json.loads(get(server["base"] + "/api/documents"))}
    assert "青川区图书馆2025年工作计划.txt" not in docs
    page.shot("08-documents-deleted")


def test_serve_refuses_public_bind_without_keys(monkeypatch):
    from typer.testing import CliRunner

    from ui.cli import app

    monkeypatch.delenv("LANTAI_API_KEYS", raising=False)
    monkeypatch.delenv("LANTAI_UI_USERS", raising=False)
    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--port", "1"])
    assert result.exit_code == 2
    assert "LANTAI_API_KEYS" in result.output and "127.0.0.1" in result.output
    monkeypatch.setenv("LANTAI_API_KEYS", "k1")  # keys for the API, but no login for the web UI
    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--port", "1"])
    assert result.exit_code == 2 and "LANTAI_UI_USERS" in result.output
