"""The document registry and chunk store (SQLite): the source of truth.

A document is visible to search only once its status is ``ready``; the
status flips in the same transaction that records its chunk count, after its
vectors are stored. A crash at any earlier point leaves the document
``indexing``: invisible, and picked up again by the next ingest.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from ingest import Chunk, Document

from .diskfull import DiskFull, nearly_full
from .metrics_table import SCHEMA as FIGURES_SCHEMA
from .metrics_table import write_figures
from .replaced_rows import drop_rows
from .signatures import migrate as migrate_signatures
from .states import DocumentStatus, Visibility

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    doc_type TEXT NOT NULL,
    title TEXT NOT NULL,
    org TEXT NOT NULL,
    years TEXT NOT NULL,
    report_year INTEGER,
    plan_year INTEGER,
    as_of TEXT,
    page_count INTEGER,
    visibility TEXT NOT NULL DEFAULT 'internal',
    status TEXT NOT NULL,
    chunk_count INTEGER NOT NULL DEFAULT 0,
    ingested_at REAL,
    text TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    text TEXT NOT NULL,
    heading_path TEXT NOT NULL,
    page_start INTEGER,
    page_end INTEGER,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    year INTEGER,
    period_kind TEXT NOT NULL,
    kind TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id, ordinal);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

VISIBILITIES = tuple(v.value for v in Visibility)


@dataclass
class DocumentRecord:
    id: str
    path: str
    file_name: str
    sha256: str
    size: int
    doc_type: str
    title: str
    org: str
    years: list[int]
    report_year: int | None
    plan_year: int | None
    as_of: str | None
    page_count: int | None
    visibility: str
    status: str
    chunk_count: int
    ingested_at: float | None
    duplicate_of: str | None = None  # a ``duplicate``'s original

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


DOC_COLUMNS = (
    "id, path, file_name, sha256, size, doc_type, title, org, years, report_year, plan_year, "
    "as_of, page_count, visibility, status, chunk_count, ingested_at, duplicate_of"
)
_CHUNK_COLUMNS = (
    "c.id, c.doc_id, d.file_name, c.text, c.heading_path, c.page_start, c.page_end, "
    "c.char_start, c.char_end, c.ordinal, c.year, c.period_kind, c.kind, d.title AS doc_title"
)


class Registry:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.read_only = False
        self.conn: sqlite3.Connection
        try:
            self._open(path)
        except sqlite3.OperationalError:
            self.conn.close()
            if not (path.exists() and nearly_full(path.parent)):
                raise
            # A full disk: SQLite cannot size its WAL index, but what is stored can still be read.
            # Safe without SQLite's own locking: this process holds the data directory (index.datalock).
            self.conn = sqlite3.connect(
                path.resolve().as_uri() + "?immutable=1", uri=True, check_same_thread=False, isolation_level=None
            )
            self.read_only = True

    def _open(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.conn.executescript(SCHEMA)
        self.conn.executescript(FIGURES_SCHEMA)
        columns = {r[1] for r in self.conn.execute("PRAGMA table_info(documents)")}
        if "pipeline" not in columns:  # databases made before the column existed
            self.conn.execute("ALTER TABLE documents ADD COLUMN pipeline TEXT NOT NULL DEFAULT ''")
        migrate_signatures(self.conn)
        if "org" not in {r[1] for r in self.conn.execute("PRAGMA table_info(figures)")}:
            self.conn.execute("ALTER TABLE figures ADD COLUMN org TEXT NOT NULL DEFAULT ''")

    def close(self) -> None:
        self.conn.close()

    def _named(self, sql: str, params: Sequence[object] = ()) -> sqlite3.Cursor:
        """``sql`` run on a cursor whose rows are read by column name (the shared connection keeps tuples)."""
        cursor = self.conn.cursor()
        cursor.row_factory = sqlite3.Row
        return cursor.execute(sql, params)

    # -- transactions -----------------------------------------------------
    def _tx(self) -> _Transaction:
        if self.read_only:
            raise DiskFull(self.path.parent)
        return _Transaction(self.conn)

    # -- documents --------------------------------------------------------
    def begin_document(self, doc: Document, visibility: str) -> None:
        """Record a document as ``indexing`` with its new chunks; invisible until finished."""
        with self._tx() as c:
            drop_rows(c, doc.doc_id, doc.path)
            c.execute(
                f"INSERT INTO documents ({DOC_COLUMNS}, text) VALUES ({', '.join('?' * 19)})",
                (
                    doc.doc_id,
                    doc.path,
                    doc.file_name,
                    doc.sha256,
                    doc.size,
                    doc.doc_type,
                    doc.title,
                    doc.org,
                    json.dumps(doc.years),
                    doc.report_year,
                    doc.plan_year,
                    doc.as_of,
                    doc.page_count,
                    visibility,
                    DocumentStatus.INDEXING,
                    len(doc.chunks),
                    None,
                    None,
                    doc.text,
                ),
            )
            c.executemany(
                "INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                [
                    (
                        ch.id,
                        ch.doc_id,
                        ch.ordinal,
                        ch.text,
                        json.dumps(list(ch.heading_path), ensure_ascii=False),
                        ch.page_start,
                        ch.page_end,
                        ch.char_start,
                        ch.char_end,
                        ch.year,
                        ch.period_kind,
                        ch.kind,
                    )
                    for ch in doc.chunks
                ],
            )
            write_figures(c, doc)
            # A document read again drops out of search until finished: the keyword index must follow,
            # even if the process dies before it finishes.
            self._bump(c)

    def finish_document(self, doc_id: str, pipeline: str = "") -> None:
        self.finish_documents([doc_id], pipeline)

    def finish_documents(self, doc_ids: Sequence[str], pipeline: str = "") -> None:
        """Mark documents ready in one transaction (their vectors are all written)."""
        now = time.time()
        with self._tx() as c:
            c.executemany(
                "UPDATE documents SET status = 'ready', ingested_at = ?, pipeline = ? WHERE id = ?",
                [(now, pipeline, doc_id) for doc_id in doc_ids],
            )
            self._bump(c)

    def delete_document(self, doc_id: str) -> None:
        with self._tx() as c:
            c.execute("DELETE FROM figures WHERE doc_id = ?", (doc_id,))
            c.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
            c.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
            self._bump(c)

    def set_visibility(self, doc_id: str, visibility: str) -> None:
        if visibility not in VISIBILITIES:
            raise ValueError(visibility)
        with self._tx() as c:
            c.execute("UPDATE documents SET visibility = ? WHERE id = ?", (visibility, doc_id))
            self._bump(c)

    def get(self, doc_id: str) -> DocumentRecord | None:
        row = self._named(f"SELECT {DOC_COLUMNS} FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return _record(row) if row else None

    def mark_stale(self, doc_id: str) -> None:
        """Make the next ingest of this document read it again even if its file is unchanged."""
        with self._tx() as c:
            c.execute("UPDATE documents SET pipeline = '' WHERE id = ?", (doc_id,))

    def pipeline_of(self, doc_id: str) -> str:
        row = self.conn.execute("SELECT pipeline FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return row[0] if row else ""

    def by_path(self, path: str) -> DocumentRecord | None:
        row = self._named(f"SELECT {DOC_COLUMNS} FROM documents WHERE path = ?", (path,)).fetchone()
        return _record(row) if row else None

    def documents(self, status: str | None = None) -> list[DocumentRecord]:
        sql = f"SELECT {DOC_COLUMNS} FROM documents"
        rows = self._named(
            sql + (" WHERE status = ?" if status else "") + " ORDER BY file_name", (status,) if status else ()
        ).fetchall()
        return [_record(r) for r in rows]

    def find(self, ref: str) -> list[DocumentRecord]:
        """Documents matching an id, a file name or a path."""
        rows = self._named(
            f"SELECT {DOC_COLUMNS} FROM documents WHERE id = ? OR file_name = ? OR path = ?",
            (ref, ref, str(Path(ref).resolve()) if ref else ref),
        ).fetchall()
        return [_record(r) for r in rows]

    def document_text(self, doc_id: str) -> str:
        row = self.conn.execute("SELECT text FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return row[0] if row else ""

    def document_texts(self, doc_ids: Iterable[str]) -> dict[str, str]:
        """Several documents' text by id in one read (one query per document took half a second
        for 1,500 documents, on a serving process's first answer)."""
        wanted = set(doc_ids)
        rows = self.conn.execute("SELECT id, text FROM documents").fetchall()
        return {doc_id: text or "" for doc_id, text in rows if doc_id in wanted}

    # -- chunks -----------------------------------------------------------
    def chunks(self, ids: Iterable[str]) -> dict[str, Chunk]:
        """Chunks of ready documents by id (chunks of unfinished documents are never returned)."""
        ids = list(ids)
        out: dict[str, Chunk] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            rows = self._named(
                f"SELECT {_CHUNK_COLUMNS} FROM chunks c JOIN documents d ON d.id = c.doc_id "
                f"WHERE d.status = 'ready' AND c.id IN ({','.join('?' * len(part))})",
                part,
            ).fetchall()
            out.update((r["id"], _chunk(r)) for r in rows)
        return out

    def ready_chunks(self) -> Iterator[Chunk]:
        rows = self._named(
            f"SELECT {_CHUNK_COLUMNS} FROM chunks c JOIN documents d ON d.id = c.doc_id "
            "WHERE d.status = 'ready' ORDER BY c.doc_id, c.ordinal"
        )
        for r in rows:
            yield _chunk(r)

    def doc_ids_of(self, chunk_ids: list[str]) -> dict[str, str]:
        """The document of each chunk (of any status), by chunk id."""
        out: dict[str, str] = {}
        for i in range(0, len(chunk_ids), 500):
            part = chunk_ids[i : i + 500]
            out.update(
                self.conn.execute(
                    f"SELECT id, doc_id FROM chunks WHERE id IN ({','.join('?' * len(part))})", part
                ).fetchall()
            )
        return out

    def chunk_ids_in(self, doc_ids: Iterable[str]) -> list[str]:
        """Ids of the chunks of these documents."""
        docs, out = list(doc_ids), list[str]()
        for i in range(0, len(docs), 500):
            part = docs[i : i + 500]
            rows = self.conn.execute(f"SELECT id FROM chunks WHERE doc_id IN ({','.join('?' * len(part))})", part)
            out.extend(r[0] for r in rows)
        return out

    def ready_chunk_ids(self) -> list[str]:
        """Ids of the chunks of ready documents, in the order ``ready_chunks`` gives them."""
        rows = self.conn.execute(
            "SELECT c.id FROM chunks c JOIN documents d ON d.id = c.doc_id "
            "WHERE d.status = 'ready' ORDER BY c.doc_id, c.ordinal"
        )
        return [r[0] for r in rows]

    def chunks_of(self, doc_id: str) -> list[Chunk]:
        rows = self._named(
            f"SELECT {_CHUNK_COLUMNS} FROM chunks c JOIN documents d ON d.id = c.doc_id "
            "WHERE c.doc_id = ? ORDER BY c.ordinal",
            (doc_id,),
        ).fetchall()
        return [_chunk(r) for r in rows]

    # -- generation: any change to what search can see bumps it ----------
    def generation(self) -> int:
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else 0

    def _bump(self, c: sqlite3.Connection) -> None:
        c.execute(
            "INSERT INTO meta(key, value) VALUES ('generation', '1') "
            "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
        )

    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )


class _Transaction:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.conn.execute("ROLLBACK" if exc_type else "COMMIT")


def _record(row: sqlite3.Row) -> DocumentRecord:
    fields = dict(zip(row.keys(), row))
    fields["years"] = json.loads(fields["years"])
    return DocumentRecord(**fields)


def _chunk(r: sqlite3.Row) -> Chunk:
    return Chunk(
        id=r["id"],
        doc_id=r["doc_id"],
        file_name=r["file_name"],
        text=r["text"],
        heading_path=tuple(json.loads(r["heading_path"])),
        page_start=r["page_start"],
        page_end=r["page_end"],
        char_start=r["char_start"],
        char_end=r["char_end"],
        ordinal=r["ordinal"],
        year=r["year"],
        period_kind=r["period_kind"],
        kind=r["kind"],
        doc_title=r["doc_title"],
    )
