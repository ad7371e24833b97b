"""Refusal from evidence, not from names: a library is unknown only when no document mentions it,
and a question is refused when no retrieved passage holds what it asks about. The libraries
below are fictional; their documents are written here."""

import pytest

from assistant import Assistant
from assistant.named_in_question import find_orgs
from index import KnowledgeBase
from ingest.outline import detect_org

BANNER = """2023年工作总结

一、基本情况
2023年，白音旗图书馆全年接待读者12.6万人次，同比增长8.2%，外借图书4.1万册次，新办读者证1350个。

二、阅读推广
白音旗图书馆全年举办阅读推广活动86场，其中少儿活动32场，参与读者1.9万人次。
"""

COUNTY = """云溪县图书馆2023年工作总结

一、服务效能
全年外借图书6.3万册次，新增馆藏图书1.2万册，数字资源访问量达21万次。

二、队伍建设
组织职工参加业务培训6次，完成古籍普查登记320部。
"""

PROVINCIAL = """评估自查报告

一、办馆条件
本馆是省级公共图书馆，馆舍建筑面积3.2万平方米，2023年接待读者305万人次。
"""


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder):
    folder = tmp_path_factory.mktemp("fictional")
    for name, text in (("banner-2023.txt", BANNER), ("county-2023.txt", COUNTY), ("provincial-2023.txt", PROVINCIAL)):
        (folder / name).write_text(text, encoding="utf-8")
    kb = KnowledgeBase(tmp_path_factory.mktemp("data"), embedder)
    assert kb.ingest(sorted(folder.glob("*.txt"))).ok
    yield Assistant(kb)
    kb.close()


def test_organisation_read_from_the_text_without_the_words_before_it():
    assert detect_org("一、工作计划", "2023年白音旗图书馆全年接待读者。白音旗图书馆举办活动。") == "白音旗图书馆"
    assert detect_org("全年工作回顾", "2023年云溪县图书馆外借图书6.3万册次。") == "云溪县图书馆"
    from ingest.outline import library_names

    assert [n.name for n in library_names("这家省级图书馆和城市图书馆")] == []


def test_a_library_is_found_by_its_short_forms():
    assert find_orgs("云溪区图书馆去年外借多少册次？", ["北岭市云溪区图书馆"]) == ["北岭市云溪区图书馆"]
    assert find_orgs("云溪馆去年外借多少册次？", ["北岭市云溪区图书馆"]) == ["北岭市云溪区图书馆"]
    # 某某市馆 is the library, not the city a bulletin is by
    assert find_orgs("北岭市馆去年外借多少册次？", ["北岭市图书馆", "北岭市"]) == ["北岭市图书馆"]
    # a library named in full is not another body's short form at the same place
    assert find_orgs("北岭县图书馆去年外借多少册次？", ["北岭县图书馆", "北岭县公共图书馆"]) == ["北岭县图书馆"]


def test_where_a_figure_was_read_is_not_part_of_its_name():
    from assistant.figure_names import residual

    assert "年鉴" not in residual("年鉴上北岭县图书馆2022年书刊外借是多少？", ["北岭县图书馆"])
    assert "公报" not in residual("公报里全市的书刊外借是多少？", [])


def test_a_library_a_document_mentions_is_answered_not_refused(assistant):
    ans = assistant.ask("白音旗图书馆2023年举办了多少场阅读推广活动？")
    assert not ans.refused, ans.answer
    assert "86场" in ans.answer


def test_a_kind_of_library_is_not_an_unknown_library(assistant):
    ans = assistant.ask("这家省级图书馆馆舍建筑面积是多少？")
    assert not ans.refused, ans.answer
    assert "3.2万平方米" in ans.answer


def test_a_library_no_document_mentions_is_refused_with_the_closest_passage(assistant):
    ans = assistant.ask("东川区图书馆2023年外借图书多少册次？")
    assert ans.refused and "东川区图书馆" in ans.answer
    assert ans.citations, "a refusal still shows the closest passage"


def test_a_subject_no_passage_states_is_refused_with_the_closest_passage(assistant):
    for question, subject in (
        ("云溪县图书馆2023年的水电费是多少？", "水电费"),
        ("云溪县图书馆的馆长是谁？", "馆长"),
        ("白音旗图书馆2023年读者满意度是多少？", "满意度"),
    ):
        ans = assistant.ask(question)
        assert ans.refused, ans.answer
        assert ans.answer.startswith("文档中没有相关信息") and subject in ans.answer
        assert ans.citations


def test_the_top_retrieved_passage_is_always_cited(assistant):
    for question in (
        "云溪县图书馆2023年外借图书多少册次？",
        "白音旗图书馆2023年接待读者多少人次？",
        "云溪县图书馆组织职工参加了几次业务培训？",
    ):
        top = assistant.kb.search(question, k=assistant.config.k)[0]
        ans = assistant.ask(question)
        assert top.chunk.id in {c.chunk_id for c in ans.citations}, (question, ans.answer)


def test_a_cited_book_title_and_a_counting_word_are_not_what_is_asked():
    from assistant.evidence import key_terms

    assert key_terms("据《江河文化统计年鉴2023》，2022年全省一共有多少个公共图书馆？") == ()
    assert key_terms("云溪县图书馆的阅览座位有多少个？（按年报口径）") == ("座位",)


def test_a_word_documents_write_another_way_is_held():
    from assistant.evidence import missing_terms

    assert missing_terms("云溪县图书馆的阅览座位有多少个？", ["云溪县图书馆设阅览坐席360个。"]) == []
    assert missing_terms("云溪县图书馆的馆长是谁？", ["云溪县图书馆设阅览坐席360个。"]) == ["馆长"]
