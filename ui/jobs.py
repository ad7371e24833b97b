"""Background ingest jobs for the web API: a small in-process registry.

Uploads return at once with a job id; a single worker thread runs the jobs in
the order they were submitted, each through ``KnowledgeBase.ingest`` while
holding the base's write lock (``KnowledgeBase.write_lock``), so two uploads
never ingest into the same base at the same time (and removals or visibility
changes wait for the job that is writing). Progress is recorded by an
``IngestProgress`` subclass and read by ``GET /api/jobs/{id}`` as a snapshot.

A job can be cancelled (``JobRegistry.cancel``): a queued one never starts; a
running one stops at its next file or embedding batch, the document it was
writing removed whole, and the write lock is free again within a batch's time.

Error messages on a job name files only, never the server's directories.

Jobs live in memory (a restart forgets them; the documents they ingested
stay in the base; a file whose ingest was cut off is finished by the next
ingest, as the knowledge base guarantees). With several server processes a
``board`` (``ui.shared_state.jobs.RedisJobBoard``) carries every change of a
job to the others, so any worker reports it and can cancel it.
"""

from __future__ import annotations

import logging
import queue
import secrets
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from index import KnowledgeBase

from .job_model import (
    FILE_DONE,
    JOB_FINISHED,
    JOB_PENDING,
    FileProgress,
    FileStatus,
    Job,
    JobProgress,
    JobState,
    WritesRefused,
)
from .redact import redact_paths

log = logging.getLogger(__name__)


class JobRegistry:
    """Ingest jobs of one knowledge base, run one at a time by a worker thread."""

    def __init__(self, kb: KnowledgeBase, keep: int = 200, board=None, refuse_writes: WritesRefused | None = None):
        self.kb = kb
        self.keep = keep
        self.refuse_writes = refuse_writes  # set: every change to the base is refused with this
        self.board = board  # jobs of every worker (Redis), or None: this process's jobs only
        self._lock = threading.Lock()  # guards the jobs and their progress fields
        self._jobs: dict[str, Job] = {}
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._worker: threading.Thread | None = None
        self._closed = False

    # -- submit and read --------------------------------------------------
    def submit(
        self, paths: Sequence[Path], visibility: str = "internal", *, owned: bool = False, keep_duplicates: bool = False
    ) -> Job:
        """Queue an ingest of these files; ``owned`` files (saved by the API) may be deleted if they fail;
        ``keep_duplicates`` indexes copies of documents already there."""
        if self._closed:
            raise RuntimeError("服务正在关闭，不再接受导入 / the job registry is shut down")
        self.check_writable()
        paths = [Path(p) for p in paths]
        job = Job(
            id=secrets.token_hex(8),
            visibility=visibility,
            paths=paths,
            files=[FileProgress(p.name) for p in paths],
            owned=owned,
            keep_duplicates=keep_duplicates,
            files_total=len(paths),
            signatures={str(p): _signature(p) for p in paths} if owned else {},
        )
        with self._lock:
            self._jobs[job.id] = job
            self._changed(job)
            self._evict()
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._run, name="lantai-ingest", daemon=True)
                self._worker.start()
        self._queue.put(job)
        return job

    def check_writable(self) -> None:
        """Raise ``WritesRefused`` when this server may not change the base."""
        if self.refuse_writes is not None:
            raise self.refuse_writes

    def snapshot(self, job_id: str) -> dict | None:
        with self._lock:
            job = self._jobs.get(job_id)
            if job is not None:
                return job.as_dict()
        return self.board.snapshot(job_id) if self.board is not None else None

    def snapshots(self) -> list[dict]:
        with self._lock:
            mine = [j.as_dict() for j in self._jobs.values()]
        if self.board is not None:
            known = {s["job_id"] for s in mine}
            mine += [s for s in self.board.snapshots() if s["job_id"] not in known]
        return sorted(mine, key=lambda s: -s["created_at"])

    def _changed(self, job: Job) -> None:
        """Under ``self._lock``: tell the other workers (a lost Redis must not stop the ingest itself)."""
        if self.board is None:
            return
        try:
            self.board.publish(job.as_dict())
        except Exception:
            log.warning("could not publish the progress of ingest job %s", job.id, exc_info=True)

    def _cancel_requested(self, job: Job) -> bool:
        """Cancelled here, or through another worker."""
        if job.cancel_event.is_set():
            return True
        if self.board is None:
            return False
        try:
            return self.board.cancel_requested(job.id)
        except Exception:
            return False

    def wait(self, job_id: str, timeout: float = 60.0) -> dict | None:
        """Block until the job has finished (or the timeout passed); its last snapshot."""
        deadline = time.monotonic() + timeout
        while True:
            snap = self.snapshot(job_id)
            if snap is None or snap["state"] in JOB_FINISHED or time.monotonic() >= deadline:
                return snap
            time.sleep(0.05)

    def cancel(self, job_id: str, wait: float = 15.0) -> dict | None:
        """Stop a job; its snapshot once it stopped (or ``wait`` seconds passed), None if unknown.

        A queued job is cancelled at once; a running one stops at its next file or
        embedding batch. A finished job is left as it was.
        """
        with self._lock:
            job = self._jobs.get(job_id)
            if job is not None:
                if job.state == JobState.QUEUED:
                    self._mark_cancelled(job)
                elif job.state == JobState.RUNNING:
                    job.cancel_event.set()
        if job is None:  # perhaps another worker's job: it sees the flag at its next file or batch
            other = self.board.snapshot(job_id) if self.board is not None else None
            if other is None:
                return None
            if other["state"] not in JOB_FINISHED:
                self.board.request_cancel(job_id)
        return self.wait(job_id, wait)

    def _mark_cancelled(self, job: Job) -> None:
        """Under ``self._lock``: the job and every file it had not finished are cancelled."""
        job.state = JobState.CANCELLED
        job.finished_at = time.time()
        for f in job.files:
            if f.status not in FILE_DONE:
                f.status, f.error, f.error_en = (
                    FileStatus.CANCELLED,
                    "导入已取消，文件未导入",
                    "the ingest was cancelled",
                )
        self._changed(job)

    def pending_paths(self) -> set[str]:
        """Files of jobs that have not finished yet."""
        with self._lock:
            return {str(p) for j in self._jobs.values() if j.state in JOB_PENDING for p in j.paths}

    def busy(self) -> bool:
        with self._lock:
            return any(j.state in JOB_PENDING for j in self._jobs.values())

    def shutdown(self, timeout: float = 30.0) -> None:
        """Stop taking jobs; let the running one finish (up to ``timeout`` seconds)."""
        self._closed = True
        self._queue.put(None)
        worker = self._worker
        if worker is not None and worker.is_alive():
            worker.join(timeout)

    # -- the worker -------------------------------------------------------
    def _evict(self) -> None:
        finished = [j for j in self._jobs.values() if j.state in JOB_FINISHED]
        excess = len(self._jobs) - self.keep
        for job in sorted(finished, key=lambda j: j.created_at)[: max(0, excess)]:
            del self._jobs[job.id]

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            try:
                self._run_job(job)
            except Exception:  # pragma: no cover - _run_job records its own failures
                log.exception("ingest job %s crashed", job.id)

    def _run_job(self, job: Job) -> None:
        progress = JobProgress(job, self._lock, self._changed)
        with self.kb.write_lock:
            with self._lock:
                if job.state == JobState.QUEUED and self._cancel_requested(job):  # through another worker
                    self._mark_cancelled(job)
                skipped = job.state == JobState.CANCELLED  # cancelled while it waited
                if not skipped:
                    job.state = JobState.RUNNING
                    job.started_at = time.time()
                    self._changed(job)
            if skipped:
                if job.owned:
                    self._discard_failed(job, {f.name for f in job.files})
                return
            try:
                report = self.kb.ingest(
                    job.paths,
                    visibility=job.visibility,
                    progress=progress,
                    cancel=job.cancel_event if self.board is None else (lambda: self._cancel_requested(job)),
                    keep_duplicates=job.keep_duplicates,
                )
            except Exception as exc:
                log.exception("ingest job %s failed", job.id)
                with self._lock:
                    job.state = JobState.FAILED
                    job.error = redact_paths(f"导入过程出错：{exc}")
                    job.error_en = redact_paths(f"ingest failed: {exc}")
                    for f in job.files:
                        if f.status not in FILE_DONE:
                            f.status, f.error, f.error_en = FileStatus.FAILED, "导入中断，文件未导入", "ingest stopped"
                    job.finished_at = time.time()
                    self._changed(job)
                return
        with self._lock:
            for name, (zh, en) in report.notices.items():
                entry = job.file(name)
                entry.notice, entry.notice_en = redact_paths(zh), redact_paths(en)
            for err in report.failed:
                entry = job.file(err.file_name)
                entry.status, entry.error, entry.error_en = (
                    FileStatus.FAILED,
                    redact_paths(err.zh),
                    redact_paths(err.en),
                )
            if report.cancelled:
                self._mark_cancelled(job)
            else:
                for f in job.files:
                    if f.status not in FILE_DONE:  # never reported by ingest: not a file it could read
                        f.status, f.error, f.error_en = FileStatus.FAILED, "文件未被导入", "the file was not ingested"
                failed = [f for f in job.files if f.status == FileStatus.FAILED]
                job.state = JobState.FAILED if job.files and len(failed) == len(job.files) else JobState.DONE
                job.finished_at = time.time()
                self._changed(job)
            dropped = {f.name for f in job.files if f.status in (FileStatus.FAILED, FileStatus.CANCELLED)}
        if job.owned:
            self._discard_failed(job, dropped)

    def _discard_failed(self, job: Job, failed_names: set[str]) -> None:
        """Delete uploaded files that failed (or were cancelled) and that no document was read from.

        A file replaced since it was submitted (the same name uploaded again) is kept.
        """
        for path in job.paths:
            if path.name not in failed_names or _signature(path) != job.signatures.get(str(path)):
                continue
            if not self.kb.find_documents(str(path)):
                try:
                    path.unlink(missing_ok=True)
                except OSError:  # pragma: no cover - best effort
                    log.warning("could not delete failed upload %s", path)


def _signature(path: Path) -> tuple | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)
