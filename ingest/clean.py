"""Normalise text and repair what extraction broke.

Text handed over from PDFs keeps page-break splits ("意识形⏎⏎态工作"), Markdown
residue (``**粗体**``), full-width digits, spaces between numbers and units
("392.88 万次"), thousands separators ("2,911") and dates in Chinese numerals (二〇二三年). Figures must read the same
whichever way they were typed, so that search, figure extraction and answer
verification all see one form.
"""

from __future__ import annotations

import re

from .cn_dates import with_arabic_dates
from .loaders.layout import join_wrapped
from .outline import heading_level, looks_like_title
from .types import Block

_FULLWIDTH = str.maketrans(
    "０１２３４５６７８９％．＋－ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ\u3000\u00a0",
    "0123456789%.+-ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz  ",
)
_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef“”‘’—…·"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])[ \t]+|[ \t]+(?=[{_CJK}])")
_SPACE_BEFORE_PERCENT = re.compile(r"(?<=\d)[ \t]+(?=[%‰])")
_DECIMAL_SPLIT = re.compile(r"(?<=\d)[ \t]*\.[ \t]+(?=\d)|(?<=\d)[ \t]+\.(?=\d)")
_MARKDOWN = re.compile(r"\*\*|__|(?<!\S)[*_](?=\S)|(?<=\S)[*_](?!\S)|`")
_BULLET = re.compile(r"^\s*(?:[-*+•●▪]|>)\s+")
_MULTISPACE = re.compile(r"[ \t]{2,}")
# 4.1萬冊次, 12場: a number's magnitude and unit in traditional script, read as simplified whatever script the
# rest of the document is in (a simplified document may be typed with a few traditional forms)
_TRADITIONAL_UNITS = str.maketrans("萬億冊張個場種間項臺處條輛組", "万亿册张个场种间项台处条辆组")
_UNIT_AFTER_NUMBER = re.compile(
    r"(?<=\d)(?=\s*[萬億冊張個場種間項臺處條輛組])\s*[萬億]?\s*(?:冊次|場次|[冊張個場種間項臺處條輛組])?"
)
# 2,911 and 1，234，567: a head of one to three digits, then groups of exactly three after a comma. A list
# (1,2,3) or a run of years (2021,2022) has other groups and is left alone.
_THOUSANDS = re.compile(r"(?<![\d.])(?<!\d[,，])[1-9]\d{0,2}(?:[,，]\d{3})+(?!\d|[,，]\d)")

# A paragraph ending with one of these is complete; anything else was cut by a page break.
_TERMINAL = tuple("。！？；：…!?;:")
_CLOSING = "”’」』）)"


def normalize(text: str) -> str:
    """One canonical form for a line of text: half-width digits, no stray spaces."""
    text = text.translate(_FULLWIDTH)
    text = without_thousands_separators(with_arabic_dates(text))
    text = _UNIT_AFTER_NUMBER.sub(lambda m: m.group(0).translate(_TRADITIONAL_UNITS), text)
    text = _MARKDOWN.sub("", text)
    text = _BULLET.sub("", text)
    text = _SPACE_NEAR_CJK.sub("", text)
    text = _SPACE_BEFORE_PERCENT.sub("", text)
    text = _DECIMAL_SPLIT.sub(".", text)
    text = _MULTISPACE.sub(" ", text)
    return text.strip()


def without_thousands_separators(text: str) -> str:
    """'2,911' → '2911', '1，234，567' → '1234567'; '1,2,3' and '2021,2022' stay as they are."""
    return _THOUSANDS.sub(lambda m: re.sub(r"[,，]", "", m.group(0)), text)


def is_complete(text: str) -> bool:
    """Does the paragraph end where a sentence ends?"""
    if text.startswith(("（", "(")) and text.endswith(("）", ")")):
        return True  # a line in brackets, e.g. （数据截至2024年12月31日）
    stripped = text.rstrip(_CLOSING)
    return stripped.endswith(_TERMINAL)


def clean_blocks(blocks: list[Block]) -> list[Block]:
    """Normalise every block and rejoin paragraphs a page break split in two."""
    out: list[Block] = []
    title_seen = False
    for block in blocks:
        text = normalize(block.text)
        if not text:
            continue
        cells = tuple(
            (with_arabic_dates(h), without_thousands_separators(with_arabic_dates(v))) for h, v in block.cells
        )  # as the row's text reads
        current = Block(text, block.page, block.kind, block.page_end, block.level, block.table, block.label, cells)
        prev = out[-1] if out else None
        if prev is not None and _continues(prev, current, title_seen):
            prev.text = join_wrapped(prev.text, current.text)
            prev.page_end = current.page_end or current.page or prev.page_end
            continue
        if prev is not None:
            title_seen = True
        out.append(current)
    return out


def _continues(prev: Block, cur: Block, title_seen: bool) -> bool:
    if prev.kind != "text" or cur.kind != "text":
        return False
    if not title_seen and looks_like_title(prev.text):  # never glue the body onto the title
        return False
    if is_complete(prev.text) or heading_level(prev.text) is not None:
        return False
    if heading_level(cur.text) is not None or cur.text.startswith(("（", "(", "【", "[")):
        return False
    return True
