"""Computed answers per head and per event, and a share of a sum the question lists: 平均每位读者 divides by a
count of people in whatever measure it was stated (人次), 多少群众 counts people in 人 with no measure word,
and 甲占甲、乙和丙总数 is a part over the sum of the three.

Each question goes through a real knowledge base built from a document written here.
"""

from __future__ import annotations

import pytest
from written_kb import checked_computation

from assistant import Assistant

pytestmark = pytest.mark.slow

REPORT = """白水县图书馆2023年工作总结

一、基本情况

截至2023年12月，我馆全年接待各类读者41200人次，外借图书86520册次，新办读者证1380张，解答读者咨询2150条。

二、阅读推广

全年组织各类阅读推广活动320场次，吸引超6.4万群众参与，其中少儿活动150场次。

三、资源建设

全年入藏新书18600册，报刊合订本1400册，地方文献2000册。
"""


@pytest.fixture
def assistant(tmp_path, kb):
    path = tmp_path / "白水县图书馆2023年工作总结.txt"
    path.write_text(REPORT, encoding="utf-8")
    assert kb.ingest([path]).ok
    return Assistant(kb)


def test_per_reader_divides_by_the_count_of_people(assistant):
    text = checked_computation(assistant.ask("白水县图书馆2023年平均每位读者借了多少册次？"))
    assert "2.1册次" in text and "86520册次 ÷ 41200人次" in text


def test_people_counted_with_no_measure_word(assistant):
    text = checked_computation(assistant.ask("白水县图书馆2023年每场阅读推广活动平均有多少群众参与？"))
    assert "200人" in text and "6.4万群众 ÷ 320场次" in text


def test_a_share_of_the_sum_the_question_lists(assistant):
    text = checked_computation(assistant.ask("白水县图书馆2023年新书占新书、合订本和地方文献总数的比例是多少？"))
    assert "84.55%" in text and "18600册 ÷ (18600册 + 1400册 + 2000册)" in text
