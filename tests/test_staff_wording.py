"""Questions as staff word them, over documents written here: a library's short name (石门馆, 县馆) is
no place and no subject, a change is the figure's before the one it is compared with (比2021年的…增长),
an event's own length divides its per-day average (为期12天), a group's own count its per-head one
(志愿者人均), a question about money is answered only by an amount in 元, and 种数 is held by 248种."""

from __future__ import annotations

import pytest
from written_kb import assistant_over, checked_computation

from assistant.evidence import key_terms, missing_terms, places_named

pytestmark = pytest.mark.slow

SUMMARY = """石门县图书馆2022年工作总结

一、主要工作情况

全年接待进馆读者24.6万人次，比2021年的21.2万人次增长16.0%；外借图书18.7万册次，同比增长15.0%，其中少儿图书外借7.2万册次。
全年订阅报刊230种（2021年为248种），新办读者证1200张。本馆现有注册志愿者420人，全年志愿服务时长6300小时。

二、阅读推广

全县5座城市书房全年共接待读者4.5万人次。

第五届石门读书月为期12天，共举办各类活动96场，吸引1.8万人次参与，活动经费由县财政保障。
"""


@pytest.fixture(scope="module")
def over_summary(tmp_path_factory, embedder):
    kb, assistant = assistant_over(tmp_path_factory, embedder, {"石门县图书馆2022年工作总结.txt": SUMMARY})
    yield assistant
    kb.close()


def test_a_librarys_short_name_is_neither_a_place_elsewhere_nor_a_subject():
    assert places_named("桐川馆累计注册读者有多少？") == ("桐川",)  # the segmenter reads 桐川馆 as a place
    assert "县馆" not in key_terms("石门县馆2022年外借了多少册次？")


def test_a_count_in_a_measure_is_held_by_numbers_in_that_measure():
    assert not missing_terms(
        "石门县图书馆订的报刊种数是多了还是少了？", ["全年订阅报刊230种（2021年为248种），新办读者证1200张。"]
    )
    assert missing_terms("石门县图书馆订的报刊种数是多了还是少了？", ["全年订阅报刊若干。"])


def test_a_change_belongs_to_the_figure_before_the_one_it_is_compared_with(over_summary):
    text = checked_computation(over_summary.ask("按同比增幅推算，石门县馆2021年外借了多少册次？"))
    assert "16.3万册次" in text and "18.7万册次 ÷ (1 + 15%)" in text  # no finer than 18.7万 was stated
    earlier = over_summary.ask("石门县馆2020年进馆人次是多少？")
    assert "推算" not in earlier.answer, earlier.answer  # 16.0% is 2022's change over 2021, not 2021's


def test_an_events_own_length_divides_its_per_day_average(over_summary):
    text = checked_computation(over_summary.ask("第五届石门读书月平均每天办多少场活动？"))
    assert "8场" in text and "96场 ÷ 12天" in text


def test_a_groups_own_count_divides_its_per_head_average(over_summary):
    text = checked_computation(over_summary.ask("石门县图书馆的志愿者人均服务了多少小时？"))
    assert "15小时" in text and "6300小时 ÷ 420人" in text


def test_money_is_answered_only_by_an_amount_in_yuan(over_summary):
    answer = over_summary.ask("第五届石门读书月花了多少经费？")
    assert answer.refused, answer.answer


def test_a_place_named_alone_means_its_library_before_its_other_bodies():
    from assistant.named_in_question import find_orgs

    orgs = ["石门市", "石门市图书馆"]  # a statistics bulletin's place, and the library
    assert find_orgs("石门书房2023年一共借还了多少册书？", orgs)[0] == "石门市图书馆"


def test_words_of_lending_staff_use_find_the_documents_words():
    from assistant.expand import expand
    from index.tokenize import tokenize

    assert "借还" in tokenize("全年自助借还图书31.8万册次")
    assert "外借" in expand("少儿图书借出去多少册次？")
    assert "24小时" in expand("书房半夜也能进去借书吗？")  # reports say 24小时开放 or 夜间


PLAN_2023 = """石门县图书馆2023年工作计划

一、主要目标

全年进馆人次达到30万人次，外借图书20万册次，举办各类阅读推广活动300场。
全年数字资源访问量突破50万次。
"""

SUMMARY_2023 = """石门县图书馆2023年工作总结

一、主要工作情况

全年开放350天，接待到馆读者28.5万人次，新增注册读者3200人，新办读者证1500张。
全年举办讲座、展览、培训等各类阅读推广活动320场。为特殊教育学校学生举办“触摸阅读”活动6场。全年数字资源访问量61.2万次。全年订阅报刊216种。

二、存在的问题

对照群众期盼，我馆工作仍有不足，主要是：

一是馆舍面积不足。现馆舍建于2005年，阅览座位紧张。

二是专业人员缺乏。新进人员培训不够。

三是乡镇分馆运行不均衡。部分分馆开放时间不稳定。

三、下一步工作

针对上述问题，2024年将重点做好以下工作：争取馆舍扩建，解决面积不足的问题；加强人员培训。
"""


YEARBOOK_TABLE = """江州市2023年公共图书馆主要业务指标

| 单位 | 总藏量（万册） | 总流通人次（万人次） |
|---|---|---|
| 石门县图书馆 | 35.2 | 30.1 |
| 白沙县图书馆 | 20.4 | 15.3 |
"""


FESTIVAL_NEWS = """第六届石门读书节闭幕 210场活动吸引5.2万人次参与

本报讯 5月20日，为期28天的第六届石门读书节在石门县图书馆闭幕。
本届读书节以“书香石门”为主题，各乡镇分馆同步开展活动。
读书节期间共举办各类阅读活动210场，其中线下活动150场、线上活动60场，参与群众5.2万人次。
第六届石门读书节评出优秀阅读推广活动10项。
石门县图书馆现有职工17人，其中图书馆学专业毕业的仅3人。
"""


@pytest.fixture(scope="module")
def over_years(tmp_path_factory, embedder):
    documents = {
        "石门县图书馆2022年工作总结.txt": SUMMARY,
        "石门县图书馆2023年工作计划.txt": PLAN_2023,
        "石门县图书馆2023年工作总结.txt": SUMMARY_2023,
        "江州市2023年公共图书馆统计表.txt": YEARBOOK_TABLE,
        "第六届石门读书节闭幕.txt": FESTIVAL_NEWS,
    }
    kb, assistant = assistant_over(tmp_path_factory, embedder, documents)
    yield assistant
    kb.close()


def test_the_gap_to_a_target_set_in_the_years_plan(over_years):
    text = checked_computation(over_years.ask("石门县馆2023年进馆人次离年初定的目标还差多少？"))
    assert "1.5万人次" in text and "30万人次 - 28.5万人次" in text


def test_a_figure_the_metrics_table_lacks_is_compared_across_years_from_its_passages(over_years):
    text = checked_computation(over_years.ask("石门县馆2023年新办读者证比2022年多了多少张？"))
    assert "300张" in text and "1500张 - 1200张" in text


def test_readers_who_come_are_visits(over_years):
    text = checked_computation(over_years.ask("石门县图书馆2023年平均每个开放日来多少读者？"))
    assert "814.29人次" in text and "28.5万人次 ÷ 350天" in text


def test_a_total_is_all_kinds_together_as_any_document_names_it(over_years):
    answer = over_years.ask("石门图书馆2023年一共办了多少场活动？")
    assert "320场" in answer.answer and "6场" not in answer.answer, answer.answer


def test_a_target_asked_by_its_subject_is_judged_alone(over_years):
    text = over_years.ask("石门县馆数字资源访问量2023年的目标实现了吗？").answer
    assert "50万次" in text and "61.2万次" in text and "已完成" in text, text
    assert "进馆" not in text and "外借" not in text, text  # the other targets of the year are not asked


def test_a_trend_over_a_figure_named_in_the_documents_own_words(over_years):
    text = over_years.ask("石门县图书馆订的报刊种数这几年是多了还是少了？").answer
    assert all(v in text for v in ("248种", "230种", "216种")) and "下降" in text, text


def test_a_yearbooks_row_for_the_library_is_its_figure(over_years):
    text = over_years.ask("统计表上石门县图书馆2023年的总流通人次是多少？").answer
    assert "30.1万人次" in text, text


def test_a_share_of_what_the_library_lent(over_summary):
    text = checked_computation(over_summary.ask("石门县馆2022年外借里少儿图书占多大比例？"))
    assert "38.5%" in text and "7.2万册次 ÷ 18.7万册次" in text


def test_one_of_a_measure_averaged_over_is_each_of_it(over_summary):
    text = checked_computation(over_summary.ask("石门县的城市书房平均一座书房一年接待多少人次？"))
    assert "9000人次" in text and "4.5万人次 ÷ 5座" in text


def test_the_sentence_that_gives_the_thing_counted_its_own_number(over_years):
    from assistant.counting import counted_words

    assert counted_words("第六届石门读书节的线上活动有多少场？") == "线上活动"
    assert counted_words("2024年进馆人数是多少？") == "进馆人数"
    assert counted_words("职工里图书馆学专业毕业的有几个？") == ""  # nothing named before the question word
    text = over_years.ask("第六届石门读书节的线上活动有多少场？").answer
    assert "60场" in text, text


def test_how_many_of_anything_is_answered_by_its_count(over_years):
    answer = over_years.ask("石门县馆的职工里图书馆学专业毕业的有几个？")
    assert not answer.refused and "3人" in answer.answer, answer.answer


def test_problems_a_section_numbers_in_its_text_are_listed(over_years):
    text = over_years.ask("石门县图书馆2023年总结里提到了哪些问题？").answer
    assert all(p in text for p in ("馆舍面积不足", "专业人员缺乏", "乡镇分馆运行不均衡")), text
