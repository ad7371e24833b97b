"""Files small on disk and enormous to read are refused while being read, with a clear reason.

Each bomb is read in a child process under a watchdog (memory and time), so a
reader that inflates, renders or parses without bound fails the test instead of
taking the machine down; the child reports the exact reason it was refused.
"""

import zipfile

import pymupdf
import pytest

from eval import bombs
from eval.fuzz_loaders import seeds
from ingest import IngestError, ReadLimits, parse_file
from ingest.loaders.ocr import render_scale

pytestmark = pytest.mark.slow

# Far below what any bomb costs unguarded (GBs), far above what a refusal costs (a few MB).
MAX_RSS_MB = 250
TIMEOUT = 30


def _refused(path, limits=None, timeout=TIMEOUT, max_rss_mb=MAX_RSS_MB):
    outcome = bombs.read_isolated(path, limits, timeout=timeout, max_rss_mb=max_rss_mb)
    assert outcome.status == "ok", f"{path.name}: {bombs.describe(outcome)}"
    verdict, zh, en = outcome.value
    assert verdict == "refused", f"{path.name} was read"
    return zh, en


def test_docx_zip_bomb_is_refused_from_its_directory(tmp_path):
    zh, en = _refused(bombs.docx_zip_bomb(tmp_path, inflated=300 << 20))
    assert "解压后超过 256 MB 上限" in zh and "256 MB" in en


def test_docx_whose_zip_headers_understate_the_size_is_refused_without_inflating_it(tmp_path):
    zh, en = _refused(bombs.docx_lying_sizes(tmp_path, inflated=300 << 20))
    assert "实际解压大小与声明不符" in zh and "declared size" in en


@pytest.mark.parametrize("text", [True, False], ids=["text-layer", "scan"])
def test_pdf_with_a_five_metre_page_is_refused_before_rendering(tmp_path, text):
    zh, en = _refused(bombs.huge_page_pdf(tmp_path, text=text))
    assert "第 1 页尺寸 508×508 厘米，超过 2 平方米上限" in zh and "page limit" in en


def test_scan_page_renders_within_the_pixel_cap_when_large_pages_are_allowed(tmp_path):
    limits = ReadLimits(max_page_area=float("inf"), max_page_pixels=2_000_000)
    # The OCR models take a few hundred MB of their own; the page at full scale would take 5.6 GB.
    zh, _ = _refused(bombs.huge_page_pdf(tmp_path, text=False), limits, timeout=120, max_rss_mb=1000)
    assert "没有识别出文字" in zh  # read by OCR at a clipped scale: a frame holds no text
    assert 14400**2 * render_scale(14400, 14400, 2_000_000) ** 2 <= 2_000_000 * (1 + 1e-9)


def test_xlsx_without_dimension_stops_at_the_row_cap(tmp_path):
    zh, en = _refused(bombs.xlsx_rows_bomb(tmp_path))
    assert "表格超过 50,000 行上限" in zh and "50,000 rows" in en


def test_sheet_cells_far_to_the_right_count_towards_the_cell_cap(tmp_path):
    path = tmp_path / "wide.xlsx"
    (tmp_path / "seed.xlsx").write_bytes(seeds("xlsx")[0])
    with zipfile.ZipFile(tmp_path / "seed.xlsx") as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                rows = "".join(f'<row r="{r}"><c r="XFD{r}"><v>{r}</v></c></row>' for r in range(1, 201))
                data = data.split(b"<sheetData>")[0] + f"<sheetData>{rows}</sheetData></worksheet>".encode()
            zout.writestr(info.filename, data)
    with pytest.raises(IngestError) as err:
        parse_file(path, limits=ReadLimits(max_sheet_cells=1_000_000))
    assert "1,000,000 个单元格上限" in err.value.zh


def test_pdf_of_3000_blank_pages_is_refused_by_its_page_count(tmp_path):
    zh, en = _refused(bombs.blank_pages_pdf(tmp_path))
    assert "PDF 页数 3000 超过 1000 页上限" in zh and "1000-page limit" in en


def test_blank_pages_never_reach_ocr(tmp_path):
    # With no OCR pages allowed at all, only skipping blank pages lets the file get as far as "no text".
    limits = ReadLimits(max_pages=5000, max_ocr_pages=0)
    zh, _ = _refused(bombs.blank_pages_pdf(tmp_path), limits)
    assert "没有识别出文字" in zh


def _scan_pdf(path, pages):
    doc = pymupdf.open()
    for n in range(pages):
        page = doc.new_page(width=595, height=842)
        pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 40, 40), False)
        pix.set_rect(pix.irect, (255, 255, 255))
        pix.set_rect(pymupdf.IRect(5, 5, 35, 12 + n), (0, 0, 0))
        page.insert_image(pymupdf.Rect(72, 72, 500, 500), pixmap=pix)
    doc.save(path)
    return path


def test_ocr_page_cap_refuses_before_any_page_is_read(tmp_path):
    with pytest.raises(IngestError) as err:
        parse_file(_scan_pdf(tmp_path / "scans.pdf", 3), limits=ReadLimits(max_ocr_pages=2))
    assert "需要 OCR 识别的页面有 3 页，超过 2 页上限" in err.value.zh


def test_text_past_the_character_cap_is_refused(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text("青川区图书馆全年进馆人数372.5万人次。\n" * 1000, encoding="utf-8")
    with pytest.raises(IngestError) as err:
        parse_file(path, limits=ReadLimits(max_text_chars=10_000))
    assert "10,000 字上限" in err.value.zh and "10,000 characters" in err.value.en


def test_csv_past_the_row_cap_is_refused(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text("分馆,外借册次\n" + "".join(f"分馆{i},{i}\n" for i in range(500)), encoding="utf-8")
    with pytest.raises(IngestError) as err:
        parse_file(path, limits=ReadLimits(max_sheet_rows=100))
    assert "100 行上限" in err.value.zh


def test_zip_member_count_and_foreign_compression_are_refused(tmp_path):
    src = seeds("docx")[0]
    many = tmp_path / "many.docx"
    many.write_bytes(src)
    with zipfile.ZipFile(many, "a") as zf:
        for i in range(50):
            zf.writestr(f"extra/part{i}.xml", "<a/>")
    with pytest.raises(IngestError) as err:
        parse_file(many, limits=ReadLimits(max_zip_members=40))
    assert "40 个上限" in err.value.zh
    bz = tmp_path / "bzip2.docx"
    (tmp_path / "src.docx").write_bytes(src)
    with zipfile.ZipFile(tmp_path / "src.docx") as zin, zipfile.ZipFile(bz, "w", zipfile.ZIP_BZIP2) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info))
    with pytest.raises(IngestError) as err:
        parse_file(bz)
    assert "压缩方式" in err.value.zh


@pytest.mark.parametrize("fmt", ["pdf", "docx", "xlsx", "csv", "txt", "md"])
def test_a_normal_file_of_each_format_still_reads(tmp_path, fmt):
    path = tmp_path / f"normal.{fmt}"
    path.write_bytes(seeds(fmt)[0])
    doc = parse_file(path, limits=ReadLimits())
    assert "372.5" in doc.text or "388" in doc.text


def test_settings_caps_reach_the_reader(tmp_path, monkeypatch):
    from ui.context import read_limits
    from ui.settings import Settings

    monkeypatch.setenv("LANTAI_MAX_PAGES", "2")
    monkeypatch.setenv("LANTAI_MAX_INFLATED_MB", "64")
    limits = read_limits(Settings())
    assert limits.max_pages == 2 and limits.max_inflated_bytes == 64 << 20
    with pytest.raises(IngestError) as err:
        parse_file(_scan_pdf(tmp_path / "three.pdf", 3), limits=limits)
    assert "PDF 页数 3 超过 2 页上限" in err.value.zh
