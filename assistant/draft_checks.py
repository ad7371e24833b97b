"""Whether a draft answers what was asked: of the year and the library asked about, counting what the
question counts, an outcome rather than a target, and better than the best evidence sentences."""

from __future__ import annotations

import re

from index import KnowledgeBase, SearchHit
from index.tokenize import tokenize

from . import extractive
from .asking import asks_number
from .evidence import key_terms, library_mentioned, library_names, missing_terms, states_number_for, with_arabic_counts
from .holdings import Holdings, names_org, with_headings
from .query import Query
from .relevance import Relevance
from .statements import Draft

# How much more of the question the best evidence sentences must hold before they replace a specialised
# answer (shares of the question's weight; chosen on the development split of the real-document set).
_EVIDENCE_MARGIN = 0.3

# What was added in a year (新建, 新增, 新办), as against how many there are.
_ASKS_ADDED = re.compile(r"新(?:建|增|设|办|开|购|招|添|入藏)了?(?:多少|几)")

_ADDED = re.compile(r"新|增|入藏|采购|购置|购进|招聘|添置|建成")

_TARGET_WORDS = re.compile(r"计划|目标|力争|拟|预计|争取|不少于|不低于")

_DONE_WORDS = re.compile(r"已(?:于|经)|已(?:建成|完成|开放|上线|启用)|超额完成|提前完成|如期完成")


class DraftChecks:
    """The checks a draft passes before it is answered, reading the base the assistant reads."""

    def __init__(self, kb: KnowledgeBase, holdings: Holdings):
        self.kb = kb
        self.holdings = holdings

    def _chunk(self, chunk_id: str):
        return self.kb.registry.chunks([chunk_id]).get(chunk_id)

    def only_targets(self, draft: Draft, numbers_only: bool = False) -> bool:
        """Every statement is a plan's target (拟开展…, a plan's section), none an outcome. With
        ``numbers_only`` (a number is asked) a statement without a number counts for neither."""
        if draft.figures:
            return all(f.kind == "target" for f in draft.figures)
        for st in draft.statements:
            if numbers_only and not re.search(r"\d", with_arabic_counts(st.text)):
                continue
            chunk = self._chunk(st.chunk_ids[0]) if st.chunk_ids else None
            if chunk is not None and chunk.period_kind != "plan" and _DONE_WORDS.search(st.text):
                return False  # a report saying what was done, beside the target it met (超额完成…目标)
            if not (_TARGET_WORDS.search(st.text) or (chunk is not None and chunk.period_kind == "plan")):
                return False
        return bool(draft.statements)

    def without_targets(self, draft: Draft) -> Draft:
        """The draft's statements of what was done, when it has any beside a plan's targets (a date asked of
        a thing done is read in the report, not the plan that aimed at it)."""
        done = [
            st
            for st in draft.statements
            if not (
                _TARGET_WORDS.search(st.text)
                or (
                    (c := self._chunk(st.chunk_ids[0]) if st.chunk_ids else None) is not None
                    and c.period_kind == "plan"
                )
            )
        ]
        if done and len(done) < len(draft.statements):
            draft.statements = done
        return draft

    def unsupported(self, query: Query, hits: list[SearchHit]) -> list[str]:
        """What the question asks about that the retrieved passages (with their headings) do not hold:
        its key terms, or the year a figure is asked for."""
        if query.follow_up:
            return []  # an elliptical question's words are in the turn before
        own = self.holdings.of_org(query, hits) or hits
        passages = [" ".join([h.chunk.text, h.chunk.doc_title, *h.chunk.heading_path]) for h in own]
        missing = missing_terms(query.text, passages)
        if missing or query.relative or not query.years or not asks_number(query.text):
            return missing
        # A figure of a year: some passage on the subject must be of that year or name it.
        terms = key_terms(query.text)
        for h, text in zip(own, passages):
            on_subject = not terms or len(missing_terms(query.text, [text])) < len(terms)
            if on_subject and (
                h.chunk.year in query.years or any(re.search(rf"(?<!\d){y}(?!\d)", text) for y in query.years)
            ):
                return []
        return [f"{'、'.join(str(y) for y in query.years)}{_OF_YEAR}"]

    def other_years_only(self, query: Query, draft: Draft) -> bool:
        """Every sentence that gives a number is of another year than the one a figure is asked for (the
        passage's year, or a year it names): 2025年总流通 is not answered by a 2024 summary's 全年总流通."""
        if not query.years or query.relative or not asks_number(query.text):
            return False
        numbered = [st for st in draft.statements if re.search(r"\d", with_arabic_counts(st.text))]
        for st in numbered:
            chunk = self._chunk(st.chunk_ids[0]) if st.chunk_ids else None
            if chunk is None or chunk.year is None or chunk.year in query.years:
                return False
            if any(re.search(rf"(?<!\d){y}(?!\d)", st.text) for y in query.years):
                return False
        return bool(numbered)

    def states_figure(self, query: Query, draft: Draft) -> bool:
        """A sentence with a number that is of the year asked for, and a target when a target is asked for."""
        for st in draft.statements:
            chunk = self._chunk(st.chunk_ids[0]) if st.chunk_ids else None
            if chunk is None or not re.search(r"\d", with_arabic_counts(st.text)):
                continue
            if (
                query.years
                and chunk.year not in query.years
                and not any(re.search(rf"(?<!\d){y}(?!\d)", st.text) for y in query.years)
            ):
                continue
            if query.wants_target and chunk.period_kind != "plan" and not _TARGET_WORDS.search(st.text):
                continue
            if states_number_for(query.text, st.text):
                return True
        return False

    def cites_other_org(self, query: Query, draft: Draft, elsewhere: set[str]) -> bool:
        """A draft resting only on other libraries' documents does not answer about the library named.

        A library no document is by, only mentioned in passing, is answered only from passages that name it.
        """
        ids = [i for st in draft.statements for i in st.chunk_ids]
        chunks = list(self.kb.registry.chunks(ids).values())
        if not chunks:
            return False
        orgs = {d.id: d.org for d in self.holdings.visible_documents()}
        # A passage of another body's report that names the library asked about speaks of it
        cited = {
            query.org if query.org and names_org(query.org, with_headings(c)) else orgs.get(c.doc_id, "")
            for c in chunks
        }
        if query.org and len(self.holdings.orgs()) >= 2 and not cited & {*query.org_readings(), ""}:
            return True
        if {c.doc_id for c in chunks} <= elsewhere:
            return True  # every passage is another place's, or a document no sign ties to the library
        own = set(self.holdings.orgs())
        for name in library_names(query.text):
            if "公共图书馆" in name.name or any(f in org for f in name.forms() for org in own):
                continue
            if not any(library_mentioned(name, [c.text]) for c in chunks):
                return True
        return False

    def without_other_libraries(self, query: Query, draft: Draft) -> Draft:
        """The draft without the sentences that speak of another library than the one asked about. A
        sentence speaks of the library last named as a subject up to it in its passage (a yearbook's
        【某某图书馆】 entry, a sentence opening with a library's name); a sentence with no such library
        before it, or not found as written in its passage, is kept."""
        if not query.org or draft.figures:
            return draft
        ids = [st.chunk_ids[0] for st in draft.statements if st.chunk_ids]
        chunks = self.kb.registry.chunks(ids)
        known = set(self.holdings.named_orgs())
        kept = []
        for st in draft.statements:
            chunk = chunks.get(st.chunk_ids[0]) if st.chunk_ids else None
            said = st.quote or st.text
            at = chunk.text.find(said) if chunk is not None else -1
            subject = _subject_before(chunk.text, at + len(said), known) if chunk is not None and at >= 0 else ""
            if not subject or names_org(query.org, subject) or names_org(subject, query.org):
                kept.append(st)
        if len(kept) < len(draft.statements):
            draft.statements = kept
        return draft

    def better_evidence(self, query: Query, hits: list[SearchHit], relevance: Relevance, draft: Draft) -> Draft | None:
        """A specialised answer (a figure looked up, a plan's items) that holds much less of what the
        question asks about than the best evidence sentences gives way to them: 接待读者 asked,
        进馆人数 looked up; 服务点设在哪里 asked, the number of service points found."""
        evidence = extractive.best_sentences(query, hits, relevance)
        if not evidence.statements or evidence.statements == draft.statements:
            return draft
        if (
            draft.figures
            and not self._counts_what_is_asked(draft, relevance)
            and extractive.answers_number(query, evidence, relevance)
        ):
            return evidence  # 配送了多少册图书 asked, the number of service points found
        if draft.figures and _ASKS_ADDED.search(query.text) and not self._figures_say(draft, _ADDED):
            # 新建了多少间 asks what was added; a year-end total (驿站总数27间) does not answer it
            return (
                evidence
                if extractive.answers_number(query, evidence, relevance)
                and relevance.states_number(" ".join(st.text for st in evidence.statements))
                else None
            )
        if said_share(evidence, relevance) - self._figure_share(draft, relevance) < _EVIDENCE_MARGIN:
            return draft
        if extractive.asks_quantity(query) and not extractive.answers_number(query, evidence, relevance):
            if any(relevance.states_number(f"{st.text} {st.quote}") for st in draft.statements):
                return draft  # the passages say more of the question, but only the figure gives its number
            return None  # the figure found is not what was asked, and no passage states what was
        return evidence

    def _figures_say(self, draft: Draft, pattern: re.Pattern) -> bool:
        """A figure's name, or the statement that gives it, holds the pattern."""
        said = " ".join([*(f.indicator for f in draft.figures), *(st.text for st in draft.statements)])
        return bool(pattern.search(said))

    def _counts_what_is_asked(self, draft: Draft, relevance: Relevance) -> bool:
        """The figures looked up count what the question counts (多少册图书 → 图书): one of the words
        right by its 多少 stands in a figure's name, its aliases or its statement. A question with no
        such word gives nothing to check."""
        if not relevance.measured:
            return True
        names = [n for f in draft.figures for n in self.names_of(f.indicator)]
        # The library's own name (某某图书馆) holds 图书 whatever the figure counts.
        said = re.sub(r"[\u4e00-\u9fff]{0,12}图书馆", "", " ".join([*names, *(st.text for st in draft.statements)]))
        return any(w in said for w in relevance.measured)

    def _figure_share(self, draft: Draft, relevance: Relevance) -> float:
        """The share of the question a draft holds, its figures' indicators known by all their names
        (买书 asked, 文献购置经费 found: the alias file says they are one figure)."""
        names = [n for f in draft.figures for n in self.names_of(f.indicator)]
        return max(said_share(draft, relevance), relevance.share(" ".join([*names, *said_texts(draft)])))

    def names_of(self, indicator: str) -> list[str]:
        """An indicator's name and the aliases the alias file gives it."""
        known = self.kb.metrics.indicators.get(indicator)
        return [indicator, *(known.aliases if known else ())]

    def only_indicator(self, words: str, indicator: str) -> bool:
        """Every word of ``words`` is part of the indicator's name or of one of its aliases."""
        names = self.names_of(indicator)
        terms = [t for t in tokenize(words) if len(t) >= 2]
        return bool(terms) and all(any(t in n for n in names) for t in terms)


_OF_YEAR = "年的数据"


def _subject_before(text: str, end: int, known: set[str]) -> str:
    """The library (one of ``known``) last named as a subject in ``text`` before ``end``: opening the
    passage, a line, a sentence or an entry (【某某图书馆】); empty when none is."""
    starts = [
        (m.start(), name.name)
        for name in library_names(text[:end])
        if name.name in known
        for m in re.finditer(re.escape(name.name), text[:end])
        if not text[: m.start()].rstrip(" \t") or text[: m.start()].rstrip(" \t")[-1] in "\n。；;】【"
    ]
    return max(starts)[1] if starts else ""


def lacks_year(missing: list[str]) -> bool:
    """No passage on the subject is of the year a figure is asked for: sentences of other years do not
    answer it, however well they hold its words."""
    return any(m.endswith(_OF_YEAR) for m in missing)


def said_texts(draft: Draft) -> list[str]:
    """What a draft says: its lead-in (a plan section's heading) and each statement with its sentence."""
    return [draft.intro] + [f"{st.text} {st.quote}" for st in draft.statements]


def said_share(draft: Draft, relevance: Relevance) -> float:
    """How much of the question a draft's statements and the sentences they rest on hold."""
    return relevance.share(" ".join(said_texts(draft)))
