"""The extractive composer: answers made of the documents' own sentences.

With no LLM, an answer is chosen, not written: the sentences that answer,
list items gathered from 一是…二是… or from a section's sub-headings, each
cited to the chunk it was taken from.
"""

from __future__ import annotations

import re

from index import SearchHit
from index.tokenize import tokenize
from ingest.outline import library_names

from . import counting
from .counting import ASKED_MEASURE, ASKS_MONEY, STATES_MONEY, counts_in
from .evidence import with_arabic_counts, without_numbers
from .passages import (
    ITEM_MARK,
    before_numbered,
    chunk_for,
    enumerated_items_full,
    heading_label,
    section_text,
    sentences,
)
from .query import Query
from .relevance import Relevance, introduces, units
from .statements import Draft

_PROBLEM_HEADING = re.compile(r"困难|问题|不足|短板|挑战")
_PLAN_HEADING = re.compile(r"计划|重点|思路|打算|安排|任务")


# Words every passage of a library shares: they say nothing about which passage answers.
_COMMON = {
    "图书馆",
    "图书",
    "书馆",
    "馆",
    "区",
    "全区",
    "全市",
    "全县",
    "本馆",
    "我馆",
    "工作",
    "年度",
    "全年",
    "开展",
    "情况",
    "一年",
    "今年",
    "去年",
    "明年",
    "前年",
}


def asked_text(query: Query) -> str:
    """The question without the libraries it names."""
    return _asked(query)


def _asked(query: Query, text: str | None = None) -> str:
    """The question without the libraries it names: every passage of that library names it too."""
    text = query.text if text is None else text
    names = [*query.orgs, *([query.org] if query.org else [])]
    for name in library_names(" ".join([text, *names])):
        for form in sorted({*name.forms(), name.place, name.short} - {""}, key=len, reverse=True):
            text = text.replace(form, " ")
    for org in names:
        text = text.replace(org, " ")
    return text


def content_tokens(text: str) -> set[str]:
    return {t for t in tokenize(text) if t not in _COMMON and not t.isdigit()}


def _overlap(query_tokens: set[str], text: str) -> float:
    tokens = content_tokens(text)
    score = len(query_tokens & tokens) / (len(query_tokens) or 1)
    return score if len(text) >= 12 else score * 0.3  # a signature line or a stray fragment


def answers_number(query: Query, draft: Draft, relevance: Relevance | None = None) -> bool:
    """A number question answered from sentences needs a sentence with a number and the question's subject."""
    q_tokens = {t for t in content_tokens(_asked(query)) if len(t) >= 2}
    names = aliases_of(query.indicator) if query.indicator else ()
    counted = counting.counted_after(query.text)
    for st in draft.statements:
        if not re.search(r"\d", with_arabic_counts(st.text)) or not q_tokens & content_tokens(st.text):
            continue
        if not counting.counts_as_asked(query.text, st.text):
            continue  # 多少家 is answered by a count of 家 (or 个, 所), not by the sentence's other numbers
        if ASKS_MONEY.search(query.text) and not STATES_MONEY.search(st.text):
            continue  # 花了多少经费 is answered by an amount in 元, not by how many events there were
        if names and not any(n in st.text or n in without_numbers(st.text) for n in names + (counted,) if n):
            continue  # the question names a figure this sentence does not state (多少张老照片: 老照片420张 states it)
        if relevance is not None and asks_quantity(query) and not relevance.states_number(st.text):
            continue  # 很少的公共预算, 158名员工: a number, but not one of what was asked
        return True
    return False


def aliases_of(indicator: str) -> tuple[str, ...]:
    from ingest import load_indicators

    ind = load_indicators().get(indicator)
    return (indicator, *ind.aliases) if ind else (indicator,)


def best_sentences(query: Query, hits: list[SearchHit], relevance: Relevance | None = None, limit: int = 3) -> Draft:
    """The sentences that hold most of what the question asks about, from the best passages, in reading order.

    With a `Relevance` the question's words count by their rarity; without one, by plain overlap.
    A sentence that announces a list (…如下：) brings the lines that follow it.
    """
    q_tokens = content_tokens(_asked(query))
    wants_number = bool(_NUMBER_WORDS.search(query.text))
    measure = ASKED_MEASURE.search(query.text)
    counted = counting.counted_words(query.text) if wants_number else ""
    wants_date = asks_date(query)
    scored = []
    pool = _in_years(hits, query)[:6]
    headings_seen: set[str] = set()
    seen_units: set[str] = set()
    for rank, hit in enumerate(pool):
        # A passage's heading that states a figure is a unit too: （一）某系列活动（共8项） holds the count
        # its items do not.
        heading = hit.chunk.heading_path[-1] if hit.chunk.heading_path else ""
        own = [(-1, heading)] if re.search(r"\d", heading) and heading not in headings_seen else []
        headings_seen.add(heading)
        for pos, sent in [*own, *enumerate(units(hit.chunk.text))]:
            if relevance is not None:
                score = relevance.unit_share(sent) * (1.0 if len(sent) >= 8 else 0.5) + 0.1 / (rank + 1)
                if len(sent) > _LONG_UNIT:  # a run-on unit (a table flattened into one line) holds words by its size
                    score *= (_LONG_UNIT / len(sent)) ** 0.5
                if wants_number and _STATES_QUANTITY.search(with_arabic_counts(sent)):
                    score += 0.15
                if measure and counts_in(measure.group(1), sent):
                    score += 0.15  # 有几座 is answered by a count of 座
                if counted and re.search(rf"{re.escape(counted)}[^\d。；;]{{0,2}}\d", sent):
                    score += 0.3  # 线上活动有多少场: the sentence that gives 线上活动 its own number
                if wants_date and _FULL_DATE.search(sent):
                    score += 0.15
            else:
                score = _overlap(q_tokens, sent) + 0.3 / (rank + 1)
            if query.indicator and query.indicator in sent:
                score += 0.3
            key = re.sub(r"\s+", "", sent)
            if key in seen_units:
                continue  # chunks overlap by a sentence: the same sentence twice takes one place
            seen_units.add(key)
            scored.append((score, rank, pos, sent, hit.chunk.id))
    if not scored:
        return Draft()
    ranked = sorted(scored, key=lambda s: -s[0])
    best = ranked[0][0]
    top = [s for s in ranked[:limit] if relevance is None or s[0] >= best * _KEEP_SHARE]
    chosen = {(s[1], s[2]) for s in top}
    if relevance is not None:  # a list's lead-in brings its items
        for _, rank, pos, sent, _ in list(top):
            if pos < 0:
                continue
            following = units(pool[rank].chunk.text)[pos + 1 : pos + 9]
            if introduces(sent):
                chosen |= {(rank, pos + 1 + i) for i in range(len(following))}
            elif following and _FIRST_POINT.match(following[0]):
                # …存在显著短板。一是…；二是…；三是…: the points that follow a statement spell it out
                count = next((i for i, f in enumerate(following) if i and not _NEXT_POINT.match(f)), len(following))
                chosen |= {(rank, pos + 1 + i) for i in range(count)}
    draft = Draft()
    by_key = {(s[1], s[2]): s for s in scored}
    for at in sorted(chosen):
        if at not in by_key:
            continue  # a list item already said from the passage before
        _, _, _, sent, chunk_id = by_key[at]
        draft.add(sent, chunk_id, sent)
    return draft


_FIRST_POINT = re.compile(r"^(?:一是|其一|首先|第一[，,、是])")
_NEXT_POINT = re.compile(
    r"^(?:[二三四五六七八九十]是|其[二三四五六七八九十]|其次|再次|此外|最后|第[二三四五六七八九十][，,、是])"
)
_DATE_QUESTION = re.compile(r"哪天|哪一天|什么时候|何时|几月几[日号]|哪个月|几号|什么日子")
# 2013年2月20日, 2013-2-20, 2013.2.20, 2013/2/20, 二○一四年十二月二十三日: the ways a date is signed
_DATE = re.compile(
    r"(?:19|20)\d{2}\s*年|\d{1,2}\s*月|\d{1,2}\s*[日号]|(?:19|20)\d{2}[-./]\d{1,2}[-./]\d{1,2}"
    r"|[〇○零一二三四五六七八九]{4}\s*年|[一二三四五六七八九十]{1,3}\s*月[一二三四五六七八九十]{1,3}\s*[日号]"
)


# A day named in full: a month with its day, or a signed date (2013.2.20)
_FULL_DATE = re.compile(
    r"\d{1,2}\s*月\s*\d{1,2}\s*[日号]|(?:19|20)\d{2}[-./]\d{1,2}[-./]\d{1,2}"
    r"|[一二三四五六七八九十]{1,3}\s*月[一二三四五六七八九十]{1,3}\s*[日号]"
)


def asks_date(query: Query) -> bool:
    """哪天, 什么时候: a date is asked for."""
    return bool(_DATE_QUESTION.search(query.text))


def states_date(draft: Draft, relevance: Relevance | None = None) -> bool:
    """A sentence gives a date, and (with ``relevance``) holds at least half of what the question is about:
    5月20日，某镇分馆挂牌 does not date the 城东分馆 asked about."""
    said = [st.text for st in draft.statements if relevance is None or relevance.share(st.text) >= 0.5]
    return any(_DATE.search(text) for text in said)


def asks_quantity(query: Query) -> bool:
    """多少, 几个, 多大: a quantity is asked for (not a date)."""
    return bool(_NUMBER_WORDS.search(query.text))


# Beyond this length a unit is seldom one sentence: its share of the question's words is discounted.
_LONG_UNIT = 150
# A sentence far weaker than the best one is noise beside it (it shares the library's name, not the subject).
_KEEP_SHARE = 0.3
_NUMBER_WORDS = re.compile(
    r"多少|(?<!哪)几[个间家所名次场期篇条位项种天年人辆台]|多大|多高|多长|多久"
)  # 哪几项: a list
# A number that is a quantity, not a year or a date: 40次, 2.85万人次, 12种.
_STATES_QUANTITY = re.compile(r"\d(?:[\d.,]*)\s*(?:余|多)?\s*(?:万|千|亿)?\s*[\u4e00-\u9fff%](?<![年月日号])")


def _in_years(hits: list[SearchHit], query: Query) -> list[SearchHit]:
    if not query.years:
        return hits
    # A passage of the year, or one that names it (a table row with a column per year).
    named = [re.compile(rf"(?<!\d){y}(?!\d)") for y in query.years]
    return [h for h in hits if h.chunk.year in query.years or any(p.search(h.chunk.text) for p in named)] or hits


def problems(query: Query, hits: list[SearchHit], chunks_of) -> Draft | None:
    """The problems a summary names: its 困难与问题 section's sub-headings, or the one the question asks about."""
    relevant = [h for h in _in_years(hits, query) if any(_PROBLEM_HEADING.search(p) for p in h.chunk.heading_path)]
    if not relevant:
        return None
    top = relevant[0].chunk
    root = next(i for i, p in enumerate(top.heading_path) if _PROBLEM_HEADING.search(p))
    chunks = chunks_of(top.doc_id)
    _, members = section_text(chunks, tuple(top.heading_path[: root + 1]))
    subsections: dict[str, list] = {}
    for c in members:
        if len(c.heading_path) > root + 1:
            subsections.setdefault(c.heading_path[root + 1], []).append(c)
    q_tokens = content_tokens(_asked(query)) - {"问题", "困难", "面临", "哪些", "什么", "遇到"}
    best = max(subsections, key=lambda h: len(q_tokens & content_tokens(h)), default=None)
    if best is not None and len(q_tokens & content_tokens(best)) >= 1 and len(subsections) > 1:
        text, parts = section_text(chunks, tuple(top.heading_path[: root + 1]) + (best,))
        draft = Draft(intro=f"{heading_label(best)}：")
        for sent in sentences(text):
            draft.add(sent, chunk_for(parts, sent).id, sent)
        return draft
    if not subsections:  # 一是馆舍空间严重不足。…二是…: the section numbers its points in its text
        text, parts = section_text(chunks, tuple(top.heading_path[: root + 1]))
        items = enumerated_items_full(text)
        if len(items) < 2:
            return None
        draft = Draft(intro="文档列出的困难和问题有：", as_list=True)
        for lead, whole in items:
            draft.add(lead, chunk_for(parts, whole).id, lead)
        return draft
    draft = Draft(intro="文档列出的困难和问题有：", as_list=True)
    for heading, parts in subsections.items():
        draft.add(heading_label(heading), parts[0].id, heading_label(heading))
    return draft


_PLAN_WORDS = {"计划", "工作", "重点", "重点工作", "打算", "准备", "什么", "哪些", "做些", "要做", "有", "怎么", "安排"}


def _items_draft(intro: str, text: str, members: list, whole: bool = True) -> Draft | None:
    items = enumerated_items_full(text)
    if len(items) < 2:
        return None
    flat = text.replace("\n", "")
    first = ITEM_MARK.search(flat) if ITEM_MARK.search(text) else None
    lead_in = flat.split(first.group(0))[0].strip() if first else before_numbered(text)
    if lead_in and len(lead_in) <= 120:  # "“馆中馆”项目和…是…亮点项目。" before 一是 says what the items are for
        intro = f"{intro}{lead_in}"
    draft = Draft(intro=intro, as_list=True)
    for lead, body in items:
        said = _cap(body) if whole else lead
        draft.add(said, chunk_for(members, body).id, said)
    return draft


def _cap(text: str, limit: int = 110) -> str:
    """An item said in full, or up to the sentence end nearest the limit."""
    if len(text) <= limit:
        return text
    cut = max(text.rfind("。", 0, limit), text.rfind("；", 0, limit), text.rfind("，", 0, limit))
    return text[: cut if cut > 20 else limit]


def _best_part(q_tokens: set[str], text: str, members: list, chunks: list, root: tuple) -> tuple[int, Draft] | None:
    """The item (in full) or the sub-section sentences of a plan that share most with the question."""
    best: tuple[int, Draft] | None = None
    for _lead, body in enumerated_items_full(text):
        score = len(q_tokens & content_tokens(body))
        if score and (best is None or score > best[0]):
            draft = Draft()
            draft.add(body, chunk_for(members, body).id, body)
            best = (score, draft)
    subsections = {c.heading_path[: len(root) + 1] for c in members if len(c.heading_path) > len(root)}
    intro_chunks = [c for c in members if tuple(c.heading_path) == root]
    for path in list(subsections) + ([root] if intro_chunks else []):
        if path == root:  # the plan's opening paragraph, before its first sub-heading
            sub_members = intro_chunks
            sub_text = "".join(c.text for c in intro_chunks)
        else:
            sub_text, sub_members = section_text(chunks, path)
        if path != root and enumerated_items_full(sub_text):
            continue  # its items were weighed one by one above
        score = len(q_tokens & content_tokens(sub_text + path[-1]))
        if score and (best is None or score > best[0]):
            draft = Draft(intro=f"{heading_label(path[-1])}：")
            for sent in sentences(sub_text)[:8]:
                draft.add(sent, chunk_for(sub_members, sent).id, sent)
            best = (score, draft)
    return best


def plan_items(query: Query, hits: list[SearchHit], chunks_of) -> Draft | None:
    """A plan answered from its own section: the part the question names, its items or sub-headings."""
    from .expand import expand

    plan_hits = [h for h in _in_years(hits, query) if h.chunk.period_kind == "plan"]
    if not plan_hits:
        return None
    top = plan_hits[0].chunk
    chunks = [c for c in chunks_of(top.doc_id) if c.period_kind == "plan" and c.year == top.year]
    q_tokens = content_tokens(expand(_asked(query))) - _PLAN_WORDS
    # The deepest heading of the plan whose words the question uses; else the plan as a whole.
    headings = {c.heading_path[: i + 1] for c in chunks for i in range(len(c.heading_path))}
    scored = sorted(((len(q_tokens & content_tokens(h[-1])), len(h), h) for h in headings), reverse=True)
    path = scored[0][2] if scored and scored[0][0] > 0 else ()
    if not path:
        path = tuple(top.heading_path[:1]) if top.heading_path else ()
        general = True
    else:
        general = False
    text, members = section_text(chunks, path) if path else ("", [])
    if not members:
        return None
    label = heading_label(path[-1]) if path else "计划"
    if q_tokens:
        whole_text, whole = section_text(chunks, tuple(top.heading_path[:1])) if top.heading_path else (text, members)
        best = _best_part(q_tokens, whole_text, whole, chunks, tuple(top.heading_path[:1]))
        if best is not None and not (general is False and best[0] <= len(q_tokens & content_tokens(label))):
            return best[1]
        subs = {heading_label(c.heading_path[len(path)]): c.id for c in members if len(c.heading_path) > len(path)}
        draft = _items_draft(f"{label}：", text, members)
        if draft:
            return draft
        if len(subs) >= 2:
            draft = Draft(intro=f"{label}：", as_list=True)
            for sub, chunk_id in subs.items():
                draft.add(sub, chunk_id, sub)
            return draft
        draft = Draft(intro=f"{label}：")
        for sent in sentences(text)[:4]:
            draft.add(sent, chunk_for(members, sent).id, sent)
        return draft
    subs = {}
    for c in members:
        if len(c.heading_path) > len(path):
            subs.setdefault(heading_label(c.heading_path[len(path)]), c.id)
    draft = _items_draft(f"{label}：", text, members)
    if len(subs) >= 2 and (draft is None or len(subs) >= 3):
        draft = Draft(intro=f"{label}：", as_list=True)
        for sub, chunk_id in subs.items():
            draft.add(sub, chunk_id, sub)
    return draft


def list_items(query: Query, hits: list[SearchHit], chunks_of) -> Draft | None:
    """Items of the section the best passage belongs to (一是…二是… may run over several chunks)."""
    from .expand import expand

    q_tokens = content_tokens(expand(_asked(query))) - {"哪些", "哪几", "方面", "什么", "做", "做了", "几项", "几件"}
    for hit in _in_years(hits, query)[:2]:
        c = hit.chunk
        text, members = section_text(chunks_of(c.doc_id), tuple(c.heading_path))
        heading = c.heading_path[-1] if c.heading_path else ""
        items_text = "".join(body for _, body in enumerated_items_full(text)) + heading + before_numbered(text)
        shared = q_tokens & content_tokens(items_text)
        if q_tokens and not (len(shared) >= 2 or any(len(t) >= 3 for t in shared)):
            continue  # items about something else: "馆中馆包括哪些" is not answered by a plan's 一是…
        draft = _items_draft("", text, members)
        if draft is not None:
            return draft
    return None
