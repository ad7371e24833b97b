"""``lantai ask``: one question, or a JSONL file of them; cited answers whose numbers are checked."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from ..context import open_assistant
from ..services.curation_store import CurationStore
from ..services.questions import Questions, empty_base_english, library_line, question_problem
from ..services.reviewed import REVIEWED_LABEL
from .common import AsJson, DataDir, console, err_console, fail, open_kb, settings_for


def print_answer(answer) -> None:
    badge = "[green]✓ 已核实 grounded[/green]" if answer.grounded else "[yellow]⚠ 含未核实数字 not grounded[/yellow]"
    if answer.refused:
        badge = "[dim]未找到答案 no answer[/dim]"
    if answer.reviewed is not None:
        badge = f"[blue]{REVIEWED_LABEL} reviewed by staff[/blue]"
    console.print(answer.answer, highlight=False)
    if library_line(answer):
        console.print(library_line(answer), highlight=False)
    if answer.candidates:
        badge = "[yellow]请指明图书馆 which library?[/yellow]"
    console.print(f"{badge} · {answer.mode} · {answer.latency_ms:.0f} ms")
    for line in ([answer.checked] if answer.checked else []) + list(answer.warnings):
        console.print(f"  {line}", highlight=False)
    for c in answer.citations:
        page = f" 第{c.page}页" if c.page else ""
        label = (
            f"{c.title or c.source}（{c.library}）" if c.library and c.library not in c.title else c.title or c.source
        )
        console.print(f"  [{c.n}] {label}{page} · {c.section or '（正文开头）'} · 文件 {c.source}", highlight=False)
        console.print(f"      「{c.quote[:120]}」", highlight=False)
    for f in answer.figures:
        note = f"（{f.formula}）" if f.derived and f.formula else ""
        console.print(f"  · {f.indicator} {f.year}年 {f.stated or f.value}{note} — {f.source}", highlight=False)


def ask(
    question: str | None = typer.Argument(None, help="问题 / the question"),
    data_dir: Path | None = DataDir,
    as_json: bool = AsJson,
    history: list[str] = typer.Option(
        [], "--history", help="同一对话中之前的问题（可重复）/ an earlier question (repeatable)"
    ),
    batch: Path | None = typer.Option(
        None, "--batch", help='JSONL：每行 {"id", "question", "history"?} / a JSONL file of questions'
    ),
    org: str | None = typer.Option(
        None, "--org", help="单位：问题没写明图书馆时按此馆回答 / the library a question naming none is about"
    ),
) -> None:
    """提问：答案附引用，数字经过核实 / ask a question: a cited answer whose numbers are checked."""
    if batch is None:
        error = question_problem(question or "")
        if error:
            fail(error)
    try:
        kb = open_kb(data_dir)
        questions = Questions(open_assistant(settings_for(data_dir), kb), CurationStore(kb.data_dir), channel="cli")
    except (ValueError, ImportError) as exc:
        fail(f"配置错误 / configuration error: {exc}")
    if batch is not None:
        ask_batch(questions, batch, as_json, org)
        return
    answer = questions.ask(question or "", list(history), org)  # checked non-empty above
    if as_json:
        print(json.dumps(answer.as_dict(), ensure_ascii=False))
    else:
        print_answer(answer)
    english = empty_base_english(answer)
    if english:  # the answer says it in Chinese; the command line says it in both languages
        err_console.print(f"[yellow]⚠[/yellow] {answer.answer} / {english}", highlight=False, soft_wrap=True)


def _batch_item(number: int, line: str) -> tuple | None:
    """(id, question, history) of one line, or None (said why on stderr) when it is no JSON object."""
    try:
        item = json.loads(line)
        qid, q = item.get("id"), item.get("question", "")
        past = item.get("history") or []
        if not isinstance(past, list):
            raise ValueError("history must be a list")
    except (json.JSONDecodeError, AttributeError, ValueError) as exc:
        err_console.print(
            f"[red]✗[/red] 第{number}行不是有效的 JSON 对象 / line {number} is not a valid JSON object: {exc}"
        )
        return None
    return qid, q, past


def ask_batch(questions: Questions, batch: Path, as_json: bool, org: str | None = None) -> None:
    """Every question of a JSONL file, answered in order; exit 1 when any line failed."""
    if not batch.is_file():
        fail(f"找不到文件 / file not found: {batch}")
    org = questions.libraries.resolve(org)  # an unknown library stops the run before the first question
    failed = 0
    for number, line in enumerate(batch.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        item = _batch_item(number, line)
        if item is None:
            failed += 1
            continue
        qid, q, past = item
        error = question_problem(q if isinstance(q, str) else "")
        if error:
            print(json.dumps({"id": qid, "error": error}, ensure_ascii=False))
            failed += 1
            continue
        out = {"id": qid, **questions.ask(q, [str(h) for h in past], org).as_dict()}
        if as_json:
            print(json.dumps(out, ensure_ascii=False), flush=True)
        else:
            console.print(f"[bold]{qid}[/bold] {q}")
            console.print(out["answer"], highlight=False)
    if failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command()(ask)
