"""Reviewed answers (问答对): staff correct an answer once, and the correction answers from then on.

A correction keeps the question (as staff phrase it), the answer staff wrote and the citations of the
original answer they chose to keep. It answers the same question and its rephrasings
(``assistant.reviewed`` decides which) before the assistant is asked, marked 「馆员审核的答案」 with who
and when. It cites only documents the asking surface may read: on a channel limited to public
documents a reviewed answer needs citations, all of them public; one whose cited documents are all
gone answers no more. Admins list, edit and withdraw them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from assistant import Answer, Citation, ReviewedBy
from assistant.reviewed import (
    QuestionFacts,
    ReviewedQuestion,
    closest_reviewed,
    normalise_question,
    question_facts,
    vocabulary_of,
)

from .curation_store import CurationStore, ReviewedRow, local_time

REVIEWED_LABEL = "馆员审核的答案"
_CITATION_FIELDS = ("n", "source", "section", "page", "quote", "chunk_id", "doc_id", "title", "library")


class CorrectionError(ValueError):
    """A correction that cannot be saved; its message is for staff (Chinese)."""


@dataclass(frozen=True)
class Reviewer:
    """Who reviews: the login name, or the surface when nobody logged in."""

    name: str


def citation_record(c: Citation) -> dict:
    """A citation as kept with a rating or a reviewed answer: what is shown, and the chunk it came from."""
    return {**c.as_dict(), "chunk_id": c.chunk_id, "doc_id": c.doc_id}


def reviewed_note(row: ReviewedRow) -> str:
    """Who reviewed the answer and when, the line under its 「馆员审核的答案」 badge."""
    return f"审核人：{row.reviewer} · 审核时间：{local_time(row.reviewed_at)[:16].replace('T', ' ')}"


def about(facts: QuestionFacts, library: str | None) -> QuestionFacts:
    """The facts of a question that names no library, read as about ``library`` (the one picked)."""
    if facts.libraries or not library:
        return facts
    return replace(facts, libraries=(library,))


def _citation(c: dict) -> Citation:
    page = c.get("page")
    return Citation(
        n=int(c.get("n") or 0),
        source=str(c.get("source") or ""),
        section=str(c.get("section") or ""),
        page=int(page) if page else None,
        quote=str(c.get("quote") or ""),
        chunk_id=str(c.get("chunk_id") or ""),
        doc_id=str(c.get("doc_id") or ""),
        title=str(c.get("title") or ""),
        library=str(c.get("library") or ""),
    )


class ReviewedAnswers:
    def __init__(self, store: CurationStore, assistant):
        self.store = store
        self.assistant = assistant

    # -- answering --------------------------------------------------------------------------------------
    def answer_for(self, question: str, history: list[str] | None = None, org: str | None = None) -> Answer | None:
        """The reviewed answer for ``question`` (about ``org`` when it names no library), or None. A follow-up
        that reads the turns before (2023年呢？) is another question than its words alone: it is never served one."""
        rows = self.store.reviewed()
        if not rows:
            return None
        vocabulary = vocabulary_of(self.assistant)
        facts = question_facts(question, vocabulary)
        if history and question_facts(question, vocabulary, history) != facts:
            return None
        embed = self.assistant.kb.embedder.embed_query
        candidates = [ReviewedQuestion(r.id, r.normalised, r.facts, self._vector(r)) for r in rows]
        match = closest_reviewed(normalise_question(question), about(facts, org), candidates, embed)
        if match is None:
            return None
        row = next(r for r in rows if r.id == match.answer_id)
        return self._served(question, row)

    def _vector(self, row: ReviewedRow) -> np.ndarray:
        embedder = self.assistant.kb.embedder
        if row.embedder == embedder.name:
            return row.vector
        vector = np.asarray(embedder.embed_query(row.normalised), dtype=np.float32)
        self.store.store_vector(row.id, embedder.name, vector)
        return vector

    def _served(self, question: str, row: ReviewedRow) -> Answer | None:
        visibility = self.assistant.config.visibility
        readable = {d.id for d in self.assistant.kb.visible_documents(visibility)}
        kept = [c for c in row.citations if c.get("doc_id") in readable]
        if row.citations and not kept:
            return None  # every document it cited is gone or out of reach
        if visibility == "public" and (not row.citations or len(kept) < len(row.citations)):
            return None  # staff text may speak of internal documents: a public channel gets it only when all it cites is public
        return Answer(
            question=question,
            answer=row.answer,
            citations=[_citation(c) for c in kept],
            grounded=True,
            intent="reviewed",
            checked=reviewed_note(row),
            reviewed=ReviewedBy(row.id, row.reviewer, local_time(row.reviewed_at)),
        )

    # -- curating -----------------------------------------------------------------------------------------
    def correct(self, question: str, answer: str, citations: list[dict], reviewer: Reviewer, library: str = "") -> int:
        """A reviewed answer for ``question`` citing ``citations`` (records of the original answer's); its id.
        A question that names no library is about ``library``, the one the original answer was for."""
        question, answer = (question or "").strip(), (answer or "").strip()
        if not question:
            raise CorrectionError("问题不能为空。")
        if not answer:
            raise CorrectionError("请填写正确的答案。")
        normalised = normalise_question(question)
        embedder = self.assistant.kb.embedder
        return self.store.add_reviewed(
            {
                "question": question,
                "normalised": normalised,
                "facts": about(question_facts(question, vocabulary_of(self.assistant)), library).key(),
                "answer": answer,
                "citations": [{k: c.get(k) for k in _CITATION_FIELDS if k in c} for c in citations],
                "reviewer": reviewer.name,
                "embedder": embedder.name,
                "vector": embedder.embed_query(normalised),
            }
        )

    def edit(self, answer_id: int, answer: str, reviewer: Reviewer) -> bool:
        if not (answer or "").strip():
            raise CorrectionError("请填写正确的答案。")
        return self.store.edit_reviewed(answer_id, answer.strip(), reviewer.name)

    def withdraw(self, answer_id: int, reviewer: Reviewer) -> bool:
        return self.store.withdraw_reviewed(answer_id, reviewer.name)

    def listing(self, in_force: bool = True) -> list[dict]:
        """Reviewed answers for people and the API, newest first."""
        return [
            {
                "id": r.id,
                "question": r.question,
                "answer": r.answer,
                "citations": [{k: c.get(k) for k in ("n", "title", "source", "section", "page")} for c in r.citations],
                "reviewer": r.reviewer,
                "reviewed_at": local_time(r.reviewed_at),
                "in_force": r.withdrawn_at is None,
            }
            for r in self.store.reviewed(in_force=in_force)
        ]


__all__ = ["CorrectionError", "REVIEWED_LABEL", "ReviewedAnswers", "Reviewer", "citation_record", "reviewed_note"]
