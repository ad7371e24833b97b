"""A plan's target that is an event (建成、开工、上线) is read beside what later reports say of it.
The library and its documents are fictional and written here."""

import pytest
from written_kb import assistant_over

from assistant import outcomes

PLAN_2023 = """白沙县图书馆2023年工作计划

一、主要目标
全年接待读者不少于40万人次，举办阅读推广活动不少于200场。
二、重点工作
（一）推进新馆建设。新馆项目年内开工建设，力争主体结构年底前封顶。
（二）建成并开放城东分馆，分馆总数达到4个。
（三）上线少儿数字阅读平台，为中小学生提供线上借阅。
（四）改造少儿阅览室，9月底前完成改造并重新开放。
"""

SUMMARY_2023 = """白沙县图书馆2023年工作总结

一、基本情况
全年接待读者42.6万人次，举办阅读推广活动215场。
二、重点工作进展
城东分馆于2023年6月18日建成开放，建筑面积1500平方米，分馆总数达到4个。
新馆项目于2023年4月开工建设，受设计变更影响，主体结构封顶推迟至2024年。
少儿数字阅读平台因招标延期，尚未上线。
少儿阅览室改造工程于10月20日完工，当日重新开放，座位增加到120个。
"""

SUMMARY_2024 = """白沙县图书馆2024年工作总结

一、基本情况
全年接待读者45.1万人次。
二、重点工作进展
新馆主体结构已于2024年5月封顶，进入内部装修阶段。
少儿数字阅读平台已于2024年3月上线，全年访问量8.2万次。
"""


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder):
    kb, assistant = assistant_over(
        tmp_path_factory,
        embedder,
        {
            "baisha-2023-plan.txt": PLAN_2023,
            "baisha-2023-summary.txt": SUMMARY_2023,
            "baisha-2024-summary.txt": SUMMARY_2024,
        },
    )
    yield assistant
    kb.close()


def test_a_step_done_in_the_plan_year_is_met(assistant):
    answer = assistant.ask("城东分馆是按计划建成开放的吗？")
    assert not answer.refused
    assert answer.answer.startswith("已按计划完成")
    assert "建成并开放城东分馆" in answer.answer  # the plan's words
    assert "6月18日" in answer.answer  # and the report's
    assert len(answer.citations) >= 2


def test_a_step_put_off_is_not_met_and_the_later_report_is_shown(assistant):
    answer = assistant.ask("新馆主体结构按计划封顶了吗？")
    assert answer.answer.startswith("未按计划完成"), answer.answer
    assert "推迟" in answer.answer
    assert "2024年5月封顶" in answer.answer  # what the next year's report says


def test_a_step_not_done_when_planned_is_never_called_met(assistant):
    answer = assistant.ask("少儿数字阅读平台上线了吗？")
    assert "已按计划完成" not in answer.answer
    assert "尚未上线" in answer.answer
    assert "2024年3月上线" in answer.answer


def test_a_numeric_target_is_still_compared_with_the_figure(assistant):
    answer = assistant.ask("2023年接待读者的目标完成了吗？")
    assert "42.6万人次" in answer.answer
    assert "计划（" not in answer.answer  # the numeric comparison, not the event reading


def test_the_subject_drops_the_asking_and_the_step_words():
    assert outcomes.subject("城东分馆是按计划建成开放的吗？") == "城东分馆"
    assert outcomes.subject("那个平台上线了没有？") == "平台"
    assert outcomes.asks_outcome("新馆如期开工了吗？")
    assert not outcomes.asks_outcome("新馆建筑面积是多少？")


def test_a_step_done_after_its_deadline_is_late(assistant):
    answer = assistant.ask("少儿阅览室有没有按计划在9月底以前开放？")
    assert answer.answer.startswith("未按计划完成"), answer.answer
    assert "10月20日" in answer.answer and "晚于计划" in answer.answer


def test_when_a_step_was_due_is_not_what_it_is_about():
    assert outcomes.subject("新馆有没有按计划在2024年9月底以前开放？") == "新馆"
    assert outcomes.subject("青杠镇分馆上半年挂牌的计划落实了吗？") == "青杠镇分馆"
    assert outcomes.asks_outcome("新馆有没有按计划在2022年上半年开工？")
