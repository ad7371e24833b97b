"""A figure question the metrics table answers is answered without embedding the question.

The sample corpus and the real seed on real Chroma and SQLite, the real embedder; the
embedder is wrapped only to count the questions it is asked to embed.
"""

import pytest

from assistant import Assistant


class CountingEmbedder:
    """The real embedder, counting the queries it embeds."""

    def __init__(self, inner):
        self.inner = inner
        self.name, self.dim = inner.name, inner.dim
        self.queries: list[str] = []

    def embed_passages(self, texts):
        return self.inner.embed_passages(texts)

    def embed_query(self, text):
        self.queries.append(text)
        return self.inner.embed_query(text)


@pytest.fixture
def counted(corpus_kb):
    real = corpus_kb.embedder
    corpus_kb.embedder = CountingEmbedder(real)
    try:
        yield corpus_kb.embedder
    finally:
        corpus_kb.embedder = real


def test_a_figure_the_table_holds_is_answered_without_embedding_the_question(corpus_kb, counted):
    ans = Assistant(corpus_kb).ask("青川区图书馆2024年进馆人数多少？")
    assert "208.37万次" in ans.answer and not ans.refused
    assert [f.indicator for f in ans.figures] == ["进馆人数"]
    assert ans.citations and ans.grounded
    assert counted.queries == []


def test_a_comparison_the_table_holds_is_answered_without_embedding_the_question(corpus_kb, counted):
    ans = Assistant(corpus_kb).ask("青川2023年和2024年的进馆人数相比怎么样？")
    assert "196.48万次" in ans.answer and "208.37万次" in ans.answer
    assert counted.queries == []


def test_a_figure_known_by_the_documents_own_name_is_answered_without_embedding_the_question(corpus_kb, counted):
    # 新书上架周期 is no indicator of the alias list: the table holds it under the documents' own name
    ans = Assistant(corpus_kb).ask("青川2023年新书上架周期缩短到几个工作日了？")
    assert "12个工作日" in ans.answer and ans.figures and ans.citations
    assert counted.queries == []


def test_a_change_is_still_searched_by_meaning_for_the_passage_that_states_it(corpus_kb, counted):
    ans = Assistant(corpus_kb).ask("青川2023年累计持证读者同比增长了多少？")
    assert "12.71%" in ans.answer
    assert counted.queries


def test_a_question_the_table_does_not_answer_is_still_searched_by_meaning(corpus_kb, counted):
    ans = Assistant(corpus_kb).ask("青川区图书馆今后有什么工作计划？")
    assert not ans.refused
    assert counted.queries, "an open question must still be searched by meaning"


def test_a_number_the_table_does_not_hold_is_searched_by_meaning(corpus_kb, counted):
    ans = Assistant(corpus_kb).ask("青川2022年因为疫情闭馆了多少天？")
    assert not ans.figures  # no figure of the table answers it: the passages do, or nothing
    assert counted.queries


def test_the_vector_index_warms_up_in_the_background_and_search_works_after(tmp_path, embedder):
    from index import KnowledgeBase

    kb = KnowledgeBase(tmp_path / "data", embedder)
    try:
        (tmp_path / "a.txt").write_text("青川区图书馆2024年工作总结\n\n全年新建读书驿站12间。\n", encoding="utf-8")
        kb.ingest([tmp_path / "a.txt"])
        thread = kb.warm_up()
        thread.join(timeout=120)
        assert not thread.is_alive()
        assert kb.search("读书驿站", k=1, mode="vector")[0].chunk.text.endswith("全年新建读书驿站12间。")
    finally:
        kb.close()


def test_a_warm_up_cut_short_by_closing_the_base_fails_quietly(tmp_path, embedder, capfd):
    from index import KnowledgeBase

    kb = KnowledgeBase(tmp_path / "data", embedder)
    thread = kb.warm_up()
    kb.close()
    thread.join(timeout=120)
    assert not thread.is_alive()
    assert "Traceback" not in capfd.readouterr().err
