"""The passage retrieval ranks first is never only pointed at: when an answer rests on other passages,
the sentence of the best passage that holds most of the question is quoted beside it. The passage
below is fictional and written here."""

from assistant.relevance import Relevance
from assistant.statements import with_top_passage
from assistant.types import Citation
from index import SearchHit
from ingest.types import Chunk

PASSAGE = (
    "二、阅读推广\n"
    "全年举办讲座36场，展览12个。\n"
    "“晨光共读”项目自2019年4月23日启动，到年底累计举办213期，参加读者2.1万人次。\n"
    "少儿部开展绘本共读活动40场。"
)


def _hit(text: str, chunk_id: str = "c-top") -> SearchHit:
    chunk = Chunk(chunk_id, "d1", "summary.txt", text, ("二、阅读推广",), None, None, 0, len(text), 0)
    return SearchHit(chunk=chunk, score=1.0)


def _relevance(question: str) -> Relevance:
    return Relevance(question, lambda words: dict.fromkeys(words, 1.0))


def test_the_sentence_holding_the_question_is_quoted_when_the_answer_cites_elsewhere():
    other = Citation(1, "plan.txt", "", None, "……", "c-other", "d2")
    text, citations = with_top_passage(
        "某句话[1]。", [other], [_hit(PASSAGE)], _relevance("晨光共读一共办了多少期？").best_unit
    )
    assert "另见最相关的原文[2]：" in text
    assert "累计举办213期" in text.split("另见")[1]
    assert "讲座36场" not in text  # only the sentence that holds the question, not the whole passage
    assert [c.chunk_id for c in citations] == ["c-other", "c-top"]
    assert "213期" in citations[1].quote


def test_a_passage_holding_nothing_of_the_question_is_pointed_at_not_quoted():
    text, citations = with_top_passage("某句话[1]。", [], [_hit(PASSAGE)], _relevance("馆长叫什么名字？").best_unit)
    assert text.endswith("另见最相关的原文段落[1]。")
    assert len(citations) == 1


def test_an_answer_already_citing_the_best_passage_is_left_as_it_is():
    cited = Citation(1, "summary.txt", "", None, "……", "c-top", "d1")
    text, citations = with_top_passage(
        "累计举办213期[1]。", [cited], [_hit(PASSAGE)], _relevance("晨光共读一共办了多少期？").best_unit
    )
    assert text == "累计举办213期[1]。"
    assert citations == [cited]
