"""A part of the year a number question asks about (头一个月, 上半年, 一季度, 暑期, 开馆当天): a figure of the
whole year, or of one day, does not answer it; only a sentence that names that part does."""

from __future__ import annotations

import re

# Each part of a year a question may name, with the ways documents write it.
_PARTS: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (re.compile(asked), re.compile(written))
    for asked, written in (
        (
            r"(?:头|第)一个月|首月|一个月内|开放后[^，,？?]{0,2}一个月",
            r"(?:头|第|首)一?个?月|一个月(?:内|来|里|以来|中)|\d{1,2}\s*月(?:份)?(?:[共计全]|累计|当月)",
        ),
        (r"头(?:两|三|几)个月|前(?:两|三|几)个月", r"[前头](?:两|三|几|\d)个月|\d{1,2}\s*[—\-–至到]\s*\d{1,2}\s*月"),
        (r"上半年", r"上半年|1\s*[—\-–至到]\s*6\s*月|一至六月"),
        (r"下半年", r"下半年|7\s*[—\-–至到]\s*12\s*月|七至十二月"),
        (r"[一二三四1-4]\s*季度", r"季度|\d{1,2}\s*[—\-–至到]\s*\d{1,2}\s*月"),
        (r"暑期|暑假", r"暑期|暑假|7\s*[—\-–至到]\s*8\s*月"),
        (r"寒假", r"寒假"),
        (r"春节期间|春节假期", r"春节"),
        (r"国庆期间|国庆假期|国庆(?:节)?七天", r"国庆"),
        (r"(?:头|第)一(?:周|个星期)|首周", r"(?:头|第|首)一?(?:周|个星期)|一周(?:内|来)"),
        (r"(?<!每)(?:当天|那天|那一天|首日|头一天|第一天)", r"当天|当日|首日|那天|头一天|第一天"),
    )
)


def part_of_year_asked(question: str) -> re.Pattern[str] | None:
    """How documents write the part of the year the question asks about; None when it asks of no part."""
    for asked, written in _PARTS:
        if asked.search(question):
            return written
    return None


def names_part(written: re.Pattern[str], texts: list[str]) -> bool:
    return any(written.search(re.sub(r"\s+", "", t)) for t in texts)
