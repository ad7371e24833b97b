"""``lantai ingest``, ``docs``, ``remove`` and ``vectors-to-server``: the documents of the knowledge base."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from index import VISIBILITIES

from ..progress import RichIngestProgress
from ..services.audit import CLI_ACTOR
from .common import AsJson, DataDir, console, err_console, fail, open_documents, open_kb, settings_for

VISIBILITY_HELP = (
    "internal（仅内部）| public（可对公众答复）。不指定时：新文档为 internal，已有文档保持原可见范围；"
    "指定时应用于给出的每个文件，内容未变但可见范围被改的文件会列出「可见范围已改」"
    " / not given: new documents are internal and known ones keep theirs; given: applied to every "
    "file named, and unchanged files whose visibility it changes are listed as 'visibility changed'"
)

KEEP_DUPLICATES_HELP = (
    "与已有文档内容相同的文件（如同一报告的扫描件）也照常导入；默认不导入并说明 / index files that are copies "
    "of documents already there (a scan of a report, say); by default they are skipped and listed"
)


def ingest(
    paths: list[Path] = typer.Argument(..., help="文件或文件夹 / files or folders"),
    data_dir: Path | None = DataDir,
    visibility: str | None = typer.Option(None, "--visibility", help=VISIBILITY_HELP),
    keep_duplicates: bool = typer.Option(False, "--keep-duplicates", help=KEEP_DUPLICATES_HELP),
) -> None:
    """导入文档 / ingest documents into the knowledge base."""
    if visibility is not None and visibility not in VISIBILITIES:
        fail(f"可见范围只能是 internal 或 public / --visibility must be internal or public, got '{visibility}'")
    missing = [p for p in paths if not p.exists()]
    for p in missing:
        err_console.print(f"[red]✗[/red] {p}: 路径不存在 / path does not exist")
    documents = open_documents(data_dir, create=True)  # how a new knowledge base starts
    with RichIngestProgress(console) as progress:
        report = documents.ingest_now([p for p in paths if p.exists()], visibility, progress, keep_duplicates)
    for name in report.added + report.updated + report.resumed:
        console.print(f"[green]✓[/green] {name}")
    for name in report.replaced + report.duplicate:
        zh, en = report.notices[name]
        console.print("[green]✓[/green]" if name in report.replaced else "[yellow]⚠[/yellow]", end=" ")
        console.print(f"{zh} / {en}", highlight=False, markup=False)
    for name in report.visibility_changed:
        console.print(
            f"[yellow]↻[/yellow] {name}: 内容未变，可见范围已改为 {visibility} / unchanged, "
            f"visibility changed to {visibility}",
            highlight=False,
        )
    for err in report.failed:
        err_console.print(f"[red]✗[/red] {err.bilingual()}")
    console.print(
        f"新增 added {len(report.added)} · 更新 updated {len(report.updated)} · 未变 unchanged "
        f"{len(report.unchanged)} · 可见范围已改 visibility changed {len(report.visibility_changed)} · "
        f"替换扫描件 replaced scans {len(report.replaced)} · 重复未导入 duplicates skipped {len(report.duplicate)} · "
        f"续完 resumed {len(report.resumed)} · 失败 failed {len(report.failed)} · "
        f"分块 chunks {report.chunks_indexed}（嵌入 embedded {report.chunks_embedded}）· {report.seconds:.1f}s"
    )
    if report.failed or missing:
        raise typer.Exit(1)


def docs(data_dir: Path | None = DataDir, as_json: bool = AsJson) -> None:
    """列出文档 / list documents."""
    records = open_documents(data_dir).records()
    if as_json:
        print(json.dumps([r.as_dict() for r in records], ensure_ascii=False, indent=1))
        return
    table = Table("ID", "文件 file", "类型 type", "年份 years", "分块 chunks", "可见 visibility", "状态 status")
    for r in records:
        table.add_row(
            r.id, r.file_name, r.doc_type, ",".join(map(str, r.years)), str(r.chunk_count), r.visibility, r.status
        )
    console.print(table)
    console.print(f"共 {len(records)} 个文档 / {len(records)} documents")


def remove(
    doc: str = typer.Argument(..., help="文档 ID、文件名或路径 / document id, file name or path"),
    data_dir: Path | None = DataDir,
) -> None:
    """删除文档（索引中所有内容）/ remove a document everywhere."""
    documents = open_documents(data_dir)
    matches = documents.matching(doc)
    if not matches:
        fail(f"找不到文档「{doc}」/ no document matches '{doc}'", 1)
    if len(matches) > 1:
        ids = ", ".join(f"{m.id} ({m.path})" for m in matches)
        fail(f"「{doc}」对应多个文档，请用 ID 指定 / '{doc}' matches several documents, use an id: {ids}", 1)
    documents.remove(matches[0].id, by=CLI_ACTOR, discard_upload=False)
    console.print(f"[green]✓[/green] 已删除 removed {matches[0].file_name} ({matches[0].id})")


def vectors_to_server(data_dir: Path | None = DataDir) -> None:
    """把本机（内嵌 Chroma）的向量复制到向量库服务器（LANTAI_CHROMA_URL），无需重新计算 /
    copy this base's embedded vectors to the Chroma server named by LANTAI_CHROMA_URL, without embedding again."""
    from index.health import consistency_problems
    from index.vectors import VectorIndex, copy_vectors

    settings = settings_for(data_dir)
    if not settings.chroma_url:
        fail("未设置向量库服务器地址（LANTAI_CHROMA_URL）/ LANTAI_CHROMA_URL is not set: name the Chroma server")
    embedded = settings.data_dir / "chroma"
    if not (embedded / "chroma.sqlite3").is_file():
        fail(f"数据目录中没有内嵌的向量库：{embedded} / no embedded vectors in {embedded}", 1)
    kb = open_kb(data_dir)  # its vectors are the server's collection for this data dir
    remote = kb.vectors
    assert isinstance(remote, VectorIndex)  # with a server URL the store opens or raises: no full-disk stand-in
    local = VectorIndex(embedded, kb.embedder.name)
    try:
        copied = copy_vectors(local, remote)
    finally:
        local.close()
    problems = consistency_problems(kb)
    console.print(
        f"[green]✓[/green] 已复制 {copied} 个向量到 {settings.chroma_url}（集合 {remote.collection.name}）"
        f" / copied {copied} vectors to {settings.chroma_url} (collection {remote.collection.name})"
    )
    if problems:
        fail("复制后仍不一致 / still inconsistent after the copy: " + "; ".join(problems), 1)


def register(app: typer.Typer) -> None:
    app.command()(ingest)
    app.command()(docs)
    app.command()(remove)
    app.command("vectors-to-server")(vectors_to_server)
