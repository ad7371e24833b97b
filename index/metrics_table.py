"""The figures table's schema, and a document's figures written into it.

The table lives in the registry's database; the registry writes a document's figures in the same
transaction as its chunks (see ``index.metrics`` for how they are read).
"""

from __future__ import annotations

import sqlite3

from ingest import Document, Figure

SCHEMA = """
CREATE TABLE IF NOT EXISTS figures (
    id INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    chunk_id TEXT,
    indicator TEXT NOT NULL,
    phrase TEXT NOT NULL,
    value REAL NOT NULL,
    unit TEXT NOT NULL,
    plain_value REAL NOT NULL,
    base_unit TEXT NOT NULL,
    year INTEGER,
    kind TEXT NOT NULL,
    scope TEXT NOT NULL,
    as_of TEXT,
    qualifier TEXT,
    change_pct REAL,
    change_dir TEXT,
    change_text TEXT,
    derived INTEGER NOT NULL,
    formula TEXT,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    stated TEXT NOT NULL,
    quote TEXT NOT NULL,
    check_note TEXT,
    org TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS figures_lookup ON figures(indicator, year, scope);
CREATE INDEX IF NOT EXISTS figures_doc ON figures(doc_id);
CREATE INDEX IF NOT EXISTS figures_chunk ON figures(chunk_id);
"""

_COLUMNS = (
    "doc_id, chunk_id, indicator, phrase, value, unit, plain_value, base_unit, year, kind, scope, as_of, "
    "qualifier, change_pct, change_dir, change_text, derived, formula, char_start, char_end, stated, quote, "
    "check_note, org"
)


def write_figures(conn: sqlite3.Connection, doc: Document) -> None:
    """Insert a document's figures; called inside the registry's transaction."""
    conn.execute("DELETE FROM figures WHERE doc_id = ?", (doc.doc_id,))
    conn.executemany(
        f"INSERT INTO figures ({_COLUMNS}) VALUES ({', '.join('?' * 24)})",
        [_row(doc.doc_id, f) for f in doc.figures],
    )


def _row(doc_id: str, f: Figure) -> tuple[object, ...]:
    return (
        doc_id,
        f.chunk_id,
        f.indicator,
        f.phrase,
        f.value,
        f.unit,
        f.plain_value,
        f.base_unit,
        f.year,
        f.kind,
        f.scope,
        f.as_of,
        f.qualifier,
        f.change_pct,
        f.change_dir,
        f.change_text,
        int(f.derived),
        f.formula,
        f.char_start,
        f.char_end,
        f.stated,
        f.quote,
        f.check,
        f.org,
    )
