"""The extractive composer: answers made of the documents' own sentences.

With no LLM, an answer is chosen, not written: the sentences that answer,
list items gathered from 一是…二是… or from a section's sub-headings, each
cited to the chunk it was taken from.
"""

from __future__ import annotations

import re

from index import SearchHit
from index.tokenize import tokenize

from .draft import Draft
from .query import Query

_SENTENCE = re.compile(r"[^。！？；]+[。！？；]?")
_ITEM = re.compile(r"([一二三四五六七八九十]是)")
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+[.、．])\s*")
_PROBLEM_HEADING = re.compile(r"困难|问题|不足|短板|挑战")
_PLAN_HEADING = re.compile(r"计划|重点|思路|打算|安排|任务")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text.replace("\n", "")) if s.strip()]


def enumerated_items(text: str) -> list[str]:
    """'一是强化理论武装，严格…；二是…' → ['强化理论武装', …]: the lead clause of each item."""
    parts = _ITEM.split(text.replace("\n", ""))
    items = []
    for marker, body in zip(parts[1::2], parts[2::2]):
        lead = re.split(r"[，,。；;：:]", body, maxsplit=1)[0].strip()
        if lead:
            items.append(lead)
    return items


def heading_label(heading: str) -> str:
    return _NUMBERING.sub("", heading).strip()


# Words every passage of a library shares: they say nothing about which passage answers.
_COMMON = {"图书馆", "青川", "青川区", "南海", "南海区", "全区", "本馆", "我馆", "工作", "年度", "全年", "开展", "情况"}


def _content_tokens(text: str) -> set[str]:
    return {t for t in tokenize(text) if t not in _COMMON and not t.isdigit()}


def _overlap(query_tokens: set[str], text: str) -> float:
    tokens = _content_tokens(text)
    score = len(query_tokens & tokens) / (len(query_tokens) or 1)
    return score if len(text) >= 12 else score * 0.3  # a signature line or a stray fragment


def answers_number(query: Query, draft: Draft) -> bool:
    """A number question answered from sentences needs a sentence with a number and the question's subject."""
    q_tokens = {t for t in _content_tokens(query.text) if len(t) >= 2}
    for st in draft.statements:
        if re.search(r"\d", st.text) and q_tokens & _content_tokens(st.text):
            return True
    return False


def best_sentences(query: Query, hits: list[SearchHit], limit: int = 2) -> Draft:
    """The sentences that share most with the question, from the best passages, in reading order."""
    q_tokens = _content_tokens(query.text)
    scored = []
    for rank, hit in enumerate(hits[:4]):
        for pos, sent in enumerate(sentences(hit.chunk.text)):
            score = _overlap(q_tokens, sent) + 0.3 / (rank + 1)
            if query.indicator and query.indicator in sent:
                score += 0.3
            scored.append((score, rank, pos, sent, hit.chunk.id))
    top = sorted(scored, key=lambda s: -s[0])[:limit]
    draft = Draft()
    for _, _, _, sent, chunk_id in sorted(top, key=lambda s: (s[1], s[2])):
        draft.add(sent, chunk_id, sent)
    return draft


def problems(query: Query, hits: list[SearchHit]) -> Draft | None:
    """The problems a summary names: the sub-headings of its 困难与问题 section."""
    relevant = [h for h in hits if any(_PROBLEM_HEADING.search(p) for p in h.chunk.heading_path)]
    if not relevant:
        return None
    doc_id = relevant[0].chunk.doc_id
    items: dict[str, str] = {}
    for hit in relevant:
        c = hit.chunk
        if c.doc_id != doc_id or len(c.heading_path) < 2:
            continue
        label = heading_label(c.heading_path[-1])
        items.setdefault(label, c.id)
    if not items:
        return None
    draft = Draft(intro="文档列出的困难和问题有：", as_list=True)
    for label, chunk_id in items.items():
        draft.add(label, chunk_id, label)
    return draft


def plan_items(query: Query, hits: list[SearchHit], all_plan_chunks) -> Draft | None:
    """A plan answered with its items: 一是…二是… of the best passage, else the plan's sub-headings."""
    plan_hits = [h for h in hits if h.chunk.period_kind == "plan"]
    if not plan_hits:
        return None
    top = plan_hits[0].chunk
    items = enumerated_items(top.text)
    specific = len(set(tokenize(query.text)) - {"计划", "工作", "重点", "明年", "年", "做", "哪些", "什么"}) > 2
    if items and specific:
        draft = Draft(intro=f"{' > '.join(heading_label(h) for h in top.heading_path[-1:])}：", as_list=True)
        for item in items:
            draft.add(item, top.id, item)
        return draft
    chunks = [c for c in all_plan_chunks(top.doc_id) if c.period_kind == "plan"]
    headings: dict[str, str] = {}
    for c in chunks:
        if len(c.heading_path) >= 2:
            headings.setdefault(heading_label(c.heading_path[-1]), c.id)
    if len(headings) >= 2 and not specific:
        draft = Draft(intro="计划的重点工作有：", as_list=True)
        for label, chunk_id in headings.items():
            draft.add(label, chunk_id, label)
        return draft
    if items:
        draft = Draft(as_list=True)
        for item in items:
            draft.add(item, top.id, item)
        return draft
    return None


def list_items(query: Query, hits: list[SearchHit]) -> Draft | None:
    for hit in hits[:3]:
        items = enumerated_items(hit.chunk.text)
        if len(items) >= 2:
            draft = Draft(as_list=True)
            for item in items:
                draft.add(item, hit.chunk.id, item)
            return draft
    return None
