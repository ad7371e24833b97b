"""The ``lantai`` command line. Domain errors become clear bilingual messages here."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from index import VISIBILITIES, KnowledgeBase, SearchHit

from .cli_errors import LantaiGroup
from .context import open_assistant, open_knowledge_base
from .metrics_export import KIND_ZH, row_values, to_csv, to_xlsx
from .progress import RichIngestProgress
from .settings import Settings

app = typer.Typer(
    cls=LantaiGroup,  # a data directory in use or a full disk: a clear message, not a traceback
    add_completion=False,
    no_args_is_help=True,
    help="兰台 Lantai — 图书馆工作文档知识助手 / a grounded assistant over a library's work documents.",
)
console = Console()
err_console = Console(stderr=True)

DataDir = typer.Option(None, "--data-dir", help="数据目录 / data directory (default ./data, env LANTAI_DATA_DIR)")
AsJson = typer.Option(False, "--json", help="输出 JSON / print JSON")

_STATUS_ZH = {"added": "新增 added", "updated": "更新 updated", "unchanged": "未变 unchanged",
              "visibility_changed": "可见范围已改 visibility changed", "cancelled": "已取消 cancelled",
              "failed": "失败 failed"}


def _settings(data_dir: Optional[Path]) -> Settings:
    settings = Settings()
    if data_dir is not None:
        settings.data_dir = data_dir
    return settings


def _open(data_dir: Optional[Path]) -> KnowledgeBase:
    try:
        kb = open_knowledge_base(_settings(data_dir))
    except ValueError as exc:
        _fail(f"配置错误 / configuration error: {exc}")
    if kb.read_only:
        err_console.print("[yellow]⚠[/yellow] 磁盘空间已满：只读模式，向量检索可能不可用，仅用关键词检索 / "
                          "the disk is full: read-only, search may use keywords only", highlight=False)
    return kb


def _fail(message: str, code: int = 2) -> None:
    err_console.print(f"[red]✗[/red] {message}")
    raise typer.Exit(code)


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(..., help="文件或文件夹 / files or folders"),
    data_dir: Optional[Path] = DataDir,
    visibility: Optional[str] = typer.Option(
        None, "--visibility",
        help="internal（仅内部）| public（可对公众答复）。不指定时：新文档为 internal，已有文档保持原可见范围；"
             "指定时应用于给出的每个文件，内容未变但可见范围被改的文件会列出「可见范围已改」"
             " / not given: new documents are internal and known ones keep theirs; given: applied to every "
             "file named, and unchanged files whose visibility it changes are listed as 'visibility changed'",
    ),
) -> None:
    """导入文档 / ingest documents into the knowledge base."""
    if visibility is not None and visibility not in VISIBILITIES:
        _fail(f"可见范围只能是 internal 或 public / --visibility must be internal or public, got '{visibility}'")
    missing = [p for p in paths if not p.exists()]
    for p in missing:
        err_console.print(f"[red]✗[/red] {p}: 路径不存在 / path does not exist")
    kb = _open(data_dir)
    with RichIngestProgress(console) as progress:
        report = kb.ingest([p for p in paths if p.exists()], visibility=visibility, progress=progress)
    for name in report.added + report.updated + report.resumed:
        console.print(f"[green]✓[/green] {name}")
    for name in report.visibility_changed:
        console.print(f"[yellow]↻[/yellow] {name}: 内容未变，可见范围已改为 {visibility} / unchanged, "
                      f"visibility changed to {visibility}", highlight=False)
    for err in report.failed:
        err_console.print(f"[red]✗[/red] {err.bilingual()}")
    console.print(
        f"新增 added {len(report.added)} · 更新 updated {len(report.updated)} · 未变 unchanged "
        f"{len(report.unchanged)} · 可见范围已改 visibility changed {len(report.visibility_changed)} · "
        f"续完 resumed {len(report.resumed)} · 失败 failed {len(report.failed)} · "
        f"分块 chunks {report.chunks_indexed}（嵌入 embedded {report.chunks_embedded}）· {report.seconds:.1f}s"
    )
    if report.failed or missing:
        raise typer.Exit(1)


@app.command()
def docs(data_dir: Optional[Path] = DataDir, as_json: bool = AsJson) -> None:
    """列出文档 / list documents."""
    records = _open(data_dir).documents()
    if as_json:
        print(json.dumps([r.as_dict() for r in records], ensure_ascii=False, indent=1))
        return
    table = Table("ID", "文件 file", "类型 type", "年份 years", "分块 chunks", "可见 visibility", "状态 status")
    for r in records:
        table.add_row(r.id, r.file_name, r.doc_type, ",".join(map(str, r.years)), str(r.chunk_count),
                      r.visibility, r.status)
    console.print(table)
    console.print(f"共 {len(records)} 个文档 / {len(records)} documents")


@app.command()
def remove(doc: str = typer.Argument(..., help="文档 ID、文件名或路径 / document id, file name or path"),
           data_dir: Optional[Path] = DataDir) -> None:
    """删除文档（索引中所有内容）/ remove a document everywhere."""
    kb = _open(data_dir)
    matches = kb.find_documents(doc)
    if not matches:
        _fail(f"找不到文档「{doc}」/ no document matches '{doc}'", 1)
    if len(matches) > 1:
        ids = ", ".join(f"{m.id} ({m.path})" for m in matches)
        _fail(f"「{doc}」对应多个文档，请用 ID 指定 / '{doc}' matches several documents, use an id: {ids}", 1)
    kb.remove(matches[0].id)
    console.print(f"[green]✓[/green] 已删除 removed {matches[0].file_name} ({matches[0].id})")


@app.command("vectors-to-server")
def vectors_to_server(data_dir: Optional[Path] = DataDir) -> None:
    """把本机（内嵌 Chroma）的向量复制到向量库服务器（LANTAI_CHROMA_URL），无需重新计算 /
    copy this base's embedded vectors to the Chroma server named by LANTAI_CHROMA_URL, without embedding again."""
    from index.health import consistency_problems
    from index.vectors import VectorIndex, copy_vectors

    settings = _settings(data_dir)
    if not settings.chroma_url:
        _fail("未设置向量库服务器地址（LANTAI_CHROMA_URL）/ LANTAI_CHROMA_URL is not set: name the Chroma server")
    embedded = settings.data_dir / "chroma"
    if not (embedded / "chroma.sqlite3").is_file():
        _fail(f"数据目录中没有内嵌的向量库：{embedded} / no embedded vectors in {embedded}", 1)
    kb = _open(data_dir)  # its vectors are the server's collection for this data dir
    local = VectorIndex(embedded, kb.embedder.name)
    try:
        copied = copy_vectors(local, kb.vectors)
    finally:
        local.close()
    problems = consistency_problems(kb)
    console.print(f"[green]✓[/green] 已复制 {copied} 个向量到 {settings.chroma_url}（集合 {kb.vectors.collection.name}）"
                  f" / copied {copied} vectors to {settings.chroma_url} (collection {kb.vectors.collection.name})")
    if problems:
        _fail("复制后仍不一致 / still inconsistent after the copy: " + "; ".join(problems), 1)


def _hit_json(h: SearchHit) -> dict:
    c = h.chunk
    return {
        "chunk_id": c.id, "doc_id": c.doc_id, "file": c.file_name, "title": h.doc_title,
        "heading_path": list(c.heading_path), "page_start": c.page_start, "page_end": c.page_end,
        "char_start": c.char_start, "char_end": c.char_end, "year": c.year, "period": c.period_kind,
        "text": c.text, "score": round(h.score, 6), "vector_rank": h.vector_rank,
        "vector_score": None if h.vector_score is None else round(h.vector_score, 4),
        "keyword_rank": h.keyword_rank,
        "keyword_score": None if h.keyword_score is None else round(h.keyword_score, 4),
    }


@app.command()
def search(
    query: str = typer.Argument(..., help="查询 / query"),
    k: int = typer.Option(5, "-k", help="返回条数 / number of results"),
    data_dir: Optional[Path] = DataDir,
    as_json: bool = AsJson,
    mode: str = typer.Option("hybrid", "--mode", help="hybrid | vector | keyword"),
) -> None:
    """混合检索 / hybrid search (vector + BM25, fused by reciprocal rank)."""
    if not query.strip():
        _fail("查询不能为空 / the query is empty")
    if mode not in ("hybrid", "vector", "keyword"):
        _fail(f"--mode 只能是 hybrid、vector 或 keyword / unknown mode '{mode}'")
    hits = _open(data_dir).search(query, k=max(1, k), mode=mode)
    if as_json:
        print(json.dumps([_hit_json(h) for h in hits], ensure_ascii=False, indent=1))
        return
    if not hits:
        console.print("没有找到相关内容 / nothing found")
        return
    for i, h in enumerate(hits, 1):
        c = h.chunk
        page = f" 第{c.page_start}页" if c.page_start else ""
        heading = " > ".join(c.heading_path) or "（正文开头）"
        console.print(
            f"[bold]{i}. {c.file_name}{page}[/bold] · {heading}\n"
            f"   分数 score {h.score:.4f} · 向量 vector #{h.vector_rank or '-'} "
            f"({h.vector_score if h.vector_score is None else round(h.vector_score, 3)}) · "
            f"关键词 BM25 #{h.keyword_rank or '-'}"
        )
        console.print("   " + c.text.replace("\n", " ")[:300], highlight=False)


@app.command()
def stats(data_dir: Optional[Path] = DataDir, as_json: bool = AsJson) -> None:
    """知识库统计 / knowledge-base statistics."""
    info = _open(data_dir).stats()
    if as_json:
        print(json.dumps(info, ensure_ascii=False, indent=1))
        return
    for key, value in info.items():
        console.print(f"{key}: {value}")


MAX_QUESTION = 2000


def _question_error(question: str) -> str | None:
    if not question or not question.strip():
        return "问题不能为空 / the question is empty"
    if len(question) > MAX_QUESTION:
        return f"问题超过 {MAX_QUESTION} 字 / the question is longer than {MAX_QUESTION} characters"
    return None


def _print_answer(answer) -> None:
    badge = "[green]✓ 已核实 grounded[/green]" if answer.grounded else "[yellow]⚠ 含未核实数字 not grounded[/yellow]"
    if answer.refused:
        badge = "[dim]未找到答案 no answer[/dim]"
    console.print(answer.answer, highlight=False)
    console.print(f"{badge} · {answer.mode} · {answer.latency_ms:.0f} ms")
    for c in answer.citations:
        page = f" 第{c.page}页" if c.page else ""
        console.print(f"  [{c.n}] {c.source}{page} · {c.section or '（正文开头）'}", highlight=False)
        console.print(f"      「{c.quote[:120]}」", highlight=False)
    for f in answer.figures:
        note = f"（{f.formula}）" if f.derived and f.formula else ""
        console.print(f"  · {f.indicator} {f.year}年 {f.stated or f.value}{note} — {f.source}", highlight=False)


@app.command()
def ask(
    question: Optional[str] = typer.Argument(None, help="问题 / the question"),
    data_dir: Optional[Path] = DataDir,
    as_json: bool = AsJson,
    history: list[str] = typer.Option([], "--history", help="同一对话中之前的问题（可重复）/ an earlier question (repeatable)"),
    batch: Optional[Path] = typer.Option(None, "--batch", help='JSONL：每行 {"id", "question", "history"?} / a JSONL file of questions'),
) -> None:
    """提问：答案附引用，数字经过核实 / ask a question: a cited answer whose numbers are checked."""
    if batch is None:
        error = _question_error(question or "")
        if error:
            _fail(error)
    settings = _settings(data_dir)
    try:
        assistant = open_assistant(settings)
    except (ValueError, ImportError) as exc:
        _fail(f"配置错误 / configuration error: {exc}")
    if batch is None:
        answer = assistant.ask(question, history=list(history) or None)
        if as_json:
            print(json.dumps(answer.to_dict(), ensure_ascii=False))
        else:
            _print_answer(answer)
        return
    if not batch.is_file():
        _fail(f"找不到文件 / file not found: {batch}")
    failed = 0
    for number, line in enumerate(batch.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            qid, q = item.get("id"), item.get("question", "")
            past = item.get("history") or []
            if not isinstance(past, list):
                raise ValueError("history must be a list")
        except (json.JSONDecodeError, AttributeError, ValueError) as exc:
            err_console.print(f"[red]✗[/red] 第{number}行不是有效的 JSON 对象 / line {number} is not a valid JSON object: {exc}")
            failed += 1
            continue
        error = _question_error(q if isinstance(q, str) else "")
        if error:
            print(json.dumps({"id": qid, "error": error}, ensure_ascii=False))
            failed += 1
            continue
        out = {"id": qid, **assistant.ask(q, history=[str(h) for h in past] or None).to_dict()}
        if as_json:
            print(json.dumps(out, ensure_ascii=False), flush=True)
        else:
            console.print(f"[bold]{qid}[/bold] {q}")
            console.print(out["answer"], highlight=False)
    if failed:
        raise typer.Exit(1)


@app.command("draft-plan")
def draft_plan_command(
    year: Optional[int] = typer.Option(None, "--year", help="计划年度，默认为已有文档之后的一年 / the plan's year"),
    org: Optional[str] = typer.Option(None, "--org", help="单位，默认为最近有工作总结的单位 / the organisation"),
    fmt: str = typer.Option("md", "--format", help="md | docx"),
    out: Optional[Path] = typer.Option(None, "--out", help="输出文件；md 默认打印 / output file (md prints by default)"),
    mode: str = typer.Option("auto", "--mode", help="auto | extractive | llm"),
    data_dir: Optional[Path] = DataDir,
    as_json: bool = AsJson,
) -> None:
    """起草下一年度工作计划，每条附出处 / draft next year's work plan, every item cited."""
    from assistant.plan import PlanError

    from .services.plans import check_request, checks_line, file_name, make_plan, plan_docx

    if fmt not in ("md", "docx"):
        _fail(f"格式应为 md 或 docx：{fmt} / --format must be md or docx: {fmt}")
    try:
        check_request(year, mode)
    except PlanError as exc:
        _fail(str(exc))
    settings = _settings(data_dir)
    kb = _open(data_dir)
    try:
        with err_console.status("正在起草计划… / drafting…"):
            result = make_plan(settings, kb, year, org, mode)
    except PlanError as exc:
        _fail(str(exc), 1)
    finally:
        kb.close()
    err_console.print(checks_line(result.checks))
    if fmt == "docx":
        target = out or Path(file_name(result.draft, "docx"))
        target.write_bytes(plan_docx(result.markdown))
        err_console.print(f"已保存 / saved: {target}")
    elif out is not None:
        out.write_text(result.markdown, encoding="utf-8")
        err_console.print(f"已保存 / saved: {out}")
    if as_json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
    elif fmt == "md" and out is None:
        print(result.markdown)


metrics_app = typer.Typer(help="指标表：从文档中提取的全部数字 / the metrics table: every figure read from the documents.")
app.add_typer(metrics_app, name="metrics")


@metrics_app.callback(invoke_without_command=True)
def metrics(
    ctx: typer.Context,
    indicator: Optional[str] = typer.Option(None, "--indicator", help="指标（可用别名）/ indicator (aliases work)"),
    year: Optional[int] = typer.Option(None, "--year", help="年份 / year"),
    scope: Optional[str] = typer.Option(None, "--scope", help="范围，如 某分馆 / scope, e.g. a branch"),
    data_dir: Optional[Path] = DataDir,
    as_json: bool = AsJson,
    as_csv: bool = typer.Option(False, "--csv", help="输出 CSV / print CSV"),
    xlsx: Optional[Path] = typer.Option(None, "--xlsx", help="导出 Excel 文件 / write an .xlsx file"),
    derived: bool = typer.Option(True, "--derived/--no-derived", help="含推算值 / include derived values"),
) -> None:
    """列出指标 / list figures, filtered by indicator, year and scope."""
    if ctx.invoked_subcommand is not None:
        return
    store = _open(data_dir).metrics
    rows = store.all(indicator, year, scope, include_derived=derived)
    if xlsx is not None:
        if xlsx.suffix.lower() != ".xlsx":
            _fail(f"导出文件须以 .xlsx 结尾 / the export file must end in .xlsx: {xlsx}")
        to_xlsx(rows, xlsx)
        console.print(f"[green]✓[/green] 已导出 {len(rows)} 条 / wrote {len(rows)} rows to {xlsx}")
        return
    if as_json:
        print(json.dumps([r.as_dict() for r in rows], ensure_ascii=False, indent=1))
        return
    if as_csv:
        sys.stdout.write(to_csv(rows))
        return
    if not rows:
        hint = f"（已知指标 known: {'、'.join(store.indicators_known()[:20])}）" if indicator else ""
        console.print(f"没有符合条件的指标 / no figures match{hint}")
        return
    table = Table("指标 indicator", "年份 year", "数值 value", "类型 kind", "范围 scope", "变化 change", "来源 source")
    for r in rows:
        v = row_values(r)
        value = f"{v['qualifier']}{r.stated}" + (" 推算" if r.derived else "")
        table.add_row(r.indicator, str(r.year or ""), value, v["kind"], r.scope, v["change"], r.file_name)
    console.print(table)
    console.print(f"共 {len(rows)} 条 / {len(rows)} figures")


@metrics_app.command("conflicts")
def metrics_conflicts(data_dir: Optional[Path] = DataDir, as_json: bool = AsJson) -> None:
    """同一指标在不同文档中数值不一致 / the same figure stated differently in two documents."""
    conflicts = _open(data_dir).metrics.conflicts()
    if as_json:
        print(json.dumps([{"indicator": c.indicator, "year": c.year, "scope": c.scope, "org": c.org,
                           "figures": [r.as_dict() for r in c.rows]} for c in conflicts], ensure_ascii=False, indent=1))
        return
    if not conflicts:
        console.print("未发现数据冲突 / no conflicts")
        return
    for c in conflicts:
        console.print(f"[bold]{c.org} {c.indicator} {c.year}年[/bold]{(' · ' + c.scope) if c.scope else ''}")
        seen = set()
        for r in c.rows:
            if (r.file_name, r.stated) in seen:
                continue
            seen.add((r.file_name, r.stated))
            console.print(f"   {r.stated:>14}  {r.file_name}  「{r.quote[:60]}」", highlight=False)
    console.print(f"共 {len(conflicts)} 处冲突 / {len(conflicts)} conflicts")


@metrics_app.command("sum")
def metrics_sum(
    indicator: str = typer.Option(..., "--indicator", help="指标 / indicator"),
    year: int = typer.Option(..., "--year", help="年份 / year"),
    part: Optional[str] = typer.Option(None, "--share-of", help="某范围占全区的比例 / a scope's share of the whole"),
    data_dir: Optional[Path] = DataDir,
) -> None:
    """各分馆、服务点合计，并与全区数对照；或某一范围的占比 / a sum over branches, or one scope's share."""
    from index.metrics import share

    store = _open(data_dir).metrics
    summed, whole = store.branch_total(indicator, year)
    if part:
        rows = [r for r in store.lookup(indicator, year, scope=part) if not r.derived]
        if not rows or not whole:
            _fail(f"找不到「{part}」或全区的{indicator}{year}年数据 / no figure for '{part}' or the whole system", 1)
        result = share(rows[0], whole[0])
        console.print(f"{part}占全区的 {result.value:.2f}%（{result.formula}）", highlight=False)
        return
    if summed is None:
        _fail(f"没有按分馆或服务点记录的{indicator}{year}年数据 / no per-branch figures", 1)
    console.print(f"{indicator} {year}年 各范围合计：{summed.value:g}{summed.unit}（{summed.formula}）", highlight=False)
    for w in whole[:3]:
        same = abs(w.plain_value - summed.value * (w.plain_value / w.value if w.value else 1)) < 1e-6 * max(1, w.plain_value)
        console.print(f"  全区数 {w.stated}（{w.file_name}）{'✓ 一致' if same else '✗ 不一致 / differs'}", highlight=False)


_STATUS = {"met": "已完成 met", "not_met": "未完成 not met", "not_reported": "尚无实际数 not yet reported"}


@metrics_app.command("targets")
def metrics_targets(
    indicator: Optional[str] = typer.Option(None, "--indicator"),
    year: Optional[int] = typer.Option(None, "--year"),
    data_dir: Optional[Path] = DataDir,
    as_json: bool = AsJson,
) -> None:
    """计划目标与实际完成情况 / plan targets against the actuals later reported."""
    statuses = _open(data_dir).metrics.target_status(indicator, year)
    if as_json:
        print(json.dumps([{"indicator": t.indicator, "year": t.year, "status": t.status,
                           "target": t.target.as_dict(), "actual": t.actual.as_dict() if t.actual else None}
                          for t in statuses], ensure_ascii=False, indent=1))
        return
    table = Table("指标 indicator", "年份 year", "目标 target", "实际 actual", "结论 status", "来源 sources")
    for t in statuses:
        actual = t.actual.stated if t.actual else "—"
        sources = t.target.file_name + (f" / {t.actual.file_name}" if t.actual else "")
        table.add_row(t.indicator, str(t.year), (t.target.qualifier or "") + t.target.stated, actual,
                      _STATUS[t.status], sources)
    console.print(table)


@app.command()
def bench(
    quick: bool = typer.Option(False, "--quick", help="只测 1k 和 10k 切片（约三分钟）/ 1k and 10k chunks only (minutes)"),
    as_json: bool = typer.Option(False, "--json", help="只输出 JSON / print only the JSON object"),
    sizes: Optional[str] = typer.Option(None, "--sizes", help="知识库规模（切片数，逗号分隔）/ base sizes in chunks, "
                                        "comma separated (default 1000,10000,100000,1000000)"),
    work_dir: Optional[Path] = typer.Option(None, "--work-dir", help="保留并复用测试知识库的目录 / keep and reuse "
                                            "the bases here"),
    queries: Optional[int] = typer.Option(None, "--queries", min=1, help="每种检索计时次数 / timed searches per mode"),
    asks: Optional[int] = typer.Option(None, "--asks", min=1, help="每类问答计时次数 / timed asks per kind"),
    naive_max: Optional[int] = typer.Option(None, "--naive-max", min=0, help="对照组（朴素 llama-index）测到的最大"
                                            "规模 / largest base the naive baseline is measured on"),
    sample_files: int = typer.Option(0, "--sample-files", min=0, help="只用前 N 个样例文件 / use only the first N "
                                     "sample files"),
) -> None:
    """性能基准：1k 到 1M 切片的检索、问答、内存、导入与启动 / benchmark search, asks, memory, ingest, start-up."""
    from eval.bench import FULL_SIZES, QUICK_SIZES, BenchArgs, bench_main, parse_sizes

    try:
        chosen = parse_sizes(sizes) if sizes else list(QUICK_SIZES if quick else FULL_SIZES)
    except ValueError as exc:
        _fail(str(exc))
    args = BenchArgs(sizes=chosen, queries=queries or (60 if quick else 100), asks=asks or (20 if quick else 40),
                     repeats=1 if quick else 3, sample_files=sample_files,
                     naive_max=naive_max if naive_max is not None else (10_000 if quick else 100_000))
    bench_main(args, work_dir, as_json, log=lambda msg: err_console.print(msg, highlight=False, markup=False))


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="监听地址 / address to listen on"),
    port: int = typer.Option(7860, "--port", help="端口 / port"),
    workers: int = typer.Option(
        1, "--workers",
        help="工作进程数；大于 1 时需要 LANTAI_REDIS_URL（共享公众号重试、分页、限流、access_token 与导入任务）"
             " / server processes on this port; more than 1 needs LANTAI_REDIS_URL (shared state)"),
    data_dir: Optional[Path] = DataDir,
) -> None:
    """启动网页界面和 REST API / serve the web UI at / and the REST API under /api."""
    from .rest import BindError, check_bind

    if workers < 1:
        _fail(f"工作进程数至少为 1，收到 {workers} / --workers must be at least 1, got {workers}")
    settings = _settings(data_dir)  # keys and web users come from the environment or .env, like the rest
    try:
        check_bind(host, settings.api_keys)
        if workers == 1:  # several workers serve no web UI
            from .server import check_ui_bind

            check_ui_bind(host, settings.ui_users)
    except BindError as exc:
        _fail(str(exc), 2)
    if workers > 1:
        _serve_workers(settings, host, port, workers)
        return
    from .server import create_server_app

    try:
        server_app = create_server_app(settings)
    except ValueError as exc:
        _fail(f"配置错误 / configuration error: {exc}")
    import uvicorn

    console.print(f"兰台已启动 / serving: http://{host}:{port}/ （API 文档 / API docs: /docs）")
    uvicorn.run(server_app, host=host, port=port, log_level="info")


WORKER_HEALTHCHECK_SECONDS = 120


def _serve_workers(settings: Settings, host: str, port: int, workers: int) -> None:
    """``workers`` processes on one port (uvicorn's supervisor), sharing their state through Redis."""
    if not settings.redis_url:
        _fail(f"--workers {workers} 需要先配置 LANTAI_REDIS_URL（如 redis://127.0.0.1:6379/0）：多个工作进程之间"
              "必须共享公众号消息去重与待发回复、「更多」分页、限流、access_token 和导入任务，否则同一条消息会被回答两次、"
              "各进程互相作废 access_token。不配置 Redis 时请用 --workers 1。"
              f" / --workers {workers} needs LANTAI_REDIS_URL (e.g. redis://127.0.0.1:6379/0): the workers must "
              "share WeChat's retry table and pending replies, 「更多」 pages, rate limits, the access_token and "
              "ingest jobs, or a message is answered twice and the workers invalidate each other's access_token. "
              "Without Redis, use --workers 1.", 2)
    from index.datalock import lock_data_dir

    from .shared_state import open_shared

    try:
        open_shared(settings).close()  # reachable before any worker starts
        if settings.wechat_token:  # a mistake here would stop every worker: say it once, before starting them
            from .wechat import wechat_protocol

            wechat_protocol(settings)
    except ValueError as exc:
        _fail(f"配置错误 / configuration error: {exc}")
    # This process holds the data directory for its workers; any other Lantai process is still refused.
    hold = lock_data_dir(settings.data_dir, workers=workers)
    import os

    import uvicorn

    # The workers read their settings from the environment, as this process did; the data dir may
    # have come from --data-dir.
    os.environ["LANTAI_DATA_DIR"] = str(settings.data_dir.resolve())
    console.print(f"兰台已启动 / serving: http://{host}:{port}/api （{workers} 个工作进程 / workers；"
                  "API 文档 / API docs: /docs）")
    console.print("多进程模式只提供 REST API 和公众号接口，不提供网页界面（网页会话只存在于打开它的进程中）；"
                  "需要网页界面时请以 --workers 1 启动 / with several workers only the REST API and the WeChat "
                  "endpoint are served, not the web UI (a web session lives in the one process that opened it); "
                  "serve with --workers 1 for the web UI", highlight=False)
    from uvicorn.config import STARTUP_FAILURE
    from uvicorn.supervisors import Multiprocess

    # A worker answers the supervisor's health check from a thread, which starves while the knowledge
    # base opens (Chroma holds the interpreter lock) on a busy machine: uvicorn's 5 s would kill every
    # starting worker over and over.
    config = uvicorn.Config("ui.worker_app:create", factory=True, host=host, port=port, workers=workers,
                            log_level="info", timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS)
    try:
        # uvicorn.run's own supervisor, kept at hand to learn whether a worker failed to start.
        supervisor = Multiprocess(config, sockets=[config.bind_socket()])
        supervisor.run()
    finally:
        hold.release()
    if any(p.process.exitcode == STARTUP_FAILURE for p in supervisor.processes):
        _fail("工作进程启动失败，服务已停止（原因见上方日志） / a worker failed to start and the server stopped "
              "(see the log above)", 1)


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
