"""An ingest job and what it records: its state, each file's progress, and the progress callbacks the
knowledge base calls while the job runs. ``ui.jobs.JobRegistry`` runs the jobs."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from index import IngestProgress
from ingest import PageProgress


class JobState(StrEnum):
    """Where a job is; the values are what the API, the web page and the Redis board carry."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"  # every file handled (some may have failed: see the files)
    FAILED = "failed"  # every file failed, or the ingest itself could not run
    CANCELLED = "cancelled"


class FileStatus(StrEnum):
    """Where one file of a job is: queued → running → one of the outcomes the ingest reports, or failed/cancelled."""

    QUEUED = "queued"
    RUNNING = "running"
    ADDED = "added"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    VISIBILITY_CHANGED = "visibility_changed"
    DUPLICATE = "duplicate"  # a copy of a document already there: not indexed (see its notice)
    REPLACED = "replaced"  # the text copy of a scan already there, now in its place
    RESUMED = "resumed"
    FAILED = "failed"
    CANCELLED = "cancelled"


JOB_FINISHED = (JobState.DONE, JobState.FAILED, JobState.CANCELLED)
JOB_PENDING = (JobState.QUEUED, JobState.RUNNING)
# The outcomes of a file the ingest read, then every outcome a file can end with.
FILE_INGESTED = (
    FileStatus.ADDED,
    FileStatus.UPDATED,
    FileStatus.UNCHANGED,
    FileStatus.VISIBILITY_CHANGED,
    FileStatus.DUPLICATE,
    FileStatus.REPLACED,
    FileStatus.RESUMED,
)
FILE_DONE = (*FILE_INGESTED, FileStatus.FAILED, FileStatus.CANCELLED)


class WritesRefused(RuntimeError):
    """This server may not change the knowledge base (several workers over an embedded vector store)."""


# Why a worker of a multi-worker server refuses changes: Chroma's embedded store is safe for several
# readers, never for a writer beside them.
SHARED_READERS = WritesRefused(
    "本服务以多个工作进程运行，共用本机内嵌的向量库，只能查询，不能导入、删除文档或修改可见范围："
    "请停止服务后用 lantai ingest 导入，或以单进程（--workers 1）启动服务、或改用 Chroma 服务器（LANTAI_CHROMA_URL）后再操作"
    " / this server runs several worker processes over an embedded vector store: it answers but does not "
    "ingest, remove documents or change visibility; stop it and use `lantai ingest`, serve with "
    "--workers 1, or put the vectors on a Chroma server (LANTAI_CHROMA_URL) to make changes"
)


@dataclass
class FileProgress:
    name: str
    status: str = FileStatus.QUEUED  # a FileStatus; the ingest reports its outcome as the plain value
    error: str | None = None  # Chinese reason, shown to staff
    error_en: str | None = None
    notice: str | None = None  # what staff should know of a duplicate or a replacement (Chinese)
    notice_en: str | None = None
    chunks_planned: int = 0
    chunks_embedded: int = 0
    ocr_page: int = 0  # the scanned page OCR is reading (1-based), of ``ocr_pages``
    ocr_pages: int = 0
    ocr_seconds_left: float | None = None  # None until a page has been timed
    progress: str | None = None  # where reading the file stands, for staff (Chinese)
    progress_en: str | None = None


@dataclass
class Job:
    id: str
    visibility: str
    paths: list[Path]
    files: list[FileProgress]
    owned: bool = False  # files saved by the API: a failed one no document uses is deleted afterwards
    keep_duplicates: bool = False  # index copies of documents already there anyway
    signatures: dict[str, tuple | None] = field(default_factory=dict)  # of owned files, as submitted
    state: JobState = JobState.QUEUED
    files_total: int = 0
    files_done: int = 0
    chunks_planned: int = 0
    chunks_embedded: int = 0
    created_at: float = field(default_factory=time.time)
    started_at: float | None = None
    finished_at: float | None = None
    error: str | None = None  # the job itself could not run (Chinese)
    error_en: str | None = None
    cancel_event: threading.Event = field(default_factory=threading.Event, repr=False)

    def file(self, name: str) -> FileProgress:
        for f in self.files:
            if f.name == name and f.status not in FILE_DONE:
                return f
        for f in self.files:
            if f.name == name:
                return f
        extra = FileProgress(name)  # a document an interrupted earlier run left unfinished
        self.files.append(extra)
        return extra

    def as_dict(self) -> dict:
        return {
            "job_id": self.id,
            "state": self.state,
            "visibility": self.visibility,
            "files_total": self.files_total,
            "files_done": self.files_done,
            "files_failed": sum(1 for f in self.files if f.status == FileStatus.FAILED),
            "chunks_planned": self.chunks_planned,
            "chunks_embedded": self.chunks_embedded,
            "files": [dict(f.__dict__) for f in self.files],
            "created_at": self.created_at,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "error": self.error,
            "error_en": self.error_en,
        }


class JobProgress(IngestProgress):
    """Records ingest callbacks on a job, under the registry's lock."""

    def __init__(self, job: Job, lock: threading.Lock, changed=lambda job: None):
        self.job = job
        self.lock = lock
        self.changed = changed  # called under the lock after each change (publishes it to other workers)
        self.current: FileProgress | None = None

    def files_found(self, total: int) -> None:
        with self.lock:
            self.job.files_total = max(total, len(self.job.files))
            self.changed(self.job)

    def file_started(self, name: str) -> None:
        with self.lock:
            self.current = self.job.file(name)
            self.current.status = FileStatus.RUNNING
            self.changed(self.job)

    def chunks_planned(self, count: int) -> None:
        with self.lock:
            self.job.chunks_planned += count
            if self.current is not None:
                self.current.chunks_planned += count
            self.changed(self.job)

    def chunks_embedded(self, count: int) -> None:
        with self.lock:
            self.job.chunks_embedded += count
            if self.current is not None:
                self.current.chunks_embedded += count
            self.changed(self.job)

    def ocr_page(self, page: PageProgress) -> None:
        with self.lock:
            entry = self.current if self.current is not None else self.job.file(page.file_name)
            entry.ocr_page, entry.ocr_pages, entry.ocr_seconds_left = page.page, page.total, page.seconds_left
            entry.progress, entry.progress_en = page.zh(), page.en()
            self.changed(self.job)

    def file_done(self, name: str, status: str) -> None:
        with self.lock:
            entry = self.current if self.current is not None and self.current.name == name else self.job.file(name)
            entry.status = status
            entry.progress = entry.progress_en = None  # the pages are read: the outcome says the rest
            self.job.files_done += 1
            self.current = None
            self.changed(self.job)
