"""Asking the assistant, the same way from every surface: the caps on a question and its history,
what an empty knowledge base answers, and the answer cut into pieces for streaming."""

from __future__ import annotations

import logging
import re
import sqlite3
import time
from dataclasses import dataclass

from assistant import UNVERIFIED_MARK, Answer
from assistant.reviewed import normalise_question

from .curation_store import Asked, CurationStore
from .libraries import Libraries
from .reviewed import ReviewedAnswers

log = logging.getLogger(__name__)

MAX_QUESTION = 2000
# Earlier questions of a conversation: each one is understood again on every request, so they are capped.
# The API accepts up to MAX_HISTORY_ITEMS of at most MAX_HISTORY_CHARS each (422 beyond); the API and the web
# chat read only the last MAX_HISTORY of them (as many turns as an LLM prompt keeps).
MAX_HISTORY = 4
MAX_HISTORY_ITEMS = 10
MAX_HISTORY_CHARS = 500


def question_problem(question: str | None) -> str | None:
    """Why a question cannot be asked ("中文 / English"), or None."""
    if not question or not question.strip():
        return "问题不能为空 / the question is empty"
    if len(question) > MAX_QUESTION:
        return f"问题超过 {MAX_QUESTION} 字 / the question is longer than {MAX_QUESTION} characters"
    return None


def recent_questions(history: list[str] | None) -> list[str] | None:
    """The earlier questions the assistant reads: the last ``MAX_HISTORY`` that are not blank."""
    recent = [h for h in (history or []) if h.strip()][-MAX_HISTORY:]
    return recent or None


@dataclass(frozen=True)
class EmptyBase:
    """What a question gets while the assistant has no document to read: the Chinese answer, and its English."""

    zh: str
    en: str


EMPTY_BASE = EmptyBase(
    "知识库中还没有文档，暂时无法回答。请先在「文档」页上传工作文档（或用命令 lantai ingest 导入），导入完成后再提问。",
    "the knowledge base has no documents yet: upload work documents on the 文档 page "
    "(or run `lantai ingest <files>`) first, then ask again",
)
# WeChat reads public documents only: a base of internal ones is empty to it.
NO_PUBLIC_DOCUMENTS = EmptyBase(
    "知识库中还没有公开的文档，暂时无法回答。请馆员先在「文档」页上传文档并设为「公开」"
    "（或用命令 lantai ingest --visibility public 导入），之后再来提问。",
    "the knowledge base has no public documents yet: staff must upload documents as public on the 文档 page "
    "(or run `lantai ingest --visibility public <files>`) first",
)


def empty_base_english(answer: Answer) -> str | None:
    """The English of an empty knowledge base's answer (for the command line), or None for any other answer."""
    for notice in (EMPTY_BASE, NO_PUBLIC_DOCUMENTS):
        if answer.refused and answer.answer == notice.zh:
            return notice.en
    return None


@dataclass(frozen=True)
class Asker:
    """Who asked, for the question log: the surface (web, api, cli, wechat) and the user, when known."""

    channel: str
    user: str | None = None


class Questions:
    """The assistant of one surface (all documents for staff, public ones for WeChat).

    With a curation store, a reviewed answer (``ui.services.reviewed``) answers before the assistant,
    and every question is logged there with who asked it (``asker``, else ``channel``)."""

    def __init__(self, assistant, store: CurationStore | None = None, channel: str = "api"):
        self.assistant = assistant
        self.libraries = Libraries(assistant.holdings)
        self.store = store
        self.reviewed = ReviewedAnswers(store, assistant) if store is not None else None
        self.channel = channel

    def ask(
        self, question: str, history: list[str] | None = None, org: str | None = None, asker: Asker | None = None
    ) -> Answer:
        """The answer to ``question`` after the earlier questions of the conversation, oldest first; a question
        that names no library is about ``org`` (a library the documents are by, else ``UnknownLibrary``)."""
        started = time.perf_counter()
        answer = self.empty_answer(question)
        past = list(history) if history else None
        picked = self.libraries.resolve(org) if answer is None else None
        if answer is None and self.reviewed is not None:
            answer = self.reviewed.answer_for(question, past, picked)
            if answer is not None:
                answer.latency_ms = (time.perf_counter() - started) * 1000
        if answer is None:
            answer = self.assistant.ask(question, history=past, org=picked)
        self._log(question, answer, asker or Asker(self.channel))
        return answer

    def ask_in_conversation(
        self, question: str, history: list[str] | None = None, org: str | None = None, asker: Asker | None = None
    ) -> Answer:
        """As ``ask``, reading only the recent earlier questions (``recent_questions``)."""
        return self.ask(question.strip(), recent_questions(history), org, asker)

    def _log(self, question: str, answer: Answer, asker: Asker) -> None:
        """The question in the log; a log that cannot be written (a full disk) costs no answer."""
        if self.store is None:
            return
        documents = {c.doc_id: c.title or c.source for c in answer.citations if c.doc_id}
        try:
            self.store.log_question(
                Asked(
                    channel=asker.channel,
                    asker=asker.user,
                    question=question,
                    normalised=normalise_question(question),
                    refused=answer.refused,
                    latency_ms=answer.latency_ms,
                    documents=list(documents.items()),
                    reviewed_id=answer.reviewed.id if answer.reviewed else None,
                )
            )
        except (sqlite3.Error, OSError) as exc:
            log.warning("question not logged: %s", exc)

    def empty_answer(self, question: str) -> Answer | None:
        """While the assistant has no ready document to read, the answer says so and how to add one;
        otherwise None. A refusal would only say that the documents hold nothing on the question."""
        visibility = self.assistant.config.visibility
        if self.assistant.kb.visible_documents(visibility):
            return None
        notice = NO_PUBLIC_DOCUMENTS if visibility == "public" else EMPTY_BASE
        return Answer(question=question, answer=notice.zh, refused=True, grounded=True)


def library_line(answer: Answer) -> str:
    """The line that says which library an answer is for (单位：…), as every surface shows it; empty for an
    answer that asks which library is meant or has none to name."""
    return f"单位：{answer.library}" if answer.library and not answer.candidates else ""


_NUMBER_CHAR = re.compile(r"[0-9.%]")


def answer_pieces(text: str, size: int = 24) -> list[str]:
    """The answer text in small pieces for streaming: clauses, long ones cut to ``size`` characters.

    Joined back together they are exactly ``text``. With an LLM configured the
    pieces can later come from the model as it writes; the events stay the same.
    """
    pieces: list[str] = []
    for clause in re.findall(r"[^，。！？；：\n]*[，。！？；：\n]?", text):
        while len(clause) > size:
            cut = size
            mark = clause.rfind("[", 0, cut)
            if mark > 0 and "]" not in clause[mark:cut]:  # never split a citation mark [n]
                cut = mark
            while cut > 1 and _NUMBER_CHAR.match(clause[cut - 1]) and _NUMBER_CHAR.match(clause[cut]):
                cut -= 1  # nor a number
            if cut <= 1:
                cut = size
            pieces.append(clause[:cut])
            clause = clause[cut:]
        if clause:
            pieces.append(clause)
    return pieces


__all__ = [
    "MAX_QUESTION",
    "MAX_HISTORY",
    "MAX_HISTORY_ITEMS",
    "MAX_HISTORY_CHARS",
    "EMPTY_BASE",
    "NO_PUBLIC_DOCUMENTS",
    "EmptyBase",
    "Asker",
    "Questions",
    "UNVERIFIED_MARK",
    "empty_base_english",
    "library_line",
    "answer_pieces",
    "question_problem",
    "recent_questions",
]
