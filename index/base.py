"""The knowledge base: one place that adds, removes and searches documents.

Its write path (files in, documents ready, in an order a crash cannot leave half-visible) is
``index.writer``; search's filters, hits and rank fusion are ``index.search``. Search only returns
chunks of ``ready`` documents; the keyword index is rebuilt from the registry whenever its
generation moved.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ingest import DEFAULT_MAX_BYTES, ChunkSizes, IndicatorList, ReadLimits

from .cancel import Cancel
from .datalock import lock_data_dir
from .embed import Embedder
from .freshness import refresh_keywords
from .keywords import KeywordIndex
from .metrics import MetricsStore
from .registry import DocumentRecord, Registry
from .search import FusionWeights, SearchFilters, SearchHit, _doc_allowed, fuse, query_years
from .states import DocumentStatus, Visibility
from .subset_vectors import SubsetVectors
from .vector_writes import FLUSH_AT, WAIT_AT_MOST, VectorWrites
from .vectors import open_vector_index
from .write_lock import WriteLock
from .writer import FileOutcome, IngestProgress, IngestReport, add_file, ingest_files

# A filtered vector search first asks for this many times its depth from the whole base (see _vectors_within).
_WIDEN = 3
log = logging.getLogger(__name__)


REGISTRY_FILE = "registry.sqlite3"


class NoKnowledgeBase(RuntimeError):
    """A command that only reads was given a data directory that holds no knowledge base; nothing was created."""

    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)
        if self.data_dir.exists():
            self.zh = f"{self.data_dir} 不是兰台的数据目录（其中没有知识库），本次未做任何改动。"
            self.en = (
                f"{self.data_dir} is not a Lantai data directory (it holds no knowledge base); nothing was changed."
            )
        else:
            self.zh = f"数据目录不存在：{self.data_dir}，本次未创建任何文件。"
            self.en = f"data directory not found: {self.data_dir}; nothing was created."
        self.zh += "请检查 --data-dir（或 LANTAI_DATA_DIR）是否写错；新建知识库请先用 lantai ingest 导入文档。"
        self.en += (
            " Check --data-dir (or LANTAI_DATA_DIR) for a typo; to start a new knowledge base, run lantai ingest."
        )
        super().__init__(self.bilingual())

    def bilingual(self) -> str:
        return f"{self.zh} / {self.en}"


def require_knowledge_base(data_dir: Path) -> None:
    """Raise ``NoKnowledgeBase`` unless ``data_dir`` already holds a knowledge base (its registry).

    Checked before opening, by whatever must not create a base: opening one creates the directory."""
    if not (Path(data_dir) / REGISTRY_FILE).is_file():
        raise NoKnowledgeBase(data_dir)


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
            self.registry = Registry(self.data_dir / REGISTRY_FILE)
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
        # from a server thread) takes this lock first. It holds across worker processes too (see
        # ``write_lock``): workers over a Chroma server may each ingest.
        self.write_lock = WriteLock(self.data_dir)
        self._ready_cache: tuple[int, dict[str, DocumentRecord]] | None = None
        self._subsets = SubsetVectors()
        self._visible_cache: tuple[int | None, dict[str | None, list[DocumentRecord]]] = (None, {})
        self._documents_cache: tuple[int, list[DocumentRecord]] | None = None

    # -- ingest -------------------------------------------------------------
    def ingest(
        self,
        paths: Sequence[Path],
        visibility: str | None = None,
        progress: IngestProgress | None = None,
        cancel: Cancel = None,
        keep_duplicates: bool = False,
    ) -> IngestReport:
        """Index files and folders.

        ``visibility`` None keeps each known document's visibility (new ones are
        internal); a value is applied to every file named, and an unchanged file
        whose visibility it changes is reported under ``visibility_changed``.
        ``cancel`` (an Event or a callable) is checked between files and between
        embedding batches; a document cut off by it is removed whole. A near-copy of a document the
        base holds is not indexed unless ``keep_duplicates`` (see ``index.duplicates``).
        """
        return ingest_files(self, paths, visibility, progress, cancel, keep_duplicates)

    def add_file(
        self,
        path: Path,
        visibility: str | None = None,
        progress: IngestProgress | None = None,
        report: IngestReport | None = None,
        cancel: Cancel = None,
        writes: VectorWrites | None = None,
        keep_duplicates: bool = False,
    ) -> FileOutcome:
        """Index one file; returns a ``FileOutcome`` ('added', 'updated', 'duplicate', …).

        With ``writes`` the document's vectors join those of other documents and it turns ready when
        they are written (``ingest`` writes what is left at its end); without, it is ready on return.
        Raises ``IngestCancelled`` (carrying the document id) when ``cancel`` fires between batches.
        """
        return add_file(self, path, visibility, progress, report, cancel, writes, keep_duplicates)

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
            docs = {d.id: d for d in self.registry.documents(status=DocumentStatus.READY)}
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
        years = set(prefer_years) if prefer_years is not None else query_years(query)
        return fuse(vector_hits, keyword_hits, chunks, docs, filters, self.fusion, years)[:k]

    def _vectors_within(
        self, vector: np.ndarray, depth: int, docs: dict[str, DocumentRecord]
    ) -> list[tuple[str, float]]:
        """The ``depth`` nearest chunks among some documents' chunks.

        Chroma filters by document by reading every vector's metadata (about 100 ms a query at 100k
        chunks), so the nearest chunks of the whole base are asked for first, a few times the depth:
        when at least ``depth`` of them belong to the documents, those are exactly the nearest of the
        documents' chunks, the filtered search's answer. Otherwise the documents' own vectors are ranked
        exactly in memory when they are few (``subset_vectors``), and Chroma's filter runs when they are many.
        """
        wide = self.vectors.search(vector, depth * _WIDEN)
        owner = self.registry.doc_ids_of([i for i, _ in wide])
        within = [(i, s) for i, s in wide if owner.get(i) in docs]
        if len(within) >= depth:
            return within[:depth]
        if self._subsets.fits(sum(d.chunk_count for d in docs.values())):
            return self._subsets.search(
                vector,
                depth,
                frozenset(docs),
                self.registry.generation(),
                lambda: self.registry.chunk_ids_in(docs),
                self.vectors.vectors_of,
            )
        return self.vectors.search(vector, depth, list(docs))

    def term_rarity(self, terms: list[str]) -> dict[str, float]:
        """How rare each word is among the ready chunks (inverse document frequency)."""
        self.refresh_keywords()
        with self._keyword_lock:
            return {t: self.keywords.rarity(t) for t in terms}

    def stats(self) -> dict[str, Any]:
        docs = self.registry.documents()
        ready = [d for d in docs if d.status == DocumentStatus.READY]
        duplicates = sum(1 for d in docs if d.status == DocumentStatus.DUPLICATE)
        by_type: dict[str, int] = {}
        for d in ready:
            by_type[d.doc_type] = by_type.get(d.doc_type, 0) + 1
        return {
            "data_dir": str(self.data_dir),
            "documents": len(ready),
            "documents_pending": len(docs) - len(ready) - duplicates,
            "duplicates": duplicates,
            "chunks": sum(d.chunk_count for d in ready),
            "vectors": self.vectors.count(),
            "keyword_index_chunks": len(self.keywords),
            "by_type": by_type,
            "public_documents": sum(1 for d in ready if d.visibility == Visibility.PUBLIC),
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
        generation = self.registry.generation()
        if self._visible_cache[0] != generation:  # read once per change of the base, not per question
            self._visible_cache = (generation, {})
        by_visibility = self._visible_cache[1]
        if visibility not in by_visibility:
            seen = SearchFilters(visibility=visibility)
            by_visibility[visibility] = [
                d for d in self.documents() if d.status == DocumentStatus.READY and _doc_allowed(d, seen)
            ]
        return list(by_visibility[visibility])
