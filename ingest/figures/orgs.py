"""The library a figure is of, when a sentence or a section names another library than the document's own."""

from __future__ import annotations

import re

from ..outline import heading_library, library_names
from ..types import Section

# 其中，某省图书馆开馆266天: a library named at the start of a clause is what the clause's figures are of.
_CLAUSE_OPENING = re.compile(
    r"(?:^|[，,。；;：:【】])\s*(?:其中|另外|此外|同时|而)?[，,]?\s*(?:(?:19|20)\d{2}年(?:度)?[，,]?)?\s*$"
)


def _section_library(section: Section | None, own: str) -> str:
    """A section headed by another library's name (2、某某文化中心图书馆): its figures are that library's."""
    name = heading_library(section.path[-1]) if section is not None and section.path else ""
    return name if name and name != own else ""


def _subject_library(before: str, own: str) -> str:
    """The library a sentence's figure is of, when the sentence opens a clause with another library's name."""
    before = before.rsplit("\n", 1)[-1]  # a heading line above is not the sentence
    names = [n for n in library_names(before) if "公共图书馆" not in n.name]
    if not names:
        return ""
    name = names[-1]
    at = before.rfind(name.name)
    # a report by all of a place's libraries (某市公共图书馆) is not by the one library of that place
    own_places = [n.place for n in library_names(own)] if own and "公共图书馆" not in own else []
    if (
        at < 0
        or not _CLAUSE_OPENING.search(before[:at])
        or name.name == own
        or any(p in name.place or name.place in p for p in own_places)
    ):
        return ""
    return name.name


# 【某某县图书馆】…: a yearbook entry headed by a library; its sentences (该馆…) are that library's
_ENTRY_HEAD = re.compile(r"^\s*【([\u4e00-\u9fff（）()]{2,24}?(?<!分)图书馆)】")


def _entry_library(paragraph: str, own: str) -> str:
    """The library a paragraph's 【…】 head names, when it is not the document's own."""
    m = _ENTRY_HEAD.match(paragraph)
    return m.group(1) if m and m.group(1) != own else ""
