"""How much two passages are about the same thing: shared words, shared names, shared topics."""

from __future__ import annotations

import re
from functools import lru_cache

from ..extractive import content_tokens

_QUOTED = re.compile(r"[“《\"]([^”》\"]{2,20})[”》\"]")
# Words every plan uses, whatever it is about.
_GENERIC = {
    "推进",
    "加强",
    "开展",
    "持续",
    "进一步",
    "推动",
    "提升",
    "深化",
    "建设",
    "服务",
    "全年",
    "年内",
    "积极",
    "不少",
    "少于",
    "不少于",
    "实现",
    "完成",
    "工作",
    "组织",
    "重点",
    "力争",
    "达到",
    "坚持",
}


@lru_cache(maxsize=4096)
def words(text: str) -> frozenset[str]:
    return frozenset(t for t in content_tokens(text) if len(t) >= 2 and t not in _GENERIC)


def names(text: str) -> set[str]:
    return set(_QUOTED.findall(text))


def overlap(a: str, b: str) -> float:
    """The share of ``a``'s words (weighted by length) that ``b`` uses."""
    wa, wb = words(a), words(b)
    if not wa:
        return 0.0
    return sum(len(t) for t in wa & wb) / sum(len(t) for t in wa)


def shared_names(a: str, b: str) -> set[str]:
    """Quoted names (“…”, 《…》) one passage gives and the other uses."""
    return {n for n in names(a) if n in b} | {n for n in names(b) if n in a}
