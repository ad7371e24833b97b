"""The answering pipeline: understand, look up or retrieve, compose, verify, cite.

Figures come from the metrics table; everything else from hybrid retrieval and
the extractive composer. With an LLM configured, the model rewrites the answer
from the same passages and figures; each of its claims is checked against the
passages it cites (``grounding``), an answer that fails is regenerated once and
then replaced by the extractive one.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from index import KnowledgeBase, SearchFilters, SearchHit
from index.tokenize import tokenize

from . import arithmetic, extractive, grounding, outcomes, who
from .evidence import (
    key_terms,
    library_mentioned,
    library_names,
    missing_terms,
    places_named,
    states_number_for,
    with_arabic_counts,
)
from .expand import expand
from .figures import FigureAnswerer
from .parts import merge, split_question
from .query import Query, indicator_aliases, understand
from .relevance import Relevance
from .statements import Draft, render
from .types import Answer, Citation, FigureUsed
from .verify import UNVERIFIED_MARK, flag, verify

NO_INFO = "文档中没有相关信息"
# How much more of the question the best evidence sentences must hold before they replace a specialised
# answer (shares of the question's weight; chosen on the development split of the real-document set).
_EVIDENCE_MARGIN = 0.3
# Intents whose specialised answer (one figure looked up, a plan's part) can miss the question's subject;
# lists, problems, trends and comparisons are shaped answers whose words differ from the question's by design.
_SINGLE_ANSWER = ("figure", "count", "plan", "goal")
# The share of the question an answer's sentences must hold to stand although a key word is missing.
_HOLDS_MOST = 0.5
# The share of the question the evidence sentences must hold to answer on their own.
_EVIDENCE_ALONE = 0.6
_FIGURE_INTENTS = ("figure", "count", "change", "trend", "plan_vs_actual", "goal", "comparison")
# Intents answered from the metrics table alone when it holds the figures, found by keywords without embedding
# the question. Not a goal (its answer often gives way to a plan's sentences, which search by meaning ranks),
# nor a change: the passage stating the change beside the figures is the one search by meaning puts first.
_TABLE_INTENTS = ("figure", "count", "trend", "plan_vs_actual", "comparison")


@dataclass
class AssistantConfig:
    reference_year: int | None = None  # 今年; default: the year after the latest year reported
    k: int = 6
    min_keyword_score: float = 2.0  # below both thresholds the evidence is too weak to answer from
    min_vector_score: float = 0.86
    visibility: str | None = None  # "public" for channels that must not see internal documents


class Assistant:
    def __init__(self, kb: KnowledgeBase, config: AssistantConfig | None = None, llm=None, reranker=None):
        self.kb = kb
        self.config = config or AssistantConfig()
        self.llm = llm
        self.reranker = reranker
        self.figures = FigureAnswerer(kb, self.config.visibility)

    # -- context ------------------------------------------------------------------------------
    def reference_year(self) -> int | None:
        if self.config.reference_year is not None:
            return self.config.reference_year
        reported = [d.report_year for d in self._visible_documents() if d.report_year]
        return max(reported) + 1 if reported else None

    def _scopes(self) -> list[str]:
        """Branches and service points the metrics table knows by name (a name seen once is noise);
        read once per registry generation."""
        generation = self.kb.registry.generation()
        cached = getattr(self, "_scopes_cache", None)
        if cached is None or cached[0] != generation:
            aliases = {alias for alias, _ in indicator_aliases(self.kb.metrics.indicators)}
            named = self.figures.metrics.scopes(min_count=2)
            scopes = [s for s in named if s not in ("全区", "本馆", "合计", "总馆") and s not in aliases]
            cached = self._scopes_cache = (generation, scopes)
        return list(cached[1])

    def _orgs(self) -> list[str]:
        return sorted({d.org for d in self._visible_documents() if d.org})

    def _named_orgs(self) -> list[str]:
        """The documents' libraries and those a report names as the subject of its figures."""
        key = (self.kb.registry.generation(), self.config.visibility)
        cached = getattr(self, "_figure_orgs", None)
        if cached is None or cached[0] != key:
            cached = self._figure_orgs = (key, sorted(set(self._orgs()) | set(self.figures.metrics.orgs())))
        return cached[1]

    def _mention_texts(self) -> list[str]:
        """What the visible documents say, whole: their organisations, titles and text."""
        return list(self._document_texts().values())

    def _document_texts(self) -> dict[str, str]:
        """Each visible document's organisation, title and text by id (cached per generation)."""
        key = (self.kb.registry.generation(), self.config.visibility)
        cached = getattr(self, "_mentions", None)
        if cached is None or cached[0] != key:
            docs = self._visible_documents()
            bodies = self.kb.registry.document_texts(d.id for d in docs)
            texts = {d.id: f"{d.org} {d.title} {bodies.get(d.id, '')}" for d in docs}
            cached = self._mentions = (key, texts)
        return cached[1]

    def _named_in_others(self, org: str) -> bool:
        """Whether a document by another body names this library (a provincial report on its library)."""
        key = (self.kb.registry.generation(), self.config.visibility, org)
        cached = getattr(self, "_named_elsewhere", None)
        if cached is None or cached[0] != key:
            own = {d.id for d in self._visible_documents() if d.org == org}
            named = any(_names_org(org, text) for d, text in self._document_texts().items() if d not in own)
            cached = self._named_elsewhere = (key, named)
        return cached[1]

    def _visible_documents(self):
        return self.kb.visible_documents(self.config.visibility)

    # -- entry point --------------------------------------------------------------------------
    def ask(self, question: str, history: list[str] | None = None) -> Answer:
        started = time.perf_counter()
        parts = split_question(question)
        if len(parts) == 1:
            answer = self._ask_one(question, history)
        else:  # 办了多少张借阅证？馆藏图书一共多少？: each part answered, a later one reading the earlier
            answers, said = [], list(history or [])
            for part in parts:
                answers.append(self._ask_one(part, said or None))
                said.append(part)
            answer = merge(question, answers)
        answer.latency_ms = (time.perf_counter() - started) * 1000
        return answer

    def _ask_one(self, question: str, history: list[str] | None) -> Answer:
        reference = self.reference_year()
        query = understand(
            question,
            indicators=self.kb.metrics.indicators,
            reference_year=reference,
            orgs=self._named_orgs(),
            scopes=self._scopes(),
            history=history,
        )
        if query.org is None and len(self._orgs()) == 1 and self._of_places(self._orgs()[0], places_named(question)):
            query.org = self._orgs()[0]  # the one library, unless the question is about somewhere it is not
        if query.intent == "plan" and query.indicator and _asks_number(question):
            query.intent, query.wants_target = "goal", True  # 明年计划新建几间: a target, looked up
        note = f"按{reference - 1}年度资料：" if query.relative and reference else ""
        answer = self._answer(query, note)
        answer.question = question
        answer.intent = query.intent
        return answer

    def _answer(self, query: Query, note: str) -> Answer:
        unknown_library = self._unknown_library(query)
        # Passages and figures of another place, or of documents no sign ties to the library asked
        # about, do not answer; the closest passages are still shown when nothing else does.
        elsewhere = self._documents_elsewhere(query)
        figures = self.figures.without(elsewhere)
        hits = self._retrieve(query, by_meaning=not self._table_answers(query, figures))
        if unknown_library:
            return self._refuse(query, hits, f"{NO_INFO}：知识库中没有文档提到{unknown_library}。")
        relevance = Relevance(extractive.asked_text(query), self.kb.term_rarity)
        shown, hits = hits, [h for h in hits if h.chunk.doc_id not in elsewhere]
        # A sum, difference, share or average the question asks for, computed from cited figures (推算).
        draft = arithmetic.compute(query, hits, figures.metrics)
        if draft is None:
            draft = self._compose(query, hits, relevance, figures)
            checkable = draft is not None and draft.statements and not draft.refused and not query.follow_up
            if checkable and query.intent in _SINGLE_ANSWER:
                draft = self._better_evidence(query, hits, relevance, draft)
        if draft is None or not draft.statements:
            missing = self._unsupported(query, hits)
            return self._refuse(query, shown, _not_found(missing) if missing else "")
        if not draft.refused and self._cites_other_org(query, draft, elsewhere):
            draft = self._evidence_from_place(query, hits, relevance)
            if draft is None:
                where = query.org or "、".join(places_named(query.text))
                return self._refuse(query, shown, f"{NO_INFO}：{where}的文档中没有找到。")
        if not draft.figures and not draft.refused:
            missing = self._unsupported(query, hits)
            # The passages are about something else (满意度 asked, 读者 found), unless the answer's sentences
            # hold most of what is asked and only a lesser word of the question is written another way.
            if missing and relevance.share(" ".join(_said_texts(draft))) < _HOLDS_MOST:
                return self._refuse(query, shown, _not_found(missing))
            if extractive.asks_quantity(query) and not extractive.answers_number(query, draft, relevance):
                return self._refuse(query, shown)  # sentences on the subject, but none gives the number asked
            kind = who.asks_name(query.text)
            if kind and not who.gives_name(kind, _said_texts(draft), query.text):
                return self._refuse(query, shown)  # the 设计单位 mentioned, never named
        if not draft.refused and _asks_actual(query.text) and self._only_targets(draft):
            return self._refuse(query, shown, f"{NO_INFO}：文档只写了计划或目标，没有写实际结果。")
        draft.intro = note + draft.intro
        own_words = self._finish(draft, hits, mode="extractive")
        if self.llm is None or draft.refused:
            return own_words
        return self._with_llm(query, draft, hits, own_words, note)

    def _only_targets(self, draft: Draft) -> bool:
        """Every statement is a plan's target (拟开展…, a plan's section), none an outcome."""
        if draft.figures:
            return all(f.kind == "target" for f in draft.figures)
        for st in draft.statements:
            chunk = self._lookup(st.chunk_ids[0]) if st.chunk_ids else None
            if chunk is not None and chunk.period_kind != "plan" and _DONE_WORDS.search(st.text):
                return False  # a report saying what was done, beside the target it met (超额完成…目标)
            if not (_TARGET_WORDS.search(st.text) or (chunk is not None and chunk.period_kind == "plan")):
                return False
        return bool(draft.statements)

    def _of_places(self, org: str, places: tuple[str, ...]) -> bool:
        """The library is of the places a question names (or it names none): its name or its own
        documents name one of them."""
        if not places:
            return True
        texts = self._document_texts()
        own = " ".join(texts.get(d.id, "") for d in self._visible_documents() if d.org == org)
        return any(p in org or p in own for p in places)

    def _unknown_library(self, query: Query) -> str | None:
        """A library the question names that no visible document mentions, by any of its usual names."""
        texts = None
        for name in library_names(query.text):
            if "公共图书馆" in name.name:
                continue  # 某省公共图书馆: the place's public libraries as a whole, not one library
            texts = texts if texts is not None else self._mention_texts()
            if not library_mentioned(name, texts):
                return name.name
        return None

    def _unsupported(self, query: Query, hits: list[SearchHit]) -> list[str]:
        """What the question asks about that the retrieved passages (with their headings) do not hold:
        its key terms, or the year a figure is asked for."""
        if query.follow_up:
            return []  # an elliptical question's words are in the turn before
        own = self._of_org(query, hits) or hits
        passages = [" ".join([h.chunk.text, h.chunk.doc_title, *h.chunk.heading_path]) for h in own]
        missing = missing_terms(query.text, passages)
        if missing or query.relative or not query.years or not _asks_number(query.text):
            return missing
        # A figure of a year: some passage on the subject must be of that year or name it.
        terms = key_terms(query.text)
        for h, text in zip(own, passages):
            on_subject = not terms or len(missing_terms(query.text, [text])) < len(terms)
            if on_subject and (
                h.chunk.year in query.years or any(re.search(rf"(?<!\d){y}(?!\d)", text) for y in query.years)
            ):
                return []
        return [f"{'、'.join(str(y) for y in query.years)}年的数据"]

    def _states_figure(self, query: Query, draft: Draft) -> bool:
        """A sentence with a number that is of the year asked for, and a target when a target is asked for."""
        for st in draft.statements:
            chunk = self._lookup(st.chunk_ids[0]) if st.chunk_ids else None
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

    def _of_org(self, query: Query, hits: list[SearchHit]) -> list[SearchHit]:
        """The hits from documents of the library the question names (all hits when it names none)."""
        if not query.org:
            return hits
        orgs = {d.id: d.org for d in self._visible_documents()}
        return [
            h for h in hits if orgs.get(h.chunk.doc_id) == query.org or _names_org(query.org, _with_headings(h.chunk))
        ]

    def _cites_other_org(self, query: Query, draft: Draft, elsewhere: set[str]) -> bool:
        """A draft resting only on other libraries' documents does not answer about the library named.

        A library no document is by, only mentioned in passing, is answered only from passages that name it.
        """
        ids = [i for st in draft.statements for i in st.chunk_ids]
        chunks = list(self.kb.registry.chunks(ids).values())
        if not chunks:
            return False
        orgs = {d.id: d.org for d in self._visible_documents()}
        # A passage of another body's report that names the library asked about speaks of it
        cited = {
            query.org if query.org and _names_org(query.org, _with_headings(c)) else orgs.get(c.doc_id, "")
            for c in chunks
        }
        if query.org and len(self._orgs()) >= 2 and query.org not in cited and "" not in cited:
            return True
        if {c.doc_id for c in chunks} <= elsewhere:
            return True  # every passage is another place's, or a document no sign ties to the library
        own = set(self._orgs())
        for name in library_names(query.text):
            if "公共图书馆" in name.name or any(f in org for f in name.forms() for org in own):
                continue
            if not any(library_mentioned(name, [c.text]) for c in chunks):
                return True
        return False

    def _documents_elsewhere(self, query: Query) -> set[str]:
        """The documents about somewhere other than the places the question names, and, for a question
        about one library, the documents that name no library and show no sign of being its own."""
        places = places_named(query.text)
        out = set(self._elsewhere_than(places)) if places else set()
        if query.org and len(self._orgs()) >= 2:
            out |= self._not_of(query.org)
        return out

    def _elsewhere_than(self, places: tuple[str, ...]) -> frozenset[str]:
        """The documents about somewhere other than ``places``, kept per registry generation: reading
        every document's text for the places took most of a figure answer's time at 1,500 documents."""
        key = (self.kb.registry.generation(), self.config.visibility)
        cached = getattr(self, "_elsewhere", None)
        if cached is None or cached[0] != key or len(cached[1]) > 256:
            cached = self._elsewhere = (key, {})
        found = cached[1].get(places)
        if found is None:
            orgs = {d.id: d.org for d in self._visible_documents()}
            found = cached[1][places] = frozenset(
                d for d, text in self._document_texts().items() if _about_elsewhere(text, orgs.get(d), places)
            )
        return found

    def _not_of(self, org: str) -> set[str]:
        """Documents by no named library (a bare table, a national report) that neither name this library
        or its place nor list any branch its own documents name: their figures are not its figures."""
        key = (self.kb.registry.generation(), self.config.visibility, org)
        cached = getattr(self, "_unowned", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        docs = self._visible_documents()
        texts = self._document_texts()
        own_text = " ".join(texts.get(d.id, "") for d in docs if d.org == org)
        names = library_names(org)
        marks = {f for n in names for f in (*n.forms(), n.place, n.short) if f} or {org}
        branches: dict[str, set[str]] = {}
        for row in self.figures.metrics.all(include_derived=False):
            if row.scope and row.scope not in ("全区", "本馆", "合计", "总馆"):
                branches.setdefault(row.doc_id, set()).add(row.scope)
        out = set()
        for d in docs:
            if d.org:
                continue
            text = texts.get(d.id, "")
            if any(m in text for m in marks) or any(b in own_text for b in branches.get(d.id, ())):
                continue
            out.add(d.id)
        self._unowned = (key, out)
        return out

    def _evidence_from_place(self, query: Query, hits: list[SearchHit], relevance: Relevance) -> Draft | None:
        """The best sentences from the documents that may be of the place and library asked about
        (``hits`` hold no document elsewhere already), if they hold the question."""
        own = self._of_org(query, hits)
        if not own:
            return None
        draft = extractive.best_sentences(query, own, relevance)
        said = " ".join(st.text for st in draft.statements)
        return draft if draft.statements and relevance.share(said) >= _EVIDENCE_ALONE else None

    def _table_answers(self, query: Query, figures: FigureAnswerer) -> bool:
        """A figure question the metrics table answers (2024年进馆人数是多少, 同比增长多少): its passages are
        only the sentences the figures are read beside, so keyword search finds them without embedding
        the question, the slowest step of such an answer."""
        if (
            query.intent not in _TABLE_INTENTS
            or not query.indicator
            or query.follow_up
            or extractive.asks_date(query)
            or outcomes.asks_outcome(query.text)
            or _asks_other_than_number(query.text)
        ):
            return False
        draft = figures.answer(query)
        return draft is not None and bool(draft.figures) and not draft.refused

    def _retrieve(self, query: Query, by_meaning: bool = True) -> list[SearchHit]:
        filters = SearchFilters(visibility=self.config.visibility, org=query.org)
        # A follow-up is searched with what it carries over: 总流通人次呢？ is about that library and year.
        carried = [query.org or "", *(f"{y}年" for y in query.years), query.indicator or ""]
        text = query.text if not query.follow_up else " ".join([*carried, query.text])
        text = expand(text)
        mode = "hybrid" if by_meaning else "keyword"
        hits = self.kb.search(text, k=self.config.k, filters=filters, prefer_years=query.years or None, mode=mode)
        if query.org and self._named_in_others(query.org):
            # 其中，某省图书馆…: another body's report speaks of this library in the passages that name it
            wider = SearchFilters(visibility=self.config.visibility)
            seen = {h.chunk.id for h in hits}
            more = [
                h
                for h in self.kb.search(
                    text, k=self.config.k, filters=wider, prefer_years=query.years or None, mode=mode
                )
                if h.chunk.id not in seen and _names_org(query.org, _with_headings(h.chunk))
            ]
            hits = sorted(hits + more, key=lambda h: -h.score)[: self.config.k]
        if self.reranker is not None and hits:
            hits = self.reranker.rerank(query.text, hits)
        return hits

    def _names_of(self, indicator: str) -> list[str]:
        """An indicator's name and the aliases the alias file gives it."""
        known = self.kb.metrics.indicators.get(indicator)
        return [indicator, *(known.aliases if known else ())]

    def _only_indicator(self, words: str, indicator: str) -> bool:
        """Every word of ``words`` is part of the indicator's name or of one of its aliases."""
        names = self._names_of(indicator)
        terms = [t for t in tokenize(words) if len(t) >= 2]
        return bool(terms) and all(any(t in n for n in names) for t in terms)

    def _outcome_hits(self, query: Query, hits: list[SearchHit]) -> list[SearchHit]:
        """The question's passages and those on its subject alone, of any year: the report that says
        a planned step was done is seldom the passage the question's plan words find."""
        filters = SearchFilters(visibility=self.config.visibility, org=query.org)
        more = self.kb.search(expand(outcomes.subject(query.text)), k=self.config.k, filters=filters)
        seen = {h.chunk.id for h in hits}
        return hits + [h for h in more if h.chunk.id not in seen]

    def _weak(self, hits: list[SearchHit]) -> bool:
        if not hits:
            return True
        best_kw = max((h.keyword_score or 0.0) for h in hits)
        best_vec = max((h.vector_score or 0.0) for h in hits)
        return best_kw < self.config.min_keyword_score and best_vec < self.config.min_vector_score

    def _better_evidence(self, query: Query, hits: list[SearchHit], relevance: Relevance, draft: Draft) -> Draft | None:
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
        if _said_share(evidence, relevance) - self._figure_share(draft, relevance) < _EVIDENCE_MARGIN:
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
        names = [n for f in draft.figures for n in self._names_of(f.indicator)]
        # The library's own name (某某图书馆) holds 图书 whatever the figure counts.
        said = re.sub(r"[\u4e00-\u9fff]{0,12}图书馆", "", " ".join([*names, *(st.text for st in draft.statements)]))
        return any(w in said for w in relevance.measured)

    def _figure_share(self, draft: Draft, relevance: Relevance) -> float:
        """The share of the question a draft holds, its figures' indicators known by all their names
        (买书 asked, 文献购置经费 found: the alias file says they are one figure)."""
        names = [n for f in draft.figures for n in self._names_of(f.indicator)]
        return max(_said_share(draft, relevance), relevance.share(" ".join([*names, *_said_texts(draft)])))

    def _compose(
        self, query: Query, hits: list[SearchHit], relevance: Relevance, figures: FigureAnswerer
    ) -> Draft | None:
        if extractive.asks_date(query) and query.intent in ("figure", "count", "open", "plan", "goal"):
            # 哪天举办的: a sentence with a date answers, never a count looked up
            draft = extractive.best_sentences(query, hits, relevance)
            return draft if extractive.states_date(draft) and not self._weak(hits) else None
        if (
            outcomes.asks_outcome(query.text)
            and not _asks_number(query.text)
            and not (query.intent == "plan_vs_actual" and query.indicator)
        ):
            # 按计划建成了吗: a target that is an event, read beside what later reports say of it; a
            # numeric target the metrics table holds (按计划新建了15间吗) is matched there first
            numeric = figures.plan_vs_actual(query) if query.indicator else None
            draft = outcomes.answer(query.text, self._outcome_hits(query, hits), self.kb.term_rarity, query.years)
            if numeric is not None and (
                draft is None or self._only_indicator(outcomes.subject(query.text), query.indicator)
            ):
                return numeric  # 顺延的那间 is not the year's total: the sentences that say 顺延 answer
            if draft is not None:
                return draft
        if (
            query.intent in _FIGURE_INTENTS
            and (query.indicator or query.intent in ("figure", "count", "trend"))
            and not (query.intent in ("figure", "count") and _asks_other_than_number(query.text))
        ):
            draft = figures.answer(query)
            if draft is not None:
                return draft
            if figures.no_data(query) and _asks_number(query.text):
                # Not in the metrics table: a passage may state it, if one holds the subject and the year.
                if self._weak(hits) or self._unsupported(query, hits):
                    return None
                draft = extractive.best_sentences(query, hits, relevance)
                return (
                    draft
                    if extractive.answers_number(query, draft, relevance) and self._states_figure(query, draft)
                    else None
                )
        if query.intent == "plan_vs_actual":
            draft = figures.plan_vs_actual(query)
            if draft is not None:
                return draft
        if self._weak(hits):
            return None
        if _asks_number(query.text) and query.intent in ("figure", "count", "open"):
            draft = extractive.best_sentences(query, hits, relevance)
            return draft if extractive.answers_number(query, draft, relevance) else None
        chunks_of = self.kb.registry.chunks_of
        if query.intent in ("plan", "goal") and not query.indicator and _asks_number(query.text):
            draft = extractive.best_sentences(query, hits, relevance)  # 新馆什么时候开放: a date in a sentence
            if extractive.answers_number(query, draft, relevance):
                return draft
        if query.intent == "problem":
            draft = extractive.problems(query, hits, chunks_of)
            if draft is not None:
                return draft
        if query.intent in ("plan", "goal"):
            draft = extractive.plan_items(query, hits, chunks_of)
            if draft is not None:
                return draft
        if query.intent == "list":
            draft = extractive.list_items(query, hits, chunks_of)
            if draft is not None:
                return draft
        return extractive.best_sentences(query, hits, relevance)

    def _refuse(self, query: Query, hits: list[SearchHit], reason: str = "") -> Answer:
        """A refusal that still shows the closest passages: never less than retrieval alone would give."""
        related = list(hits[:2])
        citations = [
            Citation(
                i,
                h.chunk.file_name,
                " > ".join(h.chunk.heading_path),
                h.chunk.page_start,
                h.chunk.text[:200],
                h.chunk.id,
                h.chunk.doc_id,
            )
            for i, h in enumerate(related, start=1)
        ]
        text = (reason or NO_INFO + "。") + ("以下是最接近的段落，供参考。" if citations else "")
        return Answer(question=query.text, answer=text, citations=citations, refused=True, grounded=True)

    def _lookup(self, chunk_id: str):
        return self.kb.registry.chunks([chunk_id]).get(chunk_id)

    def _finish(self, draft: Draft, hits: list[SearchHit], mode: str) -> Answer:
        text, citations = render(draft, self._lookup)
        text, citations = _with_top_passage(text, citations, hits)
        # A passage is cited with its headings (a heading may be the sentence quoted).
        passages = [
            " ".join([*chunk.heading_path, chunk.text])
            for chunk in (self._lookup(c.chunk_id) for c in citations)
            if chunk is not None
        ]
        check = verify(text, citations, draft.figures, passages)
        if not check.ok:
            text = flag(text, check.unverified)
        return Answer(
            question="",
            answer=text,
            citations=citations,
            figures=_dedupe(draft.figures),
            grounded=check.ok and (bool(citations) or draft.refused),
            unverified_numbers=check.unverified,
            mode=mode,
            refused=draft.refused,
        )

    # -- LLM mode -----------------------------------------------------------------------------
    def _with_llm(self, query: Query, draft: Draft, hits: list[SearchHit], fallback: Answer, note: str) -> Answer:
        from .llm import LLMError
        from .prompts import Passage, build_messages, build_retry_messages

        chunks = {c.chunk_id: self._lookup(c.chunk_id) for c in fallback.citations}
        for h in hits:
            chunks.setdefault(h.chunk.id, h.chunk)
        ordered = [c for c in chunks.values() if c is not None][:8]
        passages = [
            Passage(i, c.file_name, " > ".join(c.heading_path), c.page_start, c.text)
            for i, c in enumerate(ordered, start=1)
        ]
        figure_lines = [
            f"{f.indicator} {f.year}年：{f.stated or f.value}{'（推算）' if f.derived else ''}（{f.source}）"
            for f in draft.figures
        ]
        question = query.text
        if query.follow_up:  # "那前年呢？" means nothing to a model that did not see the turn before
            said = "、".join(x for x in (query.org, query.indicator, "、".join(f"{y}年" for y in query.years)) if x)
            question = f"{query.text}（即：{said}）" if said else query.text
        messages = build_messages(question, passages, figure_lines, None, note.rstrip("："))
        for _attempt in range(2):
            try:
                text = self.llm.complete(messages)
            except LLMError:
                return fallback
            answer, problems = self._check_llm(text, ordered, draft.figures, question)
            if answer.refused and draft.figures:
                return fallback  # the metrics table answered; the model's refusal would drop a verified figure
            if not problems:
                answer.question = query.text
                if not answer.refused:
                    answer.answer, answer.citations = _with_top_passage(answer.answer, answer.citations, hits)
                return answer
            messages = build_retry_messages(messages, text, problems)
        return fallback

    def _check_llm(self, text: str, ordered, figures: list[FigureUsed], question: str = "") -> tuple[Answer, list[str]]:
        text = _marks_before_stop(text.strip())
        if re.fullmatch(re.escape(NO_INFO) + r"[。.！!\s]*", text):  # only the refusal itself, nothing after it
            return Answer(question="", answer=text, refused=True, mode="llm"), []
        shown = {n: ordered[n - 1] for n in range(1, len(ordered) + 1)}
        text = re.sub(r"\[(\d+)\]", lambda m: m.group(0) if int(m.group(1)) in shown else "", text)
        # Each claim against the passages it cites itself; marks supporting nothing are removed.
        checked = grounding.check(text, {n: _source(c) for n, c in shown.items()}, figures, question)
        text = checked.text
        kept = sorted({int(n) for n in re.findall(r"\[(\d+)\]", text)})
        renumber = {old: new for new, old in enumerate(kept, start=1)}
        text = re.sub(r"\[(\d+)\]", lambda m: f"[{renumber[int(m.group(1))]}]", text)
        citations = [
            Citation(renumber[n], c.file_name, " > ".join(c.heading_path), c.page_start, c.text[:300], c.id, c.doc_id)
            for n, c in shown.items()
            if n in renumber
        ]
        problems = []
        if not citations:
            problems.append("回答没有标注引用编号，或所标引用不支持对应的句子")
        problems += checked.problems
        unverified = list(dict.fromkeys(checked.unverified))
        answer = Answer(
            question="",
            answer=text,
            citations=citations,
            figures=_dedupe(figures),
            grounded=not problems,
            unverified_numbers=unverified,
            mode="llm",
        )
        return answer, problems


def _about_elsewhere(text: str, org: str | None, places: tuple[str, ...]) -> bool:
    """A document that names none of the places asked about is not about them when it says whose it
    is: a library's document, or a report on the whole nation (a national total is no province's
    figure). A bare table that names no one may be of any place and is kept."""
    if any(p in text for p in places):
        return False
    return bool(org) or bool(_NATIONAL.search(text[:300]))


def _with_headings(chunk) -> str:
    return " ".join([*chunk.heading_path, chunk.text])


def _names_org(org: str, text: str) -> bool:
    """Whether a text names the library by its full name or a usual form of it."""
    names = library_names(org)
    return library_mentioned(names[0], [text]) if names else org in text


def _said_texts(draft: Draft) -> list[str]:
    """What a draft says: its lead-in (a plan section's heading) and each statement with its sentence."""
    return [draft.intro] + [f"{st.text} {st.quote}" for st in draft.statements]


def _said_share(draft: Draft, relevance: Relevance) -> float:
    """How much of the question a draft's statements and the sentences they rest on hold."""
    return relevance.share(" ".join(_said_texts(draft)))


def _not_found(terms: list[str]) -> str:
    return f"{NO_INFO}：检索到的段落都没有提到{'、'.join(terms)}。"


def _with_top_passage(text: str, citations: list[Citation], hits: list[SearchHit]) -> tuple[str, list[Citation]]:
    """The best retrieved passage is always cited: an answer never shows less than retrieval alone."""
    if not hits or any(c.chunk_id == hits[0].chunk.id for c in citations):
        return text, citations
    top = hits[0].chunk
    n = len(citations) + 1
    cited = Citation(n, top.file_name, " > ".join(top.heading_path), top.page_start, top.text[:300], top.id, top.doc_id)
    return f"{text}\n另见最相关的原文段落[{n}]。", [*citations, cited]


def _source(chunk) -> grounding.Source:
    """A passage with what its text leaves unsaid: the document's title, headings and year."""
    context = " ".join([chunk.doc_title, *chunk.heading_path, f"{chunk.year}年" if chunk.year else ""])
    return grounding.Source(chunk.text, chunk.file_name, context)


def _marks_before_stop(text: str) -> str:
    """'…万次。[1]' → '…万次[1]。': a mark written after the full stop belongs to the sentence before it."""
    return re.sub(r"([。！？；])((?:\[\d+\])+)", r"\2\1", text)


# What was added in a year (新建, 新增, 新办), as against how many there are.
_ASKS_ADDED = re.compile(r"新(?:建|增|设|办|开|购|招|添|入藏)了?(?:多少|几)")
_ADDED = re.compile(r"新|增|入藏|采购|购置|购进|招聘|添置|建成")
# A report on the whole country says so near its start.
_NATIONAL = re.compile(r"全国|我国|中国(?!共产党)")
_TARGET_WORDS = re.compile(r"计划|目标|力争|拟|预计|争取|不少于|不低于")
_DONE_WORDS = re.compile(r"已(?:于|经)|已(?:建成|完成|开放|上线|启用)|超额完成|提前完成|如期完成")
_NUMBER_QUESTION = re.compile(
    r"多少|几[个间家所名次场期篇条位项种天年人辆台]|多大|多高|多长|多久|哪天|哪一天|什么时候|何时"
)


# What a question asks for when it is not a quantity: a place, a list, a name, a reason, a way.
_NON_NUMBER_QUESTION = re.compile(r"哪里|哪儿|在哪|哪些|什么地方|什么内容|是谁|谁|为什么|为何|是什么")


_ACTUAL_QUESTION = re.compile(r"实际|真正|到底|评上|评为|获评|获得|建成了|开放了|完成了")


def _asks_actual(text: str) -> bool:
    """实际开展了多少: what was done is asked, not what was planned (a question naming both is a comparison)."""
    return bool(_ACTUAL_QUESTION.search(text)) and not re.search(r"计划|目标|打算|要求|比|差", text)


def _asks_other_than_number(text: str) -> bool:
    """服务点设在哪里: the count of service points does not answer it."""
    return bool(_NON_NUMBER_QUESTION.search(text)) and not _asks_number(text)


def _asks_number(text: str) -> bool:
    return bool(_NUMBER_QUESTION.search(text))


def _dedupe(figures: list[FigureUsed]) -> list[FigureUsed]:
    seen = set()
    out = []
    for f in figures:
        key = (f.indicator, f.year, f.value, f.unit, f.source, f.derived)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


__all__ = ["Assistant", "AssistantConfig", "NO_INFO", "UNVERIFIED_MARK"]
