"""What an answer's badge and citations promise, on the sample corpus: each citation is one chunk (label,
file and passage), named by its document's title and library; ✓ 已核实 only when every number is backed
and the evidence is of the year and library asked."""

import re

import pytest

from assistant import Assistant
from ui.web.render import badge_html, citations_html

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def assistant(corpus_kb):
    return Assistant(corpus_kb)


def _squash(text):
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize(
    ("question", "plan_number", "summary_number"),
    [
        ("青川2023年的进馆人数目标完成了吗？", "180万次", "196.48万次"),
        ("青川2024年新建读书驿站的目标完成得怎么样？", "10间", "11间"),
    ],
)
def test_a_target_and_its_result_each_cite_their_own_passage(
    assistant, corpus_kb, question, plan_number, summary_number
):
    answer = assistant.ask(question)
    chunks = corpus_kb.registry.chunks([c.chunk_id for c in answer.citations])
    for c in answer.citations:
        chunk = chunks[c.chunk_id]
        assert c.source == chunk.file_name and c.doc_id == chunk.doc_id
        assert _squash(c.quote) in _squash(" ".join([*chunk.heading_path, chunk.text])), (c.n, c.source, c.quote)
    plan = next(c for c in answer.citations if "plan.txt" in c.source)
    summary = next(c for c in answer.citations if "summary" in c.source)
    assert plan_number in plan.quote and "目标" not in plan.quote.split(plan_number)[0][-2:]
    assert summary_number in summary.quote and plan.quote != summary.quote


def test_citations_name_the_documents_title_and_library_with_the_file_as_a_detail(assistant):
    answer = assistant.ask("青川2023年的进馆人数目标完成了吗？")
    assert [(c.title, c.library) for c in answer.citations] == [
        ("青川区图书馆2023年工作计划", "青川区图书馆"),
        ("青川区图书馆2023年工作总结", "青川区图书馆"),
    ]
    assert answer.as_dict()["citations"][0]["title"] == "青川区图书馆2023年工作计划"
    html = citations_html(answer)
    summaries = re.findall(r"<summary>(.*?)</summary>", html)
    assert "青川区图书馆2023年工作计划" in summaries[0] and "qingchuan-2023-plan.txt" not in summaries[0]
    assert "文件：qingchuan-2023-plan.txt" in html


def test_a_verified_answer_says_what_was_checked(assistant):
    answer = assistant.ask("青川2023年的进馆人数目标完成了吗？")
    assert answer.grounded and not answer.warnings
    assert answer.checked == "已核对：数字2处均见于引文或指标表；年份2023；单位青川区图书馆"
    assert f'title="{answer.checked}"' in badge_html(answer) and "✓ 已核实" in badge_html(answer)


def test_another_years_plan_is_not_verified(assistant):
    answer = assistant.ask("青川2026年的工作计划有哪些？")
    assert not answer.refused and "2025年" in answer.answer  # the nearest plan is still shown ...
    assert not answer.grounded  # ... but not as verified
    assert answer.warnings == ["引文[1]是2025年的资料，问题问的是2026年"]
    html = badge_html(answer)
    assert "✓ 已核实" not in html and "⚠未核实：引文&#91;1&#93;是2025年的资料" in html


def test_a_target_read_from_an_unrelated_sentence_is_unverified(assistant):
    answer = assistant.ask("青川2024年读书驿站总数目标是多少？")
    assert "62间" in answer.answer and "62间⚠" not in answer.answer
    assert "1间⚠未核实" in answer.answer and not answer.grounded
    assert any("每名党员至少联系1间驿站" in w for w in answer.warnings)
    assert "⚠含未核实数字：1" in badge_html(answer)


def test_a_change_against_the_year_before_and_two_libraries_named_stay_verified(assistant):
    change = assistant.ask("青川2024年进馆人数同比增长了多少？")
    assert change.grounded and not change.warnings
    both = assistant.ask("2024年南海和青川的进馆人数谁多？")
    assert both.grounded and not both.warnings
