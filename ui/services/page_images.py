"""A PDF page as a PNG, with a cited passage's boxes drawn on it, cached in the data directory.

Rendering a page takes a few hundred milliseconds on a small machine; staff click the same
citation again and again. Each image is kept under ``<data dir>/page-images/<doc id>/``, named by
the page and a hash of the file's content (its sha256), the passage and the rendering settings:
a second click reads two small files and opens no PDF, and a changed file or passage never meets
a stale image. The boxes found are kept beside the image as JSON.

A page is opened through the ingest's own caps (``ingest.loaders.pdf.open_pdf``: page count and
page size) and rendered at a modest zoom, lowered further so no page exceeds the pixel cap.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path

import pymupdf

from ingest import ReadLimits
from ingest.loaders.pdf import open_pdf
from ingest.types import content_hash

from .passage_boxes import Box, locate

CACHE_FOLDER = "page-images"
ZOOM = 1.5  # 108 dpi: an A4 page is 893 × 1263 pixels, sharp enough to read a line of text
RENDERING = "1"  # bumped whenever the drawing changes, so older cached images are not reused
BOX_COLOUR = (0.85, 0.1, 0.1)
FILL_COLOUR = (1.0, 0.85, 0.0)
KEPT_PER_DOCUMENT = 200  # cached images of one document; the oldest go first


class PageNotFound(LookupError):
    """A page number the PDF does not have."""

    def __init__(self, page: int, pages: int):
        super().__init__(f"该文档没有第 {page} 页（共 {pages} 页）/ page {page} does not exist ({pages} pages)")


@dataclass(frozen=True)
class PageImage:
    """A rendered page: the PNG, the passage's boxes in PDF points, and the zoom from points to pixels."""

    png: bytes
    page: int
    boxes: tuple[Box, ...]
    zoom: float
    located: bool  # a passage was asked for and found on the page
    cached: bool = False  # read from the cache, not rendered now

    def pixel_boxes(self) -> list[tuple[int, int, int, int]]:
        """The boxes in the PNG's pixels."""
        return [tuple(round(v * self.zoom) for v in (b.x0, b.y0, b.x1, b.y1)) for b in self.boxes]  # type: ignore[misc]


class PageImages:
    """Pages of the PDFs of one knowledge base, rendered once and kept under its data directory."""

    def __init__(self, data_dir: Path, limits: ReadLimits | None = None):
        self.root = Path(data_dir) / CACHE_FOLDER
        self.limits = limits or ReadLimits()

    def page(self, doc_id: str, sha256: str, path: Path, page: int, passage: str = "") -> PageImage:
        """Page ``page`` (from 1) of the PDF at ``path``, with ``passage`` boxed when it is found there."""
        key = content_hash(sha256, str(page), passage, str(ZOOM), RENDERING)
        png_file = self.root / doc_id / f"p{page}-{key}.png"
        cached = self._read(png_file, page)
        if cached is not None:
            return cached
        image = self._render(path, page, passage)
        self._write(png_file, image)
        return image

    def _render(self, path: Path, page: int, passage: str) -> PageImage:
        with open_pdf(path, self.limits) as pdf:
            if not 1 <= page <= pdf.page_count:
                raise PageNotFound(page, pdf.page_count)
            sheet = pdf[page - 1]
            found = locate(sheet, passage) if passage.strip() else None
            boxes = found.boxes if found else ()
            for box in boxes:  # drawn on the page opened in memory; the file is never written
                sheet.draw_rect(box.rect() + (-2, -2, 2, 2), color=BOX_COLOUR, fill=FILL_COLOUR, fill_opacity=0.25)
            zoom = min(ZOOM, math.sqrt(self.limits.max_page_pixels / max(sheet.rect.width * sheet.rect.height, 1)))
            png = sheet.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False).tobytes("png")
        return PageImage(png, page, boxes, zoom, bool(boxes))

    def _read(self, png_file: Path, page: int) -> PageImage | None:
        try:
            meta = json.loads(png_file.with_suffix(".json").read_text(encoding="utf-8"))
            png = png_file.read_bytes()
        except (OSError, ValueError):
            return None
        boxes = tuple(Box(*b) for b in meta["boxes"])
        return PageImage(png, page, boxes, meta["zoom"], bool(boxes), cached=True)

    def _write(self, png_file: Path, image: PageImage) -> None:
        """Written under temporary names and renamed: a reader never sees half an image."""
        try:
            png_file.parent.mkdir(parents=True, exist_ok=True)
            meta = {"boxes": [[b.x0, b.y0, b.x1, b.y1] for b in image.boxes], "zoom": image.zoom}
            for target, data in ((png_file, image.png), (png_file.with_suffix(".json"), json.dumps(meta).encode())):
                partial = target.with_name(target.name + f".{os.getpid()}.part")
                partial.write_bytes(data)
                partial.replace(target)
            self._prune(png_file.parent)
        except OSError:  # a full or read-only disk: the image is still shown, only not kept
            return

    @staticmethod
    def _prune(folder: Path) -> None:
        images = sorted(folder.glob("*.png"), key=lambda p: p.stat().st_mtime)
        for old in images[:-KEPT_PER_DOCUMENT]:
            old.unlink(missing_ok=True)
            old.with_suffix(".json").unlink(missing_ok=True)


__all__ = ["CACHE_FOLDER", "PageImage", "PageImages", "PageNotFound", "ZOOM"]
