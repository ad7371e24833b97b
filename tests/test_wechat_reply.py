"""An answer as WeChat text: no markdown, a short sources line, pages within WeChat's byte limit."""

from __future__ import annotations

import pytest

from assistant import Answer, Citation, FigureUsed
from ui.wechat import texts
from ui.wechat.reply import answer_text, cut, paginate, plain_text, render_pages, section_number, sources_line

TITLES = {
    "d1": "青川区图书馆2024年工作总结",
    "d2": "青川区图书馆2023年工作总结",
    "qingchuan-2024-summary.pdf": "青川区图书馆2024年工作总结",
}


def _cite(
    n: int,
    doc: str = "d1",
    section: str = "一、主要工作 > （三）阅读推广",
    page: int | None = None,
    source: str = "qingchuan-2024-summary.pdf",
    quote: str = "全年开展阅读推广活动468场次。",
) -> Citation:
    return Citation(n, source, section, page, quote, f"c{n}", doc)


def test_markdown_becomes_plain_lines():
    text = plain_text(
        "## 2024年概况\n**新馆开馆后：**进馆人数208.37万次[1]。\n\n1. 一是新建驿站[2]\n2. 二是活动\n\n"
        "- 甲\n- 乙\n\n| 指标 | 2024年 |\n|---|---|\n| 进馆人数 | 208.37万次 |\n\n`代码` ~~删~~ <b>x</b>"
    )
    assert text.splitlines() == [
        "2024年概况",
        "新馆开馆后：进馆人数208.37万次。",
        "1. 一是新建驿站",
        "2. 二是活动",
        "· 甲",
        "· 乙",
        "· 指标：进馆人数，2024年：208.37万次",
        "代码 删 <b>x</b>",
    ]


def test_section_numbers_are_how_staff_cite():
    assert section_number("一、主要工作 > （三）阅读推广") == "一（三）"
    assert section_number("三、2025年工作重点 > （二）服务体系 > 1. 驿站") == "三（二）1"
    assert section_number("青川区图书馆2024年工作总结") == ""


def test_sources_line_groups_sections_and_pages_by_document():
    answer = Answer(
        "q",
        "a",
        citations=[
            _cite(1, page=2),
            _cite(2, section="一、主要工作 > （一）读者服务", page=1),
            _cite(3, doc="d2", source="qingchuan-2023-summary.docx", section="二、问题"),
        ],
    )
    assert sources_line(answer, TITLES) == (
        "来源：青川区图书馆2024年工作总结 一（三）、一（一） 第1、2页；青川区图书馆2023年工作总结 二"
    )
    figures_only = Answer(
        "q", "a", figures=[FigureUsed("进馆人数", 2024, 208.37, "万次", "qingchuan-2024-summary.pdf")]
    )
    assert sources_line(figures_only, TITLES) == "来源：青川区图书馆2024年工作总结"
    many = Answer("q", "a", citations=[_cite(i, doc=f"x{i}", source=f"文件{i}.txt") for i in range(1, 6)])
    assert sources_line(many, {}).endswith("文件3 一（三）等")


def test_refusal_shows_the_nearest_passage_in_a_sentence():
    answer = Answer(
        "q", "文档中没有相关信息。以下是最接近的段落，供参考。", citations=[_cite(1), _cite(2, doc="d2")], refused=True
    )
    body, sources = answer_text(answer, TITLES)
    assert body == "文档中没有相关信息。\n最接近的内容：全年开展阅读推广活动468场次。"
    assert sources == "出处：青川区图书馆2024年工作总结 一（三）"


def test_short_answer_is_one_message():
    pages = render_pages(Answer("q", "2024年进馆人数为208.37万次[1]。", citations=[_cite(1)]), TITLES, 2000)
    assert pages == ["2024年进馆人数为208.37万次。\n来源：青川区图书馆2024年工作总结 一（三）"]


@pytest.mark.parametrize("limit", [200, 600, 2000])
def test_long_answer_is_cut_into_pages_within_the_limit(limit):
    sentences = [f"第{i}项工作：全年开展阅读推广活动{400 + i}场次，同比增长{i}.25%。" for i in range(120)]
    body = "".join(sentences)
    pages = paginate(body, "来源：青川区图书馆2024年工作总结 一（三）", limit)
    assert len(pages) > 1
    assert all(len(p.encode("utf-8")) <= limit for p in pages)
    assert "来源：" in pages[0] and all("来源：" not in p for p in pages[1:])
    assert all(p.endswith(texts.MORE_HINT) for p in pages[:-1]) and not pages[-1].endswith(texts.MORE_HINT)
    # Nothing lost, nothing repeated, cut at sentence ends.
    text = "".join(
        p.replace("\n" + texts.MORE_HINT, "").replace("\n来源：青川区图书馆2024年工作总结 一（三）", "") for p in pages
    )
    assert text == body
    assert all(p.split("\n")[0].endswith("。") for p in pages[:-1])


def test_cut_never_splits_a_number():
    text = "进馆人数208.37万次" * 30  # no sentence or clause ends to cut at
    head, rest = cut(text, 37)  # 37 bytes end inside "208.37"
    assert head == "进馆人数208.37万次进馆人数" and head + rest == text
    digits = "1234567.89" * 50  # nothing but a number: cut where it must be
    head, rest = cut(digits, 37)
    assert head + rest == digits and len(head.encode()) == 37
