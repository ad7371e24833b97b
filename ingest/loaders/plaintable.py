"""Tables written as plain text: Markdown pipes, tab-separated and space-aligned columns.

A table in a .txt or .md file is read like a DOCX or XLSX table: its rows
become ``table_row`` blocks through the same ``rows.table_row`` path, so
figures are read from cells with their column headers, not guessed from prose.

Space-aligned tables are only taken as tables when their shape says so: a
header whose trailing cells are years (``项目  2016 2017 2018``) and rows
ending in as many numbers, or at least three columns that line up over
several rows. Lines between rows that are not rows (a translated label under
each row, a note) stay ordinary text.
"""

from __future__ import annotations

import re

from ..types import Block
from .rows import table_row

# Pipes at both ends, or at least two pipes inside (leading and trailing pipes are optional in Markdown).
_MD_ROW = re.compile(r"^\|.*\|$|^[^|]+(?:\|[^|]*){2,}$")
_MD_RULE = re.compile(r"^\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?$")
_WIDE_GAP = re.compile(r"\t|\s{2,}|\u3000+")
_NUMBER = re.compile(r"^[+-]?\d[\d,]*(?:\.\d+)?%?$|^[-—–…]$")
_YEAR = re.compile(r"^(?:19|20)\d{2}\s*年?(?:度|末|底)?$")
_SENTENCE = re.compile(r"[。；！？]")
_CAPTION_MAX = 40


def _md_cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _cells(line: str) -> list[str]:
    """Cells of a tab- or space-aligned line; a run of numbers with single spaces is split too.

    ``项目  Item 2016 2017`` → ['项目', 'Item', '2016', '2017'].
    """
    out: list[str] = []
    for part in _WIDE_GAP.split(line.strip()):
        part = part.strip()
        if not part:
            continue
        tokens = part.split(" ")
        tail = 0
        while tail < len(tokens) and (_NUMBER.match(tokens[-1 - tail]) or _YEAR.match(tokens[-1 - tail])):
            tail += 1
        if (tail >= 1 and tail < len(tokens)) or tail == len(tokens) > 1:
            head = " ".join(tokens[: len(tokens) - tail]).strip()
            out += ([head] if head else []) + tokens[len(tokens) - tail :]
        else:
            out.append(part)
    return out


def _numeric_tail(cells: list[str]) -> int:
    n = 0
    while n < len(cells) and _NUMBER.match(cells[-1 - n]):
        n += 1
    return n


def _year_tail(cells: list[str]) -> int:
    n = 0
    while n < len(cells) and _YEAR.match(cells[-1 - n]):
        n += 1
    return n


def _caption(lines: list[str], at: int) -> str | None:
    """The table's name: a short line right above the header that is not a sentence."""
    for back in range(at - 1, max(-1, at - 3), -1):
        text = lines[back].strip().lstrip("#").strip()
        if not text:
            continue
        if len(text) <= _CAPTION_MAX and not _SENTENCE.search(text) and re.search(r"[\u4e00-\u9fff]", text):
            return text
    return None


def find_tables(lines: list[str]) -> dict[int, Block | None]:
    """Line index → the block that replaces it: a table row, or ``None`` for a line to drop.

    Lines not in the mapping are read as ordinary text.
    """
    out: dict[int, Block | None] = {}
    i = 0
    while i < len(lines):
        consumed = _markdown(lines, i, out) or _delimited(lines, i, out) or _year_columns(lines, i, out)
        i = consumed if consumed else i + 1
    return out


def _markdown(lines: list[str], i: int, out: dict[int, Block | None]) -> int:
    if not _MD_ROW.match(lines[i].strip()):
        return 0
    j = i
    while j < len(lines) and _MD_ROW.match(lines[j].strip()):
        j += 1
    if j - i < 2:
        return 0
    header = _md_cells(lines[i])
    caption = _caption(lines, i)
    out[i] = None
    for k in range(i + 1, j):
        if _MD_RULE.match(lines[k].strip()):
            out[k] = None
            continue
        out[k] = table_row(header, _md_cells(lines[k]), caption)
    return j


def _delimited(lines: list[str], i: int, out: dict[int, Block | None]) -> int:
    """Tab-separated, or space-aligned with at least three columns, over at least two rows."""
    header = _cells(lines[i]) if lines[i].strip() else []
    if len(header) < 3 or _year_tail(header) >= 2 or _SENTENCE.search(lines[i]):
        return 0
    j = i + 1
    while (
        j < len(lines) and lines[j].strip() and len(_cells(lines[j])) == len(header) and not _SENTENCE.search(lines[j])
    ):
        j += 1
    rows = [_cells(lines[k]) for k in range(i + 1, j)]
    if len(rows) < 2 or not any(_NUMBER.match(c) for r in rows for c in r):
        return 0
    caption = _caption(lines, i)
    out[i] = None
    for k, row in zip(range(i + 1, j), rows):
        out[k] = table_row(header, row, caption)
    return j


def _year_columns(lines: list[str], i: int, out: dict[int, Block | None]) -> int:
    """A header ending in years (``指标 2022 2023``) and rows ending in as many numbers."""
    header = _cells(lines[i]) if lines[i].strip() else []
    years = _year_tail(header)
    if years < 2 or _SENTENCE.search(lines[i]):
        return 0
    label_header = " ".join(header[: len(header) - years])
    year_cells = header[len(header) - years :]
    rows: dict[int, list[str]] = {}
    j, gap = i + 1, 0
    while j < len(lines) and gap <= 2:
        cells = _cells(lines[j]) if lines[j].strip() else []
        if cells and _numeric_tail(cells) == years and len(cells) > years:
            label = " ".join(cells[: len(cells) - years]).lstrip("#*").strip()  # 其中 marks in yearbooks
            rows[j] = [label] + cells[len(cells) - years :]
            gap = 0
        elif cells and (_SENTENCE.search(lines[j]) or len(lines[j].strip()) > 120):
            break
        else:
            gap += 1
        j += 1
    if not rows:
        return 0
    caption = _caption(lines, i)
    out[i] = None
    for k, row in rows.items():
        out[k] = table_row([label_header] + year_cells, row, caption)
    return max(rows) + 1
