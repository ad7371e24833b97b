"""The answer card the chat shows, from real answer objects: the ⚠未核实 mark after a whole number and its
unit, the answer before the folded figures, tables that scroll inside the card, documents by title."""

from assistant.types import Answer, Citation, FigureUsed
from assistant.verify import flag
from index import DocumentRecord
from ui.web.frames import document_choices, documents_frame
from ui.web.render import render_answer


def test_the_mark_stands_after_every_unit_a_figure_is_read_with():
    for unit in ("个工作日", "个月", "TB", "岁", "万册次", "万余人次", "平方米", "%"):
        magnitude = "万" if unit.startswith("万") else ""
        assert flag(f"共计215{unit}读者", [f"215{magnitude}"]) == f"共计215{unit}⚠未核实读者", unit


def _answer(text: str, unverified: list[str]) -> Answer:
    citation = Citation(1, "qc-2024.txt", "一、主要目标", None, "新书上架周期缩短至12个工作日。", "c1", "d1")
    citation.title, citation.library = "青川区图书馆2024年工作计划", "青川区图书馆"
    figure = FigureUsed("新书上架周期", 2024, 12, "个工作日", "qc-2024.txt", stated="12个工作日")
    return Answer(
        "q", flag(text, unverified), [citation], [figure], grounded=not unverified, unverified_numbers=unverified
    )


def test_the_rendered_card_keeps_the_mark_after_the_unit():
    html = render_answer(_answer("新书上架周期为15个工作日，进馆215万人次[1]。", ["15", "215万"]))
    mark = '<span class="lt-unverified">⚠未核实</span>'
    assert f"15个工作日{mark}" in html and f"215万人次{mark}" in html
    assert "15个⚠" not in html and "215万⚠" not in html and "215万<span" not in html


def test_the_answer_comes_first_and_the_figures_used_are_folded_in_a_scrolling_box():
    html = render_answer(_answer("新书上架周期为12个工作日[1]。", []))
    assert html.index('class="lt-text"') < html.index('class="lt-badge') < html.index("用到的数据")
    fold = html[html.index('<details class="lt-figs-fold">') :]
    assert '<details class="lt-figs-fold"><summary>' in fold and " open" not in fold.split(">")[0]
    assert '<div class="lt-scroll"><table class="lt-figs">' in fold


def test_the_document_list_names_documents_by_title_and_library():
    record = DocumentRecord(
        "d1", "/x/qc.txt", "qc-2024.txt", "0", 1, "工作计划", "青川区图书馆2024年工作计划", "青川区图书馆",
        [2024], None, 2024, None, None, "internal", "ready", 3, None,
    )  # fmt: skip
    frame = documents_frame([record])
    assert frame.iloc[0]["文档"] == "青川区图书馆2024年工作计划" and frame.iloc[0]["单位"] == "青川区图书馆"
    assert frame.iloc[0]["文件"] == "qc-2024.txt"
    assert document_choices([record])[0][0].startswith("青川区图书馆2024年工作计划（qc-2024.txt")
