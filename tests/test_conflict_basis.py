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


NETWORK_SUMMARY = """青溪县图书馆2023年工作总结

一、主要数据
全县图书馆（含乡镇分馆）总流通人次24.8万人次，年末总藏量31.6万册（含乡镇分馆藏书）。
"""

CITY_YEARBOOK = """青州年鉴（2024）·公共图书馆

说明：①本表数据由各馆年报汇总。②青溪县图书馆数据为县馆本馆口径，不含乡镇分馆。

表2  2022—2023年青州市各公共图书馆总流通人次（单位：万人次）
馆名 | 2022年 | 2023年
青州市图书馆 | 88.1 | 96.3
青溪县图书馆 | 19.4 | 21.2

表3  2022—2023年青州市各公共图书馆总藏量（单位：万册）
馆名 | 2022年 | 2023年
青州市图书馆 | 210.5 | 221.7
青溪县图书馆 | 26.1 | 27.5
"""


@pytest.fixture(scope="module")
def with_yearbook_table(tmp_path_factory, embedder):
    kb, assistant = assistant_over(
        tmp_path_factory,
        embedder,
        {"qingxi-2023-summary.txt": NETWORK_SUMMARY, "qingzhou-yearbook-2024.txt": CITY_YEARBOOK},
    )
    yield assistant
    kb.close()


def test_a_yearbook_tables_row_and_a_summary_are_shown_side_by_side(with_yearbook_table):
    text = with_yearbook_table.ask("青溪县图书馆2023年总流通人次到底是多少？").answer
    assert "不一致" in text and "24.8万人次" in text and "21.2万人次" in text
    assert "口径：含乡镇分馆" in text  # the aside in the summary's own clause
    assert "不含乡镇分馆" in text  # the yearbook's note naming the library's row


def test_when_in_the_year_a_figure_stands_does_not_narrow_its_name(with_yearbook_table):
    text = with_yearbook_table.ask("青溪县图书馆2023年底的总藏量是多少？").answer
    assert "31.6万册" in text and "27.5万册" in text  # 年末总藏量 in one, 总藏量 in the other: one figure
