"""The exported work plan laid out by LibreOffice: the page count, the text of the first and last
pages, the page numbers, a CJK font, and ink where the title is."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from test_plan_export import CREATED, EXPECTED_PAGES, PLAN_MD

from ui.plan_export import markdown_to_docx

pytestmark = [pytest.mark.office, pytest.mark.slow]


@pytest.fixture(scope="module")
def docx_bytes() -> bytes:
    return markdown_to_docx(PLAN_MD, created=CREATED)


def _render(docx_path: Path, out_dir: Path) -> Path:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui")
    profile = out_dir / "lo-profile"
    proc = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir),
            str(docx_path),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "HOME": str(out_dir)},
    )
    pdf = out_dir / (docx_path.stem + ".pdf")
    assert proc.returncode == 0 and pdf.exists(), f"soffice failed: {proc.stdout}\n{proc.stderr}"
    return pdf


def test_renders_with_libreoffice(tmp_path, docx_bytes):
    docx_path = tmp_path / "plan.docx"
    docx_path.write_bytes(docx_bytes)
    pdf = _render(docx_path, tmp_path)

    import pypdfium2 as pdfium

    pdf_doc = pdfium.PdfDocument(str(pdf))
    try:
        pages = len(pdf_doc)
        first_text = pdf_doc[0].get_textpage().get_text_range()
        last_text = pdf_doc[pages - 1].get_textpage().get_text_range()
    finally:
        pdf_doc.close()
    assert pages == EXPECTED_PAGES
    # LibreOffice puts spaces between Chinese and Latin text and breaks lines; ignore both.
    first_text, last_text = (re.sub(r"\s+", "", t) for t in (first_text, last_text))
    assert first_text.startswith("青川区图书馆2026年工作计划（草稿）一、总体思路")
    assert "[6]青川区图书馆读者满意度调查报告.docx" in last_text  # the sources close the document
    # Page numbers from the PAGE field, one per page.
    assert first_text.endswith("—1—") and last_text.endswith(f"—{pages}—")

    # The CJK text is drawn with a font that has Chinese glyphs (no tofu boxes).
    if shutil.which("pdffonts"):
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, timeout=60).stdout
        assert re.search(r"CJK|Song|Hei|Kai|Fang|Ming|WenQuanYi|Fallback", fonts, re.IGNORECASE), fonts

    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed; the PDF itself was checked")
    png_dir = tmp_path / "png"
    png_dir.mkdir()
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(pdf), str(png_dir / "page")], check=True, capture_output=True, timeout=120
    )
    pngs = sorted(png_dir.glob("page*.png"))
    assert len(pngs) == EXPECTED_PAGES

    from PIL import Image

    with Image.open(pngs[0]) as img:
        gray = img.convert("L")
        width, height = gray.size
        dark = sum(1 for v in gray.getdata() if v < 128)
        # Ink in the title area (the top quarter inside the margins) and plenty overall.
        top = gray.crop((0, int(height * 0.10), width, int(height * 0.25)))
        top_dark = sum(1 for v in top.getdata() if v < 128)
    assert dark > width * height * 0.02, f"first page looks blank: {dark} dark pixels"
    assert top_dark > 200, "no title drawn at the top of the first page"
