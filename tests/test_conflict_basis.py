"""Two documents giving one figure different values are both shown, each with what it says the figure
covers (口径). The library and its documents are fictional and written here."""

import pytest
from written_kb import assistant_over

from assistant.basis import stated_basis

pytestmark = pytest.mark.slow

SUMMARY = """石桥县图书馆2023年工作总结

一、服务效能
全年外借图书52.4万册次，接待读者36.2万人次。
注：本总结的外借册次不含流动服务车借阅。
"""

YEARBOOK = """石桥县图书馆年鉴（2024）节选

2023年基本数据
石桥县图书馆全年外借图书55.1万册次（含流动服务车及分馆），接待读者36.2万人次。
"""


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder):
    kb, assistant = assistant_over(
        tmp_path_factory, embedder, {"shiqiao-2023-summary.txt": SUMMARY, "shiqiao-yearbook-2024.txt": YEARBOOK}
    )
    yield assistant
    kb.close()


def test_both_values_are_shown_with_their_sources_and_what_each_covers(assistant):
    answer = assistant.ask("石桥县图书馆2023年外借册次是多少？")
    text = answer.answer
    assert "不一致" in text
    assert "52.4万册次" in text and "55.1万册次" in text
    assert "口径：含流动服务车及分馆" in text  # the yearbook's bracket
    assert "口径：本总结的外借册次不含流动服务车借阅" in text  # the summary's note
    assert {c.source for c in answer.citations} >= {"shiqiao-2023-summary.txt", "shiqiao-yearbook-2024.txt"}


def test_one_value_stated_twice_is_no_conflict(assistant):
    answer = assistant.ask("石桥县图书馆2023年接待读者多少人次？")
    assert "36.2万人次" in answer.answer and "不一致" not in answer.answer


def test_a_basis_is_quoted_only_when_the_document_gives_one():
    assert stated_basis("8.6万人次", "全年参与8.6万人次（同比增长12%）。") == ""
    assert stated_basis("8.6万人次", "全年参与8.6万人次（含线上）。") == "含线上"
    note = "全年参与8.6万人次。\n注：活动参与人次按签到统计。"
    assert stated_basis("8.6万人次", "全年参与8.6万人次。", note, ("活动参与人次",)) == "活动参与人次按签到统计"
    assert stated_basis("8.6万人次", "全年参与8.6万人次。", "注：馆藏按册统计。", ("活动参与人次",)) == ""
