"""Ingest: files in, clean cited chunks out."""

from .chunk import ChunkSizes
from .errors import IngestError
from .figures.changes import derive_prior_year
from .figures.extract import extract_figures
from .figures.model import Direction, Figure, FigureKind
from .figures.patterns import split_unit
from .indicators import IndicatorList, load_indicators
from .limits import ReadLimits
from .loaders import SUPPORTED_SUFFIXES, read_by_ocr
from .loaders.rows import is_row_text
from .page_progress import SCAN_HINT_EN, SCAN_HINT_ZH, PageProgress
from .pipeline import DEFAULT_MAX_BYTES, file_sha256, parse_file, with_doc_id
from .types import Chunk, Document, Section

__all__ = [
    "Chunk",
    "ChunkSizes",
    "DEFAULT_MAX_BYTES",
    "Direction",
    "Figure",
    "FigureKind",
    "IndicatorList",
    "derive_prior_year",
    "extract_figures",
    "load_indicators",
    "split_unit",
    "Document",
    "IngestError",
    "PageProgress",
    "ReadLimits",
    "SCAN_HINT_EN",
    "SCAN_HINT_ZH",
    "SUPPORTED_SUFFIXES",
    "Section",
    "file_sha256",
    "is_row_text",
    "parse_file",
    "read_by_ocr",
    "with_doc_id",
]
