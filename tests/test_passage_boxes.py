"""The boxes drawn around a cited passage stand on the passage's own lines of a real PDF page.

The sample corpus's PDF is written here by the project's own writer (``corpus.pdf_writer``); it wraps
lines anywhere, even inside a number, so most passages cross line breaks. The real seed PDF is read
from ``../shared/seed/`` when it is there. The check is PyMuPDF's own: the text inside each box.
"""

from __future__ import annotations

import re
from pathlib import Path

import pymupdf
import pytest

from ui.services.page_images import PageImages, PageNotFound
from ui.services.passage_boxes import locate

SOURCES = Path(__file__).resolve().parents[1] / "corpus" / "sources"
SEED_PDF = Path(__file__).resolve().parents[2] / "shared" / "seed" / "nanhai-library-2024-summary-2025-plan.pdf"


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def written_pdf(tmp_path_factory) -> Path:
    from corpus.pdf_writer import build_pdf

    target = tmp_path_factory.mktemp("pdf") / "summary.pdf"
    return build_pdf(
        SOURCES / "qingchuan-2024-summary-2025-plan.md", target, "青川区图书馆2024年工作总结暨2025年工作计划"
    )


def _boxed_text(page, boxes) -> str:
    return "".join(_squash(page.get_text("text", clip=b.rect())) for b in boxes)


def _page_holding(pdf, words: str):
    return next(p for p in pdf if words in _squash(p.get_text()))


@pytest.mark.parametrize(
    "quote",
    [
        "全年新建读书驿站11间，超额完成年度新建10间的目标，读书驿站总数达到63间",  # three lines, "10" split
        "全年开展阅读推广活动468场次",  # within one line
        "全年全区总分馆进馆人数208.37万次，\n同比增长6.05%",  # a number split by the line end; a break in the quote
    ],
)
def test_boxes_cover_the_quote_on_a_written_pdf(written_pdf, quote):
    with pymupdf.open(written_pdf) as pdf:
        page = _page_holding(pdf, _squash(quote)[:12])
        found = locate(page, quote)
        assert found.found and found.coverage == 1.0
        boxed = _boxed_text(page, found.boxes)
        assert _squash(quote) in boxed
        # boxes hug the passage's lines: no more than a line of text beyond it on each side
        assert len(boxed) <= len(_squash(quote)) + 2 * 40
        assert len(found.boxes) == len({round(b.y0) for b in found.boxes})  # one box a line


def test_a_passage_the_page_does_not_hold_gets_no_box(written_pdf):
    with pymupdf.open(written_pdf) as pdf:
        found = locate(pdf[0], "本段文字并不在这一页上，任何方框都会画错地方。")
        assert not found.found and found.coverage < 0.6
        assert not locate(pdf[0], "   ").found


def test_boxes_on_the_real_seed_pdf():
    if not SEED_PDF.exists():
        pytest.skip("the real seed PDF is not beside the checkout")
    with pymupdf.open(SEED_PDF) as pdf:
        page = pdf[1]
        text = _squash(page.get_text())
        middle = len(text) // 2
        quote = text[middle : middle + 60]  # a passage of the page's own text, across its line ends
        found = locate(page, quote)
        assert found.found and found.coverage == 1.0
        assert quote in _boxed_text(page, found.boxes)


def test_a_page_is_rendered_once_then_read_from_the_data_dir(written_pdf, tmp_path):
    import hashlib

    sha = hashlib.sha256(written_pdf.read_bytes()).hexdigest()
    images = PageImages(tmp_path)
    quote = "全年开展阅读推广活动468场次"
    first = images.page("doc1", sha, written_pdf, 1, quote)
    assert first.png.startswith(b"\x89PNG") and first.located and not first.cached
    again = images.page("doc1", sha, written_pdf, 1, quote)
    assert again.cached and again.png == first.png and again.boxes == first.boxes
    assert len(list((tmp_path / "page-images" / "doc1").glob("*.png"))) == 1
    plain = images.page("doc1", sha, written_pdf, 1)  # another passage (none): another image
    assert not plain.located and not plain.boxes and not plain.cached
    changed = images.page("doc1", "another-sha", written_pdf, 1, quote)  # the file changed: rendered anew
    assert not changed.cached
    with pytest.raises(PageNotFound):
        images.page("doc1", sha, written_pdf, 99)
