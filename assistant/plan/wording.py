"""What a plan item may say: a task or target for the coming year, never last year's result; the
framing of the 总体思路 taken from the documents' own opening sentences.
"""

from __future__ import annotations

import re

from ..passages import sentences

# A figure of a year or a count: a clause holding one reports, it does not frame.
_FIGURE = re.compile(r"\d{4}年|\d+(?:\.\d+)?\s*(?:万|亿|%|个|次|间|册|人|场|名|种|期|所|元|篇|条|家|项)")
# Words of a thing already achieved.
_ACHIEVED = re.compile(r"入选|荣获|获评|获得|被评为|评为|获批")
# A clause that opens with one of these states what was done (出台《…》 said of last year).
_DONE_VERB = re.compile(r"^(?:已|已经)?(?:出台|建成|上线|启用|完成|实现|获|入选|荣获|举办|开展了|发布)")
# Words of intent: a clause with one is a task or target even when it holds a figure.
_INTENT = re.compile(r"力争|争取|将|计划|拟|不少于|不低于|以上|达到|确保|要|提高|扩大|推进|推动|实施|建立|完善")
# Words of work that goes on: a 巩固提升 item names one.
_WORK = re.compile(r"推进|开展|组织|加强|落实|深化|完善|建设|推广|实施|服务")
_REPORT_OPENING = re.compile(r"^(?:年内|全年|截至|目前|现有|已有|其中|累计)")
_CLAUSE = re.compile(r"[^，；,;]+")


def clauses_of(sentence: str) -> list[str]:
    return [c.strip() for c in _CLAUSE.findall(sentence.rstrip("。；;")) if c.strip()]


def is_past_result(text: str) -> bool:
    """A statement of what a past year achieved ("年内在编人员41人，全年仅补充专业技术人员1名")."""
    parts = clauses_of(text)
    if not parts:
        return False
    reported = [
        c
        for c in parts
        if (_FIGURE.search(c) and not _INTENT.search(c) and _REPORT_OPENING.search(c)) or _ACHIEVED.search(c)
    ]
    return len(reported) * 2 >= len(parts) and not any(_INTENT.search(c) for c in parts if c not in reported)


def task_part(sentence: str) -> str:
    """The clauses of a summary sentence that name ongoing work, without its figures and its done deeds."""
    kept = []
    for c in clauses_of(re.sub(r"^[一二三四五六七八九十]是", "", sentence)):
        if _FIGURE.search(c) or _ACHIEVED.search(c) or _DONE_VERB.search(c) or re.search(r"\d", c):
            continue
        kept.append(c)
    text = "，".join(kept)
    return text if len(text) >= 8 and _WORK.search(text) else ""


def framing_clauses(sentence: str, org: str) -> list[str]:
    """The opening clauses of a framing sentence, up to the first that reports a figure or an honour."""
    text = re.sub(r"^\s*\d{4}年[，,]?", "", sentence.strip()).rstrip("。；;")
    out: list[str] = []
    for c in clauses_of(text):
        if _FIGURE.search(c) or _ACHIEVED.search(c) or re.match(r"^(?:在巩固|着力解决|现)", c):
            break
        for name in (org, "我馆", "本馆"):  # the subject is said once, by the draft
            c = c.removeprefix(name)
        if not out:
            c = re.sub(r"^(?:将|继续|要)+", "", c).strip()
        if len(c) >= 4:
            out.append(c)
    return out


def framing_sentence(texts: list[str]) -> str:
    """The first sentence of these passages that frames the year (not a 数据截至 note, not 现总结如下)."""
    for text in texts:
        for s in sentences(text):
            s = re.sub(r"^[（(][^）)]*[）)]", "", s).strip()  # a leading （数据截至…） note
            if re.search(r"如下[。：:]?$", s) or len(s) < 12:
                continue
            return s
    return ""


def bigrams(text: str) -> set[str]:
    han = re.sub(r"[^\u4e00-\u9fff]", "", text)
    return {han[k : k + 2] for k in range(len(han) - 1)}


def likeness(a: str, b: str) -> float:
    """How much of the shorter text the longer one repeats (shared character pairs)."""
    ga, gb = bigrams(a), bigrams(b)
    return len(ga & gb) / max(1, min(len(ga), len(gb)))
