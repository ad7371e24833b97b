"""An answer holds to what was asked: a figure of another year, a part of the year not stated (头一个月),
a plan's target for what was done, or a sentence of another library in a shared passage (a yearbook's
【某某图书馆】 entry) does not answer; a count asked of a named thing (多少张老照片) is answered by the
sentence that counts it; a budget follow-up (人员经费呢？) stays a budget; a second part naming another
thing (总投资多少？) is that thing's figure, not the first part's.

The libraries, places and documents are fictional and written here; each question goes through a real
knowledge base (Chroma, SQLite, the embedder).
"""

from __future__ import annotations

import pytest
from written_kb import assistant_over

from ingest.loaders.rows import row_text
from ingest.outline import detect_org

pytestmark = pytest.mark.slow

SUMMARY_2024 = """石岭县图书馆2024年工作总结

一、服务效能

全年总流通18.6万人次，同比增长9.1%。全年新办读者证2310张。全年举办读者活动236场，参与读者5.1万人次；线上直播讲座观看2.3万人次。

表1 2024年主要业务指标完成情况

| 指标 | 年度目标 | 实际完成 | 完成率 |
| --- | --- | --- | --- |
| 数字资源总量（TB） | 12 | 11.6 | 96.7% |
| 书刊外借（万册次） | 13 | 13.5 | 103.8% |

二、新馆建设

新馆于9月26日开馆。据统计，开馆首日接待读者5200余人次，新办读者证760张，借出图书3900册次。

三、地方文献

启动“石岭记忆”地方文献征集，征集老照片380张、戏曲唱本52件。

四、2025年工作打算

2025年，计划新建24小时自助图书馆3座。2025年部门预算468万元，其中人员经费226万元、购书经费85万元。
"""

PROJECT = """石岭县图书馆新馆建设情况

新馆规划建筑面积8600平方米，总投资6800万元，地上三层、地下一层。
"""

YEARBOOK = """石州年鉴（2025）·公共图书馆

【石州市图书馆】2024年，全年开馆358天，新办读者证4.26万张。全年举办读者活动1980场。

【溪口区图书馆】2024年3月闭馆改造，6月重新开放。全年举办读者活动132场。
"""


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder):
    kb, assistant = assistant_over(
        tmp_path_factory,
        embedder,
        {"shiling-2024.txt": SUMMARY_2024, "shiling-project.txt": PROJECT, "shizhou-yearbook.txt": YEARBOOK},
    )
    yield assistant
    kb.close()


def test_a_year_no_passage_is_of_is_refused_not_answered_with_another_years_sentence(assistant):
    answer = assistant.ask("石岭县图书馆2026年总流通是多少人次？")
    assert answer.refused, answer.answer
    head = answer.answer.split("以下是")[0]
    # another year's figure is shown only as such: 未收录2026年的…，最近的是2024年
    assert "18.6万" not in head or head.startswith("未收录2026年"), answer.answer


def test_a_part_of_the_year_asked_is_not_answered_by_the_opening_day(assistant):
    answer = assistant.ask("石岭县新馆开馆后第一个月一共接待了多少读者？")
    assert answer.refused, answer.answer


def test_the_opening_day_asked_is_answered_by_the_opening_days_sentence(assistant):
    answer = assistant.ask("石岭县新馆开馆当天新办了多少张读者证？")
    assert not answer.refused and "760张" in answer.answer, answer.answer


def test_a_plans_target_does_not_answer_what_was_actually_done(assistant):
    answer = assistant.ask("石岭县2025年实际新建了几座自助图书馆？")
    assert answer.refused and "计划或目标" in answer.answer, answer.answer


def test_a_count_of_a_named_thing_is_answered_by_the_sentence_counting_it(assistant):
    answer = assistant.ask("石岭记忆地方文献征集，2024年收了多少张老照片？")
    assert not answer.refused and "380张" in answer.answer, answer.answer


def test_another_librarys_entry_in_a_yearbook_does_not_answer_for_the_library_asked(assistant):
    answer = assistant.ask("溪口区图书馆2024年新办了多少张读者证？")
    assert answer.refused, answer.answer
    assert "4.26万" not in answer.answer.split("以下是")[0]


def test_a_budget_follow_up_stays_a_budget(assistant):
    first = "石岭县图书馆2025年预算里购书经费安排了多少？"
    answer = assistant.ask("人员经费呢？", history=[first])
    assert not answer.refused and "226万元" in answer.answer, answer.answer


def test_a_second_part_naming_another_thing_gets_that_things_figure(assistant):
    answer = assistant.ask("石岭县新馆规划的建筑面积是多少？总投资多少？")
    assert "8600平方米" in answer.answer and "6800万元" in answer.answer, answer.answer


def test_a_headline_run_into_a_librarys_name_yields_the_name_the_text_uses():
    headline = "河畔添新景石岭县图书馆新馆开门迎客"
    assert detect_org(headline, "9月26日，石岭县图书馆新馆开馆。石岭县图书馆…") == "石岭县图书馆"


def test_a_part_asked_is_not_answered_by_the_whole(assistant):
    answer = assistant.ask("石岭县图书馆2024年线上活动办了多少场？")
    assert answer.refused, answer.answer
    assert "236场" not in answer.answer.split("以下是")[0]


def test_a_table_of_targets_against_results_answers_whether_a_target_was_met(assistant):
    answer = assistant.ask("石岭县馆2024年数字资源总量有没有达到年初定的数？")
    assert not answer.refused and "12TB" in answer.answer and "11.6TB" in answer.answer, answer.answer
    assert "未完成" in answer.answer, answer.answer


def test_a_percentage_header_puts_the_sign_after_the_value():
    text = row_text(["指标", "2024年", "比上年增长（%）"], ["总流通人次（万人次）", "337.9", "12.2"], "表1")
    assert "比上年增长：12.2%" in text
