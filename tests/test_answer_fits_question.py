"""An answer must be about what was asked: the right library or place, the quantity asked for, and
not a figure that merely shares a word with the question. The libraries, places and documents below
are fictional and written here."""

import pytest
from written_kb import assistant_over

from assistant.relevance import Relevance, measured_words, units

pytestmark = pytest.mark.slow

SUMMARY_A = """石门县图书馆2021年工作总结

一、服务效能
2021年，石门县图书馆全年办理借阅证1250个，总流通人次达41万（含分馆）。
先后在县医院、汽车站、农贸市场设立了3个流通服务点，为服务点配送图书500余册，期刊900余册。

二、队伍建设
很少的公共预算，96名员工，一年举办各类活动800场。
"""

SUMMARY_B = """柳河区图书馆2021年工作总结

一、服务效能
全年接待读者32万人次，外借图书15万册次，举办讲座40场。征集地方文献56种320余册。
"""

YEARBOOK_TABLE = """3-7 文化机构情况
项目  Item 2019 2020 2021
    总流通人次(千人次) 5200 3100 4400
        Total circulation(1000 person-times)
    组织各类讲座次数(次) 610 280 395
        Lectures(time)
"""


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, embedder):
    kb, assistant = assistant_over(
        tmp_path_factory,
        embedder,
        {"shimen-2021.txt": SUMMARY_A, "liuhe-2021.txt": SUMMARY_B, "yearbook-table.txt": YEARBOOK_TABLE},
    )
    yield assistant
    kb.close()


def test_a_table_that_names_no_library_does_not_speak_for_one(assistant):
    answer = assistant.ask("石门县图书馆2021年总流通人次是多少？")
    assert "41万" in answer.answer
    assert "4400" not in answer.answer  # the unattributed table's value is not the county library's


def test_a_place_asked_about_is_not_answered_from_another_place(assistant):
    answer = assistant.ask("黄岭省2021年共有多少个公共图书馆？")
    assert answer.refused
    assert "石门" not in answer.answer.split("以下是")[0] and "柳河" not in answer.answer.split("以下是")[0]


def test_a_table_row_is_read_whole_for_the_year_asked(assistant):
    answer = assistant.ask("2020年组织各类讲座多少次？")
    assert "280" in answer.answer and not answer.refused


def test_where_is_answered_by_the_sentence_not_by_a_count(assistant):
    answer = assistant.ask("石门县图书馆2021年的流通服务点设在哪里？")
    assert "县医院" in answer.answer and "汽车站" in answer.answer


def test_a_number_of_something_else_is_no_answer(assistant):
    answer = assistant.ask("石门县图书馆一年的公共预算是多少？")
    assert answer.refused  # 96 counts 员工, the sentence gives no budget
    assert "96名员工" not in answer.answer.split("以下是")[0]


def test_measured_words_and_stated_numbers():
    assert measured_words("某馆合办的活动吸引了多少读者？") >= {"读者"}
    assert "预算" in measured_words("某馆一年的公共预算是多少？")
    rarity = lambda words: dict.fromkeys(words, 2.0)  # noqa: E731 — equal weights: only the rules below decide
    relevance = Relevance("一年的公共预算是多少？", rarity)
    assert not relevance.states_number("很少的公共预算，96名员工，一年举办各类活动800场。")
    assert relevance.states_number("全年公共预算安排320万元。")
    codes = Relevance("有多少个分馆？", rarity)
    assert not codes.states_number("总分馆建设中图分类号:G258.2")  # a code, not a quantity
    counted = Relevance("全国一共有多少家图书馆获得先进单位称号？", rarity)
    assert counted.states_number("2017年，全国共61家图书馆获得该称号。")  # 61 counts the 图书馆 asked about


def test_units_keep_table_rows_and_list_lines():
    text = "3-7 文化机构情况｜总流通人次(千人次)：2019：5200；2020：3100。\n1、第一项。\n2、第二项"
    assert units(text) == ["3-7 文化机构情况｜总流通人次(千人次)：2019：5200；2020：3100。", "1、第一项。", "2、第二项"]


PLAN_ONLY = """山塘县图书馆2022年工作计划

2022年，我们将围绕免费开放和阅读推广，结合本馆实际，做好以下工作：

一、主要任务
1、拟开展流动服务30次以上、举办培训班4期。
2、力争创建国家二级图书馆。
3、继续采购电子图书和有声读物，充实数字资源。
"""


@pytest.fixture(scope="module")
def plan_assistant(tmp_path_factory, embedder):
    kb, assistant = assistant_over(
        tmp_path_factory, embedder, {"shantang-2022-plan.txt": PLAN_ONLY, "liuhe-2021.txt": SUMMARY_B}
    )
    yield assistant
    kb.close()


def test_a_target_is_not_an_outcome(plan_assistant):
    done = plan_assistant.ask("山塘县图书馆2022年实际开展了多少次流动服务？")
    assert done.refused and "计划" in done.answer
    rated = plan_assistant.ask("山塘县图书馆2022年有没有评上国家二级图书馆？")
    assert rated.refused
    planned = plan_assistant.ask("山塘县图书馆2022年计划开展多少次流动服务？")
    assert "30次" in planned.answer and not planned.refused


def test_a_date_question_is_answered_by_a_dated_sentence(tmp_path_factory, embedder):
    kb, assistant = assistant_over(
        tmp_path_factory,
        embedder,
        {
            "shimen-2021.txt": (
                "石门县图书馆2021年工作总结\n\n一、阅读推广\n全年举办讲座12场。5月8日，与县文联联合举办“家风家训讲座”。\n"
            )
        },
    )
    answer = assistant.ask("石门县图书馆的家风家训讲座是哪天举办的？")
    kb.close()
    assert "5月8日" in answer.answer and not answer.refused


def test_a_trend_over_a_figure_the_table_names_its_own_way(assistant):
    # 讲座 is an alias of a count in 期; the table's own figure is 组织各类讲座次数 in 次
    answer = assistant.ask("2019到2021年组织各类讲座的次数是一直在增加吗？")
    assert all(v in answer.answer for v in ("610", "280", "395"))
    assert "有升有降" in answer.answer and "总体下降" in answer.answer


def test_two_questions_at_once_get_both_answers(assistant):
    answer = assistant.ask("石门县图书馆2021年办理了多少个借阅证？总流通人次是多少？")
    assert "1250" in answer.answer and "41万" in answer.answer
    marks = {int(n) for n in __import__("re").findall(r"\[(\d+)\]", answer.answer)}
    assert marks == {c.n for c in answer.citations}  # one numbering across both parts


def test_split_question_only_where_each_part_asks():
    from assistant.parts import split_question

    assert split_question("借阅证办了多少？馆藏一共多少？") == ["借阅证办了多少？", "馆藏一共多少？"]
    assert split_question("2024年计划的目标完成了吗？") == ["2024年计划的目标完成了吗？"]
    assert split_question("请看这份总结。进馆人数是多少？") == ["请看这份总结。进馆人数是多少？"]


def test_places_are_words_used_as_places():
    from assistant.evidence import places_named

    assert places_named("黄岭省2021年共有多少个公共图书馆？") == ("黄岭",)
    assert places_named("柳河和黄岭2021年谁外借的图书多？") == ("柳河", "黄岭")
    assert places_named("柳河2024年新建了几间读书驿站？") == ("柳河",)  # 新建: a verb here, though also a place name
    assert places_named("全区有多少个分馆？") == ()


def test_averages_said_either_way_round(assistant):
    staff = assistant.ask("石门县图书馆每位员工平均办多少场活动？")
    assert "8.33" in staff.answer and "推算" in staff.answer  # 800场 ÷ 96名
    points = assistant.ask("石门县图书馆每个流通服务点平均分到多少册期刊？")
    assert "300" in points.answer and "900" in points.answer  # 900余册 ÷ 3个


def test_a_listed_item_is_named_by_its_own_noun(tmp_path):
    from ingest import extract_figures, parse_file

    doc = tmp_path / "list.txt"
    doc.write_text(
        "某县图书馆2021年工作总结\n\n全年为服务点配送图书400余册，期刊1200余册，其中少儿期刊300册。\n", encoding="utf-8"
    )
    names = {f.value: f.indicator for f in extract_figures(parse_file(doc))}
    assert names[400.0] == "为服务点配送图书"
    assert names[1200.0] == "为服务点配送期刊"  # not a second value of 配送图书


def test_per_head_divides_by_the_population_served(tmp_path_factory, embedder):
    kb, assistant = assistant_over(
        tmp_path_factory,
        embedder,
        {
            "liuhe-2021.txt": (
                "柳河区图书馆2021年工作总结\n\n一、基本情况\n全区常住人口48万人，全年馆藏图书达到96万册，接待读者30万人次。\n"
            )
        },
    )
    books = assistant.ask("柳河区图书馆2021年人均藏书多少册？")
    visits = assistant.ask("柳河区2021年人均到馆多少次？")
    kb.close()
    assert "2册" in books.answer and "96万册 ÷ 48万人" in books.answer
    assert "0.63" in visits.answer and "推算" in visits.answer  # 0.625 rounded half up (四舍五入)


def test_a_plan_question_is_answered_by_the_item_it_names(plan_assistant):
    answer = plan_assistant.ask("山塘县图书馆2022年计划继续采购电子图书吗？")
    assert "电子图书" in answer.answer.split("另见")[0] and not answer.refused


def test_a_figure_that_counts_something_else_gives_way_to_the_sentence_with_the_count(assistant):
    answer = assistant.ask("石门县图书馆给流通服务点配送了多少册图书？")
    assert "500余册" in answer.answer
    assert not any(f.indicator == "服务点数" for f in answer.figures)  # 3个 counts service points, not books


NATIONAL = """2021年全国公共图书馆事业发展统计公报

2021年末全国共有公共图书馆3215个，全年总流通人次7.5亿，举办各类讲座8.1万次。
"""


@pytest.fixture(scope="module")
def with_national(tmp_path_factory, embedder):
    kb, assistant = assistant_over(
        tmp_path_factory,
        embedder,
        {"shimen-2021.txt": SUMMARY_A, "national-2021.txt": NATIONAL, "yearbook-table.txt": YEARBOOK_TABLE},
    )
    yield assistant
    kb.close()


def test_a_national_report_does_not_give_one_provinces_figure(with_national):
    answer = with_national.ask("湖南省2021年公共图书馆总流通人次是多少？")
    assert "7.5亿" not in answer.answer
    assert "石门县" not in answer.answer  # nor is the one library in the base, whose documents name no 湖南
    national = with_national.ask("2021年全国公共图书馆总流通人次是多少？")
    assert "7.5亿" in national.answer  # the report still answers for the nation


def test_a_table_that_names_no_place_may_still_be_the_places(with_national):
    answer = with_national.ask("湖南省2021年组织各类讲座多少次？")
    assert "395" in answer.answer  # the bare table names no one: it is not ruled out


STOCK_AND_FLOW = """云溪县图书馆2022年工作总结

一、阵地建设
截至2022年底，全县读书驿站总数达到42间。全年新建城市书房3间，均已对外开放。
"""


STOCK_AND_FLOW_2021 = """云溪县图书馆2021年工作总结

一、阵地建设
全年新建读书驿站5间，读书驿站总数达到37间。
"""


@pytest.fixture(scope="module")
def stock_and_flow(tmp_path_factory, embedder):
    kb, assistant = assistant_over(
        tmp_path_factory, embedder, {"yunxi-2022.txt": STOCK_AND_FLOW, "yunxi-2021.txt": STOCK_AND_FLOW_2021}
    )
    yield assistant
    kb.close()


def test_a_total_is_never_given_for_how_many_were_added(stock_and_flow):
    answer = stock_and_flow.ask("云溪县图书馆2022年新建了多少间读书驿站？")
    # 42 is how many there are, not how many were built: never stated as the figure asked (the sentence
    # holding it may still be shown as evidence)
    assert not any(f.value == 42 for f in answer.figures)
    assert "3间" in stock_and_flow.ask("云溪县图书馆2022年新建了多少间城市书房？").answer


def test_a_question_for_a_name_needs_a_sentence_that_gives_one():
    from assistant.who import asks_name, gives_name

    assert asks_name("新馆的设计单位是哪家？") == "organisation"
    assert asks_name("馆长叫什么名字？") == "person"
    assert asks_name("做自查的是哪个省的图书馆？") == "place"
    assert asks_name("新馆什么时候开放？") is None
    q = "新馆的设计单位是哪家？"
    assert not gives_name("organisation", ["与建设单位及设计单位保持密切联系，推进新馆建设。"], q)
    assert gives_name("organisation", ["新馆由江城建筑设计研究院有限公司设计。"], q)
    assert not gives_name("person", ["馆长主持召开了全馆工作会议。"], "馆长叫什么名字？")
    assert gives_name("person", ["馆长张文静主持召开了全馆工作会议。"], "馆长叫什么名字？")
    assert not gives_name("person", ["成立开馆工作领导小组，馆长任组长。"], "馆长叫什么名字？")  # 任: takes a role


def test_a_things_name_is_asked_apart_from_a_persons():
    from assistant.who import asks_name, gives_name

    assert asks_name("那位来上课的老读者叫什么？") == "person"
    assert asks_name("馆里推行的读书机制叫什么？") == "title"
    assert asks_name("这个品牌活动叫什么名字？") == "title"
    q = "馆里推行的读书机制叫什么？"
    assert gives_name("title", ["全年推行“三读联动”读书机制，覆盖各分馆。"], q)
    assert not gives_name("title", ["全年推行读书机制，覆盖各分馆。"], q)


def test_a_quantity_glued_to_a_figure_is_stated_with_it(assistant):
    text = assistant.ask("柳河区图书馆2021年征集了多少地方文献？").answer
    assert "56种" in text and "320余册" in text  # titles and volumes: one figure counted two ways


def test_everyday_words_find_the_formal_ones_reports_use():
    from assistant.evidence import missing_terms

    assert "为止" not in missing_terms("数据统计到哪个月为止？", ["全年数据截至11月底。"])
    assert "对子" not in missing_terms("和哪个社区结的对子？", ["与东湖社区形成结对共建。"])


HEADED = """兰溪县图书馆2021年工作总结

一、阅读推广
（一）“迎新春”系列活动（共6项）
1.举办少儿书画展，展出作品60余幅。
2.在中心广场举办猜灯谜活动。
3.开展新春送春联进社区活动。
（二）“读书月”系列活动
全年举办读书月活动12场。
"""


@pytest.fixture(scope="module")
def headed(tmp_path_factory, embedder):
    kb, assistant = assistant_over(tmp_path_factory, embedder, {"lanxi-2021.txt": HEADED})
    yield assistant
    kb.close()


def test_a_heading_that_states_a_figure_answers_and_is_verified(headed):
    answer = headed.ask("“迎新春”系列活动一共有几项？")
    assert "6项" in answer.answer
    assert not answer.unverified_numbers  # the heading is part of the cited passage


def test_a_sentence_two_overlapping_passages_share_is_said_once():
    from assistant import extractive
    from assistant.query import Query
    from index import SearchHit
    from ingest.types import Chunk

    shared = "三是加强员工健康监测和出行管理。"
    first = Chunk("c1", "d1", "a.txt", "二是做好场馆防控。" + shared, (), None, None, 0, 30, 0)
    second = Chunk("c2", "d1", "a.txt", shared + "建立员工出市报备制度。", (), None, None, 20, 60, 1)
    hits = [SearchHit(first, 1.0), SearchHit(second, 0.9)]
    rarity = lambda words: dict.fromkeys(words, 2.0)  # noqa: E731
    query = Query("员工出市需要做什么？")
    draft = extractive.best_sentences(query, hits, Relevance(query.text, rarity))
    said = [st.text for st in draft.statements]
    assert said.count(shared) == 1
    assert "建立员工出市报备制度。" in said


def test_a_question_for_part_of_a_figure_is_not_answered_by_the_whole():
    from assistant.figure_names import Name, narrows

    loans = Name("外借册次", "外借册次", "", "册次", ("书刊外借", "图书外借"))
    assert narrows("少儿书外借册次", loans)  # children's loans are a part of all loans
    assert narrows("线上外借册次", loans)
    assert not narrows("书刊外借册次", loans)
    spending = Name("文献购置经费", "文献购置经费", "", "万元", ("购书经费",))
    assert not narrows("买书花钱", spending)  # the asker's own words for the same figure
