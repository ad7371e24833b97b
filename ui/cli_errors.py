"""Domain errors any ``lantai`` command may meet, turned into one clear message and an exit code.

Every subcommand runs inside ``LantaiGroup.invoke``, so a data directory held
by another process, a data directory that holds no knowledge base (for a command that only reads), a full
disk, a Chroma server that does not answer, or an ``--org`` no document is by, ends the command with a bilingual message
("中文 / English") and a non-zero exit instead of a traceback, whichever
command met it.
"""

from __future__ import annotations

import typer
from rich.console import Console
from typer.core import TyperGroup

from index import DataDirBusy, NoKnowledgeBase, VectorStoreUnreachable
from index.diskfull import DiskFull, is_disk_full
from index.embed import EmbedderError

from .services.libraries import UnknownLibrary

EXIT_DATA_DIR_BUSY = 3
EXIT_DISK_FULL = 4
EXIT_VECTOR_STORE_UNREACHABLE = 5
EXIT_EMBEDDER_FAILED = 6
EXIT_NO_KNOWLEDGE_BASE = 7
EXIT_UNKNOWN_LIBRARY = 8

err_console = Console(stderr=True)


def edge_message(exc: BaseException) -> tuple[str, int] | None:
    """(message, exit code) for an error staff can act on; None for a bug (left to surface)."""
    if isinstance(exc, DataDirBusy):
        return exc.bilingual(), EXIT_DATA_DIR_BUSY
    if isinstance(exc, NoKnowledgeBase):  # a read command given a mistyped data directory
        return exc.bilingual(), EXIT_NO_KNOWLEDGE_BASE
    if is_disk_full(exc):
        full = exc if isinstance(exc, DiskFull) else DiskFull(getattr(exc, "data_dir", "") or "?")
        return full.bilingual(), EXIT_DISK_FULL
    if isinstance(exc, VectorStoreUnreachable):
        return exc.bilingual(), EXIT_VECTOR_STORE_UNREACHABLE
    if isinstance(exc, EmbedderError):  # the embedding service down or refusing, after its retries
        return str(exc), EXIT_EMBEDDER_FAILED
    if isinstance(exc, UnknownLibrary):  # --org naming a library no document is by
        return exc.bilingual(), EXIT_UNKNOWN_LIBRARY
    return None


class LantaiGroup(TyperGroup):
    """The command group: known domain errors end a command cleanly, at the edge."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except Exception as exc:
            if _is_command_line_flow(exc):
                raise
            known = edge_message(exc)
            if known is None:
                raise
            message, code = known
            err_console.print(f"[red]✗[/red] {message}", highlight=False, soft_wrap=True)
            raise typer.Exit(code) from None


def _is_command_line_flow(exc: Exception) -> bool:
    """Exits, aborts and usage errors of the command-line library itself: never rewritten."""
    return isinstance(exc, (typer.Exit, typer.Abort)) or type(exc).__module__.startswith(("typer", "click"))


__all__ = [
    "LantaiGroup",
    "edge_message",
    "EXIT_DATA_DIR_BUSY",
    "EXIT_DISK_FULL",
    "EXIT_VECTOR_STORE_UNREACHABLE",
    "EXIT_EMBEDDER_FAILED",
    "EXIT_NO_KNOWLEDGE_BASE",
    "EXIT_UNKNOWN_LIBRARY",
]
