"""Computed answers worded as staff word them: 离年初的目标差多少 is a gap, 2023年比2021年增长了百分之几 is
computed though each year states its change on the year before, 多了多少 asks an amount, 在全部外借里占多少 is a
share of the total stated before its parts (其中…), 平均每座 divides by the 书房 there are (not those added),
and 平均每个开馆日接待 divides the year's visits by the days it opened (not the days aimed at).

Each question goes through a real knowledge base built from documents written here; a news item's year is
the latest day it dates.
"""

from __future__ import annotations

import pytest
from written_kb import assistant_over, checked_computation

from ingest.outline import detect_years


def _summary(year: int, cards: str, loans: str, extra: str = "") -> str:
    return f"""柘林县图书馆{year}年工作总结

一、主要指标

全年新办读者证{cards}张，书刊外借{loans}万册次。{extra}
"""


PLAN = """柘林县图书馆2023年工作计划

一、主要目标

全年书刊外借达到15万册次，新办读者证3000张。
"""

SERVICES = """二、读者服务

全年开馆不少于350天的要求得到落实，全年开馆349天，比上年多开放11天。全年总流通人次15.7万人次，同比增长12.9%；6个分馆全年接待读者2.6万人次，其中石桥镇分馆接待1300人次。

三、城市书房

年内新建城市书房5座，由我馆统一管理的城市书房达到21座。全年城市书房接待读者41.6万人次。

四、借阅

全年书刊文献外借186052册次。其中少儿文献外借68914册次，乡镇分馆外借57368册次。
"""


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder):
    kb, assistant = assistant_over(
        tmp_path_factory,
        embedder,
        {
            "zhelin-2021.txt": _summary(2021, "2150", "12.3"),
            "zhelin-2022.txt": _summary(2022, "2680", "13.2", "新办读者证比上年增加530张。"),
            "zhelin-2023.txt": _summary(2023, "3120", "14.1", "新办读者证比上年增加440张。\n\n" + SERVICES),
            "zhelin-2023-plan.txt": PLAN,
        },
    )
    yield assistant
    kb.close()


@pytest.mark.slow
def test_how_far_from_the_years_target(assistant):
    text = checked_computation(assistant.ask("柘林县馆2023年书刊外借离年初的目标差多少？"))
    assert "0.9万册次" in text and "15万册次 - 14.1万册次" in text


@pytest.mark.slow
def test_a_rate_over_two_years_is_computed_though_each_year_states_its_own(assistant):
    text = checked_computation(assistant.ask("柘林县馆新办读者证2023年比2021年增长了百分之几？"))
    assert "45.12%" in text and "(3120张 - 2150张) ÷ 2150张" in text


@pytest.mark.slow
def test_how_many_more_asks_an_amount(assistant):
    text = checked_computation(assistant.ask("柘林县馆新办读者证2023年比2021年多了多少？"))
    assert "970张" in text


@pytest.mark.slow
def test_a_share_of_the_total_stated_before_its_parts(assistant):
    text = checked_computation(assistant.ask("柘林县馆2023年少儿文献外借在全部外借里占多少？"))
    assert "37.04%" in text and "68914册次 ÷ 186052册次" in text


@pytest.mark.slow
def test_per_reading_room_divides_by_the_rooms_there_are(assistant):
    text = checked_computation(assistant.ask("柘林县馆的城市书房2023年平均每座接待多少读者？"))
    assert "1.98万人次" in text and "41.6万人次 ÷ 21座" in text


@pytest.mark.slow
def test_per_opening_day_divides_the_years_visits_by_the_days_it_opened(assistant):
    text = checked_computation(assistant.ask("柘林县馆2023年平均每个开馆日接待多少人次？"))
    assert "449.86人次" in text and "15.7万人次 ÷ 349天" in text


def test_a_news_items_year_is_the_latest_day_it_dates():
    text = (
        "本报讯 10月16日，柘林县图书馆新馆开放。新馆2021年立项，2022年6月28日开工，"
        "2023年11月18日封顶，2024年8月30日通过竣工验收。2021年以来……2021年……"
    )
    assert detect_years("柘林县图书馆新馆开放", "其他", text) == (2024, None)


def test_a_sentence_about_one_day_counts_that_day_not_the_year(tmp_path):
    from ingest import extract_figures, parse_file

    path = tmp_path / "news.txt"
    path.write_text(
        "柘林县图书馆新馆开放\n\n本报讯 12月26日，新馆开放。开馆首日接待读者1.1万人次，外借图书8600册次。"
        "全年外借图书14.1万册次。\n",
        encoding="utf-8",
    )
    scopes = {f.value: f.scope for f in extract_figures(parse_file(path))}
    assert scopes[8600.0] == "首日" and scopes[1.1] == "首日"
    assert scopes[14.1] == ""


@pytest.mark.slow
def test_days_between_two_events_each_dated_where_it_is_reported(tmp_path_factory, embedder):
    summary = "柘林县图书馆2022年工作总结\n\n一、新馆建设\n\n新馆项目于2022年6月28日举行开工仪式，正式进入施工阶段。\n"
    news = (
        "柘林县图书馆新馆建成开放\n\n本报讯 10月16日上午，柘林县图书馆新馆正式建成开放，市民排队入馆。"
        "新馆2023年11月18日主体封顶，2024年8月30日通过竣工验收。\n"
    )
    kb, assistant = assistant_over(tmp_path_factory, embedder, {"zhelin-2022.txt": summary, "zhelin-news.txt": news})
    try:
        text = checked_computation(assistant.ask("柘林县新馆从开工到开放一共用了多少天？"))
        assert "841天" in text and "2024年10月16日 - 2022年6月28日" in text
    finally:
        kb.close()
