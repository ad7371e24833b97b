"""The citation endpoints over real HTTP: a cited passage in its section, a PDF page with the passage boxed,
404 for what does not exist, and nothing of an internal document without a key once keys are set."""

from __future__ import annotations

import re

import httpx
import pymupdf
import pytest
from serving import serving

pytestmark = pytest.mark.slow

PDF = "qingchuan-2024-summary-2025-plan.pdf"
TXT = "qingchuan-2023-plan.txt"
KEY = "cite-key"


@pytest.fixture(scope="module")
def api(sample_corpus, embedder, tmp_path_factory):
    from index import KnowledgeBase
    from ui.rest import create_app
    from ui.settings import Settings

    data = tmp_path_factory.mktemp("cite-api") / "data"
    kb = KnowledgeBase(data, embedder)
    report = kb.ingest([sample_corpus / PDF, sample_corpus / TXT])  # internal, as every new document
    assert report.ok, [e.bilingual() for e in report.failed]
    app = create_app(Settings(_env_file=None, data_dir=data), kb=kb, api_keys=[KEY])
    with serving(app) as (base, _):
        yield base, kb, sample_corpus
    kb.close()


def _get(base: str, path: str, key: str | None = KEY, **params) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.get(base + path, params=params, headers=headers, timeout=60)


def _chunk(kb, file_name: str, words: str):
    doc = next(d for d in kb.documents() if d.file_name == file_name)
    return doc, next(c for c in kb.registry.chunks_of(doc.id) if words in c.text)


def test_context_of_a_pdf_citation_marks_the_passage_and_boxes_it_on_its_page(api):
    base, kb, corpus = api
    doc, chunk = _chunk(kb, PDF, "全年新建读书驿站11间")
    quote = "全年新建读书驿站11间，超额完成年度新建10间的目标"
    r = _get(base, f"/api/documents/{doc.id}/chunks/{chunk.id}/context", quote=quote)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["title"] == "青川区图书馆2024年工作总结暨2025年工作计划" and body["library"] == "青川区图书馆"
    assert body["year"] == 2024 and body["page"] == chunk.page_start == 1 and body["is_pdf"]
    assert body["passage"] == quote and body["before"].endswith("一是读书驿站建设超额完成。")
    assert body["after"].startswith("，读书驿站总数达到63间")
    assert body["located"] and body["note"] == "" and len(body["boxes"]) == 2  # the quote's two lines
    with pymupdf.open(corpus / PDF) as pdf:
        boxed = "".join(pdf[0].get_text("text", clip=pymupdf.Rect(*b)) for b in body["boxes"])
    assert re.sub(r"\s+", "", quote) in re.sub(r"\s+", "", boxed)

    image = httpx.get(base + body["page_image"], headers={"Authorization": f"Bearer {KEY}"}, timeout=60)
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert image.headers["x-lantai-located"] == "1" and image.content.startswith(b"\x89PNG")
    plain = _get(base, f"/api/documents/{doc.id}/pages/2.png")
    assert plain.status_code == 200 and plain.headers["x-lantai-located"] == "0"


def test_context_of_a_text_file_has_no_page_image(api):
    base, kb, _ = api
    doc, chunk = _chunk(kb, TXT, "180万")
    body = _get(base, f"/api/documents/{doc.id}/chunks/{chunk.id}/context").json()
    assert body["title"] == "青川区图书馆2023年工作计划" and not body["is_pdf"]
    assert body["page"] is None and body["page_image"] is None and body["boxes"] == []
    assert body["passage"] == chunk.text  # no quote given: the chunk itself
    assert _get(base, f"/api/documents/{doc.id}/pages/1.png").status_code == 404  # not a PDF


def test_unknown_documents_pages_and_chunks_are_404(api):
    base, kb, _ = api
    doc, chunk = _chunk(kb, PDF, "全年新建读书驿站11间")
    other, _ = _chunk(kb, TXT, "180万")
    for path in (
        "/api/documents/no-such-doc/pages/1.png",
        f"/api/documents/{doc.id}/pages/99.png",
        f"/api/documents/{doc.id}/pages/0.png",
        "/api/documents/no-such-doc/chunks/x/context",
        f"/api/documents/{doc.id}/chunks/no-such-chunk/context",
        f"/api/documents/{other.id}/chunks/{chunk.id}/context",  # a chunk of another document
    ):
        r = _get(base, path)
        assert r.status_code == 404, (path, r.status_code, r.text)
        assert "/" in r.json()["detail"]  # Chinese, then English
    assert _get(base, f"/api/documents/{doc.id}/pages/x.png").status_code == 422


def test_an_internal_document_is_refused_without_a_key(api):
    base, kb, _ = api
    doc, chunk = _chunk(kb, PDF, "全年新建读书驿站11间")
    assert doc.visibility == "internal"
    for path in (f"/api/documents/{doc.id}/pages/1.png", f"/api/documents/{doc.id}/chunks/{chunk.id}/context"):
        for key in (None, "wrong-key"):
            r = _get(base, path, key=key)
            assert r.status_code == 401 and "全年新建" not in r.text and not r.content.startswith(b"\x89PNG")
        assert _get(base, path).status_code == 200
