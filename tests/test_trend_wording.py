"""Trends as staff ask them: 一年比一年多 asks for a trend, a series that went both ways says each year's
way, a library's own name is no branch scope, and 场次 is held by a count in 场."""

from __future__ import annotations

import pytest
from written_kb import assistant_over

from assistant.evidence import missing_terms
from assistant.query import Intent
from assistant.query import understand as understood
from ingest import load_indicators


def understand(question: str, orgs=(), scopes=()):
    return understood(question, indicators=load_indicators(), reference_year=2024, orgs=list(orgs), scopes=list(scopes))


def _summary(year: int, visits: str, events: int) -> str:
    return f"""石门区图书馆{year}年工作总结

一、主要数据

{year}年全年进馆人数{visits}万人次，举办阅读推广活动{events}场。
"""


@pytest.fixture(scope="module")
def over_three_years(tmp_path_factory, embedder):
    documents = {
        f"石门区图书馆{year}年工作总结.txt": _summary(year, visits, events)
        for year, visits, events in ((2021, "30.1", 210), (2022, "26.4", 236), (2023, "33.8", 254))
    }
    kb, assistant = assistant_over(tmp_path_factory, embedder, documents)
    yield assistant
    kb.close()


def test_one_year_after_another_asks_for_a_trend():
    assert understand("进馆人数是不是一年比一年多？").intent == Intent.TREND


def test_a_librarys_own_name_is_no_branch_scope():
    orgs, scopes = ["石门区图书馆"], ["石门区", "东城分馆"]
    assert understand("石门区图书馆的进馆人数这几年怎么变化？", orgs=orgs, scopes=scopes).scope is None
    assert understand("石门区馆的进馆人数这几年怎么变化？", orgs=orgs, scopes=scopes).scope is None
    assert understand("石门区图书馆东城分馆的进馆人数？", orgs=orgs, scopes=scopes).scope == "东城分馆"
    assert understand("石门区全区的进馆人数是多少？", orgs=orgs, scopes=scopes).scope == "石门区"


def test_a_count_in_its_unit_holds_the_unit_asked():
    assert not missing_terms("阅读推广活动场次是多少？", ["全年举办阅读推广活动268场。"])
    assert missing_terms("阅读推广活动场次是多少？", ["全年举办阅读推广活动若干。"])


@pytest.mark.slow
def test_a_series_that_went_both_ways_says_each_years_way(over_three_years):
    answer = over_three_years.ask("石门区图书馆的进馆人数是不是一年比一年多？")
    text = answer.answer
    assert "30.1万人次" in text and "26.4万人次" in text and "33.8万人次" in text
    assert "2022年比2021年下降" in text and "2023年比2022年增长" in text and "并非逐年同向变化" in text


@pytest.mark.slow
def test_a_series_that_rose_every_year_says_so(over_three_years):
    text = over_three_years.ask("石门区图书馆阅读推广活动场次是不是一年比一年多？").answer
    assert "210场" in text and "254场" in text and "连续2年增长" in text


def test_how_staff_ask_whether_a_figure_rose_or_fell_is_a_trend():
    for question in (
        "进馆人数这几年是多了还是少了？",
        "进馆人数近几年是增是减？",
        "活动场次是不是一直往上走？",
        "进馆人数这三年是什么走势？",
    ):
        assert understand(question).intent == Intent.TREND, question


@pytest.mark.slow
def test_asked_whether_it_always_rose_the_year_it_fell_is_named(over_three_years):
    text = over_three_years.ask("石门区图书馆的进馆人数是不是一直往上走？").answer
    assert "并非逐年增长：2022年比上一年下降" in text


@pytest.mark.slow
def test_a_series_asked_over_these_three_years_is_read_by_the_figures_name(over_three_years):
    text = over_three_years.ask("石门区馆这三年阅读推广活动是什么走势？").answer
    assert "210场" in text and "236场" in text and "254场" in text and "连续" in text
