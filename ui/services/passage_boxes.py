"""Where a cited passage stands on a PDF page: the rectangles around its lines, or none.

The passage is the index's cleaned text, the page holds the PDF's own lines: they differ by
whitespace and by where lines break (Chinese wraps anywhere, even inside a number). So the
passage is searched piece by piece with ``Page.search_for``: the longest piece that the page
holds from each point on, then the next piece from where it stopped. A piece found more than
once is taken where it continues the pieces before it. The hits are merged into one rectangle
a line. When too little of the passage is found, no rectangle is returned: a box drawn around
the wrong lines is worse than none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pymupdf

# MuPDF's default search flags include TEXT_DEHYPHENATE, which shifts hits after a line ending in a
# CJK character onto the wrong characters; whitespace is kept so a piece with a space still matches.
SEARCH_FLAGS = pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_PRESERVE_LIGATURES | pymupdf.TEXT_MEDIABOX_CLIP
# The share of the passage's characters that must be found on the page before boxes are drawn.
MIN_COVERAGE = 0.6
# A piece this short is common on any page: taken only close to the piece before it.
SHORT_PIECE = 4


@dataclass(frozen=True)
class Box:
    """One rectangle in PDF points (origin top left), as PyMuPDF gives it."""

    x0: float
    y0: float
    x1: float
    y1: float

    @classmethod
    def of(cls, rect: Any) -> Box:
        return cls(round(rect.x0, 2), round(rect.y0, 2), round(rect.x1, 2), round(rect.y1, 2))

    def rect(self) -> pymupdf.Rect:
        return pymupdf.Rect(self.x0, self.y0, self.x1, self.y1)


@dataclass(frozen=True)
class Located:
    """The passage's boxes on one page, and the share of its characters found there."""

    boxes: tuple[Box, ...]
    coverage: float

    @property
    def found(self) -> bool:
        return bool(self.boxes)


def _tokens(passage: str) -> list[str]:
    """The passage split at whitespace: a line break in the cleaned text need not be one on the page."""
    return [t for t in re.split(r"\s+", passage) if t]


def _after(hit: Any, previous: Any | None) -> float:
    """How far ``hit`` is from continuing ``previous`` in reading order (0: right after it)."""
    if previous is None:
        return hit.y0 * 1000 + hit.x0  # the first piece: the first occurrence on the page
    line = max(previous.height, 1.0)
    if abs(hit.y0 - previous.y0) < line / 2:  # the same line: to the right of it
        return abs(hit.x0 - previous.x1)
    lines_down = (hit.y0 - previous.y0) / line
    return 1e6 if lines_down < 0 else lines_down * 100 + hit.x0 / 10


def _longest_piece(page: Any, text: str, textpage: Any) -> tuple[int, list[Any]]:
    """The length of the longest start of ``text`` the page holds, and where it stands (0, [] if none)."""
    low, high, hits = 0, len(text), []
    while low < high:  # a start the page holds has every shorter start on the page too
        middle = (low + high + 1) // 2
        found = page.search_for(text[:middle], textpage=textpage, flags=SEARCH_FLAGS)
        if found:
            low, hits = middle, found
        else:
            high = middle - 1
    return low, hits


def _pieces(page: Any, passage: str, textpage: Any) -> tuple[list[Any], int]:
    """The rectangles of the passage's pieces in order, and how many characters they hold."""
    rects: list[Any] = []
    covered = 0
    previous = None
    for token in _tokens(passage):
        rest = token
        while rest:
            length, hits = _longest_piece(page, rest, textpage)
            if not length:
                rest = rest[1:]  # a character the page does not hold (cleaned away, or converted)
                continue
            hit = min(hits, key=lambda h: _after(h, previous))
            if length < SHORT_PIECE and previous is not None and _after(hit, previous) > 300:
                rest = rest[length:]  # a common short piece far away is someone else's text
                continue
            rects.append(hit)
            covered += length
            previous = hit
            rest = rest[length:]
    return rects, covered


def _merged(rects: list[Any]) -> tuple[Box, ...]:
    """One rectangle a line: hits whose vertical spans overlap by half a line are one line."""
    lines: list[Any] = []
    for rect in rects:
        for i, line in enumerate(lines):
            overlap = min(line.y1, rect.y1) - max(line.y0, rect.y0)
            if overlap > min(line.height, rect.height) / 2:
                lines[i] = line | rect
                break
        else:
            lines.append(pymupdf.Rect(rect))
    return tuple(Box.of(r) for r in sorted(lines, key=lambda r: (r.y0, r.x0)))


def locate(page: Any, passage: str) -> Located:
    """The passage's boxes on ``page`` (none when less than ``MIN_COVERAGE`` of it is found)."""
    wanted = sum(len(t) for t in _tokens(passage))
    if not wanted:
        return Located((), 0.0)
    textpage = page.get_textpage(flags=SEARCH_FLAGS)
    rects, covered = _pieces(page, passage, textpage)
    coverage = covered / wanted
    return Located(_merged(rects) if coverage >= MIN_COVERAGE else (), round(coverage, 3))


__all__ = ["Box", "Located", "MIN_COVERAGE", "locate"]
