"""Computed answers over a whole and its parts: what is left once a part is taken out (除去…其余), a part
of a whole named before it (总藏量里…占百分之几), one quantity set against another (相当于…的百分之几), and
two figures compared when the second is named only in the clause before its number.

Each question goes through a real knowledge base built from a document written here.
"""

from __future__ import annotations

import pytest
from written_kb import checked_computation

from assistant import Assistant

pytestmark = pytest.mark.slow

REPORT = """青岚县图书馆2023年年度报告

一、馆藏

2023年新增图书9.6万册（其中电子图书7.1万册），年末总藏量为52万册，其中古籍1.3万册。全年外借图书31.2万册次。

二、读者

从借阅读者年龄段看，30至39岁读者借阅人次最多，达42315人次；40至49岁读者紧随其后，达38107人次。
"""


@pytest.fixture
def assistant(tmp_path, kb):
    path = tmp_path / "青岚县图书馆2023年年度报告.txt"
    path.write_text(REPORT, encoding="utf-8")
    assert kb.ingest([path]).ok
    return Assistant(kb)


def test_the_rest_of_a_whole_once_a_named_part_is_taken_out(assistant):
    text = checked_computation(assistant.ask("青岚县图书馆2023年新增的图书里，除去电子图书，其余的有多少册？"))
    assert "2.5万册" in text and "9.6万册 - 7.1万册" in text


def test_a_part_of_a_whole_named_before_it(assistant):
    text = checked_computation(assistant.ask("青岚县图书馆2023年总藏量里，古籍大约占百分之几？"))
    assert "2.5%" in text and "1.3万册 ÷ 52万册" in text


def test_loans_set_against_holdings(assistant):
    text = checked_computation(assistant.ask("青岚县图书馆2023年外借册次相当于总藏量的百分之几？"))
    assert "60%" in text and "31.2万册次 ÷ 52万册" in text


def test_a_figure_named_in_the_clause_before_it_is_compared(assistant):
    text = checked_computation(assistant.ask("青岚县图书馆2023年30至39岁读者的借阅人次比40至49岁读者多多少？"))
    assert "4208人次" in text and "42315人次 - 38107人次" in text
