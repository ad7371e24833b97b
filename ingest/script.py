"""Traditional-script documents are read as simplified Chinese.

Questions, indicator names and every rule downstream are written in simplified characters, so a
document typed in traditional characters (圖書館進館人數) would match none of them. A document is
converted whole, with OpenCC's traditional-to-simplified table, when a clear share of its Han
characters are traditional forms; a simplified document that quotes one traditional name is left as
it was written.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from functools import cache
from threading import Lock
from typing import Any

from .types import Block

# Share of a document's Han characters that must be traditional forms before it is converted.
TRADITIONAL_SHARE = 0.10

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LOCK = Lock()


@cache
def _converter() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def _convert(text: str) -> str:
    with _LOCK:  # one converter is shared by every ingest thread
        return str(_converter().convert(text))


def traditional_share(text: str) -> float:
    """The share of the text's Han characters that the traditional-to-simplified table changes."""
    counts = Counter(_HAN.findall(text))
    if not counts:
        return 0.0
    chars = list(counts)
    converted = _convert("\n".join(chars)).split("\n")  # one character per line: no phrase spans two
    changed = sum(counts[c] for c, s in zip(chars, converted, strict=True) if s != c)
    return changed / sum(counts.values())


def is_traditional(text: str) -> bool:
    return traditional_share(text) >= TRADITIONAL_SHARE


def to_simplified(text: str) -> str:
    """The text in simplified characters when it is written in traditional ones; otherwise unchanged."""
    return _convert(text) if is_traditional(text) else text


def simplified_blocks(blocks: list[Block]) -> list[Block]:
    """A document's blocks in simplified characters, when the document as a whole is traditional.

    The decision is the document's, not each block's: a short line of shared characters is converted
    with the rest, and a simplified document keeps its quoted traditional names.
    """
    whole = "\n".join(b.text for b in blocks)
    if not is_traditional(whole):
        return blocks
    return [
        replace(
            b,
            text=_convert(b.text),
            table=_convert(b.table) if b.table else b.table,
            label=_convert(b.label),
            cells=tuple((_convert(h), _convert(v)) for h, v in b.cells),
        )
        for b in blocks
    ]
