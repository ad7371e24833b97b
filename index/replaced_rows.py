"""One home for what replacing a document's row removes: the old row of its id or path, with its chunks
and figures. Both a newly indexed document and a duplicate's record replace rows this way."""

from __future__ import annotations

import sqlite3


def drop_rows(c: sqlite3.Connection, doc_id: str, path: str) -> None:
    """Inside a transaction: the rows a new row of this id or path replaces, with their figures and chunks."""
    owned = "doc_id IN (SELECT id FROM documents WHERE id = ? OR path = ?)"
    for table in ("figures", "chunks"):
        c.execute(f"DELETE FROM {table} WHERE {owned}", (doc_id, path))
    c.execute("DELETE FROM documents WHERE id = ? OR path = ?", (doc_id, path))
