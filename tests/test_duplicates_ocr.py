"""The seed report as a text PDF and as a scan: whichever comes first, one document is indexed, from the
text copy, under the first one's id and visibility."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import SEED_PDF, SEED_SCAN

pytestmark = pytest.mark.ocr


@pytest.fixture
def seed_pair(tmp_path):
    pytest.importorskip("rapidocr_onnxruntime")
    if not (SEED_PDF.exists() and SEED_SCAN.exists()):
        pytest.skip("the real seed PDF and its scan are not beside the checkout")
    docs = tmp_path / "docs"
    docs.mkdir()
    return Path(shutil.copy(SEED_PDF, docs)), Path(shutil.copy(SEED_SCAN, docs))


def _cited(kb) -> set[str]:
    return {h.chunk.file_name for h in kb.search("2024年南海区图书馆总流通人次是多少", k=10)}


def test_the_text_pdf_replaces_its_scan_in_place(kb, seed_pair):
    pdf, scan = seed_pair
    kb.ingest([scan], visibility="public")
    scanned = kb.find_documents(str(scan))[0]
    report = kb.ingest([pdf])
    assert report.replaced == [pdf.name] and scan.name in report.notices[pdf.name][0]
    text_doc = kb.find_documents(str(pdf))[0]
    assert (text_doc.id, text_doc.visibility, text_doc.status) == (scanned.id, "public", "ready")
    assert _cited(kb) == {pdf.name}
    assert {r.file_name for r in kb.metrics.all()} == {pdf.name}
    old = kb.find_documents(str(scan))[0]  # the scan's row stays, as the text copy's duplicate
    assert (old.status, old.duplicate_of) == ("duplicate", scanned.id)
    assert kb.registry.document_text(old.id)
    # The scan offered again beside its text copy is not indexed (OCR is slow: one test covers both orders)
    again = kb.ingest([scan])
    assert again.duplicate == [scan.name] and again.ok
    zh, en = again.notices[scan.name]
    assert "扫描件" in zh and "scan" in en
    assert kb.stats()["documents"] == 1
