"""Scanned PDFs (no text layer): render each page, OCR it, lay the text out like a text layer.

Pages are rendered with pypdfium2 and read by RapidOCR (PP-OCRv4 Chinese models
run on onnxruntime). Every detected text box becomes a positioned ``Line`` in PDF
points, boxes that sit on one visual line are merged, and from there the pages
go through the same running-header removal and paragraph rebuilding as a PDF
with a text layer. Both libraries are the optional extra ``ocr``.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from pathlib import Path
from typing import Any

from ..errors import IngestError
from ..limits import ReadLimits
from ..page_progress import OnPage, PageTimer
from ..types import Block
from .layout import Line, paragraphs_from_pages, strip_running_lines

# Render scale (pixels per PDF point). 3 = 216 DPI: body text of an A4 page comes
# out about 35 px high, close to the 48 px the recognizer reads; at 2-2.5 it misreads
# quotes, rare characters and full-width signs noticeably more often.
RENDER_SCALE = 3.0
# The detector and recognizer work on the image as rendered; RapidOCR's default
# (2000 px) would shrink an A4 page rendered at RENDER_SCALE again.
_MAX_SIDE = 3000
# Detected boxes are grown by this ratio before recognition; the default (1.6)
# sometimes clips a closing quote or bracket at the end of a line.
DET_UNCLIP_RATIO = 1.6
# onnxruntime threads: OCR is CPU bound, more threads than cores only thrash.
_THREADS = max(1, min(4, os.cpu_count() or 1))

_MISSING_ZH = "扫描版 PDF 需要 OCR 组件，请安装：pip install -e '.[ocr]'"
_MISSING_EN = "scanned PDF needs the OCR extra: pip install -e '.[ocr]'"

_engine: Any = None
_engine_lock = threading.Lock()
# OCR sessions are not re-entrant; one page at a time per process.
_run_lock = threading.Lock()


def _import_ocr(file_name: str) -> tuple[Any, Any]:
    """The two optional modules, or a clear error naming the extra to install."""
    try:
        import pypdfium2
        import rapidocr_onnxruntime
    except ImportError as exc:
        raise IngestError(file_name, _MISSING_ZH, _MISSING_EN) from exc
    return pypdfium2, rapidocr_onnxruntime


def _quiet_loggers() -> None:
    """RapidOCR attaches its own stream handlers at DEBUG level; keep them to real problems."""
    for name in ("RapidOCR", "OrtInferSession"):
        logging.getLogger(name).setLevel(logging.ERROR)


def get_engine(rapidocr_module: Any) -> Any:
    """The process-wide RapidOCR engine, created on first use (loading models takes a while)."""
    global _engine
    with _engine_lock:
        if _engine is None:
            _quiet_loggers()
            _engine = rapidocr_module.RapidOCR(
                print_verbose=False,
                max_side_len=_MAX_SIDE,
                det_unclip_ratio=DET_UNCLIP_RATIO,
                intra_op_num_threads=_THREADS,
                inter_op_num_threads=1,
            )
            _quiet_loggers()
        return _engine


# --- text normalisation -------------------------------------------------------

_CJK_CHAR = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef“”‘’《》—…"
_HALF_TO_FULL = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）"}
# ASCII punctuation with a CJK character on either side is the full-width mark misread.
_ASCII_PUNCT_NEAR_CJK = re.compile(rf"(?<=[{_CJK_CHAR}])[,:;!?()]|[,:;!?()](?=[{_CJK_CHAR}])")
# A bracket pair around something containing CJK: "(一)" "(数据截至…)" are full-width.
_ASCII_PAREN_PAIR = re.compile(rf"\(([^()]*[{_CJK_CHAR}][^()]*)\)")
# A bracketed outline number at the start of a line: "(1)" "(一)".
_ASCII_OUTLINE_NUMBER = re.compile(r"^\(([0-9一二三四五六七八九十]{1,3})\)(?=\S)")
# Full-width forms of ASCII symbols the recognizer emits where the page has the
# ASCII sign ("抖音／B站", "＊＊"); Chinese text uses the ASCII forms for these.
_FULLWIDTH_SYMBOLS = str.maketrans("＂＇／＊＃＆＠＝＜＞［］＼＿｜＾｀", "\"'/*#&@=<>[]\\_|^`")
# 〇 (ling) inside Latin letters is the letter O: "L〇G〇".
_LING_IN_LATIN = re.compile(r"(?<=[A-Za-z])〇|〇(?=[A-Za-z])")
# A Chinese dash is always doubled; a single one between ideographs lost its half.
_SINGLE_DASH = re.compile(r"(?<=[\u4e00-\u9fff])—(?=[\u4e00-\u9fff“‘《（])")
_DOUBLE_QUOTES = re.compile(r"[\"“”]")


def normalize_ocr_line(text: str) -> str:
    """Undo the usual OCR misreadings of Chinese punctuation in one line of text."""
    text = text.strip().translate(_FULLWIDTH_SYMBOLS)
    text = _ASCII_PAREN_PAIR.sub(r"（\1）", text)
    text = _ASCII_OUTLINE_NUMBER.sub(r"（\1）", text)
    text = _ASCII_PUNCT_NEAR_CJK.sub(lambda m: _HALF_TO_FULL[m.group()], text)
    text = _LING_IN_LATIN.sub("O", text)
    text = _SINGLE_DASH.sub("——", text)
    return text


def pair_quotes(text: str) -> str:
    """OCR reads “ and ” alike; in a paragraph with balanced quotes they alternate open/close."""
    marks = _DOUBLE_QUOTES.findall(text)
    if not marks or len(marks) % 2 or not re.search(rf"[{_CJK_CHAR}]", text):
        return text
    counter = iter(range(len(marks)))
    return _DOUBLE_QUOTES.sub(lambda m: "“" if next(counter) % 2 == 0 else "”", text)


# --- layout -------------------------------------------------------------------


def box_to_line(points: Any, text: str, scale: float) -> Line:
    """A detected quadrilateral (pixels) as an axis-aligned ``Line`` in PDF points."""
    xs = [float(p[0]) / scale for p in points]
    ys = [float(p[1]) / scale for p in points]
    return Line(text, min(xs), min(ys), max(xs), max(ys))


def merge_visual_lines(boxes: list[Line]) -> list[Line]:
    """Merge boxes whose vertical centres lie within half a line height, left to right.

    OCR often cuts one printed line into several boxes (at wide gaps, at a change
    of script); the paragraph rebuilder needs whole lines with their true extent.
    """
    rows: list[list[Line]] = []
    for box in sorted(boxes, key=lambda b: (b.y0 + b.y1) / 2):
        centre = (box.y0 + box.y1) / 2
        height = box.y1 - box.y0
        if rows:
            row = rows[-1]
            row_centre = sum((b.y0 + b.y1) / 2 for b in row) / len(row)
            row_height = sorted(b.y1 - b.y0 for b in row)[len(row) // 2]
            if abs(centre - row_centre) <= min(height, row_height) / 2:
                row.append(box)
                continue
        rows.append([box])
    lines: list[Line] = []
    for row in rows:
        row.sort(key=lambda b: b.x0)
        height = sorted(b.y1 - b.y0 for b in row)[len(row) // 2]
        text = row[0].text.strip()
        for prev, box in zip(row, row[1:]):
            part = box.text.strip()
            gap = box.x0 - prev.x1
            text = f"{text} {part}" if gap > height * 0.6 else text + part
        lines.append(Line(text, row[0].x0, min(b.y0 for b in row), max(b.x1 for b in row), max(b.y1 for b in row)))
    return lines


# --- recognition ----------------------------------------------------------------

# Recovered marks are accepted only when the recognizer is this sure of them.
_RECOVER_MIN_SCORE = 0.9
_RECOVER_MAX_PER_PAGE = 40
# Line-like glyphs a table rule or a speck also reads as: never recovered alone.
_RULE_LIKE = set("|+-_=~—一.·")


def recover_missed_marks(engine: Any, image: Any, boxes: list[Any]) -> list[tuple[list[list[float]], str]]:
    """Read ink the text detector left outside every box.

    The detector reliably misses a punctuation mark standing alone on a line:
    the "。" wrapped onto the last line of a paragraph, a closing quote just
    past a box. That mark is what tells a paragraph end from a line wrap, so
    leftover glyph-sized ink is cut out, recognised on its own and kept when the
    recognizer is confident.
    """
    import cv2
    import numpy as np

    if not boxes:
        return []
    heights = sorted(float(np.ptp(np.asarray(b)[:, 1])) for b in boxes)
    lh = heights[len(heights) // 2]  # typical text box height, pixels
    if lh < 4:
        return []
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    _, ink = cv2.threshold(gray, 0, 1, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    covered = np.zeros_like(ink)
    pad = int(round(lh * 0.25))
    for b in boxes:
        pts = np.asarray(b)
        x0, y0 = np.floor(pts.min(axis=0)).astype(int) - pad
        x1, y1 = np.ceil(pts.max(axis=0)).astype(int) + pad
        covered[max(0, y0) : y1, max(0, x0) : x1] = 1
    residual = ink & (1 - covered)
    if not residual.any():
        return []
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (max(1, int(lh * 0.5)), max(1, int(lh * 0.25))))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(cv2.dilate(residual, kernel), connectivity=8)
    candidates = []
    for i in range(1, n):
        x, y, w, h, _ = stats[i]
        part = residual[y : y + h, x : x + w] * (labels[y : y + h, x : x + w] == i)
        ys, xs = np.nonzero(part)
        if len(ys) < 0.02 * lh * lh:
            continue  # a speck
        ix0, ix1, iy0, iy1 = x + xs.min(), x + xs.max() + 1, y + ys.min(), y + ys.max() + 1
        iw, ih = ix1 - ix0, iy1 - iy0
        if iw < 0.2 * lh or ih < 0.2 * lh or ih > 1.5 * lh or iw > 8 * lh:
            continue  # a rule, a stamp or a figure, not a stray mark
        candidates.append((len(ys), ix0, iy0, ix1, iy1))
    found = []
    height, width = gray.shape
    for _, ix0, iy0, ix1, iy1 in sorted(candidates, reverse=True)[:_RECOVER_MAX_PER_PAGE]:
        cy = (iy0 + iy1) / 2
        top, bottom = int(max(0, min(iy0, cy - lh / 2))), int(min(height, max(iy1, cy + lh / 2)))
        left, right = int(max(0, ix0 - lh * 0.3)), int(min(width, ix1 + lh * 0.3))
        crop = image[top:bottom, left:right].copy()
        crop[covered[top:bottom, left:right] == 1] = 255  # keep neighbouring text out of the crop
        result, _ = engine(crop, use_det=False, use_cls=False)
        if not result:
            continue
        text, score = str(result[0][0]).strip(), float(result[0][1])
        if score < _RECOVER_MIN_SCORE or not text or set(text) <= _RULE_LIKE:
            continue
        found.append(([[ix0, top], [ix1, top], [ix1, bottom], [ix0, bottom]], text))
    return found


def ocr_page_lines(engine: Any, image: Any, scale: float) -> list[Line]:
    """OCR one rendered page image (BGR array, as pdfium renders) into visual lines in PDF points."""
    with _run_lock:
        result, _ = engine(image, use_cls=False, unclip_ratio=DET_UNCLIP_RATIO)
        detected = [(points, str(text)) for points, text, _score in result or []]
        detected += recover_missed_marks(engine, image, [points for points, _ in detected])
    lines = []
    for points, text in detected:
        text = normalize_ocr_line(text)
        if text:
            lines.append(box_to_line(points, text, scale))
    return merge_visual_lines(lines)


# Blank pages are found on a thumbnail: this many pixels at most (A4 at about 36 DPI).
_THUMB_PIXELS = 150_000
# A pixel is ink when it differs from the page's typical shade by more than this ...
_INK_CONTRAST = 40
# ... and a page with fewer ink pixels than this share of the thumbnail is blank.
_INK_SHARE = 1e-4


def render_scale(width: float, height: float, max_pixels: int) -> float:
    """RENDER_SCALE, lowered when the page would render to more than ``max_pixels``."""
    fitting: float = (max_pixels / max(1.0, width * height)) ** 0.5
    return min(RENDER_SCALE, fitting)


def is_blank(pdfium: Any, page: Any) -> bool:
    """No page objects, or a thumbnail with (nearly) no ink: nothing OCR could read."""
    import numpy as np

    if pdfium.raw.FPDFPage_CountObjects(page.raw) == 0:
        return True
    width, height = page.get_size()
    bitmap = page.render(scale=min(0.5, render_scale(width, height, _THUMB_PIXELS)), grayscale=True)
    try:
        gray = bitmap.to_numpy().reshape(bitmap.height, bitmap.width, -1)[:, :, 0].astype(np.int16)
    finally:
        bitmap.close()
    ink = np.abs(gray - int(np.median(gray))) > _INK_CONTRAST
    blank: bool = int(ink.sum()) <= gray.size * _INK_SHARE
    return blank


def _check_ocr_pages(file_name: str, count: int, limits: ReadLimits) -> None:
    if count > limits.max_ocr_pages:
        raise IngestError(
            file_name,
            f"需要 OCR 识别的页面有 {count} 页，超过 {limits.max_ocr_pages} 页上限，请拆分后再导入",
            f"{count} pages need OCR, more than the {limits.max_ocr_pages}-page limit; split the file and try again",
        )


def ocr_pdf_pages(
    path: Path, indexes: list[int] | None = None, limits: ReadLimits | None = None, on_page: OnPage | None = None
) -> tuple[list[list[Line]], float]:
    """Visual lines of the given pages (0-based; all when None) and the first page's height, in points.

    Usable for single pages too, e.g. scanned pages inside a PDF that otherwise has a text layer.
    Every page is checked (size, blankness) before any is read, so the OCR-page cap
    refuses a file before hours of OCR, and blank pages cost a thumbnail, not a read.
    ``on_page`` hears of each page OCR reads (page i of the n non-blank ones, with an estimate).
    """
    from .pdf import check_page_size, check_pages

    limits = limits or ReadLimits()
    pdfium, rapidocr = _import_ocr(path.name)
    try:
        pdf = pdfium.PdfDocument(str(path))
    except Exception as exc:  # pdfium raises PdfiumError for damaged or encrypted files
        raise IngestError(path.name, f"PDF 文件已损坏，无法打开（{exc}）", f"corrupt PDF, cannot open ({exc})") from exc
    try:
        if len(pdf) == 0:
            raise IngestError(path.name, "PDF 文件没有页面", "PDF has no pages")
        check_pages(path.name, len(pdf), limits)
        height = pdf[0].get_height()
        wanted = list(range(len(pdf))) if indexes is None else indexes
        todo: dict[int, float] = {}  # page index -> render scale
        for index in wanted:
            page = pdf[index]
            try:
                width, page_height = page.get_size()
                check_page_size(path.name, index + 1, width, page_height, limits)
                if not is_blank(pdfium, page):
                    todo[index] = render_scale(width, page_height, limits.max_page_pixels)
            finally:
                page.close()
        _check_ocr_pages(path.name, len(todo), limits)
        engine = get_engine(rapidocr) if todo else None
        timer = PageTimer(path.name, len(todo), on_page)
        pages: list[list[Line]] = []
        for index in wanted:
            if index not in todo:
                pages.append([])
                continue
            timer.next_page()
            page = pdf[index]
            try:
                bitmap = page.render(scale=todo[index])
                try:
                    image = bitmap.to_numpy()[:, :, :3].copy()
                finally:
                    bitmap.close()
            finally:
                page.close()
            pages.append(ocr_page_lines(engine, image, todo[index]))
    except pdfium.PdfiumError as exc:  # a page or object the text-layer reader got past
        from .pdf import damaged

        raise damaged(path.name, exc) from exc
    finally:
        pdf.close()
    return pages, height


def load_scanned_pdf(
    path: Path, limits: ReadLimits | None = None, on_page: OnPage | None = None
) -> tuple[list[Block], int]:
    """Paragraph blocks of a PDF made of page images, read by OCR, and its page count."""
    pages, height = ocr_pdf_pages(path, None, limits, on_page)
    if not any(pages):
        raise IngestError(
            path.name,
            "扫描版 PDF 中没有识别出文字（页面可能是空白或图片质量太差）",
            "OCR found no text in the scanned PDF (blank pages or poor image quality)",
        )
    blocks = paragraphs_from_pages(strip_running_lines(pages, height))
    for block in blocks:
        block.text = pair_quotes(block.text)
    return blocks, len(pages)
