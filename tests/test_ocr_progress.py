"""Scanned pages report their progress page by page, with an estimate of the time left.

A small scan is made in the test: typed pages rendered to images with PyMuPDF and wrapped
as a PDF without a text layer. It is read by the real OCR (the rapidocr extra, seconds a
page), once directly and once uploaded through the REST API of a real server on loopback.
"""

from __future__ import annotations

import time

import httpx
import pymupdf
import pytest
from serving import serving

from index import KnowledgeBase
from ingest import PageProgress, parse_file
from ui.api import create_app
from ui.settings import Settings

pytestmark = [pytest.mark.ocr, pytest.mark.slow]

PAGES = 3
BODY = "青川区图书馆2024年全年进馆人数208.37万人次，同比增长6.05%；新建读书驿站11间。" * 4


def _scan(path, pages: int = PAGES) -> None:
    typed, scan = pymupdf.open(), pymupdf.open()
    for number in range(1, pages + 1):
        page = typed.new_page(width=420, height=595)
        page.insert_textbox(pymupdf.Rect(50, 60, 370, 400), f"第{number}部分\n{BODY}", fontname="china-s", fontsize=11)
        out = scan.new_page(width=page.rect.width, height=page.rect.height)
        out.insert_image(out.rect, pixmap=page.get_pixmap(dpi=150))
    scan.save(path)
    assert not pymupdf.open(path)[0].get_text().strip()  # no text layer: only OCR can read it


def test_each_scanned_page_is_reported_in_order_with_an_estimate(tmp_path):
    pytest.importorskip("rapidocr_onnxruntime")
    pdf = tmp_path / "扫描件.pdf"
    _scan(pdf)
    events: list[PageProgress] = []
    doc = parse_file(pdf, on_page=events.append)
    assert "208.37万人次" in doc.text
    assert [(e.page, e.total) for e in events] == [(1, 3), (2, 3), (3, 3)]
    assert events[0].seconds_left is None and "扫描件需要文字识别" in events[0].zh()
    # From the second page on: the mean time of the pages read, times the pages left (this one included).
    assert all(e.seconds_left is not None and e.seconds_left > 0 for e in events[1:])
    assert events[1].zh().startswith("正在识别扫描件：第 2/3 页，预计还需约 ")
    assert events[2].zh().startswith("正在识别扫描件：第 3/3 页，预计还需约 ")


def test_an_upload_job_shows_the_pages_read(tmp_path, embedder):
    pytest.importorskip("rapidocr_onnxruntime")
    pdf = tmp_path / "青川区图书馆2024年工作总结（扫描件）.pdf"
    _scan(pdf)
    data = tmp_path / "data"
    kb = KnowledgeBase(data, embedder)
    app = create_app(Settings(_env_file=None, data_dir=data), kb=kb, api_keys=[])
    try:
        with serving(app) as (base, _), httpx.Client(base_url=base, timeout=30) as client:
            sent = client.post("/api/documents", files=[("files", (pdf.name, pdf.read_bytes(), "application/pdf"))])
            assert sent.status_code == 202, sent.text
            job_id, seen = sent.json()["job_id"], []
            deadline = time.monotonic() + 180
            while True:
                job = client.get(f"/api/jobs/{job_id}").json()
                seen += [(f["ocr_page"], f["ocr_pages"], f["progress"]) for f in job["files"] if f["progress"]]
                if job["state"] in ("done", "failed") or time.monotonic() > deadline:
                    break
                time.sleep(0.02)
    finally:
        kb.close()
    assert job["state"] == "done", job
    done = job["files"][0]
    assert (done["ocr_page"], done["ocr_pages"], done["progress"]) == (PAGES, PAGES, None)
    assert seen and all(total == PAGES and f"第 {page}/{PAGES} 页" in text for page, total, text in seen)
    assert [page for page, _, _ in seen] == sorted(page for page, _, _ in seen)  # never backwards
    later = [text for page, _, text in seen if page > 1]
    assert later and all("预计还需约" in text for text in later)
