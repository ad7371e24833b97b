"""Asking the assistant, the same way from every surface: the caps on a question and its history,
and the answer cut into pieces for streaming."""

from __future__ import annotations

import re

from assistant import UNVERIFIED_MARK

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


class Questions:
    """The assistant of one surface (all documents for staff, public ones for WeChat)."""

    def __init__(self, assistant):
        self.assistant = assistant

    def ask(self, question: str, history: list[str] | None = None):
        """The answer to ``question`` after the earlier questions of the conversation, oldest first."""
        return self.assistant.ask(question, history=list(history) if history else None)

    def ask_in_conversation(self, question: str, history: list[str] | None = None):
        """As ``ask``, reading only the recent earlier questions (``recent_questions``)."""
        return self.assistant.ask(question.strip(), history=recent_questions(history))


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
    "Questions",
    "UNVERIFIED_MARK",
    "answer_pieces",
    "question_problem",
    "recent_questions",
]
