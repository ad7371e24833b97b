"""The drafter's Markdown (or a hand-edited copy of it) as paragraph-level blocks and inline runs.

Anything not recognised becomes an ordinary body paragraph: an edited plan must always export.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# --- Markdown -------------------------------------------------------------------------------

_HEADING = re.compile(r"^(#{1,6})\s*([^#\s].*?)\s*#*\s*$")
_FENCE = re.compile(r"^(```|~~~)")
_RULE = re.compile(r"^(?:-\s*){3,}$|^(?:\*\s*){3,}$|^(?:_\s*){3,}$")
_BULLET = re.compile(r"^[-*+•]\s+")
_TABLE_SEPARATOR = re.compile(r"^\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?$")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
# One or more adjacent citation marks: [3], [1][4], [2,5], [1-3]. At most three digits, so a
# bracketed year such as [2025] stays ordinary text.
_CITATIONS = re.compile(r"(?:\[\d{1,3}(?:\s*[,，、\-–]\s*\d{1,3})*\])+")
LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+[.、．]\s*)")
_SOURCES_TITLES = ("参考来源", "参考资料", "参考文献", "引用来源", "资料来源", "来源与依据")


@dataclass
class Block:
    """One paragraph-level piece of the plan, in reading order.

    kind is "title", "heading" (level 1-3), "body", "note", "source" or "table" (rows, the first
    one the header, and per-column alignment "left"/"center"/"right").
    """

    kind: str
    text: str = ""
    level: int = 0
    rows: list[list[str]] = field(default_factory=list)
    aligns: list[str] = field(default_factory=list)


def _is_sources_heading(text: str) -> bool:
    bare = _NUMBERING.sub("", _BOLD.sub(r"\1", text)).strip()
    return any(t in bare for t in _SOURCES_TITLES) or bare in ("来源", "出处")


def _split_row(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    return [cell.strip().replace("\\|", "|") for cell in _CELL_SPLIT.split(line)]


def _column_align(spec: str) -> str:
    spec = spec.strip()
    if spec.startswith(":") and spec.endswith(":"):
        return "center"
    if spec.endswith(":"):
        return "right"
    return "left"


def _clean_line(raw: str) -> str:
    # A byte-order mark or a non-breaking space pasted from another editor must not hide a "#".
    line = raw.replace("\ufeff", "").replace("\u00a0", " ").strip()
    # Markdown hard-break markers mean nothing once every line is its own paragraph.
    return line[:-1].rstrip() if line.endswith("\\") else line


def parse_plan_markdown(markdown: str) -> list[Block]:
    """The plan's blocks. Never raises: whatever is not recognised is a body paragraph.

    Every non-blank line is its own paragraph (unlike CommonMark, which joins consecutive
    lines): people editing a plan press Enter once to start a new paragraph, and nobody
    hard-wraps Chinese prose, so joining would merge paragraphs they meant to keep apart.
    """
    lines = (markdown or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[Block] = []
    in_sources = False
    i = 0
    while i < len(lines):
        line = _clean_line(lines[i])
        i += 1
        # Fences appear when a model wraps its whole answer in ```markdown; the content counts.
        if not line or _FENCE.match(line) or _RULE.match(line):
            continue
        m = _HEADING.match(line)
        if m:
            text = _BOLD.sub(r"\1", m.group(2)).replace("**", "").strip()
            level = len(m.group(1))
            if level == 1:
                blocks.append(Block("title", text))
                in_sources = False
            else:
                blocks.append(Block("heading", text, level=min(level - 1, 3)))
                in_sources = _is_sources_heading(text)
            continue
        if "|" in line and i < len(lines):
            separator = _clean_line(lines[i])
            if "|" in separator and "-" in separator and _TABLE_SEPARATOR.match(separator):
                rows = [_split_row(line)]
                aligns = [_column_align(s) for s in _split_row(separator)]
                i += 1
                while i < len(lines):
                    row = _clean_line(lines[i])
                    if not row or "|" not in row or _HEADING.match(row):
                        break
                    rows.append(_split_row(row))
                    i += 1
                # A row with more cells than the header widens the table rather than losing text.
                width = max(len(r) for r in rows)
                rows = [r + [""] * (width - len(r)) for r in rows]
                aligns = (aligns + ["left"] * width)[:width]
                blocks.append(Block("table", rows=rows, aligns=aligns))
                continue
        if line.startswith(">"):
            text = line.lstrip("> \t")
            if text:
                blocks.append(Block("note", text))
            continue
        text = _BULLET.sub("", line)
        if not text:
            continue
        blocks.append(Block("source" if in_sources else "body", text))
    return blocks


def inline_runs(text: str, citations: bool = True) -> list[tuple[str, bool, bool]]:
    """(text, bold, superscript) runs for one line."""
    pieces: list[tuple[str, bool]] = []
    pos = 0
    for m in _BOLD.finditer(text):
        pieces.append((text[pos : m.start()], False))
        pieces.append((m.group(1), True))
        pos = m.end()
    pieces.append((text[pos:], False))
    runs: list[tuple[str, bool, bool]] = []
    for piece, bold in pieces:
        # A "**" left unpaired by an edit would print as two asterisks; drop it instead.
        piece = piece.replace("**", "")
        pos = 0
        for m in _CITATIONS.finditer(piece) if citations else ():
            runs.append((piece[pos : m.start()], bold, False))
            runs.append((m.group(0), bold, True))
            pos = m.end()
        runs.append((piece[pos:], bold, False))
    return [r for r in runs if r[0]]


def plain(text: str) -> str:
    return _CITATIONS.sub("", _BOLD.sub(r"\1", text)).replace("**", "").strip()


def plan_title(blocks: list[Block]) -> str:
    for kind in ("title", "heading"):
        for block in blocks:
            if block.kind == kind and plain(block.text):
                return plain(block.text)
    return "工作计划"
