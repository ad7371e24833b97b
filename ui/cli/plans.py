"""``lantai draft-plan``: next year's work plan, every item cited, as Markdown or a Word file."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from ..services.plans import Plans, check_request, checks_line, clean_file_name, file_name, plan_clean_docx, plan_docx
from .common import AsJson, DataDir, err_console, fail, open_kb, settings_for


def draft_plan_command(
    year: int | None = typer.Option(None, "--year", help="计划年度，默认为已有文档之后的一年 / the plan's year"),
    org: str | None = typer.Option(None, "--org", help="单位，默认为最近有工作总结的单位 / the organisation"),
    fmt: str = typer.Option("md", "--format", help="md | docx（另存一份清稿 / also writes the clean copy）"),
    out: Path | None = typer.Option(None, "--out", help="输出文件；md 默认打印 / output file (md prints by default)"),
    mode: str = typer.Option("auto", "--mode", help="auto | extractive | llm"),
    data_dir: Path | None = DataDir,
    as_json: bool = AsJson,
) -> None:
    """起草下一年度工作计划，每条附出处 / draft next year's work plan, every item cited."""
    from assistant.plan import PlanError

    if fmt not in ("md", "docx"):
        fail(f"格式应为 md 或 docx：{fmt} / --format must be md or docx: {fmt}")
    try:
        check_request(year, mode)
    except PlanError as exc:
        fail(str(exc))
    settings = settings_for(data_dir)
    kb = open_kb(data_dir)
    try:
        with err_console.status("正在起草计划… / drafting…"):
            result = Plans(settings, kb).draft(year, org, mode)
    except PlanError as exc:
        fail(str(exc), 1)
    finally:
        kb.close()
    err_console.print(checks_line(result.checks))
    if fmt == "docx":
        target = out or Path(file_name(result.draft, "docx"))
        target.write_bytes(plan_docx(result.markdown))
        clean = target.with_name(clean_file_name(target.name))
        clean.write_bytes(plan_clean_docx(result.markdown))
        err_console.print(f"已保存 / saved: {target}")
        err_console.print(f"清稿 / clean copy: {clean}")
    elif out is not None:
        out.write_text(result.markdown, encoding="utf-8")
        err_console.print(f"已保存 / saved: {out}")
    if as_json:
        print(json.dumps(result.as_dict(), ensure_ascii=False))
    elif fmt == "md" and out is None:
        print(result.markdown)


def register(app: typer.Typer) -> None:
    app.command("draft-plan")(draft_plan_command)
