"""How a document says a figure was counted (its 口径), to show beside a value another document states
differently.

A yearbook counts a library's loans with its branches, a summary without them; both are right in
their own terms. A librarian reading two values looks for the words that say what each one covers:
a bracket right after the figure (（含分馆）), a note under the table (注：…), or a sentence naming the
口径 or the 统计范围. Those words are quoted as the document gives them; none are made up.
"""

from __future__ import annotations

import re

# Words that say what a figure covers or how it was counted.
_COVERS = re.compile(
    r"口径|统计范围|统计标准|统计方法|统计时段|不含|不包括|未含|未计入|含|包括|包含|计入|按.{1,12}统计"
)
_BRACKET = re.compile(r"\s*[（(]([^（）()]{2,40})[）)]")
_NOTE = re.compile(r"(?:^|\n)\s*(?:注|说明|备注)\s*[0-9０-９]*\s*[:：]\s*([^\n]+)")
_SENTENCE = re.compile(r"[^。；;\n]+[。；;]?")
_LIMIT = 60


def stated_basis(stated: str, quote: str, passage: str = "", names: tuple[str, ...] = ()) -> str:
    """The words a document gives for how a figure was counted, or "" when it gives none. A note or
    sentence of the passage counts only when it names the figure (one of ``names``)."""
    at = quote.find(stated)
    if at >= 0:
        bracket = _BRACKET.match(quote, at + len(stated))
        if bracket and _COVERS.search(bracket.group(1)):
            return bracket.group(1).strip()[:_LIMIT]
        # 全县图书馆（含乡镇分馆）总流通人次36.4万人次: an aside in the figure's own clause, before its number
        clause = re.split(r"[，,。；;：:]", quote[:at])[-1]
        aside = [b.group(1) for b in _BRACKET.finditer(clause) if _COVERS.search(b.group(1))]
        if aside:
            return aside[-1].strip()[:_LIMIT]
    for note in _NOTE.finditer(passage):
        if _COVERS.search(note.group(1)) and _names(note.group(1), names):
            return note.group(1).strip().rstrip("。")[:_LIMIT]
    for sentence in _SENTENCE.findall(passage):
        if re.search(r"口径|统计范围", sentence) and _names(sentence, names):
            return sentence.strip().lstrip("①②③④⑤⑥⑦⑧⑨⑩").rstrip("。；;")[:_LIMIT]
    return ""


def _names(text: str, names: tuple[str, ...]) -> bool:
    """The text names the figure: it holds one of its names, or two characters running of one."""
    return any(n[i : i + 2] in text for n in names for i in range(max(1, len(n) - 1)))


__all__ = ["stated_basis"]
