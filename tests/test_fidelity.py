"""Acceptance figures on the real seed: the text-layer PDF and the scanned PDF (OCR)
must yield the text, outline, metadata and chunk boundaries of the .txt."""

import os

os.environ["HF_HUB_OFFLINE"] = "1"

import importlib.util
import sys
from functools import cache
from pathlib import Path
from types import SimpleNamespace

import pymupdf
import pytest

from eval import fidelity
from ingest import IngestError, parse_file
from ingest.loaders.layout import Line

pytestmark = [pytest.mark.ocr, pytest.mark.slow]

SEED = Path(__file__).resolve().parents[1].parent / "shared" / "seed"
PATHS = fidelity.seed_paths(SEED)
HAS_OCR = all(importlib.util.find_spec(m) is not None for m in ("rapidocr_onnxruntime", "pypdfium2"))


@cache
def _parsed(fmt: str):
    return parse_file(PATHS[fmt])


@pytest.fixture
def parsed():
    """Parse a seed format once per test session; skip when the seed or the OCR extra is missing."""

    def get(fmt: str):
        if not PATHS[fmt].exists():
            pytest.skip(f"seed file {PATHS[fmt].name} is not beside the checkout")
        if fmt == "ocr" and not HAS_OCR:
            pytest.skip("OCR extra (rapidocr-onnxruntime, pypdfium2) not installed")
        return _parsed(fmt)

    return get


def _result(parsed, fmt: str) -> fidelity.FormatResult:
    return fidelity.evaluate(fmt, parsed(fmt), parsed("txt"))


# --- the acceptance figures -------------------------------------------------------


def test_text_layer_pdf_reproduces_the_text(parsed):
    r = _result(parsed, "pdf")
    assert r.ratio >= 0.99, r.diffs


def test_scanned_pdf_ocr_reproduces_the_text(parsed):
    r = _result(parsed, "ocr")
    assert r.ratio >= 0.97, r.diffs


@pytest.mark.parametrize("fmt", ["txt", "pdf", "ocr"])
def test_every_outline_heading_is_found(parsed, fmt):
    r = _result(parsed, fmt)
    assert r.headings_total >= 10  # the seed has 3 parts and 12 sub-parts
    assert r.headings_missing == []


@pytest.mark.parametrize("fmt", ["txt", "pdf", "ocr"])
def test_type_and_years(parsed, fmt):
    doc = parsed(fmt)
    assert doc.doc_type == "总结暨计划"
    assert (doc.report_year, doc.plan_year) == (2024, 2025)


@pytest.mark.parametrize("fmt", ["txt", "pdf", "ocr"])
def test_no_chunk_cuts_a_number(parsed, fmt):
    doc = parsed(fmt)
    assert len(doc.chunks) > 5
    assert fidelity.number_cuts(doc) == []


@pytest.mark.parametrize("fmt", ["pdf", "ocr"])
def test_paragraphs_and_pages_match(parsed, fmt):
    """Same paragraph boundaries as the .txt, same page attribution as the text layer."""
    doc, ref = parsed(fmt), parsed("txt")
    assert len(doc.paragraphs) == len(ref.paragraphs)
    assert [p.kind for p in doc.paragraphs] == [p.kind for p in ref.paragraphs]
    if fmt == "ocr":
        pdf = parsed("pdf")
        assert [(p.page, p.page_end) for p in doc.paragraphs] == [(p.page, p.page_end) for p in pdf.paragraphs]
        assert doc.page_count == pdf.page_count == 5


def test_ocr_drops_running_header_and_page_numbers(parsed):
    doc, pdf = parsed("ocr"), parsed("pdf")
    first_line = pdf.text.split("\n\n")[0]
    assert doc.text.split("\n\n")[0] == first_line  # the title, not the running header
    assert all(not p.text.strip("-— ").isdigit() for p in doc.paragraphs)


# --- the measuring helpers themselves -------------------------------------------


def test_match_ratio_ignores_whitespace_and_counts_losses():
    assert fidelity.match_ratio("进馆 392.88 万次", "进馆392.88万次\n") == 1.0
    assert fidelity.match_ratio("abcd", "abd") == 0.75
    assert fidelity.match_ratio("abcd", "abxcd") == 1.0


def test_reference_headings_reads_both_levels():
    text = "标题\n\n一、总体情况\n\n（一）阅读推广。全年举办活动120场。\n\n正文一段。\n\n二、下一步计划"
    assert fidelity.reference_headings(text) == ["一、总体情况", "（一）阅读推广", "二、下一步计划"]


def test_number_cut_detector_is_not_vacuous():
    text = "馆藏384.83万册，增长5.86%。"
    cut = text.index("83")
    chunks = [
        SimpleNamespace(ordinal=0, char_start=0, char_end=cut),
        SimpleNamespace(ordinal=1, char_start=cut, char_end=len(text)),
    ]
    cuts = fidelity.number_cuts(SimpleNamespace(text=text, chunks=chunks))
    assert len(cuts) == 2  # chunk 0 ends inside, chunk 1 starts inside
    at_comma = text.index("，") + 1
    fine = [
        SimpleNamespace(ordinal=0, char_start=0, char_end=at_comma),
        SimpleNamespace(ordinal=1, char_start=at_comma, char_end=len(text)),
    ]
    assert fidelity.number_cuts(SimpleNamespace(text=text, chunks=fine)) == []
    pct = text.index("%")
    assert fidelity.number_cuts(
        SimpleNamespace(text=text, chunks=[SimpleNamespace(ordinal=0, char_start=pct, char_end=len(text))])
    )


# --- OCR post-processing, without running OCR --------------------------------------


def test_ocr_punctuation_is_normalised():
    from ingest.loaders.ocr import normalize_ocr_line, pair_quotes

    assert normalize_ocr_line("(一)阅读推广,成效明显:") == "（一）阅读推广，成效明显："
    assert normalize_ocr_line("(1)读者活动") == "（1）读者活动"
    assert normalize_ocr_line("共3,326册,时间9:00") == "共3,326册，时间9:00"
    assert normalize_ocr_line("抖音／B站＊＊") == "抖音/B站**"
    assert normalize_ocr_line("L〇G〇设计") == "LOGO设计"
    assert normalize_ocr_line("漫步—集章") == "漫步——集章"
    assert pair_quotes('落实”第一议题”和"三会一课"') == "落实“第一议题”和“三会一课”"
    assert pair_quotes("只有一个”引号") == "只有一个”引号"  # unbalanced: left alone


def test_boxes_on_one_visual_line_are_merged_left_to_right():
    from ingest.loaders.ocr import merge_visual_lines

    boxes = [
        Line("第二行", 72, 40, 120, 52),
        Line("增长5.86%", 192, 19, 260, 31),
        Line("进馆人数", 72, 20, 190, 32),
        Line("word", 300, 20, 330, 32),
    ]
    lines = merge_visual_lines(boxes)
    assert [l.text for l in lines] == ["进馆人数增长5.86% word", "第二行"]
    assert (lines[0].x0, lines[0].x1) == (72, 330)


# --- a scanned PDF without the OCR extra -------------------------------------------


def _image_only_pdf(path: Path) -> None:
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 60, 60), False)
    pix.set_rect(pix.irect, (230, 230, 230))
    page.insert_image(pymupdf.Rect(72, 72, 300, 300), pixmap=pix)
    doc.save(path)


@pytest.mark.parametrize("module", ["rapidocr_onnxruntime", "pypdfium2"])
def test_scanned_pdf_without_ocr_extra_gives_clear_error(tmp_path, monkeypatch, module):
    f = tmp_path / "scan.pdf"
    _image_only_pdf(f)
    monkeypatch.setitem(sys.modules, module, None)  # makes `import module` raise ImportError
    with pytest.raises(IngestError) as err:
        parse_file(f)
    assert err.value.file_name == "scan.pdf"
    assert "OCR" in err.value.zh and "pip install -e '.[ocr]'" in err.value.zh
    assert "pip install -e '.[ocr]'" in err.value.en


@pytest.mark.skipif(not HAS_OCR, reason="OCR extra not installed")
def test_blank_scanned_pdf_says_no_text_was_found(tmp_path):
    f = tmp_path / "blank-scan.pdf"
    _image_only_pdf(f)
    with pytest.raises(IngestError) as err:
        parse_file(f)
    assert "没有识别出文字" in err.value.zh
