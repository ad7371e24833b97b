"""Figures as reports state them beyond "name, number, unit": a count in 万 whose unit is in its name, a
change against a named year, a multiple of an earlier year, a year's addition to a stock, a name in the
clause before, a library named inside another body's report; and the computations staff ask of them.

The documents are fictional and written here; each question goes through a real knowledge base.
"""

from __future__ import annotations

import pytest
from written_kb import assistant_over, checked_computation

from ingest.outline import detect_org, library_names

pytestmark = pytest.mark.slow

CITY = """桐川市公共图书馆2023年服务报告

一、总体情况
2023年，桐川全市公共图书馆共12家，馆藏总量达480万册，2023年新增36万册。全市公共图书馆接待读者900万人次，文献外借量达610万册次。
其中，桐川市图书馆开馆300天，全年接待读者150万人次，外借册次达120.5万，比2022年增加8.5万册次。
二、读者
累计注册读者达85万，同比2020年增长70%；2023年新增注册读者近12万，是2020年的3倍。
数字资源访问量持续攀升，2023年高达360万次，同比增长20%。
三、荣誉
在全省少儿阅读竞赛中获一等奖2个、二等奖3个、三等奖5个。
四、捐赠
全年接受捐赠图书2600册，其中，地方志《桐川县志》、《桐川风物》等400册，少儿读物《小桥》、《星河》等1500册。
五、期刊
登记入库报纸1200册，期刊1650册。
"""


@pytest.fixture(scope="module")
def base(tmp_path_factory, embedder):
    kb, assistant = assistant_over(tmp_path_factory, embedder, {"tongchuan-2023-report.txt": CITY})
    yield kb, assistant
    kb.close()


def _rows(kb, **where):
    return [r for r in kb.metrics.all() if all(getattr(r, k) == v for k, v in where.items())]


def test_a_count_in_wan_takes_the_unit_its_name_ends_with(base):
    kb, _ = base
    row = _rows(kb, year=2023, value=120.5)
    assert row and row[0].unit == "万册次", row


def test_a_change_against_a_named_year_gives_that_years_value_not_the_year_before(base):
    kb, _ = base
    derived = [r for r in kb.metrics.all() if r.derived and "85万" in (r.formula or "")]
    assert [r.year for r in derived] == [2020], derived
    assert derived[0].stated == "50万人", derived[0]  # 85万 ÷ 1.7


def test_a_multiple_of_an_earlier_year_gives_that_years_value(base):
    kb, _ = base
    derived = [r for r in kb.metrics.all() if r.derived and "÷ 3" in (r.formula or "")]
    assert derived and derived[0].year == 2020 and derived[0].stated == "4万人", derived


def test_a_years_addition_to_a_stock_is_its_own_figure_and_gives_the_stock_a_year_before(base):
    kb, _ = base
    added = _rows(kb, value=36.0, year=2023)
    assert added and added[0].phrase.startswith("新增") and added[0].kind not in ("cumulative", "asof"), added
    before = [r for r in kb.metrics.all() if r.derived and r.year == 2022 and r.unit == "万册"]
    assert before and before[0].value == 444.0, before


def test_a_clause_that_only_dates_a_figure_takes_its_name_from_the_clause_before(base):
    kb, _ = base
    row = _rows(kb, value=360.0, year=2023)
    assert row and row[0].phrase == "数字资源访问量", row


def test_a_library_named_inside_another_bodys_report_owns_its_sentences_figures(base):
    kb, _ = base
    own = _rows(kb, value=150.0, year=2023)
    assert own and own[0].org == "桐川市图书馆", own
    area = _rows(kb, value=900.0, year=2023)
    assert area and area[0].org != "桐川市图书馆", area


def test_a_year_worked_back_is_answered_as_worked_back_with_its_formula(base):
    _, assistant = base
    text = checked_computation(assistant.ask("桐川市图书馆2022年外借册次是多少？"))
    assert "112万册次" in text and "120.5万" in text and "112.0" not in text


def test_a_rate_starts_from_a_year_worked_back_from_a_stated_amount(base):
    _, assistant = base
    text = checked_computation(assistant.ask("桐川市图书馆2023年外借册次比2022年增长了百分之几？"))
    assert "7.59%" in text, text


def test_a_librarys_share_of_its_area_divides_its_own_figure_by_the_areas(base):
    _, assistant = base
    text = checked_computation(assistant.ask("2023年桐川市图书馆接待读者占全市公共图书馆接待读者的比例是多少？"))
    assert "16.67%" in text and "150万人次 ÷ 900万人次" in text, text


def test_an_average_per_day_of_opening_divides_by_the_days_open(base):
    _, assistant = base
    text = checked_computation(assistant.ask("桐川市图书馆2023年平均每个开馆日接待多少读者？"))
    assert "5000" in text and "÷ 300天" in text, text


def test_items_sharing_the_words_after_the_last_are_each_added(base):
    _, assistant = base
    text = checked_computation(assistant.ask("桐川在少儿阅读竞赛中获得的一、二、三等奖一共几个？"))
    assert "10个" in text, text


def test_titles_given_as_examples_do_not_hide_what_is_counted(base):
    _, assistant = base
    text = checked_computation(assistant.ask("桐川受赠图书中，地方志和少儿读物一共多少册？"))
    assert "1900册" in text, text
    share = checked_computation(assistant.ask("桐川受赠图书里少儿读物占多大比例？"))
    assert "57.69%" in share, share


def test_more_than_with_a_verb_between_is_a_difference(base):
    _, assistant = base
    text = checked_computation(assistant.ask("桐川2023年期刊比报纸多登记了多少册？"))
    assert "450册" in text, text


def test_an_organisation_is_a_name_that_ends_in_what_it_is():
    assert detect_org("报告称2023年某地读者增多", "正文没有图书馆的名字。") == ""
    assert detect_org("桐川市图书馆2023年工作总结", "") == "桐川市图书馆"


def test_a_question_word_or_another_province_is_not_a_library_name():
    assert [n.name for n in library_names("桐川市图书馆计划和哪家外省图书馆合作？")] == ["桐川市图书馆"]


STATS = """桐川区图书馆业务统计分析

一、统计概况
1、桐川区图书馆
全年办证1500张，其中成人读者证800个，少儿证700个。全年共接待读者120000人次，举办各类活动100次、共25000人次参加。
2、桐川北部文化中心图书馆
全年办证900张，其中成人读者证500个，少儿证400个。全年共接待读者80000人次，举办各类活动40次、共6000人次参加。
二、服务体系
依托一卡通服务体系，以桐川区图书馆为总馆，6个街道、3个企业、2个学校为分馆，20家流动图书室为服务点。
全年集中收听业务讲座十二场，新上两台自助借还机。
三、存在的短板
本馆服务存在三方面短板。一是馆舍面积较小，藏书不足；二是服务半径不大，仅5%的学生曾到馆借阅；三是专业人员缺乏。
四、借阅排行
2023年图书外借排行榜
排名 题名 借次
1. 《山河故事》 120
2. 《星空手册》 98
"""


@pytest.fixture(scope="module")
def stats(tmp_path_factory, embedder):
    kb, assistant = assistant_over(tmp_path_factory, embedder, {"tongchuan-statistics.txt": STATS})
    yield kb, assistant
    kb.close()


def test_a_section_headed_by_another_librarys_name_holds_that_librarys_figures(stats):
    kb, assistant = stats
    north = _rows(kb, value=80000.0)
    assert north and north[0].org == "桐川北部文化中心图书馆", north
    text = checked_computation(assistant.ask("桐川区图书馆平均每次活动有多少人次参加？"))
    assert "25000人次 ÷ 100次" in text, text
    text = checked_computation(assistant.ask("桐川区图书馆办证中成人读者证比少儿证多多少个？"))
    assert "100个" in text and "800个 - 700个" in text, text


def test_two_libraries_named_are_added_or_compared_figure_by_figure(stats):
    _, assistant = stats
    text = checked_computation(assistant.ask("桐川区图书馆和桐川北部文化中心图书馆一共接待读者多少人次？"))
    assert "200000人次" in text, text
    text = checked_computation(assistant.ask("桐川区图书馆比桐川北部文化中心图书馆多接待了多少人次读者？"))
    assert "40000人次" in text, text


def test_counts_listed_then_named_together_add_up_to_the_whole_asked(stats):
    _, assistant = stats
    text = checked_computation(assistant.ask("桐川区图书馆一共有多少个分馆？"))
    assert "11个" in text and "6个 + 3个 + 2个" in text, text


def test_counts_in_chinese_numerals_answer_a_count(stats):
    _, assistant = stats
    lectures = assistant.ask("桐川区图书馆集中收听了多少场业务讲座？")
    assert not lectures.refused and "十二场" in lectures.answer, lectures.answer
    machines = assistant.ask("桐川区图书馆新上了几台自助借还机？")
    assert not machines.refused and "两台" in machines.answer, machines.answer


def test_the_points_after_a_statement_spell_it_out(stats):
    _, assistant = stats
    answer = assistant.ask("桐川区图书馆服务存在哪些短板？")
    assert all(p in answer.answer for p in ("馆舍面积较小", "服务半径", "专业人员缺乏")), answer.answer


def test_a_share_stated_before_its_noun_answers_and_a_ranking_brings_its_rows(stats):
    _, assistant = stats
    share = assistant.ask("桐川区有多大比例的学生曾到馆借阅？")
    assert not share.refused and "5%" in share.answer, share.answer
    top = assistant.ask("桐川区图书馆2023年借次最多的图书是哪本？")
    assert "山河故事" in top.answer, top.answer


def test_a_library_named_in_full_is_not_another_by_a_shorter_form_of_its_name():
    from assistant.named_in_question import find_orgs

    orgs = ["桐州市图书馆", "梧州市图书馆"]
    assert find_orgs("梧州市图书馆馆长是谁？", orgs) == ["梧州市图书馆"]
    assert find_orgs("柏州市图书馆馆长是谁？", orgs) == []
    assert find_orgs("桐川北部文化中心图书馆比桐川区图书馆多", ["桐川区图书馆", "桐川北部文化中心图书馆"]) == [
        "桐川北部文化中心图书馆",
        "桐川区图书馆",
    ]
