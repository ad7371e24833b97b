"""The Markdown-like sources of the docx and pdf documents, read into a list of items.

Convention: ``% `` title line, ``# `` heading 1, ``## `` heading 2, ``### `` heading 3, a fenced
block opened by a line ```` ```table ```` holds a table (cells separated by ``|``, first row is the
header), any other non-blank line is a body paragraph.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class Item:
    kind: str  # "title" | "heading" | "para" | "table"
    text: str = ""
    level: int = 0
    rows: list[list[str]] | None = None


def parse_source(path: Path) -> list[Item]:
    items: list[Item] = []
    table: list[list[str]] | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if table is not None:
            if line.startswith("```"):
                items.append(Item("table", rows=table))
                table = None
            elif line:
                table.append([c.strip() for c in line.split("|")])
            continue
        if not line:
            continue
        if line.startswith("```table"):
            table = []
        elif line.startswith("% "):
            items.append(Item("title", line[2:].strip()))
        elif line.startswith("#"):
            hashes, _, rest = line.partition(" ")
            items.append(Item("heading", rest.strip(), level=len(hashes)))
        else:
            items.append(Item("para", line))
    if table is not None:
        raise ValueError(f"{path.name}: unterminated table block")
    return items


def is_as_of_line(text: str) -> bool:
    """The centred line under a title that says when the figures were counted."""
    return text.startswith("（") and "数据截至" in text[:8]
