"""Follow-ups keep the subject of the turn before: its library, indicator, topic and year.

Words such as 下一年、后一年、上一年、后来 count from the year the previous turn asked about,
not from today; 它 stands for what the previous turn was about.
"""

from __future__ import annotations

from assistant.query import resolve_years, understand
from ingest import load_indicators

INDICATORS = load_indicators()
ORGS = ["东湖县图书馆", "西岭市图书馆"]


def ask(question: str, *history: str):
    return understand(question, indicators=INDICATORS, reference_year=2026, orgs=ORGS, history=list(history))


def test_next_year_counts_from_the_previous_turn_not_from_today():
    q = ask("那下一年呢？", "东湖县图书馆2019年外借册次是多少？")
    assert q.years == [2020]
    assert (q.org, q.indicator) == ("东湖县图书馆", "外借册次")
    assert not q.relative  # not read against today's reference year


def test_the_year_before_counts_from_the_previous_turn():
    q = ask("那上一年呢？", "西岭市图书馆2021年外借册次是多少？")
    assert q.years == [2020]
    assert (q.org, q.indicator) == ("西岭市图书馆", "外借册次")


def test_later_means_the_year_after_the_one_talked_about():
    q = ask("后来一年压缩到多少？", "东湖县图书馆2018年购书经费是多少？")
    assert q.years == [2019]
    assert q.org == "东湖县图书馆"
    q = ask("那后一年呢？", "东湖县图书馆2018年外借册次是多少？")
    assert q.years == [2019] and q.indicator == "外借册次"


def test_a_year_only_follow_up_asks_the_previous_question_again():
    # The subject is no library and no listed indicator: it survives only in the words.
    q = ask("2021年呢？", "某省2020年乡镇阅览室总数是多少？")
    assert q.years == [2021]
    assert "乡镇阅览室" in q.text and "某省" in q.text and "2020" not in q.text


def test_it_names_what_the_previous_turn_was_about():
    q = ask("那它是什么时候开工的？", "东湖县图书馆新馆建筑面积是多少？")
    assert "新馆" in q.text and "它" not in q.text
    assert q.org == "东湖县图书馆"


def test_a_new_subject_replaces_the_previous_indicator_and_keeps_library_and_year():
    q = ask("外借呢？", "西岭市图书馆2019年接待了多少读者？")
    assert q.indicator != "进馆人数"
    assert "外借" in q.text
    assert (q.org, q.years) == ("西岭市图书馆", [2019])


def test_another_library_still_borrows_indicator_and_year():
    q = ask("那西岭呢？", "东湖县图书馆2019年外借册次是多少？")
    assert (q.org, q.indicator, q.years) == ("西岭市图书馆", "外借册次", [2019])


def test_without_a_turn_before_relative_words_keep_their_old_reading():
    assert resolve_years("上一年外借册次", 2025) == ([2024], True)
    assert resolve_years("后来怎么样", 2025) == ([], False)
    assert resolve_years("那下一年呢", 2025, anchor=[2019]) == ([2020], False)


def test_a_question_about_a_years_whole_plan_borrows_no_figure():
    q = ask("2024年计划的目标完成了吗？", "东湖县图书馆2024年外借册次是多少？")
    assert q.indicator is None and q.org == "东湖县图书馆" and q.years == [2024]
    # Leaning back on the turn before, it is still about that figure.
    q = ask("那2023年的目标完成了吗？", "东湖县图书馆2024年外借册次是多少？")
    assert (q.indicator, q.years) == ("外借册次", [2023])
    q = ask("目标完成了吗？", "东湖县图书馆2024年外借册次是多少？")
    assert (q.indicator, q.years) == ("外借册次", [2024])


def test_what_was_done_after_a_target_asks_the_actual_figure():
    q = ask("那2024年实际完成了多少？", "东湖县图书馆2025年外借册次目标是多少？")
    assert (q.indicator, q.years, q.wants_target) == ("外借册次", [2024], False)
    assert q.intent.value == "figure"


def test_a_part_named_by_how_it_was_held_is_a_part_of_the_figure_before():
    q = ask("那其中网上办的有几场？", "东湖县图书馆2024年一共办了多少场读者活动？")
    assert "网上" in q.text and "读者活动" in q.text and q.years == [2024]
