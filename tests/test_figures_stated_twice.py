"""One figure in two documents, and questions that lean on the wording around a figure.

A library's own notice gives 到馆 1,263,857人次 where the city yearbook rounds it to 126.4万人次: one
figure, answered with the exact statement and never shown as a conflict. A share is taken of the whole
its part is stated beside (书刊外借…其中少儿…); an average per 开馆日 divides the year's visits, not the
总馆's; 新馆的面积是老馆的几倍 finds 老馆's figure in the same measure; the gap to a target is measured
against the report that set it; a year no document covers is not answered from other years; 其中少儿的呢
after a loans question asks for the children's part.

Each question goes through a real knowledge base built from documents written here.
"""

from __future__ import annotations

import pytest
from written_kb import assistant_over, checked_computation

pytestmark = pytest.mark.slow

NOTICE = """青禾市图书馆2023年度服务数据公告

一、到馆服务

2023年，我馆全年开馆三百二十天，全年接待到馆读者1,263,857人次，比上年增长12.5%。其中总馆接待读者512,300人次，城市书房接待读者751,557人次。

二、借阅服务

全年书刊文献外借802,400册次，其中少儿文献外借288,864册次；全年新办读者证41,250张。

三、新馆建设

老馆建筑面积4500平方米，座位380个。新馆总建筑面积2.25万平方米，设计藏书量120万册。
"""

YEARBOOK = """青禾年鉴（2024）公共文化

【青禾市图书馆】2023年，青禾市图书馆全年接待读者126.4万人次，外借书刊80.2万册次，举办各类活动912场。
"""

SUMMARY_2023 = """白沙县图书馆2023年工作总结

一、主要业务指标

全年总流通人次34.6万人次，同比增长6.2%；书刊外借22.8万册次；年末总藏量32.0万册。全年总流通人次未完成年初确定的36万人次目标。
"""

PLAN_2023 = """白沙县图书馆2023年工作计划

一、主要目标

全年总流通人次力争达到36万人次，书刊外借达到22万册次。
"""

YEARBOOK_COUNTY = """青禾年鉴（2024）县级图书馆

【白沙县图书馆】2023年总流通人次30.1万人次（不含乡镇分馆）。

表　2023年各县级图书馆主要指标

馆名\t总藏量（万册）\t书刊外借（万册次）
白沙县图书馆\t26.5\t19.8
柳岸县图书馆\t18.2\t11.4
"""


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder):
    kb, assistant = assistant_over(
        tmp_path_factory,
        embedder,
        {
            "qinghe-notice-2023.txt": NOTICE,
            "qinghe-yearbook-2024.txt": YEARBOOK,
            "baisha-2023-summary.txt": SUMMARY_2023,
            "baisha-2023-plan.txt": PLAN_2023,
            "qinghe-yearbook-county.txt": YEARBOOK_COUNTY,
        },
    )
    yield assistant
    kb.close()


def test_a_rounded_restatement_is_the_same_figure_not_a_conflict(assistant):
    answer = assistant.ask("青禾市图书馆2023年到馆读者是多少人次？")
    assert "1263857" in answer.answer.replace(",", "")
    assert "不一致" not in answer.answer


def test_a_share_is_of_the_whole_stated_beside_the_part(assistant):
    text = checked_computation(assistant.ask("青禾市图书馆2023年书刊外借里面少儿文献占了多大比例？"))
    assert "36%" in text and "÷ 802400册次" in text.replace(",", "")


def test_an_average_per_opening_day_divides_the_whole_years_visits(assistant):
    text = checked_computation(assistant.ask("青禾市图书馆2023年平均每个开馆日接待多少读者？"))
    assert "3949.55" in text and "三百二十天" in text


def test_a_multiple_finds_the_other_things_figure_in_the_same_measure(assistant):
    text = checked_computation(assistant.ask("青禾市图书馆新馆的建筑面积是老馆的几倍？"))
    assert "5倍" in text and "2.25万平方米 ÷ 4500平方米" in text


def test_the_gap_to_a_target_is_measured_by_the_report_that_restates_it(assistant):
    text = checked_computation(assistant.ask("白沙县馆2023年总流通人次离年初定的目标还差多少？"))
    assert "1.4万人次" in text and "36万人次 - 34.6万人次" in text


def test_a_year_no_document_covers_is_not_answered_from_other_years(assistant):
    answer = assistant.ask("青禾市图书馆2021年新办了多少张读者证？")
    assert answer.refused
    assert "41250" not in answer.answer.split("以下是")[0].replace(",", "")


def test_a_follow_up_on_part_of_a_figure_asks_for_that_part(assistant):
    answer = assistant.ask("其中少儿的呢？", history=["青禾市图书馆2023年书刊外借了多少册次？"])
    assert "288864" in answer.answer.replace(",", "")
    assert "少儿" in answer.answer.split("[")[0]


def test_a_yearbook_tables_library_row_is_that_librarys_and_differs_from_its_report(assistant):
    answer = assistant.ask("白沙县馆2023年底总藏量到底有多少？")
    assert "不一致" in answer.answer
    assert "32.0万册" in answer.answer and "26.5万册" in answer.answer
