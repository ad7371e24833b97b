"""A scanned PDF (no text layer) read through OCR: the rapidocr extra, a few seconds a page."""

import pymupdf
import pytest
from test_loaders import _wrapped_pdf

from ingest import parse_file

pytestmark = pytest.mark.ocr


def test_scanned_pdf_without_text_layer_is_read_by_ocr(tmp_path):
    pytest.importorskip("rapidocr_onnxruntime")
    src = tmp_path / "text.pdf"
    _wrapped_pdf(src)
    scanned = pymupdf.open()
    with pymupdf.open(src) as original:
        page = original[0]
        pix = page.get_pixmap(dpi=150)
        out = scanned.new_page(width=page.rect.width, height=page.rect.height)
        out.insert_image(out.rect, pixmap=pix)
    f = tmp_path / "scan.pdf"
    scanned.save(f)
    doc = parse_file(f)
    assert "392.88万次" in doc.text
