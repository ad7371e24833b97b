"""The answering pipeline: understand, look up or retrieve, compose, verify, cite.

Figures come from the metrics table (``figures``) or are computed from cited ones
(``arithmetic``); everything else from hybrid retrieval and the documents' own
sentences (``extractive``). ``draft_checks`` decides whether a draft answers what
was asked. With an LLM configured, the model rewrites the answer from the same
passages and figures (``llm_answer``); each of its claims is checked against the
passages it cites (``grounding``), an answer that fails is regenerated once and
then replaced by the extractive one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from index import KnowledgeBase, SearchFilters, SearchHit

from . import arithmetic, extractive, llm_answer, outcomes, which_library, who
from .asking import asks_actual, asks_number, asks_other_than_number
from .badge import review
from .citing import cite, labelled
from .draft_checks import DraftChecks, lacks_year, said_texts
from .evidence import places_named
from .expand import expand
from .figures import FigureAnswerer
from .holdings import Holdings, names_org, with_headings
from .parts import merge, split_question
from .periods_asked import names_part, part_of_year_asked
from .query import Intent, Query, understand
from .relevance import Relevance
from .statements import Draft, render, with_top_passage
from .types import Answer, AnswerMode, distinct_figures
from .verify import UNVERIFIED_MARK, flag, verify
from .years_said import full_years

NO_INFO = "文档中没有相关信息"
# Intents whose specialised answer (one figure looked up, a plan's part) can miss the question's subject;
# lists, problems, trends and comparisons are shaped answers whose words differ from the question's by design.
_SINGLE_ANSWER = (Intent.FIGURE, Intent.COUNT, Intent.PLAN, Intent.GOAL)
# The share of the question an answer's sentences must hold to stand although a key word is missing.
_HOLDS_MOST = 0.5
_DATED_EVENTS = ("其他", "案例")  # document types that date an event rather than report on a year
# The share of the question the evidence sentences must hold to answer on their own.
_EVIDENCE_ALONE = 0.6
_FIGURE_INTENTS = (
    Intent.FIGURE,
    Intent.COUNT,
    Intent.CHANGE,
    Intent.TREND,
    Intent.PLAN_VS_ACTUAL,
    Intent.GOAL,
    Intent.COMPARISON,
)
# Intents answered from the metrics table alone when it holds the figures, found by keywords without embedding
# the question. Not a goal (its answer often gives way to a plan's sentences, which search by meaning ranks),
# nor a change: the passage stating the change beside the figures is the one search by meaning puts first.
_TABLE_INTENTS = (Intent.FIGURE, Intent.COUNT, Intent.TREND, Intent.PLAN_VS_ACTUAL, Intent.COMPARISON)


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
        self.holdings = Holdings(kb, self.config.visibility, self.figures.metrics)
        self.checks = DraftChecks(kb, self.holdings)

    def reference_year(self) -> int | None:
        if self.config.reference_year is not None:
            return self.config.reference_year
        # the year after the latest year a report covers; a news item or a case dates an event, not a year's
        # report, so it moves "this year" only when no report does
        documents = self.holdings.visible_documents()
        yearly = [d.report_year for d in documents if d.report_year and d.doc_type not in _DATED_EVENTS]
        reported = yearly or [d.report_year for d in documents if d.report_year]
        return max(reported) + 1 if reported else None

    # -- entry point --------------------------------------------------------------------------
    def ask(self, question: str, history: list[str] | None = None, org: str | None = None) -> Answer:
        """The answer to ``question``; ``org`` is the library a question that names none is about."""
        started = time.perf_counter()
        asked, reference = question, self.reference_year()
        question = full_years(question, reference)  # 24年 as staff say it: 2024年
        history = [full_years(turn, reference) for turn in history] if history else history
        parts = split_question(question)
        if len(parts) == 1:
            answer = self._ask_one(question, history, org)
        else:  # 办了多少张借阅证？馆藏图书一共多少？: each part answered, a later one reading the earlier
            answers, said = [], list(history or [])
            for part in parts:
                answers.append(self._ask_one(part, said or None, org))
                said.append(part)
            unsure = next((a for a in answers if a.candidates), None)
            if unsure is not None:  # one part is about no library in particular: ask which, once
                answer = which_library.ask_which(question, unsure.candidates, unsure.intent)
            else:
                answer = merge(question, answers)
                answer.library = "、".join(dict.fromkeys(lib for a in answers for lib in a.library.split("、") if lib))
        answer.question = asked
        answer.latency_ms = (time.perf_counter() - started) * 1000
        return answer

    def _ask_one(self, question: str, history: list[str] | None, org: str | None = None) -> Answer:
        reference = self.reference_year()
        query = understand(
            question,
            indicators=self.kb.metrics.indicators,
            reference_year=reference,
            orgs=self.holdings.named_orgs(),
            scopes=self.holdings.scopes(),
            history=history,
        )
        query.org = which_library.subject(self.holdings, query, org)
        if query.org is None:  # several libraries' figures answer a question about none of them: ask which
            place_figures = self.figures.without(self.holdings.documents_elsewhere(query))
            unsure = which_library.candidates(self.holdings, place_figures, query)
            if unsure:
                return which_library.ask_which(question, unsure, query.intent)
        if query.intent == Intent.PLAN and query.indicator and asks_number(question):
            query.intent, query.wants_target = Intent.GOAL, True  # 明年计划新建几间: a target, looked up
        note = f"按{reference - 1}年度资料：" if query.relative and reference else ""
        answer = review(self._answer(query, note), query, self.kb)
        answer.citations = labelled(answer.citations, self.kb.registry.get)
        answer.question = question
        answer.intent = query.intent
        answer.library = which_library.answered_for(query, answer)
        return answer

    def _answer(self, query: Query, note: str) -> Answer:
        unknown_library = self.holdings.unknown_library(query)
        # Passages and figures of another place, or of documents no sign ties to the library asked
        # about, do not answer; the closest passages are still shown when nothing else does.
        elsewhere = self.holdings.documents_elsewhere(query)
        figures = self.figures.without(elsewhere)
        hits = self._retrieve(query, by_meaning=not self._table_answers(query, figures))
        if unknown_library:
            return self._refuse(query, hits, f"{NO_INFO}：知识库中没有文档提到{unknown_library}。")
        relevance = Relevance(extractive.asked_text(query), self.kb.term_rarity)
        shown, hits = hits, [h for h in hits if h.chunk.doc_id not in elsewhere]
        # A sum, difference, share or average the question asks for, computed from cited figures (推算).
        if arithmetic.operation(query.text) == "days":  # each event's date, wherever it is reported
            hits = self._also_on(query, hits, arithmetic.spanned_events(query.text))
        draft = arithmetic.compute(query, hits, figures.metrics)
        if draft is None:
            draft = self._compose(query, hits, relevance, figures)
            checkable = draft is not None and draft.statements and not draft.refused and not query.follow_up
            if draft is not None and checkable and query.intent in _SINGLE_ANSWER:
                draft = self.checks.better_evidence(query, hits, relevance, draft)
        if draft is not None and not draft.refused:
            draft = self.checks.without_other_libraries(query, draft)
        if draft is None or not draft.statements:
            missing = self.checks.unsupported(query, hits)
            return self._refuse(query, shown, _not_found(missing) if missing else "")
        if not draft.refused and self.checks.cites_other_org(query, draft, elsewhere):
            draft = self._evidence_from_place(query, hits, relevance)
            if draft is None:
                where = query.org or "、".join(places_named(query.text))
                return self._refuse(query, shown, f"{NO_INFO}：{where}的文档中没有找到。")
        if not draft.figures and not draft.refused:
            missing = self.checks.unsupported(query, hits)
            # The passages are about something else (满意度 asked, 读者 found), unless the answer's sentences
            # hold most of what is asked and only a lesser word of the question is written another way.
            if missing and (relevance.share(" ".join(said_texts(draft))) < _HOLDS_MOST or lacks_year(missing)):
                return self._refuse(query, shown, _not_found(missing))
            if extractive.asks_quantity(query) and not extractive.answers_number(query, draft, relevance):
                return self._refuse(query, shown)  # sentences on the subject, but none gives the number asked
            kind = who.asks_name(query.text)
            if kind and not who.gives_name(kind, said_texts(draft), query.text):
                return self._refuse(query, shown)  # the 设计单位 mentioned, never named
            if self.checks.other_years_only(query, draft):
                return self._refuse(query, shown, _not_found([f"{'、'.join(map(str, query.years))}年的数据"]))
        part = part_of_year_asked(query.text) if asks_number(query.text) else None
        if part is not None and not draft.refused and not names_part(part, said_texts(draft)):
            draft = self._sentences_of_part(query, hits, relevance, part)
            if draft is None:
                return self._refuse(query, shown, f"{NO_INFO}：文档没有写问题所问那段时间的数字。")
        if not draft.refused and asks_actual(query.text) and self.checks.only_targets(draft, asks_number(query.text)):
            return self._refuse(query, shown, f"{NO_INFO}：文档只写了计划或目标，没有写实际结果。")
        draft.intro = note + draft.intro
        own_words = self._finish(draft, hits, mode=AnswerMode.EXTRACTIVE, relevance=relevance)
        if self.llm is None or draft.refused:
            return own_words
        return llm_answer.rewrite(self.llm, query, draft, hits, own_words, note, self._lookup)

    def _evidence_from_place(self, query: Query, hits: list[SearchHit], relevance: Relevance) -> Draft | None:
        """The best sentences from the documents that may be of the place and library asked about
        (``hits`` hold no document elsewhere already), if they hold the question."""
        own = self.holdings.of_org(query, hits)
        if not own:
            return None
        draft = extractive.best_sentences(query, own, relevance)
        said = " ".join(st.text for st in draft.statements)
        return draft if draft.statements and relevance.share(said) >= _EVIDENCE_ALONE else None

    def _sentences_of_part(self, query: Query, hits: list[SearchHit], relevance: Relevance, part) -> Draft | None:
        """The sentences that give the number asked for the part of the year asked (开馆首日…新办读者证870张)."""
        draft = extractive.best_sentences(query, hits, relevance, limit=8)
        draft.statements = [st for st in draft.statements if names_part(part, [st.text])]
        return draft if draft.statements and extractive.answers_number(query, draft, relevance) else None

    def _table_answers(self, query: Query, figures: FigureAnswerer) -> bool:
        """A figure question the metrics table answers (2024年进馆人数是多少, 同比增长多少): its passages are
        only the sentences the figures are read beside, so keyword search finds them without embedding
        the question, the slowest step of such an answer."""
        if (
            query.intent not in _TABLE_INTENTS
            or query.follow_up
            or extractive.asks_date(query)
            or outcomes.asks_outcome(query.text)
            or asks_other_than_number(query.text)
        ):
            return False
        draft = figures.answer(query)
        return draft is not None and bool(draft.figures) and not draft.refused

    def _retrieve(self, query: Query, by_meaning: bool = True) -> list[SearchHit]:
        filters = SearchFilters(visibility=self.config.visibility, org=query.org, also_orgs=query.org_readings()[1:])
        # A follow-up is searched with what it carries over: 总流通人次呢？ is about that library and year.
        carried = [query.org or "", *(f"{y}年" for y in query.years), query.indicator or ""]
        text = query.text if not query.follow_up else " ".join([*carried, query.text])
        text = expand(text)
        mode = "hybrid" if by_meaning else "keyword"
        hits = self.kb.search(text, k=self.config.k, filters=filters, prefer_years=query.years or None, mode=mode)
        if query.org and self.holdings.named_in_others(query.org):
            # 其中，某省图书馆…: another body's report speaks of this library in the passages that name it
            wider = SearchFilters(visibility=self.config.visibility)
            seen = {h.chunk.id for h in hits}
            more = [
                h
                for h in self.kb.search(
                    text, k=self.config.k, filters=wider, prefer_years=query.years or None, mode=mode
                )
                if h.chunk.id not in seen and names_org(query.org, with_headings(h.chunk))
            ]
            hits = sorted(hits + more, key=lambda h: -h.score)[: self.config.k]
        if self.reranker is not None and hits:
            hits = self.reranker.rerank(query.text, hits)
        return hits

    def _outcome_hits(self, query: Query, hits: list[SearchHit]) -> list[SearchHit]:
        """The question's passages and those on its subject alone, of any year: the report that says
        a planned step was done is seldom the passage the question's plan words find."""
        return self._also_on(query, hits, [outcomes.subject(query.text)])

    def _also_on(self, query: Query, hits: list[SearchHit], subjects: list[str]) -> list[SearchHit]:
        """The passages found, then those a search on each subject alone finds (of the library asked)."""
        filters = SearchFilters(visibility=self.config.visibility, org=query.org)
        seen = {h.chunk.id for h in hits}
        out = list(hits)
        for subject in subjects:
            for h in self.kb.search(expand(subject), k=self.config.k, filters=filters):
                if h.chunk.id not in seen:
                    seen.add(h.chunk.id)
                    out.append(h)
        return out

    def _weak(self, hits: list[SearchHit]) -> bool:
        if not hits:
            return True
        best_kw = max((h.keyword_score or 0.0) for h in hits)
        best_vec = max((h.vector_score or 0.0) for h in hits)
        return best_kw < self.config.min_keyword_score and best_vec < self.config.min_vector_score

    def _compose(
        self, query: Query, hits: list[SearchHit], relevance: Relevance, figures: FigureAnswerer
    ) -> Draft | None:
        draft: Draft | None
        if extractive.asks_date(query) and query.intent in (
            Intent.FIGURE,
            Intent.COUNT,
            Intent.OPEN,
            Intent.PLAN,
            Intent.GOAL,
        ):
            # 哪天举办的: a sentence with a date answers, never a count looked up
            draft = extractive.best_sentences(query, hits, relevance)
            done = asks_actual(query.text)  # 是哪天开工的: the day a thing was done, in a sentence on that thing
            if done:
                draft = self.checks.without_targets(draft)
            on_subject = relevance if done else None
            return draft if extractive.states_date(draft, on_subject) and not self._weak(hits) else None
        if (
            outcomes.asks_outcome(query.text)
            and not asks_number(query.text)
            and not (query.intent == Intent.PLAN_VS_ACTUAL and query.indicator)
        ):
            # 按计划建成了吗: a target that is an event, read beside what later reports say of it; a
            # numeric target the metrics table holds (按计划新建了15间吗) is matched there first
            numeric = figures.plan_vs_actual(query) if query.indicator else None
            draft = outcomes.answer(query.text, self._outcome_hits(query, hits), self.kb.term_rarity, query.years)
            if (
                numeric is not None
                and query.indicator  # numeric is looked up only for a named indicator
                and (draft is None or self.checks.only_indicator(outcomes.subject(query.text), query.indicator))
            ):
                return numeric  # 顺延的那间 is not the year's total: the sentences that say 顺延 answer
            if draft is not None:
                return draft
        if (
            query.intent in _FIGURE_INTENTS
            and (query.indicator or query.intent in (Intent.FIGURE, Intent.COUNT, Intent.TREND))
            and not (query.intent in (Intent.FIGURE, Intent.COUNT) and asks_other_than_number(query.text))
        ):
            draft = figures.answer(query)
            if draft is not None:
                return draft
            if figures.no_data(query) and asks_number(query.text):
                # Not in the metrics table: a passage may state it, if one holds the subject and the year.
                if self._weak(hits) or self.checks.unsupported(query, hits):
                    return None
                draft = extractive.best_sentences(query, hits, relevance)
                return (
                    draft
                    if extractive.answers_number(query, draft, relevance) and self.checks.states_figure(query, draft)
                    else None
                )
        if query.intent == Intent.PLAN_VS_ACTUAL:
            draft = figures.plan_vs_actual(query)
            if draft is not None:
                return draft
        if self._weak(hits):
            return None
        if asks_number(query.text) and query.intent in (Intent.FIGURE, Intent.COUNT, Intent.OPEN):
            draft = extractive.best_sentences(query, hits, relevance)
            return draft if extractive.answers_number(query, draft, relevance) else None
        chunks_of = self.kb.registry.chunks_of
        if query.intent in (Intent.PLAN, Intent.GOAL) and not query.indicator and asks_number(query.text):
            draft = extractive.best_sentences(query, hits, relevance)  # 新馆什么时候开放: a date in a sentence
            if extractive.answers_number(query, draft, relevance):
                return draft
        if query.intent == Intent.PROBLEM:
            draft = extractive.problems(query, hits, chunks_of)
            if draft is not None:
                return draft
        if query.intent in (Intent.PLAN, Intent.GOAL):
            draft = extractive.plan_items(query, hits, chunks_of)
            if draft is not None:
                return draft
        if query.intent == Intent.LIST:
            draft = extractive.list_items(query, hits, chunks_of)
            if draft is not None:
                return draft
        return extractive.best_sentences(query, hits, relevance)

    def _refuse(self, query: Query, hits: list[SearchHit], reason: str = "") -> Answer:
        """A refusal that still shows the closest passages: never less than retrieval alone would give."""
        related = list(hits[:2])
        citations = [cite(h.chunk, i, length=200, see_also=True) for i, h in enumerate(related, start=1)]
        text = (reason or NO_INFO + "。") + ("以下是最接近的段落，供参考。" if citations else "")
        return Answer(question=query.text, answer=text, citations=citations, refused=True, grounded=True)

    def _lookup(self, chunk_id: str):
        return self.kb.registry.chunks([chunk_id]).get(chunk_id)

    def _finish(
        self, draft: Draft, hits: list[SearchHit], mode: AnswerMode, relevance: Relevance | None = None
    ) -> Answer:
        text, citations = render(draft, self._lookup)
        text, citations = with_top_passage(text, citations, hits, relevance.best_unit if relevance else None)
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
            figures=distinct_figures(draft.figures),
            grounded=check.ok and (bool(citations) or draft.refused),
            unverified_numbers=check.unverified,
            warnings=check.reasons,
            mode=mode,
            refused=draft.refused,
        )


def _not_found(terms: list[str]) -> str:
    return f"{NO_INFO}：检索到的段落都没有提到{'、'.join(terms)}。"


__all__ = ["Assistant", "AssistantConfig", "NO_INFO", "UNVERIFIED_MARK"]
