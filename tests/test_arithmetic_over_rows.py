"""Sums and averages over a table's rows: a group named by its size and kind (三个县馆, 4个分馆) is read
from one table, computed with its formula (推算), and only when the table holds as many rows as named."""

from __future__ import annotations

import pytest
from written_kb import assistant_over, checked_computation

pytestmark = pytest.mark.slow

YEARBOOK = """石门年鉴2024·公共图书馆

一、概况

2023年，石门市有公共图书馆4个，其中市级馆1个，县级馆3个。

表3  2022—2023年石门市各公共图书馆书刊外借册次（单位：万册次）
馆名 | 2022年 | 2023年
石门市图书馆 | 61.2 | 70.4
东江县图书馆 | 12.5 | 14.1
西岭县图书馆 | 9.8 | 10.6
南坪县图书馆 | 7.3 | 8.2
"""

NETWORK = """东江县总分馆建设情况报告

一、2023年分馆服务数据

各乡镇分馆2023年服务数据如下：

分馆名称 | 接待读者（人次） | 外借（册次）
青石镇分馆 | 8,420 | 6,150
白沙镇分馆 | 7,310 | 5,260
柳岸乡分馆 | 3,960 | 2,870
龙潭镇分馆 | 5,180 | 3,940
"""


@pytest.fixture(scope="module")
def over_tables(tmp_path_factory, embedder):
    kb, assistant = assistant_over(
        tmp_path_factory, embedder, {"石门年鉴2024.txt": YEARBOOK, "东江县总分馆报告.txt": NETWORK}
    )
    yield assistant
    kb.close()


def test_a_group_of_libraries_in_a_yearbook_table_adds_up(over_tables):
    text = checked_computation(over_tables.ask("年鉴表里三个县馆2023年的书刊外借加起来是多少？"))
    assert "32.9万册次" in text and "14.1万册次 + 10.6万册次 + 8.2万册次" in text


def test_every_row_of_the_group_is_averaged(over_tables):
    text = checked_computation(over_tables.ask("年鉴里4个馆2023年平均每个馆外借了多少万册次？"))
    assert "25.83万册次" in text and "÷ 4" in text


def test_a_networks_branches_add_up_from_their_own_table(over_tables):
    text = checked_computation(over_tables.ask("东江县4个分馆2023年的外借册次加起来是多少？"))
    assert "18220册次" in text


def test_a_group_the_table_does_not_hold_whole_is_not_computed(over_tables):
    answer = over_tables.ask("年鉴表里五个县馆2023年的书刊外借加起来是多少？")
    assert "推算" not in answer.answer
