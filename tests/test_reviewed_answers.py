"""A corrected answer wins next time: for the same question and its rephrasings, with its citation, and never
for a question about another year, library or figure.

The sample corpus in real Chroma, the real embedder, a real SQLite store in a temp dir.
"""

from __future__ import annotations

import pytest

from assistant import Assistant
from assistant.reviewed import QuestionFacts
from ui.services.audit import AuditLog
from ui.services.curation_store import CurationStore
from ui.services.feedback import FeedbackLog, Rating, feedback_record
from ui.services.questions import Asker, Questions
from ui.services.reviewed import Reviewer, about
from ui.services.usage import review_queue, usage_stats

pytestmark = pytest.mark.slow

QUESTION = "青川区图书馆2024年进馆人数是多少？"
REPHRASINGS = [
    "2024年青川区图书馆的进馆人数有多少",
    "请问青川区图书馆2024年进馆人次是多少？",
    "青川区图书馆 2024 年进馆人数多少？",
]
CORRECTED = "经馆员核对：2024年全年进馆208.37万人次，比上年增长6.05%（以年度统计报表为准）。[1]"


@pytest.fixture
def questions(corpus_kb, tmp_path):
    return Questions(Assistant(corpus_kb), CurationStore(tmp_path), channel="web")


def _correct(questions: Questions, question: str = QUESTION) -> tuple[int, dict]:
    original = questions.ask(question)
    assert original.citations and original.reviewed is None
    record = feedback_record(original, "")
    kept = record["citations"][:1]
    answer_id = questions.reviewed.correct(question, CORRECTED, kept, Reviewer("张馆员"))
    return answer_id, kept[0]


def test_a_correction_answers_the_question_and_its_rephrasings_with_its_citation(questions):
    answer_id, cited = _correct(questions)
    for asked in [QUESTION, *REPHRASINGS]:
        answer = questions.ask(asked)
        assert answer.reviewed is not None, asked
        assert answer.reviewed.id == answer_id and answer.reviewed.reviewer == "张馆员"
        assert answer.answer == CORRECTED and not answer.refused
        assert [(c.doc_id, c.chunk_id, c.quote) for c in answer.citations] == [
            (cited["doc_id"], cited["chunk_id"], cited["quote"])
        ]
        assert answer.checked.startswith("审核人：张馆员 · 审核时间：")
        assert answer.as_dict()["reviewed"]["reviewer"] == "张馆员"


def test_another_year_library_or_figure_is_not_given_the_correction(questions):
    _correct(questions)
    for asked in [
        "青川区图书馆2023年进馆人数是多少？",  # the year differs only
        "南海区图书馆2024年进馆人数是多少？",  # another library
        "青川区图书馆2024年文献流通量是多少？",  # another figure of the same year and library
    ]:
        answer = questions.ask(asked)
        assert answer.reviewed is None, asked
        assert answer.answer != CORRECTED
    assert "196.48" in questions.ask("青川区图书馆2023年进馆人数是多少？").answer  # the assistant's own answer


def test_a_follow_up_and_a_withdrawn_correction_go_to_the_assistant(questions):
    answer_id, _ = _correct(questions)
    # 「那2024年呢？」 after a 2023 question asks what QUESTION asks, but its words alone do not
    assert questions.ask("进馆人数是多少？", ["青川区图书馆2023年进馆人数是多少？"]).reviewed is None
    assert questions.reviewed.withdraw(answer_id, Reviewer("管理员"))
    assert questions.ask(QUESTION).reviewed is None
    assert questions.reviewed.listing() == []


def test_the_queue_lists_refused_and_disliked_questions_until_reviewed(questions, tmp_path):
    refused = questions.ask("江州市图书馆2024年累计馆藏量是多少？", asker=Asker("web", "李馆员"))
    assert refused.refused
    disliked = questions.ask(QUESTION)
    FeedbackLog(questions.store, AuditLog(tmp_path)).save(feedback_record(disliked, ""), Rating.DOWN, "王馆员")
    queue = review_queue(questions.store)
    assert [q["question"] for q in queue] == [QUESTION, "江州市图书馆2024年累计馆藏量是多少？"]  # newest first
    assert queue[0]["reasons"] == ["👎 没帮助"] and queue[0]["who"] == "王馆员"
    assert queue[1]["reasons"] == ["未找到答案"] and queue[1]["who"] == "李馆员"
    _correct(questions)
    assert [q["question"] for q in review_queue(questions.store)] == ["江州市图书馆2024年累计馆藏量是多少？"]


def test_every_question_is_logged_with_the_documents_it_cited(questions):
    answers = [questions.ask(q) for q in (QUESTION, QUESTION, "江州市图书馆2024年累计馆藏量是多少？")]
    stats = usage_stats(questions.store)
    assert (stats.asked, stats.refused) == (3, 1)
    assert stats.top_questions[0] == {"question": QUESTION, "times": 2}
    cited = {c.doc_id for a in answers for c in a.citations}
    assert {d["doc_id"] for d in stats.documents} == cited
    for d in stats.documents:
        assert d["cited"] == sum(d["doc_id"] in {c.doc_id for c in a.citations} for a in answers)
    assert stats.slowest[0]["latency_ms"] == round(max(a.latency_ms for a in answers), 1)


def test_a_question_naming_no_library_is_about_the_one_picked():
    facts = QuestionFacts(years=(2024,), indicators=("进馆人次",))
    assert about(facts, "青川区图书馆").libraries == ("青川区图书馆",)
    assert about(facts, None) == facts and about(facts, "") == facts
    named = QuestionFacts(years=(2024,), libraries=("南海区图书馆",))
    assert about(named, "青川区图书馆") == named  # the library the question names wins
