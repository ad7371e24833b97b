"""What a surface does with the documents of the knowledge base: list, upload, remove, re-index, share.

Every change goes through ``Documents.writing``: the server must be allowed to
write at all (``WritesRefused`` for one worker of several over an embedded
vector store), and it takes the knowledge base's write lock, waiting at most
``wait`` seconds for an ingest that holds it (``WriteBusy``). The surfaces
turn these exceptions into their own answers (409 in the API, a notice on the
web page).

Every change is written to the operations log (``ui.services.audit``) with who
made it (``by``), whichever surface asked.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from index import DocumentRecord, KnowledgeBase

from ..job_model import Job, WritesRefused
from ..jobs import JobRegistry
from .audit import Action, Actor, AuditLog
from .files import Staging

# A visibility as staff read it (the document list, the operations log).
VISIBILITY_ZH = {"internal": "仅内部", "public": "公开"}
# How long a removal or visibility change from the API waits for a running ingest.
WRITE_WAIT_SECONDS = 60.0


class DocumentNotFound(LookupError):
    def __init__(self, doc_id: str):
        super().__init__(f"找不到文档「{doc_id}」/ no document with id '{doc_id}'")
        self.doc_id = doc_id


class WriteBusy(RuntimeError):
    """An ingest holds the write lock longer than the caller would wait."""

    def __init__(self):
        super().__init__("正在导入文档，请稍后再试 / an ingest is running, try again later")


class SourceGone(FileNotFoundError):
    """A document's own file is gone, so it cannot be read again."""

    def __init__(self, file_name: str):
        super().__init__(f"原文件已不存在，无法重新索引：{file_name} / the source file no longer exists")
        self.file_name = file_name


class Documents:
    """The documents of one knowledge base, its ingest jobs and the folder uploads are saved in.

    ``jobs`` is None on the command line, which ingests in its own thread and runs no server.
    """

    def __init__(self, kb: KnowledgeBase, jobs: JobRegistry | None, uploads: Path, max_bytes: int, audit: AuditLog):
        self.kb = kb
        self.jobs = jobs
        self.uploads = Path(uploads)
        self.max_bytes = max_bytes
        self.audit = audit

    # -- reading ----------------------------------------------------------------------------------
    def records(self):
        """Every document's record."""
        return self.kb.documents()

    def get(self, doc_id: str):
        """The document with exactly this id (``DocumentNotFound`` otherwise)."""
        for record in self.kb.find_documents(doc_id):
            if record.id == doc_id:
                return record
        raise DocumentNotFound(doc_id)

    def matching(self, query: str):
        """Every document whose id, file name or path is ``query``."""
        return self.kb.find_documents(query)

    def find(self, doc_id: str | None):
        """The document with this id, or None (no id given, or none such)."""
        if not doc_id:
            return None
        return next((r for r in self.kb.documents() if r.id == doc_id), None)

    # -- writing ----------------------------------------------------------------------------------
    def _registry(self) -> JobRegistry:
        if self.jobs is None:  # the command line ingests in its own thread (``ingest_now``)
            raise RuntimeError("background ingest needs the job registry of a server")
        return self.jobs

    def check_writable(self) -> None:
        if self.jobs is not None:
            self.jobs.check_writable()

    @contextmanager
    def writing(self, wait: float = WRITE_WAIT_SECONDS) -> Iterator[None]:
        """Hold the knowledge base's write lock: one writer at a time on its registry."""
        self.check_writable()
        lock = self.kb.write_lock
        if not lock.acquire(timeout=wait):
            raise WriteBusy()
        try:
            yield
        finally:
            lock.release()

    def oversized(self, paths: Sequence[Path]) -> list[Path]:
        return [p for p in paths if p.stat().st_size > self.max_bytes]

    def upload_streams(
        self,
        files: Sequence[tuple[str | None, BinaryIO]],
        visibility: str,
        keep_duplicates: bool = False,
        *,
        by: Actor,
    ) -> tuple[Job, list[str]]:
        """Save uploaded streams (all or none, each within the size cap) and queue their ingest."""
        with Staging(self.uploads) as staging:
            for name, stream in files:
                staging.write(name, stream, self.max_bytes)
            targets = staging.commit()
        job = self.ingest_saved(targets, visibility, keep_duplicates, by=by)
        return job, [p.name for p in targets]

    def stage_copies(self, paths: Sequence[Path]) -> list[Path]:
        """Copy files into the uploads folder, all or none; where they landed."""
        with Staging(self.uploads) as staging:
            for path in paths:
                staging.copy(path)
            return staging.commit()

    def ingest_saved(self, paths: Sequence[Path], visibility: str, keep_duplicates: bool = False, *, by: Actor) -> Job:
        """Queue the ingest of files saved in the uploads folder (a failed one is deleted afterwards)."""
        job = self._registry().submit(paths, visibility, owned=True, keep_duplicates=keep_duplicates)
        for path in paths:
            self.audit.record(by, Action.UPLOAD, f"{path.name}（{VISIBILITY_ZH.get(visibility, visibility)}）")
        return job

    def ingest_now(self, paths: Sequence[Path], visibility: str | None, progress=None, keep_duplicates: bool = False):
        """Ingest files and folders in this thread (the command line); the ingest report."""
        with self.writing():
            return self.kb.ingest(paths, visibility=visibility, progress=progress, keep_duplicates=keep_duplicates)

    def remove(self, doc_id: str, wait: float = WRITE_WAIT_SECONDS, *, by: Actor, discard_upload: bool = True):
        """Remove a document everywhere and (``discard_upload``) the copy an upload saved of it; the record."""
        with self.writing(wait):
            record = self.get(doc_id)
            self.kb.remove(record.id)
        self.audit.record(by, Action.REMOVE, _named(record))
        if discard_upload:
            self._discard_upload(Path(record.path))
        return record

    def _discard_upload(self, path: Path) -> None:
        # The copy an upload saved goes too, unless the same name was uploaded again meanwhile.
        pending = self.jobs.pending_paths() if self.jobs is not None else set()
        if path.parent == self.uploads.resolve() and str(path) not in pending and not self.kb.find_documents(str(path)):
            path.unlink(missing_ok=True)

    def set_visibility(self, doc_id: str, visibility: str, wait: float = WRITE_WAIT_SECONDS, *, by: Actor):
        """Change who may see a document; its record afterwards."""
        with self.writing(wait):
            self.get(doc_id)
            self.kb.set_visibility(doc_id, visibility)
            record = self.get(doc_id)
        self.audit.record(by, Action.MAKE_PUBLIC if visibility == "public" else Action.MAKE_INTERNAL, _named(record))
        return record

    def reindex(self, doc_id: str, wait: float = WRITE_WAIT_SECONDS, *, by: Actor) -> tuple[Job, DocumentRecord]:
        """Read a document again from its file, in the background; the job and the record."""
        record = self.get(doc_id)
        path = Path(record.path)
        if not path.is_file():
            raise SourceGone(record.file_name)
        with self.writing(wait):  # the ingest worker writes on the same registry: one writer at a time
            self.kb.registry.mark_stale(record.id)
        job = self._registry().submit([path], record.visibility)
        self.audit.record(by, Action.REINDEX, _named(record))
        return job, record


def _named(record: DocumentRecord) -> str:
    """A document as the log names it: its file and its id (the file name may come back under another id)."""
    return f"{record.file_name}（{record.id}）"


__all__ = [
    "VISIBILITY_ZH",
    "Documents",
    "DocumentNotFound",
    "SourceGone",
    "WriteBusy",
    "WritesRefused",
    "WRITE_WAIT_SECONDS",
]
