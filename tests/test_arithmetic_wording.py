"""Computed answers for the ways staff word a question: the thing named after its number, a per-measure
average, a list closed by a count, a compound noun, an amount of money with no unit said.

Each question goes through a real knowledge base built from a document written here.
"""

from __future__ import annotations

import pytest
from written_kb import checked_computation

from assistant import Assistant

pytestmark = pytest.mark.slow

SUMMARY = """云溪县图书馆2023年工作总结

一、采购

全年采购添置4.2万元的图书、报刊1.3万元、0.8万元的密集书架。订阅报纸30种、杂志150种。

二、活动

全年举办读书沙龙12场，参与读者960人次。评出星级书屋31家，其中一星级22家，二星级9家。

三、流通

全馆新办证320个、总流通5200人次。
"""


@pytest.fixture
def assistant(tmp_path, kb):
    path = tmp_path / "云溪县图书馆2023年工作总结.txt"
    path.write_text(SUMMARY, encoding="utf-8")
    assert kb.ingest([path]).ok
    return Assistant(kb)


def test_money_adds_the_things_bought_whether_named_before_or_after_the_amount(assistant):
    text = checked_computation(assistant.ask("云溪县图书馆2023年买图书和报刊一共花了多少钱？"))
    assert "5.5万元" in text and "4.2万元 + 1.3万元" in text


def test_a_count_closing_a_list_is_not_part_of_the_last_item(assistant):
    text = checked_computation(assistant.ask("云溪县图书馆2023年图书、报刊和书架三项采购合计花了多少钱？"))
    assert "6.3万元" in text


def test_average_per_measure_divides_by_the_count_in_that_measure(assistant):
    text = checked_computation(assistant.ask("云溪县图书馆2023年读书沙龙平均每场有多少人次参与？"))
    assert "80人次" in text and "960人次 ÷ 12场" in text
    bare = checked_computation(assistant.ask("云溪县图书馆2023年读书沙龙的参与读者摊到每场是多少人次？"))
    assert "80人次" in bare


def test_difference_asked_with_a_verb_or_with_ji(assistant):
    text = checked_computation(assistant.ask("云溪县一星级书屋比二星级书屋多几家？"))
    assert "13家" in text


def test_share_of_a_whole_named_in_the_same_sentence(assistant):
    text = checked_computation(assistant.ask("云溪县一星级书屋占星级书屋总数的比例是多少？"))
    assert "70.97%" in text and "22家 ÷ 31家" in text


def test_a_compound_noun_sums_its_parts(assistant):
    text = checked_computation(assistant.ask("云溪县图书馆2023年报纸杂志合起来订了多少种？"))
    assert "180种" in text


def test_one_figure_is_never_its_own_whole(assistant):
    answer = assistant.ask("云溪县图书馆新办证占全部新办证的比例是多少？")
    assert "100%" not in answer.answer


def test_a_name_wrapped_around_its_number_is_found(assistant):
    answer = assistant.ask("云溪县图书馆2023年总流通人次是多少？")
    assert not answer.refused and "5200" in answer.answer


REPORT = """云溪市图书馆之城年报

外借文献量逾300万册次。2021年，全市外借文献量为321.5万册次，与2019年的318.2万册次相当，人均外借文献量为1.6册次。
"""


def test_a_difference_takes_the_exact_total_not_a_bound_or_a_per_head_figure(tmp_path, kb):
    path = tmp_path / "云溪市图书馆2021年年报.txt"
    path.write_text(REPORT, encoding="utf-8")
    assert kb.ingest([path]).ok
    text = checked_computation(Assistant(kb).ask("2021年云溪市外借文献量比2019年多了多少万册次？"))
    assert "3.3万册次" in text and "321.5万册次 - 318.2万册次" in text


TABLE = """云溪县图书馆借阅情况表
年份\t接待读者（万人次）\t办理证件（本）
1987\t6.04\t1030
1988\t6.24\t1219
"""


def test_one_figure_in_the_years_named_is_added_up_from_a_table(tmp_path, kb):
    path = tmp_path / "云溪县图书馆借阅情况.txt"
    path.write_text(TABLE, encoding="utf-8")
    assert kb.ingest([path]).ok
    text = checked_computation(Assistant(kb).ask("云溪县图书馆1987年和1988年一共办理了多少本证件？"))
    assert "2249本" in text and "1030本 + 1219本" in text


YEARBOOK = """公共图书馆情况
项目 | 合计 2006 | 合计 2007 | 县级 2006 | 县级 2007
总藏量（万册） | 80 | 90 | 30 | 36
"""


def test_a_part_of_the_whole_over_the_whole_from_one_table_row(tmp_path, kb):
    path = tmp_path / "云溪统计年鉴公共图书馆.txt"
    path.write_text(YEARBOOK, encoding="utf-8")
    assert kb.ingest([path]).ok
    text = checked_computation(Assistant(kb).ask("2007年县级公共图书馆的总藏量占合计的比重是多少？"))
    assert "40%" in text and "36万册 ÷ 90万册" in text


ACTIVITIES = """云溪市图书馆2022年成绩单
2022年，总馆和8个分馆共举办各类活动400场次，参加人数90001人次，其中总馆共举办各类活动100场次，参加人数30000人次。
"""


def test_each_count_pairs_with_the_figure_after_it_and_a_part_gives_way_to_its_total(tmp_path, kb):
    path = tmp_path / "云溪市图书馆2022年成绩单.txt"
    path.write_text(ACTIVITIES, encoding="utf-8")
    assert kb.ingest([path]).ok
    text = checked_computation(Assistant(kb).ask("云溪市图书馆2022年各类活动平均每场参加多少人次？"))
    # 90001 ÷ 400 = 225.0025; the part (其中总馆) is not what was asked; rounded half up
    assert "225人次" in text and "90001人次 ÷ 400场次" in text
    part = checked_computation(Assistant(kb).ask("云溪市图书馆2022年总馆活动平均每场参加多少人次？"))
    assert "300人次" in part
