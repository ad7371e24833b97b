"""Years and everyday words as staff write them: 24年 is 2024 (建馆60年 is no year), 来了多少读者 is 接待读者."""

from __future__ import annotations

import pytest

from assistant.years_said import full_years


@pytest.mark.parametrize(
    ("said", "meant"),
    [
        ("茭塘县馆24年借出去多少书？", "茭塘县馆2024年借出去多少书？"),
        ("22年到24年总流通是怎么变的？", "2022年到2024年总流通是怎么变的？"),
        ("那24年实际做到多少？", "那2024年实际做到多少？"),
        ("24年底有多少持证读者？", "2024年底有多少持证读者？"),
        ("99年建成的老馆有多大？", "1999年建成的老馆有多大？"),
    ],
)
def test_a_two_digit_year_is_the_year(said, meant):
    assert full_years(said, 2025) == meant


@pytest.mark.parametrize(
    "said", ["建馆60年来办了多少场讲座？", "历时24年", "近10年", "第10年", "2024年的", "15万册", "已有60年历史"]
)
def test_a_count_of_years_or_a_full_year_is_left_alone(said):
    assert full_years(said, 2025) == said


def test_everyday_words_are_read_as_reports_write_them():
    from assistant.staff_words import as_reports_say

    assert as_reports_say("某馆24年一共来了多少读者？") == "某馆24年一共接待了多少读者？"
    assert as_reports_say("新馆开馆那天来了多少人？") == "新馆开馆那天接待了多少读者？"
    assert as_reports_say("某区馆2024年开了多少天门？") == "某区馆2024年开馆多少天？"
    assert as_reports_say("来了几位专家？") == "来了几位专家？"  # not readers


def test_a_city_library_is_also_called_its_city_tu():
    from assistant.named_in_question import find_orgs

    assert find_orgs("苕阳市图24年一共接待了多少读者？", ["苕阳市", "苕阳市图书馆"])[0] == "苕阳市图书馆"
