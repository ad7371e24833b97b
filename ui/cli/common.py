"""What every command shares: the consoles, the common options, opening the knowledge base, failing clearly."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console

from index import KnowledgeBase

from ..context import open_knowledge_base
from ..services import uploads_folder
from ..services.audit import AuditLog
from ..services.documents import Documents
from ..settings import Settings

console = Console()
err_console = Console(stderr=True)

DataDir = typer.Option(None, "--data-dir", help="数据目录 / data directory (default ./data, env LANTAI_DATA_DIR)")
AsJson = typer.Option(False, "--json", help="输出 JSON / print JSON")


def settings_for(data_dir: Path | None) -> Settings:
    """The settings (environment and ``.env``), with ``--data-dir`` over ``LANTAI_DATA_DIR``."""
    settings = Settings()
    if data_dir is not None:
        settings.data_dir = data_dir
    return settings


def fail(message: str, code: int = 2) -> NoReturn:
    # Not cut into lines: the terminal wraps it, and a command or path in it stays whole for copying.
    err_console.print(f"[red]✗[/red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def open_kb(data_dir: Path | None, create: bool = False) -> KnowledgeBase:
    """The knowledge base of the data directory. Only ``create`` (ingest) may start a new one: for a command
    that reads, a directory without a base is a mistyped path, refused with a clear message."""
    try:
        kb = open_knowledge_base(settings_for(data_dir), create=create)
    except ValueError as exc:
        fail(f"配置错误 / configuration error: {exc}")
    if kb.read_only:
        err_console.print(
            "[yellow]⚠[/yellow] 磁盘空间已满：只读模式，向量检索可能不可用，仅用关键词检索 / "
            "the disk is full: read-only, search may use keywords only",
            highlight=False,
        )
    return kb


def open_documents(data_dir: Path | None, create: bool = False) -> Documents:
    """The documents service of the command line: no server, so no ingest queue."""
    kb = open_kb(data_dir, create)
    return Documents(kb, None, uploads_folder(kb), settings_for(data_dir).max_bytes, AuditLog(kb.data_dir))


__all__ = ["AsJson", "DataDir", "console", "err_console", "fail", "open_documents", "open_kb", "settings_for"]
