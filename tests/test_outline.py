from ingest import parse_file
from ingest.outline import detect_type, detect_years, heading_level, split_heading


def test_heading_levels():
    assert heading_level("一、主要工作及成效") == 1
    assert heading_level("（三）坚持需求导向") == 2
    assert heading_level("(三)坚持需求导向") == 2
    assert heading_level("1.新建读书驿站") == 3
    assert heading_level("（2）优化服务") == 4
    assert heading_level("一是强化理论武装，严格落实制度。") is None
    assert heading_level("2024年，全区总分馆进馆人数392.88万次。") is None
    assert heading_level("1.进馆人数达到380万人次。") is None  # a numbered item, not a heading


def test_split_heading_with_body_on_same_line():
    assert split_heading("（一）坚持党的领导。坚持把学习放在首位。") == ("（一）坚持党的领导", "坚持把学习放在首位。")
    assert split_heading("二、面临的困难与问题") == ("二、面临的困难与问题", "")


def test_document_types_and_years():
    assert detect_type("南海区图书馆2024年工作总结暨2025年工作计划", "x.txt") == "总结暨计划"
    assert detect_type("青川区图书馆2023年工作计划", "x.txt") == "工作计划"
    assert detect_type("青川区图书馆2022年工作总结", "x.md") == "工作总结"
    assert detect_type("青川图书馆年鉴（2023）摘录", "x.md") == "年鉴"
    assert detect_type("读书驿站建设典型案例", "x.md") == "案例"
    assert detect_type("stats", "qingchuan-statistics.xlsx") == "统计报告"
    assert detect_years("2024年工作总结暨2025年工作计划", "总结暨计划", "") == (2024, 2025)
    assert detect_years("2023年工作计划", "工作计划", "") == (None, 2023)


def test_seed_structure(seed_txt):
    doc = parse_file(seed_txt)
    assert doc.doc_type == "总结暨计划"
    assert (doc.report_year, doc.plan_year) == (2024, 2025)
    assert doc.as_of == "2024-12-31"
    assert doc.org == "南海区图书馆"
    top = [s for s in doc.sections if s.level == 1]
    assert [s.heading[:2] for s in top] == ["一、", "二、", "三、"]
    assert [s.period_kind for s in top] == ["report", "report", "plan"]
    assert [s.year for s in top] == [2024, 2024, 2025]
    assert len([s for s in doc.sections if s.level == 2]) == 12
    plan_sub = [s for s in doc.sections if s.path[0].startswith("三、") and s.level == 2]
    assert plan_sub and all(s.period_kind == "plan" and s.year == 2025 for s in plan_sub)


def test_a_summarys_look_ahead_section_plans_the_next_year(tmp_path):
    path = tmp_path / "石门县图书馆2023年工作总结.txt"
    path.write_text(
        "石门县图书馆2023年工作总结\n\n一、主要工作情况\n\n全年举办阅读推广活动120场。\n\n"
        "二、存在的问题\n\n馆舍面积不足。\n\n三、下一步工作\n\n全年举办阅读推广活动不少于150场。\n",
        encoding="utf-8",
    )
    doc = parse_file(path)
    top = [s for s in doc.sections if s.level == 1]
    assert [(s.period_kind, s.year) for s in top] == [("report", 2023), ("report", 2023), ("plan", 2024)]
