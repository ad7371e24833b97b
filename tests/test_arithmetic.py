"""Computed answers: sums, differences, gaps, shares, averages and last year's value from a change.

Each question goes through a real knowledge base built from documents written here; the
computed value must carry its formula, the mark 推算, citations of its operands, and pass
the number verifier as a derived figure.
"""

from __future__ import annotations

import pytest
from written_kb import checked_computation

from assistant import Assistant
from assistant.arithmetic import operation

pytestmark = pytest.mark.slow

SUMMARY = """青梧县图书馆2023年工作总结

一、基本服务

2023年，全馆共接待读者18.25万人次，外借图书9.6万册次。装订期刊合订本420册，报纸合订本265册。

二、流动服务

全年在乡镇设立6个流动服务点，为流动服务点配送图书1500册。

三、读书驿站

全县156个行政村已有118个建成读书驿站。

四、数字服务

2023年数字资源访问量86.4万次，同比增长8.00%。

五、活动

全馆32名员工全年组织读者活动480场。
"""

STATS = """青梧县图书馆2023年统计报告

| 指标 | 2022年 | 2023年 |
|---|---|---|
| 馆藏总量（万册） | 40.00 | 45.50 |
| 图书藏量（万册） | 30.00 | 36.40 |
"""

PLAN = """青梧县图书馆2023年工作计划

一、主要目标
全年接待读者16万人次，外借图书10万册次。
"""


@pytest.fixture
def assistant(tmp_path, kb):
    summary = tmp_path / "青梧县图书馆2023年工作总结.txt"
    summary.write_text(SUMMARY, encoding="utf-8")
    stats = tmp_path / "青梧县图书馆2023年统计报告.md"
    stats.write_text(STATS, encoding="utf-8")
    plan = tmp_path / "青梧县图书馆2023年工作计划.txt"
    plan.write_text(PLAN, encoding="utf-8")
    report = kb.ingest([summary, stats, plan])
    assert report.ok
    return Assistant(kb)


def test_operation_read_from_wording():
    assert operation("期刊和报纸一共多少册？") == "sum"
    assert operation("两者相差多少？") == "difference"
    assert operation("还有多少个村没有建成驿站？") == "gap"
    assert operation("图书藏量占馆藏总量的比重是多少？") == "share"
    assert operation("平均每天接待多少读者？") == "average"
    assert operation("按同比增长率倒推，去年是多少？") == "prior"
    assert operation("按公报里的增幅，2022年的外借大概是多少？") == "prior"
    assert operation("2023年比上年增长了百分之几？") == "rate"
    assert operation("期刊是图书的几倍？") == "times"
    assert operation("完成了年度目标的百分之多少？") == "completion"
    assert operation("接待了多少读者？") is None
    assert operation("至少多少次？") is None  # 至少多少 is not 少了多少


def test_sum_of_two_figures_named_in_the_question(assistant):
    text = checked_computation(assistant.ask("青梧县图书馆2023年期刊和报纸合订本一共装订了多少册？"))
    assert "685册" in text and "420册 + 265册" in text


def test_average_per_day_uses_the_days_of_the_year(assistant):
    text = checked_computation(assistant.ask("青梧县图书馆2023年平均每天接待多少读者？"))
    assert "500人次" in text and "365天" in text


def test_average_per_item_divides_by_a_counted_figure(assistant):
    text = checked_computation(assistant.ask("青梧县图书馆平均给每个流动服务点配送多少册图书？"))
    assert "250册" in text


def test_average_per_person_uses_the_figure_in_the_same_sentence(assistant):
    text = checked_computation(assistant.ask("青梧县图书馆平均每名员工一年组织多少场活动？"))
    assert "15场" in text


def test_gap_is_the_whole_less_what_is_done(assistant):
    text = checked_computation(assistant.ask("青梧县还有多少个行政村没有建成读书驿站？"))
    assert "38个" in text


def test_prior_year_from_the_stated_change(assistant):
    text = checked_computation(assistant.ask("按同比增长率倒推，青梧县图书馆2022年数字资源访问量大约多少万次？"))
    assert "80万次" in text


def test_share_and_difference_from_the_metrics_table(assistant):
    share = checked_computation(assistant.ask("青梧县图书馆2023年图书藏量占馆藏总量的比重是多少？"))
    assert "80%" in share
    diff = checked_computation(assistant.ask("青梧县图书馆2023年馆藏总量比2022年增加了多少万册？"))
    assert "5.5万册" in diff


def test_no_computation_without_both_operands(assistant):
    answer = assistant.ask("青梧县图书馆2023年古籍和地方文献一共多少册？")
    assert "推算" not in answer.answer
    assert not any(f.derived and f.formula and "+" in f.formula for f in answer.figures)


def test_rate_of_change_between_two_years_from_the_table(assistant):
    text = checked_computation(assistant.ask("青梧县图书馆2023年图书藏量比2022年增长了百分之几？"))
    assert "21.33%" in text and "36.40万册 - 30.00万册" in text.replace("36.4万册", "36.40万册")


def test_a_change_the_document_states_is_not_recomputed(assistant):
    answer = assistant.ask("青梧县图书馆2023年数字资源访问量同比增长了百分之几？")
    assert "8.00%" in answer.answer
    assert not any(f.derived for f in answer.figures)


def test_one_figure_as_a_multiple_of_another_in_the_same_sentence(assistant):
    text = checked_computation(assistant.ask("青梧县图书馆装订的期刊合订本是报纸合订本的几倍？"))
    assert "1.58倍" in text and "420册 ÷ 265册" in text


def test_completion_is_the_actual_over_the_target(assistant):
    text = checked_computation(assistant.ask("青梧县图书馆2023年接待读者完成了年度目标的百分之多少？"))
    assert "114.06%" in text and "18.25万人次 ÷ 16万人次" in text


CASE = """青梧县城市书房建设案例

青梧县已建成十二个城市书房，共设阅览座位四百八十个，全年接待读者三万余人次。
"""


def test_figures_written_in_chinese_numerals_are_operands(tmp_path, kb):
    case = tmp_path / "青梧县城市书房建设案例.txt"
    case.write_text(CASE, encoding="utf-8")
    assert kb.ingest([case]).ok
    text = checked_computation(Assistant(kb).ask("青梧县平均每个城市书房有多少个阅览座位？"))
    assert "40个" in text and "四百八十个 ÷ 十二个" in text
