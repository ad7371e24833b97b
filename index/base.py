"""The knowledge base: one place that adds, removes and searches documents.

Ingest of one document is ordered so that a crash anywhere leaves nothing
half-visible: (1) parse — nothing stored yet; (2) registry row ``indexing``
with its chunks, in one transaction; (3) vectors for chunks Chroma does not
already hold (ids are content hashes, so an interrupted run's vectors are
reused), stale ones deleted; (4) status ``ready`` in one transaction. Search
only returns chunks of ``ready`` documents; the keyword index is rebuilt from
the registry whenever its generation moved.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ingest import DEFAULT_MAX_BYTES, Chunk, ChunkSizes, IndicatorList, IngestError, ReadLimits, file_sha256, parse_file

from .cancel import Cancel, IngestCancelled, cancel_check
from .chroma_server import VectorStoreUnreachable
from .datalock import lock_data_dir
from .diskfull import DiskFull, is_disk_full, nearly_full
from .embed import Embedder, EmbedderUnavailable
from .freshness import refresh_keywords
from .keywords import KeywordIndex
from .metrics import MetricsStore
from .registry import VISIBILITIES, DocumentRecord, Registry
from .vector_writes import FLUSH_AT, WAIT_AT_MOST, Finished, VectorWriteFailed, VectorWrites
from .vectors import open_vector_index

_SKIP_PREFIXES = (".", "~$")
# Bump when parsing, chunking or figure extraction changes what a file yields:
# documents read by an older pipeline are read again even if the file is unchanged.
PIPELINE_VERSION = "14"
# A filtered vector search first asks for this many times its depth from the whole base (see _vectors_within).
_WIDEN = 3
_YEAR_IN_QUERY = re.compile(r"(?<!\d)(19[5-9]\d|20\d{2})(?!\d)")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FusionWeights:
    """How vector and keyword rankings are fused (weighted reciprocal rank).

    Jieba BM25 is the stronger signal on this kind of text; the small 4-bit
    embedder adds recall for paraphrases. A chunk of a year the question names
    is preferred, not required: "2023年的目标完成了吗" may be answered in 2024's
    summary. Chosen on half of the retrieval gold set and checked on the other
    half (eval/retrieval.py).
    """

    rrf_k: int = 10
    vector: float = 0.5
    keyword: float = 1.0
    year_boost: float = 0.3


def query_years(query: str) -> set[int]:
    return {int(y) for y in _YEAR_IN_QUERY.findall(query)}


class IngestProgress:
    """Callbacks for a progress display; the default does nothing."""

    def files_found(self, total: int) -> None: ...
    def file_started(self, name: str) -> None: ...
    def chunks_planned(self, count: int) -> None: ...
    def chunks_embedded(self, count: int) -> None: ...
    def file_done(self, name: str, status: str) -> None: ...


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)
    # unchanged files whose visibility was asked to change (and was changed)
    visibility_changed: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)  # stopped midway (removed whole) or never started
    failed: list[IngestError] = field(default_factory=list)
    chunks_indexed: int = 0
    chunks_embedded: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failed


@dataclass
class SearchFilters:
    visibility: str | None = None  # "public" restricts to public documents
    doc_types: Sequence[str] | None = None
    years: Sequence[int] | None = None
    org: str | None = None  # documents of one organisation (those naming none are kept)


@dataclass
class SearchHit:
    chunk: Chunk
    score: float
    vector_rank: int | None = None
    vector_score: float | None = None
    keyword_rank: int | None = None
    keyword_score: float | None = None
    doc_title: str = ""
    doc_type: str = ""


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


class KnowledgeBase:
    # Vectors gathered before one Chroma write during an ingest, and the longest a finished document
    # waits for it (see ``vector_writes``).
    vectors_per_write = FLUSH_AT
    write_wait_at_most = WAIT_AT_MOST

    def __init__(
        self,
        data_dir: Path,
        embedder: Embedder,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        chunk_sizes: ChunkSizes | None = None,
        fusion: FusionWeights | None = None,
        indicators: IndicatorList | None = None,
        read_limits: ReadLimits | None = None,
        chroma_url: str | None = None,
        chroma_timeout: float = 30.0,
    ):
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.embedder = embedder
        self.max_bytes = max_bytes
        self.read_limits = read_limits
        self.chunk_sizes = chunk_sizes or ChunkSizes()
        self.fusion = fusion or FusionWeights()
        # Before anything opens the directory: Chroma allows one process per data dir, even for readers.
        self._dir_lock = lock_data_dir(self.data_dir)
        try:
            self.registry = Registry(self.data_dir / "registry.sqlite3")
            # Chroma embedded in the data dir, or (chroma_url) this base's collection on a Chroma server.
            self.vectors = open_vector_index(self.data_dir / "chroma", embedder.name, chroma_url, chroma_timeout)
            self.keywords = KeywordIndex(self.data_dir / "bm25")
        except BaseException:
            self._dir_lock.release()
            raise
        self.indicators = indicators
        self.metrics = MetricsStore(self.registry.conn, indicators, generation=self.registry.generation)
        # Search may rebuild the keyword index while an ingest in another thread finishes one.
        self._keyword_lock = threading.RLock()
        # The registry shares one SQLite connection between threads; two transactions opened on it from
        # different threads would collide, so every writer (an ingest job, a removal, a visibility change
        # from a server thread) takes this lock first.
        self.write_lock = threading.RLock()
        self._ready_cache: tuple[int, dict[str, DocumentRecord]] | None = None
        self._documents_cache: tuple[int, list[DocumentRecord]] | None = None

    # -- ingest -------------------------------------------------------------
    def ingest(
        self,
        paths: Sequence[Path],
        visibility: str | None = None,
        progress: IngestProgress | None = None,
        cancel: Cancel = None,
    ) -> IngestReport:
        """Index files and folders.

        ``visibility`` None keeps each known document's visibility (new ones are
        internal); a value is applied to every file named, and an unchanged file
        whose visibility it changes is reported under ``visibility_changed``.
        ``cancel`` (an Event or a callable) is checked between files and between
        embedding batches; a document cut off by it is removed whole.
        """
        if visibility is not None and visibility not in VISIBILITIES:
            raise ValueError(f"visibility must be one of {VISIBILITIES}")
        stop = cancel_check(cancel)
        progress = progress or IngestProgress()
        report = IngestReport()
        started = time.perf_counter()
        files = collect_files(paths)
        named = {str(f.resolve()) for f in files}
        pending = [r for r in self.registry.documents(status="indexing") if r.path not in named]
        progress.files_found(len(files) + len(pending))
        work = [(Path(r.path), r.visibility, True, r.id) for r in pending]
        work += [(p, visibility, False, "") for p in files]
        # Vectors of several documents go to Chroma in one write; each document turns ready after its own.
        writes = VectorWrites(self.vectors_per_write, self.write_wait_at_most)
        # Other processes serving this directory keep their keyword index until this one publishes.
        with self.keywords.build_lock:
            try:
                for n, (path, vis, resumed, doc_id) in enumerate(work):
                    if stop():
                        report.cancelled.extend(p.name for p, _, _, _ in work[n:])
                        break
                    if resumed and not path.is_file():  # finish what an interrupted run left behind
                        self.remove(doc_id)
                        continue
                    self._ingest_one(path, vis, progress, report, resumed=resumed, stop=stop, writes=writes)
                try:
                    self._flush(writes, report)
                except VectorWriteFailed:
                    pass  # its documents are reported failed and stay invisible
            finally:
                if writes.chunks or writes.finished:  # stopped by an error every later file would meet
                    try:
                        self._flush(writes, None)  # documents embedded before it need not wait for the next run
                    except Exception:
                        pass  # still ``indexing``: the next ingest finishes them
            self.refresh_keywords()
        report.seconds = time.perf_counter() - started
        return report

    def _ingest_one(
        self,
        path: Path,
        visibility: str | None,
        progress: IngestProgress,
        report: IngestReport,
        resumed: bool = False,
        stop=None,
        writes: VectorWrites | None = None,
    ) -> None:
        progress.file_started(path.name)
        try:
            status = self.add_file(path, visibility, progress, report, cancel=stop, writes=writes)
        except IngestCancelled as cut:
            if writes is not None:
                writes.drop_document(str(cut))
            self.remove(str(cut))  # never left half-indexed: the document goes whole
            report.cancelled.append(path.name)
            status = "cancelled"
        except IngestError as err:
            report.failed.append(err)
            status = "failed"
        except VectorWriteFailed as exc:
            if not any(e.file_name == path.name for e in report.failed):  # cut off before its vectors were due
                report.failed.append(IngestError(path.name, f"写入向量失败：{exc}", f"failed to write vectors: {exc}"))
            status = "failed"
        except (VectorStoreUnreachable, EmbedderUnavailable, DiskFull):
            # Every later file would fail the same way; the cut-off document stays invisible and resumes next run.
            raise
        except Exception as exc:  # a loader bug must not stop the rest of the folder
            # …but a full disk stops them all (Chroma may word it vaguely: the free space tells);
            # the cut-off document stays invisible until the next ingest finishes it.
            if is_disk_full(exc) or nearly_full(self.data_dir):
                raise DiskFull(self.data_dir) from exc
            err = IngestError(path.name, f"读取失败：{exc}", f"failed to read: {exc}")
            report.failed.append(err)
            status = "failed"
        else:
            bucket = report.resumed if resumed else getattr(report, status)
            bucket.append(path.name)
        progress.file_done(path.name, status)

    def add_file(
        self,
        path: Path,
        visibility: str | None = None,
        progress: IngestProgress | None = None,
        report: IngestReport | None = None,
        cancel: Cancel = None,
        writes: VectorWrites | None = None,
    ) -> str:
        """Index one file; returns 'added', 'updated', 'unchanged' or 'visibility_changed'.

        With ``writes`` the document's vectors join those of other documents and it turns ready when
        they are written (``ingest`` writes what is left at its end); without, it is ready on return.
        Raises ``IngestCancelled`` (carrying the document id) when ``cancel`` fires between batches.
        """
        own = writes is None
        writes = VectorWrites(self.vectors_per_write, self.write_wait_at_most) if own else writes
        progress = progress or IngestProgress()
        stop = cancel_check(cancel)
        resolved = str(path.resolve())
        existing = self.registry.by_path(resolved)
        sha = file_sha256(path) if path.is_file() else ""
        if (
            existing
            and existing.sha256 == sha
            and existing.status == "ready"
            and self.registry.pipeline_of(existing.id) == PIPELINE_VERSION
        ):
            if visibility is not None and existing.visibility != visibility:
                self.registry.set_visibility(existing.id, visibility)
                return "visibility_changed"
            return "unchanged"
        if visibility is None:
            visibility = existing.visibility if existing else "internal"
        doc = parse_file(
            path,
            max_bytes=self.max_bytes,
            sizes=self.chunk_sizes,
            sha256=sha or None,
            indicators=self.indicators,
            limits=self.read_limits,
        )
        self.registry.begin_document(doc, visibility)
        held = self.vectors.ids_of(doc.doc_id)
        wanted = {c.id for c in doc.chunks}
        self.vectors.delete(sorted(held - wanted))
        todo = [c for c in doc.chunks if c.id not in held]
        progress.chunks_planned(len(todo))
        batch = getattr(self.embedder, "ingest_step", 32)  # a remote embedder fills its requests in flight
        for i in range(0, len(todo), batch):
            if stop():
                raise IngestCancelled(doc.doc_id)
            part = todo[i : i + batch]
            writes.add(part, self.embedder.embed_passages([c.embed_text() for c in part]))
            progress.chunks_embedded(len(part))
            if writes.due:  # a large document's vectors need not all wait in memory
                self._flush(writes, report)
        writes.finish(Finished(doc.doc_id, path.name))
        if own or writes.due:
            self._flush(writes, report)
        if report is not None:
            report.chunks_indexed += len(doc.chunks)
            report.chunks_embedded += len(todo)
        return "updated" if existing else "added"

    def _flush(self, writes: VectorWrites, report: IngestReport | None) -> None:
        """Write the waiting vectors in one call, then mark the documents they complete ready in one
        transaction. If the write fails, those documents stay invisible and are reported failed."""
        chunks, vectors, finished = writes.take()
        try:
            if chunks:
                self.vectors.add(chunks, vectors)
            if finished:
                self.registry.finish_documents([f.doc_id for f in finished], PIPELINE_VERSION)
        except (VectorStoreUnreachable, DiskFull):
            raise  # every later write would fail the same way: the ingest stops, documents stay invisible
        except Exception as exc:
            if is_disk_full(exc) or nearly_full(self.data_dir):
                raise DiskFull(self.data_dir) from exc
            if report is not None:
                for f in finished:
                    for bucket in (report.added, report.updated, report.resumed):
                        if f.name in bucket:
                            bucket.remove(f.name)
                    report.failed.append(IngestError(f.name, f"写入向量失败：{exc}", f"failed to write vectors: {exc}"))
            raise VectorWriteFailed(str(exc)) from exc

    def remove(self, doc_id: str) -> None:
        """Delete a document everywhere: registry first (it hides it), then vectors."""
        self.registry.delete_document(doc_id)
        self.vectors.delete_document(doc_id)
        self.refresh_keywords()

    def reindex(self, doc_id: str) -> IngestReport:
        """Read a document again from its file (after an alias list change, say); its vectors are reused."""
        record = self.registry.get(doc_id)
        if record is None:
            raise KeyError(doc_id)
        self.registry.mark_stale(doc_id)
        return self.ingest([Path(record.path)], visibility=record.visibility)

    def set_visibility(self, doc_id: str, visibility: str) -> None:
        self.registry.set_visibility(doc_id, visibility)

    def refresh_keywords(self) -> None:
        """Bring the keyword index to the registry's generation (see ``index.freshness``): one SQLite
        read when nothing changed; another process's published build is mapped, not rebuilt."""
        if self.keywords.generation == self.registry.generation():
            return
        with self._keyword_lock:
            refresh_keywords(self.keywords, self.registry, self._embed_texts)

    def _embed_texts(self, ids: list[str]) -> dict[str, str]:
        return {c.id: c.embed_text() for c in self.registry.chunks(ids).values()}

    def _ready_documents(self) -> dict[str, DocumentRecord]:
        """Ready documents by id, read once per registry generation (any change bumps it)."""
        generation = self.registry.generation()
        cached = self._ready_cache
        if cached is None or cached[0] != generation:
            docs = {d.id: d for d in self.registry.documents(status="ready")}
            self.vectors.forget_count()  # another process may have added or removed vectors
            cached = self._ready_cache = (generation, docs)
        return cached[1]

    def warm_up(self) -> threading.Thread:
        """Load the vector index in the background and return the thread doing it.

        Chroma reads a collection's vector index on its first query (about 3 s for a million
        vectors), so a serving process's first search by meaning waited for it. Started as the
        process opens the base, the load runs beside the first answers (those the metrics table and
        keywords give need no vectors) and is done, or nearly, when a search by meaning comes.
        """

        def load() -> None:
            try:
                self.vectors.search([1.0] * self.embedder.dim, 1)
            except Exception:  # closed meanwhile, or the store is down: the first real search says so
                log.debug("vector index warm-up failed", exc_info=True)

        thread = threading.Thread(target=load, name="lantai-vector-warm-up", daemon=True)
        thread.start()
        return thread

    # -- read ---------------------------------------------------------------
    def documents(self) -> list[DocumentRecord]:
        """Every document (any status), read once per registry generation: an answer asks several times."""
        generation = self.registry.generation()
        cached = self._documents_cache
        if cached is None or cached[0] != generation:
            cached = self._documents_cache = (generation, self.registry.documents())
        return list(cached[1])

    def find_documents(self, ref: str) -> list[DocumentRecord]:
        return self.registry.find(ref)

    def search(
        self,
        query: str,
        k: int = 5,
        filters: SearchFilters | None = None,
        mode: str = "hybrid",
        prefer_years: Iterable[int] | None = None,
    ) -> list[SearchHit]:
        """Hybrid search: vector and BM25 rankings fused by weighted reciprocal rank.

        ``prefer_years`` (default: the years the query names) lifts chunks of
        those years; the assistant passes years it resolved from 去年/前年.
        """
        self.refresh_keywords()
        filters = filters or SearchFilters()
        ready = self._ready_documents()
        filtered = filters.visibility or filters.doc_types or filters.org
        docs = {i: d for i, d in ready.items() if _doc_allowed(d, filters)} if filtered else ready
        if not docs:
            return []
        depth = max(k * 4, 40)
        vector_hits: list[tuple[str, float]] = []
        keyword_hits: list[tuple[str, float]] = []
        if mode in ("hybrid", "vector"):
            vector = self.embedder.embed_query(query)
            vector_hits = self._vectors_within(vector, depth, docs) if filtered else self.vectors.search(vector, depth)
        if mode in ("hybrid", "keyword"):
            with self._keyword_lock:
                keyword_hits = self.keywords.search(query, depth)
        chunks = self.registry.chunks({i for i, _ in vector_hits} | {i for i, _ in keyword_hits})
        hits: dict[str, SearchHit] = {}
        fusion = self.fusion
        for field_rank, field_score, weight, ranked in (
            ("vector_rank", "vector_score", fusion.vector, vector_hits),
            ("keyword_rank", "keyword_score", fusion.keyword, keyword_hits),
        ):
            rank = 0
            for chunk_id, score in ranked:
                chunk = chunks.get(chunk_id)
                if chunk is None or chunk.doc_id not in docs or not _chunk_allowed(chunk, filters):
                    continue
                rank += 1
                doc = docs[chunk.doc_id]
                hit = hits.setdefault(chunk_id, SearchHit(chunk, 0.0, doc_title=doc.title, doc_type=doc.doc_type))
                setattr(hit, field_rank, rank)
                setattr(hit, field_score, score)
                hit.score += weight / (fusion.rrf_k + rank)
        years = set(prefer_years) if prefer_years is not None else query_years(query)
        if years:
            for hit in hits.values():
                if hit.chunk.year in years:
                    hit.score *= 1.0 + fusion.year_boost
        return sorted(hits.values(), key=lambda h: -h.score)[:k]

    def _vectors_within(self, vector, depth: int, docs: dict[str, DocumentRecord]) -> list[tuple[str, float]]:
        """The ``depth`` nearest chunks among some documents' chunks.

        Chroma filters by document by reading every vector's metadata (about 100 ms a query at 100k
        chunks), so the nearest chunks of the whole base are asked for first, a few times the depth:
        when at least ``depth`` of them belong to the documents, those are exactly the nearest of the
        documents' chunks, the filtered search's answer. Otherwise the filtered search runs.
        """
        wide = self.vectors.search(vector, depth * _WIDEN)
        owner = self.registry.doc_ids_of([i for i, _ in wide])
        within = [(i, s) for i, s in wide if owner.get(i) in docs]
        if len(within) >= depth:
            return within[:depth]
        return self.vectors.search(vector, depth, list(docs))

    def term_rarity(self, terms: list[str]) -> dict[str, float]:
        """How rare each word is among the ready chunks (inverse document frequency)."""
        self.refresh_keywords()
        with self._keyword_lock:
            return {t: self.keywords.rarity(t) for t in terms}

    def stats(self) -> dict:
        docs = self.registry.documents()
        ready = [d for d in docs if d.status == "ready"]
        by_type: dict[str, int] = {}
        for d in ready:
            by_type[d.doc_type] = by_type.get(d.doc_type, 0) + 1
        return {
            "data_dir": str(self.data_dir),
            "documents": len(ready),
            "documents_pending": len(docs) - len(ready),
            "chunks": sum(d.chunk_count for d in ready),
            "vectors": self.vectors.count(),
            "keyword_index_chunks": len(self.keywords),
            "by_type": by_type,
            "public_documents": sum(1 for d in ready if d.visibility == "public"),
            "embedder": self.embedder.name,
            "read_only": self.read_only,
            "bytes_on_disk": sum(p.stat().st_size for p in self.data_dir.rglob("*") if p.is_file()),
        }

    @property
    def read_only(self) -> bool:
        """True while a full disk keeps the base from writing: reads work, vector search may be off."""
        return self.registry.read_only or not self.vectors.available

    def close(self) -> None:
        self.registry.close()
        self.vectors.close()
        self.keywords.close()
        self._dir_lock.release()

    # -- read, for the assistant ----------------------------------------------
    def visible_documents(self, visibility: str | None = None) -> list[DocumentRecord]:
        """The ready documents a channel of this visibility may read ("public": public ones only)."""
        seen = SearchFilters(visibility=visibility)
        return [d for d in self.documents() if d.status == "ready" and _doc_allowed(d, seen)]


def _doc_allowed(doc: DocumentRecord, f: SearchFilters) -> bool:
    if f.visibility == "public" and doc.visibility != "public":
        return False
    if f.doc_types and doc.doc_type not in f.doc_types:
        return False
    if f.org and doc.org and doc.org != f.org:
        return False
    return True


def _chunk_allowed(chunk: Chunk, f: SearchFilters) -> bool:
    return not f.years or chunk.year in f.years
