"""The knowledge base's write path: files in, documents ready.

Ingest of one document is ordered so that a crash anywhere leaves nothing
half-visible: (1) parse — nothing stored yet; (2) registry row ``indexing``
with its chunks, in one transaction; (3) vectors for chunks Chroma does not
already hold (ids are content hashes, so an interrupted run's vectors are
reused), stale ones deleted; (4) status ``ready`` in one transaction.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from ingest import Document, IngestError, PageProgress, file_sha256, parse_file, with_doc_id

from .cancel import Cancel, IngestCancelled, cancel_check
from .chroma_server import VectorStoreUnreachable
from .diskfull import DiskFull, is_disk_full, nearly_full
from .duplicates import (
    Kind,
    Verdict,
    copy_id,
    duplicate_notice,
    duplicate_row,
    judge,
    own_id,
    record_duplicate,
    replaced_notice,
)
from .embed import EmbedderUnavailable
from .near_duplicates import signature
from .registry import VISIBILITIES, DocumentRecord
from .signatures import write as write_signature
from .states import DocumentStatus, Visibility
from .vector_writes import Finished, VectorWriteFailed, VectorWrites

if TYPE_CHECKING:
    from .base import KnowledgeBase

_SKIP_PREFIXES = (".", "~$")
# Bump when parsing, chunking or figure extraction changes what a file yields:
# documents read by an older pipeline are read again even if the file is unchanged.
PIPELINE_VERSION = "29"


class FileOutcome(StrEnum):
    """What became of one file in an ingest; each but ``failed`` names the report's list it joins."""

    ADDED = "added"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    VISIBILITY_CHANGED = "visibility_changed"
    DUPLICATE = "duplicate"  # a copy of a document the base holds: not indexed (see ``index.duplicates``)
    REPLACED = "replaced"  # the text copy of a scan the base held, now in its place
    CANCELLED = "cancelled"
    FAILED = "failed"


class IngestProgress:
    """Callbacks for a progress display; the default does nothing."""

    def files_found(self, total: int) -> None: ...
    def file_started(self, name: str) -> None: ...
    def chunks_planned(self, count: int) -> None: ...
    def chunks_embedded(self, count: int) -> None: ...
    def file_done(self, name: str, status: str) -> None: ...
    def ocr_page(self, page: PageProgress) -> None: ...  # a scanned page is being read: page i of n, time left


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)
    # unchanged files whose visibility was asked to change (and was changed)
    visibility_changed: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)  # stopped midway (removed whole) or never started
    duplicate: list[str] = field(default_factory=list)  # copies of documents already there, not indexed
    replaced: list[str] = field(default_factory=list)  # text copies that took the place of a scan
    # what staff are told of a duplicate or a replacement, by file name: (Chinese, English)
    notices: dict[str, tuple[str, str]] = field(default_factory=dict)
    failed: list[IngestError] = field(default_factory=list)
    chunks_indexed: int = 0
    chunks_embedded: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed


def collect_files(paths: Iterable[Path]) -> list[Path]:
    """Files named, and files inside folders named (recursively, hidden and lock files skipped)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file() and not any(part.startswith(_SKIP_PREFIXES) for part in p.relative_to(path).parts)
            )
        else:
            files.append(path)
    return files


def ingest_files(
    kb: KnowledgeBase,
    paths: Sequence[Path],
    visibility: str | None = None,
    progress: IngestProgress | None = None,
    cancel: Cancel = None,
    keep_duplicates: bool = False,
) -> IngestReport:
    """``KnowledgeBase.ingest``: index files and folders, resuming what an interrupted run left ``indexing``."""
    if visibility is not None and visibility not in VISIBILITIES:
        raise ValueError(f"visibility must be one of {VISIBILITIES}")
    stop = cancel_check(cancel)
    progress = progress or IngestProgress()
    report = IngestReport()
    started = time.perf_counter()
    files = collect_files(paths)
    named = {str(f.resolve()) for f in files}
    pending = [r for r in kb.registry.documents(status=DocumentStatus.INDEXING) if r.path not in named]
    progress.files_found(len(files) + len(pending))
    work: list[tuple[Path, str | None, bool, str]] = [(Path(r.path), r.visibility, True, r.id) for r in pending]
    work += [(p, visibility, False, "") for p in files]
    # Vectors of several documents go to Chroma in one write; each document turns ready after its own.
    writes = VectorWrites(kb.vectors_per_write, kb.write_wait_at_most)
    # Other processes serving this directory keep their keyword index until this one publishes.
    with kb.keywords.build_lock:
        try:
            for n, (path, vis, resumed, doc_id) in enumerate(work):
                if stop():
                    report.cancelled.extend(p.name for p, _, _, _ in work[n:])
                    break
                if resumed and not path.is_file():  # finish what an interrupted run left behind
                    kb.remove(doc_id)
                    continue
                _ingest_one(kb, path, vis, progress, report, resumed, stop, writes, keep_duplicates)
            try:
                flush(kb, writes, report)
            except VectorWriteFailed:
                pass  # its documents are reported failed and stay invisible
        finally:
            if writes.chunks or writes.finished:  # stopped by an error every later file would meet
                try:
                    flush(kb, writes, None)  # documents embedded before it need not wait for the next run
                except Exception:
                    pass  # still ``indexing``: the next ingest finishes them
        kb.refresh_keywords()
    report.seconds = time.perf_counter() - started
    return report


def _ingest_one(
    kb: KnowledgeBase,
    path: Path,
    visibility: str | None,
    progress: IngestProgress,
    report: IngestReport,
    resumed: bool = False,
    stop: Callable[[], bool] | None = None,
    writes: VectorWrites | None = None,
    keep_duplicates: bool = False,
) -> None:
    progress.file_started(path.name)
    try:
        status = kb.add_file(path, visibility, progress, report, stop, writes, keep_duplicates)
    except IngestCancelled as cut:
        if writes is not None:
            writes.drop_document(str(cut))
        kb.remove(str(cut))  # never left half-indexed: the document goes whole
        report.cancelled.append(path.name)
        status = FileOutcome.CANCELLED
    except IngestError as err:
        report.failed.append(err)
        status = FileOutcome.FAILED
    except VectorWriteFailed as exc:
        if not any(e.file_name == path.name for e in report.failed):  # cut off before its vectors were due
            report.failed.append(IngestError(path.name, f"写入向量失败：{exc}", f"failed to write vectors: {exc}"))
        status = FileOutcome.FAILED
    except (VectorStoreUnreachable, EmbedderUnavailable, DiskFull):
        # Every later file would fail the same way; the cut-off document stays invisible and resumes next run.
        raise
    except Exception as exc:  # a loader bug must not stop the rest of the folder
        # …but a full disk stops them all (Chroma may word it vaguely: the free space tells);
        # the cut-off document stays invisible until the next ingest finishes it.
        if is_disk_full(exc) or nearly_full(kb.data_dir):
            raise DiskFull(kb.data_dir) from exc
        report.failed.append(IngestError(path.name, f"读取失败：{exc}", f"failed to read: {exc}"))
        status = FileOutcome.FAILED
    else:
        bucket = report.resumed if resumed else getattr(report, status)
        bucket.append(path.name)
    progress.file_done(path.name, status)


def add_file(
    kb: KnowledgeBase,
    path: Path,
    visibility: str | None = None,
    progress: IngestProgress | None = None,
    report: IngestReport | None = None,
    cancel: Cancel = None,
    writes: VectorWrites | None = None,
    keep_duplicates: bool = False,
) -> FileOutcome:
    """``KnowledgeBase.add_file``: index one file; returns 'added', 'updated', 'unchanged',
    'visibility_changed', 'duplicate' (not indexed) or 'replaced' (took a scan's place)."""
    own = writes is None
    batched = VectorWrites(kb.vectors_per_write, kb.write_wait_at_most) if writes is None else writes
    progress = progress or IngestProgress()
    stop = cancel_check(cancel)
    resolved = str(path.resolve())
    existing = kb.registry.by_path(resolved)
    sha = file_sha256(path) if path.is_file() else ""
    if existing and existing.sha256 == sha and kb.registry.pipeline_of(existing.id) == PIPELINE_VERSION:
        known = _known(kb, existing, visibility, keep_duplicates, report)
        if known is not None:
            return known
    if visibility is None:
        visibility = existing.visibility if existing else Visibility.INTERNAL
    doc = parse_file(
        path,
        max_bytes=kb.max_bytes,
        sizes=kb.chunk_sizes,
        sha256=sha or None,
        indicators=kb.indicators,
        limits=kb.read_limits,
        on_page=progress.ocr_page,
    )
    minhash = signature(doc.text)
    verdict = judge(kb.registry, doc, existing, minhash, keep_duplicates)
    if verdict.kind == Kind.DUPLICATE and verdict.match is not None:
        row = duplicate_row(doc, own_id(kb.registry, doc, existing), visibility, verdict.match.id)
        record_duplicate(kb.registry, row, doc.text, minhash, doc.read_by_ocr, PIPELINE_VERSION)
        _notice(report, path.name, duplicate_notice(path.name, verdict.match, doc.read_by_ocr, verdict.similarity))
        return FileOutcome.DUPLICATE
    visibility = _store(kb, doc, existing, verdict, visibility, minhash, batched)
    if verdict.match is not None:
        _notice(report, path.name, replaced_notice(path.name, verdict.match))
    held = kb.vectors.ids_of(doc.doc_id)
    wanted = {c.id for c in doc.chunks}
    kb.vectors.delete(sorted(held - wanted))
    todo = [c for c in doc.chunks if c.id not in held]
    progress.chunks_planned(len(todo))
    batch = getattr(kb.embedder, "ingest_step", 32)  # a remote embedder fills its requests in flight
    for i in range(0, len(todo), batch):
        if stop():
            raise IngestCancelled(doc.doc_id)
        part = todo[i : i + batch]
        batched.add(part, kb.embedder.embed_passages([c.embed_text() for c in part]))
        progress.chunks_embedded(len(part))
        if batched.due:  # a large document's vectors need not all wait in memory
            flush(kb, batched, report)
    batched.finish(Finished(doc.doc_id, path.name))
    if own or batched.due:
        flush(kb, batched, report)
    if report is not None:
        report.chunks_indexed += len(doc.chunks)
        report.chunks_embedded += len(todo)
    if verdict.kind == Kind.REPLACES:
        return FileOutcome.REPLACED
    return FileOutcome.UPDATED if existing and existing.status != DocumentStatus.DUPLICATE else FileOutcome.ADDED


def _known(
    kb: KnowledgeBase,
    existing: DocumentRecord,
    visibility: str | None,
    keep_duplicates: bool,
    report: IngestReport | None,
) -> FileOutcome | None:
    """The outcome for an unchanged file the base holds (nothing to read), or None: read it."""
    if existing.status == DocumentStatus.READY:
        if visibility is not None and existing.visibility != visibility:
            kb.registry.set_visibility(existing.id, visibility)
            return FileOutcome.VISIBILITY_CHANGED
        return FileOutcome.UNCHANGED
    original = kb.registry.get(existing.duplicate_of) if existing.duplicate_of else None
    if existing.status != DocumentStatus.DUPLICATE or keep_duplicates or original is None:
        return None  # unfinished, indexed on request, or the document it copied is gone
    ocr = bool(kb.registry.conn.execute("SELECT read_by_ocr FROM documents WHERE id = ?", (existing.id,)).fetchone()[0])
    _notice(report, existing.file_name, duplicate_notice(existing.file_name, original, ocr, None))
    return FileOutcome.DUPLICATE


def _store(
    kb: KnowledgeBase,
    doc: Document,
    existing: DocumentRecord | None,
    verdict: Verdict,
    visibility: str,
    minhash: bytes,
    writes: VectorWrites,
) -> str:
    """Record ``doc`` as ``indexing`` with its signature; the visibility it was given.

    A text copy replacing a scan takes the scan's id and visibility, and the scan's row stays as its
    duplicate (its text and signature kept)."""
    scan = verdict.match if verdict.kind == Kind.REPLACES else None
    if scan is not None:
        writes.drop_document(scan.id)  # a scan read earlier in this ingest: its vectors never get written
        scan_text = kb.registry.document_text(scan.id)
        visibility = scan.visibility
    doc = with_doc_id(doc, scan.id if scan else own_id(kb.registry, doc, existing), kb.chunk_sizes, kb.indicators)
    kb.registry.begin_document(doc, visibility)
    with kb.registry._tx() as c:
        write_signature(c, doc.doc_id, minhash, doc.read_by_ocr)
    if scan is not None:
        row = replace(scan, id=copy_id(scan.path), status=DocumentStatus.DUPLICATE, chunk_count=0, duplicate_of=scan.id)
        record_duplicate(kb.registry, row, scan_text, signature(scan_text), True, PIPELINE_VERSION)
    return visibility


def _notice(report: IngestReport | None, name: str, notice: tuple[str, str]) -> None:
    if report is not None:
        report.notices[name] = notice


def flush(kb: KnowledgeBase, writes: VectorWrites, report: IngestReport | None) -> None:
    """Write the waiting vectors in one call, then mark the documents they complete ready in one
    transaction. If the write fails, those documents stay invisible and are reported failed."""
    chunks, vectors, finished = writes.take()
    try:
        if chunks:
            kb.vectors.add(chunks, vectors)
        if finished:
            kb.registry.finish_documents([f.doc_id for f in finished], PIPELINE_VERSION)
    except (VectorStoreUnreachable, DiskFull):
        raise  # every later write would fail the same way: the ingest stops, documents stay invisible
    except Exception as exc:
        if is_disk_full(exc) or nearly_full(kb.data_dir):
            raise DiskFull(kb.data_dir) from exc
        if report is not None:
            for f in finished:
                for bucket in (report.added, report.updated, report.resumed, report.replaced):
                    if f.name in bucket:
                        bucket.remove(f.name)
                report.failed.append(IngestError(f.name, f"写入向量失败：{exc}", f"failed to write vectors: {exc}"))
        raise VectorWriteFailed(str(exc)) from exc
