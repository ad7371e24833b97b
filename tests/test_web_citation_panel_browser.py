"""Citations checked in one click, in a real browser: [1] in an answer opens the side panel with the document's
title and library, the cited passage marked in its section and, for a PDF, the page image with a box drawn
where the passage stands (read back from the image's pixels and checked against the PDF's own text). A Word
file's citation opens the same panel without a page. On a phone the panel covers the page until closed.
Screenshots go to /tmp/shots-cite-panel/."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from web_server import CHROMIUM, chromium_browser, lantai_served

pytestmark = [pytest.mark.browser, pytest.mark.slow]
playwright_api = pytest.importorskip("playwright.sync_api")
if not CHROMIUM.exists():
    pytest.skip("/usr/bin/chromium is missing (apt-get install -y chromium)", allow_module_level=True)
SHOTS = Path("/tmp/shots-cite-panel")
PDF = "qingchuan-2024-summary-2025-plan.pdf"
DOCS = (PDF, "qingchuan-2023-summary.docx")
PDF_QUESTION = "2024年新建了多少间读书驿站？"


@pytest.fixture(scope="module")
def server(sample_corpus, embedder, tmp_path_factory):
    from index import KnowledgeBase

    root = tmp_path_factory.mktemp("web-cite-panel")
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


def _ask(browser, base: str, question: str, width: int, height: int):
    page = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN").new_page()
    page.set_default_timeout(60_000)
    page.goto(base + "/")
    page.locator("#lt-question textarea").fill(question)
    page.locator("#lt-ask").click()
    page.locator("#lt-chat .lt-badge").wait_for()
    return page, page.locator("#lt-chat .lt-msg").last


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _drawn_box(png: bytes, zoom: float):
    """The rectangle (PDF points) around the box colour's pixels of the page image."""
    import numpy as np
    import pymupdf

    pix = pymupdf.Pixmap(png)
    pixels = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width, pix.n)
    red = (pixels[:, :, 0] > 180) & (pixels[:, :, 1] < 80) & (pixels[:, :, 2] < 80)
    ys, xs = np.nonzero(red)
    assert len(xs), "no box drawn on the page image"
    return pymupdf.Rect(xs.min() / zoom, ys.min() / zoom, (xs.max() + 1) / zoom, (ys.max() + 1) / zoom)


def test_clicking_a_mark_opens_the_passage_and_the_boxed_page(browser, server, sample_corpus):
    import pymupdf

    page, card = _ask(browser, server, PDF_QUESTION, 1366, 768)
    quote = card.locator("details.lt-cite blockquote").first.text_content() or ""  # folded: not rendered text
    card.locator(".lt-text a.lt-cite-link").first.click()  # the [1] in the answer's text
    view = page.locator("#lt-cite-view .lt-cite-view")
    view.wait_for()
    assert view.get_attribute("data-n") == "1"
    assert "[1] 青川区图书馆2024年工作总结暨2025年工作计划" in view.locator(".lt-cv-title").inner_text()
    meta = view.locator(".lt-cv-meta").inner_text()
    assert "单位：青川区图书馆" in meta and "年份：2024年" in meta and "第1页" in meta
    assert PDF in meta  # the file name, as a detail
    marked = view.locator("mark").inner_text()
    assert _squash(marked) == _squash(quote) and "全年新建读书驿站11间" in marked
    assert len(view.locator(".lt-cv-text").inner_text()) > len(marked)  # inside its section's text
    holder = view.locator(".lt-cv-page")
    assert holder.get_attribute("data-located") == "1"
    assert view.locator(".lt-cv-note").count() == 0
    src = holder.locator("img").get_attribute("src") or ""
    png = base64.b64decode(src.split(",", 1)[1])
    box = _drawn_box(png, float(holder.get_attribute("data-zoom") or 0))
    with pymupdf.open(sample_corpus / PDF) as pdf:
        boxed = _squash(pdf[0].get_text("text", clip=box))
    assert _squash(quote) in boxed  # the box is where the quote is
    assert len(boxed) < len(_squash(quote)) + 80  # and not much more than it
    panel = page.locator("#lt-cite-panel").bounding_box()
    chat = page.locator("#lt-chat").bounding_box()
    assert panel and chat and panel["x"] >= chat["x"] + chat["width"]  # a column right of the chat
    page.screenshot(path=str(SHOTS / "desktop-pdf.png"))
    page.context.close()


def test_a_word_files_citation_opens_from_its_entry_without_a_page(browser, server):
    page, card = _ask(browser, server, "青川2023年的进馆人数是多少？", 1366, 768)
    entry = card.locator("details.lt-cite").first
    assert "青川区图书馆2023年工作总结" in entry.locator("summary").inner_text()
    entry.locator("summary a.lt-cite-link").click()  # the entry's own number
    view = page.locator("#lt-cite-view .lt-cite-view")
    view.wait_for()
    assert "青川区图书馆2023年工作总结" in view.locator(".lt-cv-title").inner_text()
    assert "196.48" in view.locator("mark").inner_text()
    assert view.locator("img").count() == 0 and "第" not in view.locator(".lt-cv-meta").inner_text().split("\n")[0]
    page.screenshot(path=str(SHOTS / "desktop-docx.png"))
    page.context.close()


def test_on_a_phone_the_panel_covers_the_page_until_closed(browser, server):
    page, card = _ask(browser, server, PDF_QUESTION, 390, 844)
    panel = page.locator("#lt-cite-panel")
    assert not panel.is_visible()  # nothing opened yet: nothing in the way
    card.locator(".lt-text a.lt-cite-link").first.click()
    page.locator("#lt-cite-view .lt-cite-view").wait_for()
    box = panel.bounding_box()
    assert box and box["x"] <= 1 and box["width"] >= 385 and box["height"] >= 800
    page.screenshot(path=str(SHOTS / "phone-pdf.png"))
    page.locator("#lt-cite-close").click()
    panel.wait_for(state="hidden")
    assert page.locator("#lt-chat .lt-msg").last.is_visible()
    page.context.close()
