"""The clean copy (清稿) of a drafted plan, beside the annotated Word file: drafted over the real
sample corpus (real embedder, Chroma, SQLite on a temp dir), written to .docx and read back with
python-docx."""

from __future__ import annotations

import io
import re
import subprocess
import sys

import docx
import pytest

from assistant.plan import draft_plan, to_markdown

pytestmark = pytest.mark.slow

QC = "青川区图书馆"


def _paragraphs(data: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs if p.text.strip()]


@pytest.fixture(scope="module")
def markdown(corpus_kb):
    return to_markdown(draft_plan(corpus_kb, 2026, QC))


def test_clean_copy_has_no_working_marks_and_lists_its_sources_at_the_end(markdown):
    from ui.services.plans import plan_clean_docx, plan_docx

    annotated = _paragraphs(plan_docx(markdown))
    assert any(re.search(r"\[\d+\]", t) for t in annotated)  # the working draft keeps its marks
    assert any("⚠" in t for t in annotated) and any("推算" in t for t in annotated)

    clean = _paragraphs(plan_clean_docx(markdown))
    assert clean[0] == "青川区图书馆2026年工作计划"  # no （草稿）
    heading = clean.index("资料来源")
    body, sources = clean[:heading], clean[heading + 1 :]
    for text in body:
        assert "⚠" not in text and "推算" not in text and "（延续）" not in text, text
        assert not re.search(r"\[\d{1,3}\]", text), text
        assert "上年计划事项执行情况" not in text and "起草依据" not in text
    assert any("进馆人数" in t and "234万次" in t for t in body)  # the targets stay, without their labels
    assert any(t.startswith("一、总体思路") for t in body) and any(t.startswith("四、保障措施") for t in body)
    # The sources: a numbered list, each once, naming file and section.
    assert sources and all(re.match(rf"{k}\. \S", t) for k, t in enumerate(sources, start=1))
    assert any("qingchuan-2024-summary-2025-plan.pdf" in t and "第" in t for t in sources)
    assert len(set(sources)) == len(sources)


def test_cli_writes_the_clean_copy_beside_the_word_file(corpus_kb, tmp_path):
    import os
    import shutil

    data = str(shutil.copytree(corpus_kb.data_dir, tmp_path / "data"))
    out = tmp_path / "计划.docx"
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    args = ["draft-plan", "--year", "2026", "--org", QC, "--format", "docx", "--out", str(out), "--data-dir", data]
    done = subprocess.run([sys.executable, "-m", "ui.cli", *args], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    clean = tmp_path / "计划（清稿）.docx"
    assert out.exists() and clean.exists()
    texts = _paragraphs(clean.read_bytes())
    assert "资料来源" in texts and not any(re.search(r"\[\d+\]", t) for t in texts)
