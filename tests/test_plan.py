"""Drafting next year's plan over the real sample corpus and the real seed (real embedder,
Chroma and SQLite on a temp dir): structure, targets, coverage of problems, carried-over
items, passed deadlines, number checks, LLM rewriting through the local OpenAI-compatible
stand-in, and the CLI and REST surfaces."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from assistant.plan import PlanError, draft_plan, measure, to_markdown
from assistant.plan.check import check_numbers
from assistant.plan.model import CARRIED, PROJECTED, RECOVERY, TO_CHECK
from assistant.plan.sources import default_year, select_sources

pytestmark = pytest.mark.slow

QC = "青川区图书馆"
NH = "南海区图书馆"


@pytest.fixture(scope="module")
def qc2025(corpus_kb):
    return draft_plan(corpus_kb, 2025, QC)


@pytest.fixture
def seed_kb(corpus_kb, seed_txt):
    """The corpus base, which holds the real seed when it is beside the checkout (else the test skips)."""
    return corpus_kb


def _section(draft, heading):
    return next(s for s in draft.sections if s.heading == heading)


def _items_with(draft, tag):
    return [i for i in draft.items() if tag in i.tags]


def test_sources_are_the_latest_summary_and_the_plan_before_the_year(corpus_kb):
    src = select_sources(corpus_kb, 2025, QC)
    assert src.summary_year == 2024 and src.summary.file_name == "qingchuan-2024-summary-2025-plan.pdf"
    assert src.plan_year == 2024 and src.plan.file_name == "qingchuan-2024-plan.txt"  # not the 2025 plan itself
    assert {c.period_kind for c in src.summary_chunks} == {"report"}
    assert [d.file_name for d, _ in src.cases] == ["qingchuan-case-2023-reading-station.md"]
    src26 = select_sources(corpus_kb, 2026, QC)
    assert src26.plan_year == 2025 and src26.plan.file_name == "qingchuan-2024-summary-2025-plan.pdf"
    assert default_year(corpus_kb, QC) == 2026


def test_structure_follows_work_plan_conventions(qc2025):
    assert qc2025.title == "青川区图书馆2025年工作计划（草稿）"
    assert [s.heading for s in qc2025.sections] == ["总体思路", "主要目标", "重点工作", "保障措施"]
    md = to_markdown(qc2025)
    assert re.search(r"^## 一、总体思路$", md, re.M) and re.search(r"^## 三、重点工作$", md, re.M)
    assert re.search(r"^### （一）", md, re.M)
    assert "## 参考来源" in md
    for ref in qc2025.references:  # each listed with file, section and (for the PDF) page
        line = next(l for l in md.splitlines() if l.startswith(f"[{ref.n}] "))
        assert ref.source in line
        if ref.source.endswith(".pdf"):
            assert re.search(r"第\d页", line)


def test_every_item_cites_and_every_number_is_verified(qc2025):
    checks = measure(qc2025)
    assert checks.items > 20
    assert checks.items_cited == checks.items
    assert checks.numbers > 30 and checks.numbers_verified == checks.numbers
    md = to_markdown(qc2025)
    assert "⚠未核实" not in md


def test_every_problem_of_the_summary_gets_a_measure(qc2025):
    labels = [p.label for p in qc2025.problems]
    assert labels == ["文献流通量连续三年下降", "文献购置经费压减", "新增读者增长乏力"]
    focus = _section(qc2025, "重点工作").all_items() + _section(qc2025, "保障措施").all_items()
    for k in range(len(labels)):
        assert any(k in i.responds_to for i in focus), labels[k]
    assert measure(qc2025).problem_share == 1.0


def test_targets_are_projected_with_formulas_and_labelled(corpus_kb):
    # No plan of 2026 states a target: each is projected (2025's stated ones are in test_plan_drafts).
    qc2026 = draft_plan(corpus_kb, 2026, QC)
    targets = _section(qc2026, "主要目标").items
    visits = next(i for i in targets if i.text.startswith("进馆人数"))
    assert PROJECTED in visits.tags and "推算" in visits.text
    assert "208.37万次" in visits.text and "同比+6.05%" in visits.text
    assert "2026年目标约234万次" in visits.text  # 208.37 × 1.0605² = 234.35
    assert "208.37×(1+6.05%)^2≈234.35" in visits.note
    assert visits.figures[0].derived and visits.figures[0].value == 234
    circulation = next(i for i in targets if i.text.startswith("文献流通量"))
    assert "止跌回升" in circulation.text and "已连续3年下降" in circulation.text
    recovery = [i for i in _items_with(qc2026, RECOVERY) if "文献流通量" in i.text]
    assert recovery, "a falling indicator needs a recovery measure"


def test_unfinished_items_of_the_previous_plan_are_carried_over(qc2025):
    carried = " ".join(i.text for i in _items_with(qc2025, CARRIED))
    for missed in (
        "进馆人数",
        "文献流通量",
        "新增注册读者",
        "新增文献",
        "补充专业技术人员",
        "文献购置经费不低于上年水平",
    ):
        assert missed in carried, missed
    status = {j.item: j.status for j in qc2025.carry}
    assert status["新增注册读者2.2万人"] == "continuing"
    assert status["官网访问量达到80万次"] == "done"
    evaluation = next(k for k in status if k.startswith("出台《青川区读书驿站运营评估办法》"))
    assert status[evaluation] == "done"
    assert "出台《青川区读书驿站运营评估办法》" not in carried  # done last year: not carried


def test_seed_2026_draft_carries_the_2025_plan_and_flags_the_passed_opening_date(seed_kb):
    draft = draft_plan(seed_kb, 2026, NH)
    checks = measure(draft)
    assert [p.label for p in draft.problems] == [
        "专项经费不足，专项工作推进受阻",
        "人员紧缺，队伍建设有待加强",
        "新馆实现如期开放将有较大压力",
    ]
    assert checks.problem_share == 1.0 and checks.verified_share == 1.0 and checks.cited_share == 1.0
    assert {j.status for j in draft.carry} == {"pending"}  # no 2025 summary yet
    assert len(_items_with(draft, CARRIED)) >= len(draft.carry)
    flagged = _items_with(draft, TO_CHECK)
    assert any("2025年10月" in i.text for i in flagged)
    visits = next(i for i in _section(draft, "主要目标").items if i.text.startswith("进馆人数"))
    assert "2026年目标约440万次" in visits.text  # 392.88 × 1.0586² = 440.28
    assert any("尚无2025年工作总结" in n for n in draft.notes)


def test_a_number_not_in_the_cited_passages_is_caught(qc2025):
    item = next(i for i in _section(qc2025, "主要目标").items if i.text.startswith("进馆人数"))
    passages = [c.quote for c in qc2025.references if f"[{c.n}]" in item.marks]
    assert check_numbers(item.text, passages, item.figures) == []
    tampered = item.text.replace("208.37万次", "218.37万次")
    assert check_numbers(tampered, passages, item.figures) == ["218.37万"]


def test_unknown_organisation_and_empty_base_are_refused(corpus_kb, kb):
    with pytest.raises(PlanError, match="北京市图书馆"):
        draft_plan(corpus_kb, 2026, "北京市图书馆")
    with pytest.raises(PlanError, match="工作总结或工作计划"):
        draft_plan(kb, 2026)


# -- LLM mode ---------------------------------------------------------------------------------------


def test_llm_rewrite_keeps_citations_and_rejects_a_changed_number(corpus_kb):
    from assistant.llm import OpenAICompatibleLLM
    from eval.standins.openai_api import OpenAIStandin

    def responder(messages):
        user = messages[-1]["content"]
        lines = re.findall(r"^(\d+)\. (.+)$", user, re.M)
        out = []
        for n, text in lines:
            if "借阅" in text and re.search(r"\d", text) is None:
                text = text.replace("借阅", "借阅（力争增长35%）", 1)  # an invented figure: must be refused
            out.append(f"{n}. 切实{text}")
        return "\n".join(out)

    with OpenAIStandin(host="127.0.0.1") as standin:
        standin.chat_responder = responder
        llm = OpenAICompatibleLLM(standin.base_url, "qwen2.5:7b-instruct", timeout=10, max_retries=0)
        draft = draft_plan(corpus_kb, 2025, QC, llm=llm)
        assert standin.chat_requests()
    assert draft.mode == "llm"
    focus = _section(draft, "重点工作").all_items()
    assert sum(i.text.startswith("切实") for i in focus) >= 5
    assert not any("35%" in i.text for i in draft.items())  # the invented figure never lands
    assert all(i.marks for i in draft.items())
    checks = measure(draft)
    assert checks.verified_share == 1.0 and checks.cited_share == 1.0
    assert all(not i.text.startswith("切实") for i in _section(draft, "主要目标").items)  # targets keep formulas


# -- CLI and API ------------------------------------------------------------------------------------


def _lantai(*args, cwd=None):
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "ui.cli", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300
    )


def test_cli_writes_markdown_and_docx_and_refuses_bad_input(corpus_kb, tmp_path):
    # Another process may not open a data directory this one holds: the CLI reads a copy.
    data = str(shutil.copytree(corpus_kb.data_dir, tmp_path / "data"))
    md_file = tmp_path / "plan.md"
    r = _lantai("draft-plan", "--year", "2025", "--org", QC, "--out", str(md_file), "--data-dir", data)
    assert r.returncode == 0, r.stderr
    assert md_file.read_text(encoding="utf-8").startswith("# 青川区图书馆2025年工作计划（草稿）")
    assert "问题回应 3/3" in r.stderr
    docx_file = tmp_path / "plan.docx"
    r = _lantai("draft-plan", "--org", QC, "--format", "docx", "--out", str(docx_file), "--data-dir", data)
    assert r.returncode == 0, r.stderr
    import docx

    doc = docx.Document(str(docx_file))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings[:4] == ["一、总体思路", "二、主要目标", "三、重点工作", "四、保障措施"]
    r = _lantai("draft-plan", "--year", "1899", "--data-dir", data)
    assert r.returncode == 2 and "年份" in r.stderr and "year" in r.stderr
    r = _lantai("draft-plan", "--org", "不存在图书馆", "--data-dir", data)
    assert r.returncode == 1 and "不存在图书馆" in r.stderr
    r = _lantai("draft-plan", "--format", "pdf", "--data-dir", data)
    assert r.returncode == 2 and "md" in r.stderr


def test_api_drafts_json_markdown_and_docx(corpus_kb):
    from fastapi.testclient import TestClient

    from ui.api import create_app
    from ui.settings import Settings

    app = create_app(Settings(data_dir=corpus_kb.data_dir), kb=corpus_kb, api_keys=[])
    with TestClient(app) as client:
        r = client.post("/api/draft-plan", json={"year": 2025, "org": QC})
        assert r.status_code == 200
        body = r.json()
        assert body["title"] == "青川区图书馆2025年工作计划（草稿）"
        assert body["checks"]["problem_share"] == 1.0 and body["checks"]["verified_share"] == 1.0
        assert [s["heading"] for s in body["sections"]] == ["总体思路", "主要目标", "重点工作", "保障措施"]
        assert body["references"] and all(i["citations"] for s in body["sections"] for i in s["items"])
        r = client.post("/api/draft-plan", json={"year": 2025, "org": QC, "format": "md"})
        assert r.status_code == 200 and r.text.startswith("# 青川区图书馆2025年工作计划")
        r = client.post("/api/draft-plan", json={"org": QC, "format": "docx"})
        assert r.status_code == 200 and r.content[:2] == b"PK"
        r = client.post("/api/draft-plan/export", json={"markdown": "# 计划\n\n## 一、总体思路\n\n正文[1]"})
        assert r.status_code == 200 and r.content[:2] == b"PK"
        r = client.post("/api/draft-plan", json={"org": "不存在图书馆"})
        assert r.status_code == 422 and "不存在图书馆" in r.json()["detail"]
        r = client.post("/api/draft-plan", json={"year": 1800})
        assert r.status_code == 422


@pytest.mark.office
def test_real_draft_docx_reopens_and_renders_with_libreoffice(seed_kb, tmp_path):
    """The seed's 2026 draft as Word: real heading styles, then PDF and PNG pages through LibreOffice."""
    import shutil

    import docx
    import pypdfium2 as pdfium
    from test_plan_export_render import _render

    from ui.services.plans import plan_docx

    draft = draft_plan(seed_kb, 2026, NH)
    path = tmp_path / "nanhai-2026.docx"
    path.write_bytes(plan_docx(to_markdown(draft)))
    doc = docx.Document(str(path))
    styles = [(p.style.name, p.text) for p in doc.paragraphs if p.style.name in ("Title", "Heading 1", "Heading 2")]
    assert styles[0] == ("Title", "南海区图书馆2026年工作计划（草稿）")
    assert [t for s, t in styles if s == "Heading 1"][:4] == [
        "一、总体思路",
        "二、主要目标",
        "三、重点工作",
        "四、保障措施",
    ]
    assert next(t for s, t in styles if s == "Heading 2") == "（一）坚持党的全面领导奏好主旋律"
    pdf = _render(path, tmp_path)
    pdf_doc = pdfium.PdfDocument(str(pdf))
    try:
        pages = len(pdf_doc)
        last = re.sub(r"\s+", "", pdf_doc[pages - 1].get_textpage().get_text_range())
    finally:
        pdf_doc.close()
    # The draft runs to several A4 pages at 三号 body text, and its sources close it.
    assert 4 <= pages <= 14, pages
    assert "nanhai-library-2024-summary-2025-plan.txt" in last
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed; the PDF itself was checked")
    out = tmp_path / "png"
    out.mkdir()
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(out / "page")], check=True, timeout=120)
    assert len(list(out.glob("page*.png"))) == pages


def test_eval_plan_cases_hold_on_the_corpus_and_seed(corpus_kb):
    """The shares ``python -m eval.plan`` prints, over the same gold cases."""
    from eval.plan import evaluate, load_gold

    for case in load_gold():
        if case["case"].startswith("seed") and not any(d.org == NH for d in corpus_kb.documents()):
            continue
        r = evaluate(corpus_kb, case)
        assert r["problems_found"] == r["problems_gold"], case["case"]
        assert r["carried_found"] == r["carried_gold"], (case["case"], r["missing"])
        assert r["judged"] == r["judged_gold"], case["case"]
        assert r["deadlines_found"] == r["deadlines_gold"], case["case"]
        assert r["recovery_found"] == r["recovery_gold"], case["case"]


EAST_PLAN = """东湖区图书馆2025年工作计划

2025年，东湖区图书馆围绕“阅读惠民、服务提质”的工作思路，推进各项工作。

一、工作目标

全年接待读者达到120万人次；新增注册读者1.5万人；举办阅读推广活动不少于300场次。

二、重点任务

（一）完善服务网络

一是建成东湖区图书馆湖滨分馆，力争2025年9月底前开放；二是新建城市书房5个。

（二）提升数字服务

一是上线移动借阅平台；二是开通线上办证。

三、保障措施

加强经费保障，争取专项资金支持。

东湖区图书馆
2025年1月
"""
EAST_SUMMARY = """东湖区图书馆2025年工作总结

2025年，全区接待读者112.6万人次，同比增长4.2%；新增注册读者1.62万人，同比增长8.0%；举办阅读推广活动326场次。

一、主要工作

（一）服务网络

新建城市书房5个。湖滨分馆主体工程完工，因装修延期尚未开放。

（二）数字服务

移动借阅平台于6月上线，全年线上借阅2.1万册次。

二、存在的不足

一是分馆建设进度滞后，湖滨分馆未能如期开放。二是数字资源利用率不高，线上借阅占比偏低。三是基层人员流动性大。
"""


def test_another_library_with_other_headings_and_problems_as_items(kb, tmp_path):
    """存在的不足 as 一是…二是…, 重点任务 sub-sections, 保障措施 without sub-headings, a signature block."""
    docs = tmp_path / "east"
    docs.mkdir()
    (docs / "东湖区图书馆2025年工作计划.txt").write_text(EAST_PLAN, encoding="utf-8")
    (docs / "东湖区图书馆2025年工作总结.txt").write_text(EAST_SUMMARY, encoding="utf-8")
    assert kb.ingest([docs]).ok
    draft = draft_plan(kb)  # the default: the next year of the only library
    assert draft.year == 2026 and draft.org == "东湖区图书馆"
    assert [p.label for p in draft.problems] == [
        "分馆建设进度滞后，湖滨分馆未能如期开放",
        "数字资源利用率不高，线上借阅占比偏低",
        "基层人员流动性大",
    ]
    checks = measure(draft)
    assert checks.problem_share == 1.0 and checks.verified_share == 1.0 and checks.cited_share == 1.0
    status = {j.item: j.status for j in draft.carry}
    assert status["建成东湖区图书馆湖滨分馆，力争2025年9月底前开放"] == "continuing"  # 尚未开放
    assert status["新建城市书房5个"] == "done" and status["上线移动借阅平台"] == "done"
    assert status["全年接待读者达到120万人次"] == "continuing" and status["新增注册读者1.5万人"] == "done"
    assert not any("2025年1月" in j.item for j in draft.carry)  # the signature is no item
    carried = " ".join(i.text for i in _items_with(draft, CARRIED))
    assert "湖滨分馆" in carried and "新建城市书房" not in carried
    assert any("2025年9月底前开放" in i.text for i in _items_with(draft, TO_CHECK))
    visits = next(i for i in _section(draft, "主要目标").items if i.text.startswith("进馆人数"))
    assert "2026年目标约117万人次" in visits.text  # 112.6 × 1.042 = 117.33
    guarantee_headings = [s.heading for s in _section(draft, "保障措施").subsections]
    assert "保障措施" not in guarantee_headings
