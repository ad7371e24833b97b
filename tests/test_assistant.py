"""The answering pipeline on the sample corpus and the real seed, extractive mode (no LLM)."""

import json
import re

import pytest
from typer.testing import CliRunner

from assistant import Assistant, AssistantConfig
from assistant.query import resolve_years, understand
from assistant.types import Citation, FigureUsed
from assistant.verify import UNVERIFIED_MARK, flag, verify
from ingest import load_indicators
from ui.cli import app

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def assistant(corpus_kb):
    return Assistant(corpus_kb)


def _squash(text):
    return re.sub(r"\s+", "", text)


def test_relative_years_resolve_against_the_reference_year():
    assert resolve_years("去年进馆人数", 2025) == ([2024], True)
    assert resolve_years("前年和今年", 2025) == ([2023, 2025], True)
    assert resolve_years("近三年的走势", 2025) == ([2022, 2023, 2024], True)
    assert resolve_years("2022到2024年外借册次", 2025)[0] == [2022, 2023, 2024]
    assert resolve_years("同比上年增长多少", 2025) == ([], False)


def test_question_understanding():
    ind = load_indicators()
    q = understand(
        "青川去年新建了几间读书驿站？", indicators=ind, reference_year=2025, orgs=["青川区图书馆", "南海区图书馆"]
    )
    assert (q.indicator, q.years, q.org, q.intent) == ("新建读书驿站", [2024], "青川区图书馆", "count")
    assert understand("文献流通量连续几年下降了吗", indicators=ind, reference_year=2025, orgs=[]).intent == "trend"
    assert understand("2023年的目标完成了吗", indicators=ind, reference_year=2025, orgs=[]).intent == "plan_vs_actual"
    assert understand("面临哪些困难", indicators=ind, reference_year=2025, orgs=[]).intent == "problem"
    follow = understand(
        "那前年呢？",
        indicators=ind,
        reference_year=2025,
        orgs=["青川区图书馆"],
        history=["青川区图书馆去年进馆人数是多少？"],
    )
    assert (follow.indicator, follow.years, follow.org, follow.follow_up) == ("进馆人数", [2023], "青川区图书馆", True)


def test_verification_accepts_cited_and_looked_up_numbers_and_flags_others():
    cites = [Citation(1, "a.txt", "", None, "全年进馆人数208.37万次，同比增长6.05%。")]
    figures = [FigureUsed("进馆人数", 2023, 196.48, "万次", "b.docx")]
    ok = verify("2024年进馆人数208.37万次[1]，2023年为196.48万次，同比增长6.05%。", cites, figures, [])
    assert ok.ok
    bad = verify("2024年进馆人数210.37万次[1]。", cites, figures, [])
    assert bad.unverified == ["210.37万"]
    assert UNVERIFIED_MARK in flag("进馆人数210.37万次[1]。", bad.unverified)
    assert verify("《青川区图书馆年鉴（2024）》记为86.32万册次", [Citation(1, "y", "", None, "86.32万册次")], [], []).ok


def test_figure_answered_from_the_metrics_table_with_its_source(assistant):
    ans = assistant.ask("青川区图书馆2024年进馆人数多少？同比？")
    assert "208.37万次" in ans.answer and "6.05%" in ans.answer
    assert ans.grounded and not ans.unverified_numbers and ans.mode == "extractive"
    assert ans.citations[0].source == "qingchuan-2024-summary-2025-plan.pdf" and ans.citations[0].page == 1
    assert "208.37万次" in ans.citations[0].quote
    assert any(f.indicator == "进馆人数" and f.value == 208.37 for f in ans.figures)


def test_relative_year_is_said_in_the_answer(assistant):
    ans = assistant.ask("青川去年新建了几间读书驿站？")
    assert ans.answer.startswith("按2024年度资料") and "11间" in ans.answer


def test_year_without_data_is_never_guessed(assistant):
    ans = assistant.ask("青川区图书馆2026年进馆人数是多少？")
    assert ans.refused and "未收录2026年" in ans.answer and "2024年" in ans.answer


def test_conflict_answer_shows_both_sources(assistant):
    ans = assistant.ask("青川区图书馆2023年文献流通量到底是多少？")
    assert "86.23万册次" in ans.answer and "86.32万册次" in ans.answer
    assert {c.source for c in ans.citations} >= {"qingchuan-2023-summary.docx", "qingchuan-yearbook-2023-excerpt.md"}


def test_trend_and_target_questions(assistant):
    trend = assistant.ask("青川文献流通量连续几年下降了吗？")
    assert all(v in trend.answer for v in ("92.41万册次", "86.23万册次", "79.65万册次"))
    assert "连续3年下降" in trend.answer
    target = assistant.ask("青川2024年进馆人数的年度目标完成了吗？")
    assert "210万次" in target.answer and "208.37万次" in target.answer and "未完成" in target.answer


def test_derived_values_are_marked(assistant):
    ans = assistant.ask("青川2024年进馆人数比上年增加了多少？")
    assert "推算" in ans.answer and "11.89万次" in ans.answer
    assert any(f.derived and f.formula for f in ans.figures)
    assert ans.grounded


def test_lists_problems_and_plans_come_from_the_documents(assistant, seed_txt):
    problems = assistant.ask("南海区图书馆面临哪些困难和问题？")
    assert all(p in problems.answer for p in ("专项经费不足", "人员紧缺", "新馆实现如期开放"))
    assert all(c.source == seed_txt.name for c in problems.citations)
    plan = assistant.ask("南海2025年服务体系建设要做哪几件事？")
    assert all(k in _squash(plan.answer) for k in ("量入为出", "共建共享", "新馆读书驿站", "综合运营管理平台"))
    assert "三、2025年工作重点与思路" in plan.citations[0].section


def test_refusals(assistant):
    for question in (
        "青川区图书馆有几辆公务车？",
        "顺德区图书馆2024年进馆人数是多少？",
        "南海区图书馆2024年外借册次是多少？",
    ):
        ans = assistant.ask(question)
        assert ans.refused, (question, ans.answer)
        assert ans.answer.startswith("文档中没有相关信息") or ans.answer.startswith("未收录")


def test_multi_turn_follow_up(assistant):
    ans = assistant.ask("那前年呢？", history=["青川区图书馆去年进馆人数是多少？"])
    assert "196.48万次" in ans.answer and "2023年" in ans.answer


def test_public_visibility_hides_internal_documents(tmp_path, kb):
    secret = tmp_path / "internal.txt"
    secret.write_text(
        "青川区图书馆2024年内部财务说明\n\n一、应付款\n\n截至2024年12月，尚有应付未付款731.5万元。\n", encoding="utf-8"
    )
    kb.ingest([secret])
    internal = Assistant(kb).ask("青川区图书馆还有多少应付未付款？")
    public = Assistant(kb, AssistantConfig(visibility="public")).ask("青川区图书馆还有多少应付未付款？")
    assert "731.5万元" in internal.answer
    assert "731.5" not in public.answer and public.refused


def test_cli_ask_json_and_batch(tmp_path, corpus_kb):
    runner = CliRunner()
    data = ["--data-dir", str(corpus_kb.data_dir)]
    out = json.loads(runner.invoke(app, ["ask", "青川区图书馆2024年进馆人数多少？", "--json", *data]).output)
    assert set(out) >= {
        "question",
        "answer",
        "citations",
        "figures",
        "grounded",
        "unverified_numbers",
        "mode",
        "latency_ms",
    }
    assert set(out["citations"][0]) == {"n", "source", "title", "library", "section", "page", "quote"}
    assert set(out["figures"][0]) >= {"indicator", "year", "value", "unit", "source", "derived"}
    batch = tmp_path / "q.jsonl"
    batch.write_text(
        '{"id": "x1", "question": "青川区图书馆去年进馆人数是多少？"}\n'
        '{"id": "x2", "question": "那前年呢？", "history": ["青川区图书馆去年进馆人数是多少？"]}\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["ask", "--batch", str(batch), "--json", *data])
    lines = [json.loads(x) for x in result.output.splitlines() if x.startswith("{")]
    assert [x["id"] for x in lines] == ["x1", "x2"]
    assert "208.37万次" in lines[0]["answer"] and "196.48万次" in lines[1]["answer"]
    empty = runner.invoke(app, ["ask", "   ", *data])
    assert empty.exit_code == 2 and "问题不能为空" in empty.output
    long = runner.invoke(app, ["ask", "问" * 2001, *data])
    assert long.exit_code == 2 and "2000" in long.output


def test_the_unverified_mark_stands_after_the_number_and_its_unit_and_never_in_a_title():
    text = flag("《某馆2023年工作总结暨2024年工作计划》：到2024的情况，接待215万人次读者。", ["2024", "215万"])
    assert text == "《某馆2023年工作总结暨2024年工作计划》：到2024⚠未核实的情况，接待215万人次⚠未核实读者。"
