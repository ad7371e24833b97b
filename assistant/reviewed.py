"""When a staff-reviewed answer answers a question: the same question, or a rephrasing of it.

Two questions are one when the embedding model finds them near (the cosine of their normalised
texts at least ``SAME_QUESTION``; ``python -m eval.reviewed_match`` measures the choice) *and*
they name the same years, other numbers, parts of the year and libraries. Wording may differ;
what is asked about may not: a question about 2023 never gets the reviewed answer of 2024,
however alike the two read to the model. Relative years (去年) count as the year they meant
when the answer was reviewed, so a reviewed 「去年」 answer stops answering 「去年」 once the
reference year moves on.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ingest import IndicatorList
from ingest.cn_dates import with_arabic_dates
from ingest.outline import library_names

from .evidence import places_named, with_arabic_counts
from .periods_asked import part_of_year_asked
from .query import understand
from .years_said import resolve_years

# Measured on 21 rephrasings and 16 near-miss questions over the sample corpus (eval.reviewed_match,
# multilingual-e5-small): rephrasings scored 0.981–1.0; the one different question naming the same facts
# (困难 / 成绩 of one library) 0.940. Facts alone leave that one served at any threshold up to 0.94.
SAME_QUESTION = 0.96
_RELATIVE_WORDS = re.compile(r"大前年|前年|去年|上年度|今年|本年度|明年|来年|后年|近[两二三四五六七八九十\d]年")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
# Marks, spaces and courtesy words that do not change what is asked.
_NOISE = re.compile(r"[\s\W_]+|^(?:请问|请|麻烦|想问一下|想问|我想知道|问一下)")


def normalise_question(question: str) -> str:
    """The question as compared: full-width folded, dates in digits, no spaces, marks or courtesy words."""
    text = with_arabic_dates(unicodedata.normalize("NFKC", question or "")).lower()
    return _NOISE.sub("", text)


@dataclass(frozen=True)
class QuestionFacts:
    """What a question is about, beyond its wording; two questions that differ here are two questions."""

    years: tuple[int, ...] = ()
    numbers: tuple[str, ...] = ()
    libraries: tuple[str, ...] = ()  # libraries, branches and places
    indicators: tuple[str, ...] = ()  # the metrics table's names of the figures asked about
    parts: tuple[str, ...] = ()  # a part of the year (上半年, 暑期) or a relative year left unresolved

    def key(self) -> str:
        return json.dumps(
            [list(self.years), list(self.numbers), list(self.libraries), list(self.indicators), list(self.parts)],
            ensure_ascii=False,
        )


@dataclass(frozen=True)
class Vocabulary:
    """What the knowledge base knows by name, for reading a question as the assistant reads it."""

    indicators: IndicatorList
    reference_year: int | None
    orgs: Sequence[str] = ()
    scopes: Sequence[str] = ()


def vocabulary_of(assistant) -> Vocabulary:
    """The vocabulary of an ``Assistant``: its knowledge base's indicators, libraries, branches and 今年."""
    holdings = assistant.holdings
    return Vocabulary(
        assistant.kb.metrics.indicators, assistant.reference_year(), holdings.named_orgs(), holdings.scopes()
    )


def question_facts(question: str, vocabulary: Vocabulary, history: Sequence[str] | None = None) -> QuestionFacts:
    """The years (relative ones resolved against the reference year), numbers, libraries, indicators and
    parts of the year a question names, as the assistant understands it after ``history``."""
    text = with_arabic_counts(with_arabic_dates(unicodedata.normalize("NFKC", question or "")))
    query = understand(
        text,
        indicators=vocabulary.indicators,
        reference_year=vocabulary.reference_year,
        orgs=list(vocabulary.orgs),
        scopes=list(vocabulary.scopes),
        history=list(history) if history else None,
    )
    written_years = {str(y) for y in resolve_years(text, None)[0]}
    numbers = sorted({n for n in _NUMBER.findall(text) if n not in written_years})
    parts = [m.group(0) for m in _PART_WORDS.finditer(text)] if part_of_year_asked(text) else []
    if vocabulary.reference_year is None:  # nothing to resolve 去年 against: the word itself must match
        parts += _RELATIVE_WORDS.findall(text)
    named = [*query.orgs, *query.scopes, *_unknown_libraries(text, query.orgs)]
    return QuestionFacts(
        tuple(query.years),
        tuple(numbers),
        tuple(sorted(set(named))),
        tuple(sorted(set(query.indicators))),
        tuple(sorted(set(parts))),
    )


_PART_WORDS = re.compile(
    r"上半年|下半年|[一二三四1-4]季度|暑期|暑假|寒假|春节|国庆|首月|首周|首日|当天|头一个月|第一个月|头[两三几]个月|前[两三几]个月"
)


def _unknown_libraries(text: str, known: Sequence[str]) -> list[str]:
    """Libraries and places a question names that are none of the ``known`` ones it names."""
    named = list(known)
    for library in library_names(text):
        if not any((library.short and library.short in org) or org in library.name for org in named):
            named.append(library.name)
    for place in places_named(text):
        if not any(place in name for name in named):
            named.append(place)
    return named[len(known) :]


@dataclass(frozen=True)
class ReviewedQuestion:
    """A reviewed answer's question, as matching needs it."""

    answer_id: int
    normalised: str
    facts_key: str
    vector: np.ndarray  # the embedding of the normalised question, unit length


@dataclass(frozen=True)
class Match:
    answer_id: int
    similarity: float


def closest_reviewed(
    normalised: str, facts: QuestionFacts, candidates: Sequence[ReviewedQuestion], embed
) -> Match | None:
    """The reviewed question that is this one: the same facts, and the same text or near enough in meaning.

    ``embed`` turns a normalised question into a unit vector; it is called only when some candidate
    names the same facts and none has the very same text."""
    same_facts = [c for c in candidates if c.facts_key == facts.key()]
    if not same_facts:
        return None
    for c in same_facts:
        if c.normalised == normalised:
            return Match(c.answer_id, 1.0)
    scores = np.stack([c.vector for c in same_facts]) @ np.asarray(embed(normalised), dtype=np.float32)
    best = int(np.argmax(scores))
    if float(scores[best]) < SAME_QUESTION:
        return None
    return Match(same_facts[best].answer_id, float(scores[best]))


__all__ = [
    "Match",
    "QuestionFacts",
    "ReviewedQuestion",
    "SAME_QUESTION",
    "Vocabulary",
    "vocabulary_of",
    "closest_reviewed",
    "normalise_question",
    "question_facts",
]
