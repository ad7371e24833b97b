"""A terminal progress bar for ingest: files, chunks, the embedding rate and scanned pages read by OCR (rich)."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)

from index import IngestProgress
from ingest import SCAN_HINT_EN, SCAN_HINT_ZH, PageProgress


class RichIngestProgress(IngestProgress):
    def __init__(self, console: Console):
        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self.files = self.progress.add_task("文件 files", total=0, rate="")
        self.chunks = self.progress.add_task("分块 chunks", total=0, rate="")
        self.pages: TaskID | None = None  # scanned pages of the file being read, once OCR starts
        self.console = console
        self.hinted = False  # why scans are slow is said once, before the first one is read

    def __enter__(self) -> RichIngestProgress:
        self.progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self.progress.stop()

    def files_found(self, total: int) -> None:
        self.progress.update(self.files, total=total)

    def file_started(self, name: str) -> None:
        self.progress.update(self.files, description=f"文件 files · {name[:32]}")

    def chunks_planned(self, count: int) -> None:
        task = self.progress.tasks[self.chunks]
        self.progress.update(self.chunks, total=(task.total or 0) + count)

    def chunks_embedded(self, count: int) -> None:
        self.progress.advance(self.chunks, count)
        task = self.progress.tasks[self.chunks]
        speed = task.speed
        self.progress.update(self.chunks, rate=f"{speed:.1f} 块/s chunks/s" if speed else "")

    def ocr_page(self, page: PageProgress) -> None:
        if not self.hinted:
            self.console.print(f"{SCAN_HINT_ZH} / {SCAN_HINT_EN}")
            self.hinted = True
        if self.pages is None:
            self.pages = self.progress.add_task("", total=page.total, rate="")
        self.progress.update(self.pages, description=page.zh(), total=page.total, completed=page.page - 1)

    def file_done(self, name: str, status: str) -> None:
        self.progress.advance(self.files)
        if self.pages is not None:  # the scan is read: its page row goes, the next scan gets its own
            self.progress.remove_task(self.pages)
            self.pages = None
