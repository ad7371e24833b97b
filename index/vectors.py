"""The vector store: Chroma (persistent, cosine) reached through llama-index.

Chunks become llama-index ``TextNode``s only here, at the index boundary.
Chroma's own default embedding function downloads a model on first use, so
the collection is always opened with ``embedding_function=None`` and the
vectors come from our embedder.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Sequence

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings

from ingest import Chunk

from .diskfull import DiskFull, is_disk_full


def collection_name(embedder_name: str) -> str:
    """One collection per embedder: vectors of different models never mix."""
    return "chunks_" + re.sub(r"[^a-zA-Z0-9_-]", "_", embedder_name)[:50]


class VectorIndex:
    available = True

    def __init__(self, directory: Path, embedder_name: str):
        directory.mkdir(parents=True, exist_ok=True)
        self.client = chromadb.PersistentClient(
            path=str(directory), settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        )
        # HNSW keeps Chroma's defaults (M 16, ef_construction 100, ef_search 100), chosen by measurement
        # on a 100k-chunk base (eval.bench's filler, 2 shared cores): top-40 for the gold questions took
        # 2.6 ms p50 at ef_search 100 and the same at 40, with recall@40 0.998 against exact search;
        # ef_search 200 took 11.7 ms. Search depth is 40, so ef_search below 40 is not an option.
        self.collection = self.client.get_or_create_collection(
            collection_name(embedder_name), embedding_function=None, metadata={"hnsw:space": "cosine"}
        )
        self._store = None
        self._count: int | None = None  # cached: asking Chroma costs milliseconds a query

    @property
    def store(self):
        """llama-index's store over the collection, for writes; imported on first write, since
        importing llama-index is most of a serving process's start-up and search never needs it."""
        if self._store is None:
            from llama_index.vector_stores.chroma import ChromaVectorStore

            self._store = ChromaVectorStore(chroma_collection=self.collection)
        return self._store

    def ids_of(self, doc_id: str) -> set[str]:
        got = self.collection.get(where={"doc_id": doc_id}, include=[])
        return set(got["ids"])

    def add(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

        nodes = [
            TextNode(
                id_=c.id,
                text=c.embed_text(),
                embedding=vec.tolist(),
                metadata={"year": c.year or 0, "kind": c.kind},
                # llama-index writes the source node id into Chroma as doc_id / document_id.
                relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=c.doc_id)},
            )
            for c, vec in zip(chunks, vectors)
        ]
        self._count = None
        for i in range(0, len(nodes), 1000):
            self.store.add(nodes[i : i + 1000])

    def delete(self, ids: Sequence[str]) -> None:
        if ids:
            self._count = None
            self.store.delete_nodes(node_ids=list(ids))

    def delete_document(self, doc_id: str) -> None:
        self._count = None
        self.store.delete(ref_doc_id=doc_id)

    def search(self, vector: np.ndarray, k: int, doc_ids: Sequence[str] | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) pairs, best first, optionally within some documents.

        Asks Chroma directly for ids and distances only: going through llama-index's store turned
        every hit into a node (its stored JSON parsed), most of a 10k-chunk search's time.
        """
        where = None
        if doc_ids is not None:
            if not doc_ids:
                return []
            # llama-index writes the source document's id into Chroma's metadata as doc_id.
            where = {"doc_id": {"$in": list(doc_ids)}}
        k = min(k, max(1, self.count()))
        result = self.collection.query(query_embeddings=[np.asarray(vector, dtype=np.float32)], n_results=k,
                                       where=where, include=["distances"])
        # Chroma's cosine distance is 1 - cos.
        return [(i, 1.0 - float(d)) for i, d in zip(result["ids"][0], result["distances"][0])]

    def forget_count(self) -> None:
        """Ask Chroma again next time: another process may have added or removed vectors."""
        self._count = None

    def close(self) -> None:
        """Let Chroma drop this directory's client when its last user closes (a later open reads it afresh)."""
        close = getattr(self.client, "close", None)
        if close is not None:
            close()

    def count(self) -> int:
        if self._count is None:
            self._count = self.collection.count()
        return self._count


class UnavailableVectors:
    """Stands in for Chroma when a full disk keeps it from opening: search falls back to keywords.

    Chroma writes to its own SQLite file as it opens, so on a full disk it cannot open at all;
    reading the registry and the keyword index still works. Every write refuses with ``DiskFull``.
    """

    available = False

    def __init__(self, directory: Path):
        self.directory = directory

    def _refuse(self, *args, **kwargs):
        raise DiskFull(self.directory.parent)

    ids_of = add = delete = delete_document = _refuse

    def search(self, vector: np.ndarray, k: int, doc_ids: Sequence[str] | None = None) -> list[tuple[str, float]]:
        return []

    def count(self) -> int:
        return 0

    def forget_count(self) -> None:
        pass

    def close(self) -> None:
        pass


def open_vector_index(directory: Path, embedder_name: str) -> "VectorIndex | UnavailableVectors":
    """Chroma for this directory, or a read-only stand-in when the disk is too full to open it."""
    try:
        return VectorIndex(directory, embedder_name)
    except Exception as exc:
        if not is_disk_full(exc):
            raise
        return UnavailableVectors(directory)
