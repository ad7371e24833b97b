"""The clean copy of a plan (清稿), for submission: the annotated draft without its working marks.

From the drafter's Markdown, or a hand-edited copy of it: no notes to the author (``>`` lines), no
⚠ flags and no 请核实 items, no [n] marks inline, no 推算 / 延续 / 回升措施 labels, no table of
last year's items; the 参考来源 become a numbered 资料来源 list at the end, and items are numbered
anew where some were left out.
"""

from __future__ import annotations

import re
from datetime import datetime

from .markdown import _CITATIONS

SOURCES_HEADING = "资料来源"
_SOURCES = re.compile(r"^#{2,6}\s*(?:[一二三四五六七八九十]+、)?\s*(?:参考来源|参考资料|资料来源|引用来源)\s*$")
_ANNEX = re.compile(r"^#{2,6}\s*附[：:]")
_HEADING = re.compile(r"^#{1,6}\s")
_ITEM = re.compile(r"^(\d+)\.\s+")
_SOURCE_ENTRY = re.compile(r"^\[(\d{1,3})\]\s*")
# Working labels: what the drafter tells the author, not what the plan says.
_LABELS = re.compile(r"\*\*（延续）\*\*|（延续）|（回升措施）|（推算[^）]*）|（\d{4}年计划已提出）|（待核实）|（草稿）")


def _clean_line(line: str) -> str:
    if "⚠" in line:
        line = line.split("⚠", 1)[0].rstrip()
    line = _CITATIONS.sub("", line)
    line = _LABELS.sub("", line)
    line = re.sub(r"\s*→\s*", "，", line)
    return re.sub(r"[ \t]+$", "", line)


def clean_markdown(markdown: str) -> str:
    """The plan's Markdown as a clean copy: the same text, without the drafter's working marks."""
    out: list[str] = []
    sources: list[str] = []
    mode = "body"  # body | annex | sources
    number = 0
    for raw in (markdown or "").replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if _HEADING.match(line):
            number = 0
            if _SOURCES.match(line):
                mode = "sources"
                continue
            if _ANNEX.match(line):
                mode = "annex"
                continue
            mode = "body"
            out.append(_clean_line(line))
            continue
        if mode == "annex" or line.startswith(">"):
            continue
        if mode == "sources":
            entry = _SOURCE_ENTRY.sub("", line).strip()
            if entry and entry not in sources:
                sources.append(entry)
            continue
        if "⚠" in line and ("请核实" in line or line.lstrip("0123456789. ").startswith("⚠")):
            continue  # an item that only asks the author to check something
        item = _ITEM.match(line)
        text = _clean_line(_ITEM.sub("", line) if item else line)
        if item:
            if not text.strip():
                continue
            number += 1
            text = f"{number}. {text}"
        out.append(text)
    if sources:
        out += ["", f"## {SOURCES_HEADING}", ""] + [f"{k}. {s}" for k, s in enumerate(sources, start=1)]
    text = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def markdown_to_clean_docx(markdown: str, *, created: datetime | None = None) -> bytes:
    """The clean copy as .docx bytes (same styles as the annotated draft)."""
    from . import markdown_to_docx

    return markdown_to_docx(clean_markdown(markdown), created=created)
