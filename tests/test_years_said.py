"""Two-digit years as staff write them (24年) are read as years; counts of years (建馆60年) are not."""

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
