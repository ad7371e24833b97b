"""A cheap check that the registry and the vector store still agree.

The registry says which documents are ready; Chroma must hold a vector for
every one of their chunks and must be able to search them. When another
process has written the same directory (or a disk failed), Chroma's view can
lose ids: searches then fail with "Error finding id" while the registry looks
fine. A health check that only counts documents would say "ok" throughout.
This one looks up a bounded sample of ready chunk ids (the first and last of
every ready document, plus a few random ones) and runs one real vector query,
in milliseconds even for thousands of documents.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .vectors import VectorIndex

if TYPE_CHECKING:
    from .base import KnowledgeBase

RANDOM_SAMPLE = 32
MAX_SAMPLE = 2000


def consistency_problems(kb: KnowledgeBase) -> list[str]:
    """What is wrong between the registry and the vector store (English, for operators); [] when they agree."""
    if not isinstance(kb.vectors, VectorIndex):  # the stand-in for a store a full disk kept closed
        return ["vector store unavailable (disk full?): search falls back to keywords"]
    conn = kb.registry.conn
    ready_chunks = conn.execute(
        "SELECT COUNT(*) FROM chunks c JOIN documents d ON d.id = c.doc_id WHERE d.status = 'ready'"
    ).fetchone()[0]
    if not ready_chunks:
        return []
    sample = [
        r[0]
        for r in conn.execute(
            "SELECT c.id FROM chunks c JOIN documents d ON d.id = c.doc_id WHERE d.status = 'ready' AND "
            "(c.ordinal = (SELECT MIN(ordinal) FROM chunks WHERE doc_id = d.id) OR "
            " c.ordinal = (SELECT MAX(ordinal) FROM chunks WHERE doc_id = d.id)) LIMIT ?",
            (MAX_SAMPLE,),
        )
    ]
    sample += [
        r[0]
        for r in conn.execute(
            "SELECT c.id FROM chunks c JOIN documents d ON d.id = c.doc_id WHERE d.status = 'ready' "
            "ORDER BY random() LIMIT ?",
            (RANDOM_SAMPLE,),
        )
    ]
    sample = sorted(set(sample))
    problems: list[str] = []
    collection = kb.vectors.collection
    try:
        held = collection.get(ids=sample, include=["embeddings"])
    except Exception as exc:  # the store itself is broken
        return [f"vector store cannot be read: {exc}"]
    missing = set(sample) - set(held["ids"])
    if missing:
        problems.append(f"{len(missing)} of {len(sample)} sampled chunks of ready documents have no vector")
    count = collection.count()
    if count < ready_chunks:
        problems.append(f"vector store holds {count} vectors for {ready_chunks} chunks of ready documents")
    embeddings = held.get("embeddings")
    if embeddings is not None and len(embeddings):
        try:
            collection.query(query_embeddings=[list(embeddings[0])], n_results=min(5, max(1, count)), include=[])
        except Exception as exc:
            problems.append(f"vector search fails: {exc}")
    return problems


__all__ = ["consistency_problems"]
