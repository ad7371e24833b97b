"""Caps on the work one file may cause while it is read.

The size on disk says little about the cost of reading a file: a zip container
inflates up to about a thousand times, one PDF page may be 5 m wide, a sheet
may hold millions of cells, blank scans cost seconds of OCR each. Every loader
checks these caps as it reads, so a hostile or broken file is refused before
the work is done, with a reason staff can act on.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import IngestError

MB = 1024 * 1024
# One square metre in PDF points (1 pt = 1/72 in); A0 is one square metre.
SQUARE_METRE_PT2 = (1000 / 25.4 * 72) ** 2


@dataclass(frozen=True)
class ReadLimits:
    """Per-format caps. Defaults fit the largest real library documents with room to spare."""

    max_inflated_bytes: int = 256 * MB  # .docx/.xlsx: all zip members together, inflated
    max_zip_members: int = 5000
    max_zip_ratio: int = 200  # inflated/compressed, for members larger than ``_RATIO_FLOOR``
    max_pages: int = 1000  # PDF pages
    max_page_area: float = 2 * SQUARE_METRE_PT2  # PDF points²: two A0 sheets
    max_page_pixels: int = 25_000_000  # pixels one page may be rendered to for OCR
    max_ocr_pages: int = 300  # pages that really go to OCR, blank pages not counted
    max_sheet_rows: int = 50_000  # rows of all sheets of a workbook or a CSV
    max_sheet_cells: int = 2_000_000  # cells of all those rows, empty padding included
    max_text_chars: int = 5_000_000  # characters of text a file may yield


# Small members compress well for honest reasons (blank sheets, repeated styles);
# only a large member with an extreme ratio is a bomb signal.
RATIO_FLOOR = 8 * MB


class TextBudget:
    """Counts characters as a loader yields them and refuses once the cap is passed."""

    def __init__(self, file_name: str, limits: ReadLimits):
        self.file_name = file_name
        self.left = limits.max_text_chars
        self.cap = limits.max_text_chars

    def take(self, text: str) -> str:
        self.left -= len(text)
        if self.left < 0:
            raise IngestError(
                self.file_name,
                f"文件文字超过 {self.cap:,} 字上限",
                f"the file holds more than {self.cap:,} characters of text",
            )
        return text
