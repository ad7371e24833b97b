"""Each document's near-duplicate signature and how it was read, stored in the registry.

A signature (``index.near_duplicates``) is written beside the document when it is recorded, so a new
document is compared with every stored one without reading any of them again. A base made before
signatures existed gets the table and columns when it opens (``migrate``); its documents' signatures
are computed once, from the text the registry already holds, the first time an ingest compares
(``stored``). Whether such a document was read by OCR is found from its file, if it is still there.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from .near_duplicates import SIGNATURE_VERSION, signature

SCHEMA = """
CREATE TABLE IF NOT EXISTS signatures (
    doc_id TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    version TEXT NOT NULL,
    minhash BLOB NOT NULL
);
"""


@dataclass(frozen=True)
class Stored:
    """One stored document as the duplicate check sees it."""

    doc_id: str
    path: str
    minhash: bytes
    read_by_ocr: bool


def migrate(conn: sqlite3.Connection) -> None:
    """Bring a registry of any earlier schema up to signatures (idempotent, run on every open)."""
    conn.executescript(SCHEMA)
    columns = {r[1] for r in conn.execute("PRAGMA table_info(documents)")}
    if "duplicate_of" not in columns:
        conn.execute("ALTER TABLE documents ADD COLUMN duplicate_of TEXT")
    if "read_by_ocr" not in columns:  # NULL: not known yet (a document stored before the column)
        conn.execute("ALTER TABLE documents ADD COLUMN read_by_ocr INTEGER")


def write(conn: sqlite3.Connection, doc_id: str, minhash: bytes, read_by_ocr: bool) -> None:
    """Inside the caller's transaction: the document's signature and how it was read."""
    conn.execute("UPDATE documents SET read_by_ocr = ? WHERE id = ?", (int(read_by_ocr), doc_id))
    conn.execute(
        "INSERT INTO signatures (doc_id, version, minhash) VALUES (?, ?, ?) "
        "ON CONFLICT(doc_id) DO UPDATE SET version = excluded.version, minhash = excluded.minhash",
        (doc_id, SIGNATURE_VERSION, minhash),
    )


def stored(
    conn: sqlite3.Connection,
    statuses: tuple[str, ...],
    ocr_of: Callable[[Path], bool],
    transaction: Callable[[], AbstractContextManager[sqlite3.Connection]],
) -> list[Stored]:
    """Signatures of the documents of these statuses; those missing (or of an older recipe) are made
    from the stored text and written (in ``transaction``), once."""
    marks = ",".join("?" * len(statuses))
    rows = conn.execute(
        f"SELECT d.id, d.path, d.read_by_ocr, s.version, s.minhash FROM documents d "
        f"LEFT JOIN signatures s ON s.doc_id = d.id WHERE d.status IN ({marks})",
        statuses,
    ).fetchall()
    out: list[Stored] = []
    missing: list[Stored] = []
    for doc_id, path, ocr, version, minhash in rows:
        if version == SIGNATURE_VERSION and ocr is not None:
            out.append(Stored(doc_id, path, minhash, bool(ocr)))
            continue
        if version != SIGNATURE_VERSION:
            text = conn.execute("SELECT text FROM documents WHERE id = ?", (doc_id,)).fetchone()[0]
            minhash = signature(text or "")
        missing.append(Stored(doc_id, path, minhash, bool(ocr) if ocr is not None else _ocr(ocr_of, path)))
    if missing:
        with transaction() as c:
            for s in missing:
                write(c, s.doc_id, s.minhash, s.read_by_ocr)
    return out + missing


def _ocr(ocr_of: Callable[[Path], bool], path: str) -> bool:
    try:
        return Path(path).is_file() and ocr_of(Path(path))
    except Exception:  # an unreadable file is not known to be a scan
        return False
