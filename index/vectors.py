"""The vector store: Chroma (cosine) reached through llama-index.

Chroma runs embedded on the data directory by default, or as a server
(``chroma_server.py``) that several worker processes share.

Chunks become llama-index ``TextNode``s only here, at the index boundary.
Chroma's own default embedding function downloads a model on first use, so
the collection is always opened with ``embedding_function=None`` and the
vectors come from our embedder.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings

from ingest import Chunk

from .chroma_server import DEFAULT_TIMEOUT, VectorStoreUnreachable, connect, is_unreachable, server_id
from .diskfull import DiskFull, is_disk_full

if TYPE_CHECKING:
    from llama_index.vector_stores.chroma import ChromaVectorStore

_Call = TypeVar("_Call", bound=Callable[..., Any])
_GET_PAGE = 5000  # ids per get: Chroma's embedded SQLite caps the variables of one statement


def collection_name(embedder_name: str) -> str:
    """One collection per embedder: vectors of different models never mix."""
    return "chunks_" + re.sub(r"[^a-zA-Z0-9_-]", "_", embedder_name)[:50]


def server_collection_name(directory: Path, embedder_name: str) -> str:
    """On a shared server, the data directory's id keeps one knowledge base's vectors apart from another's."""
    return f"lantai-{server_id(directory)}-{collection_name(embedder_name)}"


def _told_plainly(method: _Call) -> _Call:
    """A server that stopped answering becomes ``VectorStoreUnreachable`` (embedded Chroma never does)."""

    @functools.wraps(method)
    def call(self: VectorIndex, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except VectorStoreUnreachable:
            raise
        except Exception as exc:
            if self.server_url is None or not is_unreachable(exc):
                raise
            raise VectorStoreUnreachable(self.server_url, str(exc)) from exc

    return call  # type: ignore[return-value]


class VectorIndex:
    """One knowledge base's vectors: Chroma embedded in ``directory``, or on the server at ``server_url``."""

    available = True

    def __init__(
        self, directory: Path, embedder_name: str, server_url: str | None = None, timeout: float = DEFAULT_TIMEOUT
    ):
        self.server_url = server_url
        if server_url:
            self.client = connect(server_url, timeout)
            name = server_collection_name(directory, embedder_name)
        else:
            directory.mkdir(parents=True, exist_ok=True)
            self.client = chromadb.PersistentClient(
                path=str(directory), settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False)
            )
            name = collection_name(embedder_name)
        # HNSW keeps Chroma's defaults (M 16, ef_construction 100, ef_search 100), chosen by measurement
        # on a 100k-chunk base (eval.bench's filler, 2 shared cores): top-40 for the gold questions took
        # 2.6 ms p50 at ef_search 100 and the same at 40, with recall@40 0.998 against exact search;
        # ef_search 200 took 11.7 ms. Search depth is 40, so ef_search below 40 is not an option.
        self.collection = self._open_collection(name)
        self._store: ChromaVectorStore | None = None
        self._count: int | None = None  # cached: asking Chroma costs milliseconds a query

    @_told_plainly
    # Chroma's Collection, kept as Any: its declared argument types (exact numpy dtypes, a Where TypedDict)
    # are narrower than the plain lists and dicts it accepts and this module passes.
    def _open_collection(self, name: str) -> Any:
        return self.client.get_or_create_collection(name, embedding_function=None, metadata={"hnsw:space": "cosine"})

    @property
    def store(self) -> ChromaVectorStore:
        """llama-index's store over the collection, for writes; imported on first write, since
        importing llama-index is most of a serving process's start-up and search never needs it."""
        if self._store is None:
            from llama_index.vector_stores.chroma import ChromaVectorStore

            self._store = ChromaVectorStore(chroma_collection=self.collection)
        return self._store

    @_told_plainly
    def ids_of(self, doc_id: str) -> set[str]:
        got = self.collection.get(where={"doc_id": doc_id}, include=[])
        return set(got["ids"])

    @_told_plainly
    def add(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        from llama_index.core.schema import BaseNode, NodeRelationship, RelatedNodeInfo, TextNode

        nodes: list[BaseNode] = [
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

    @_told_plainly
    def delete(self, ids: Sequence[str]) -> None:
        if ids:
            self._count = None
            self.store.delete_nodes(node_ids=list(ids))

    @_told_plainly
    def delete_document(self, doc_id: str) -> None:
        self._count = None
        self.store.delete(ref_doc_id=doc_id)

    @_told_plainly
    def search(
        self, vector: np.ndarray | Sequence[float], k: int, doc_ids: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
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
        # Chroma (1.5 on) answers fewer when it holds fewer, embedded or served: no count is asked for first
        # (counting a million vectors took over a second, on a process's first search).
        result = self.collection.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)], n_results=k, where=where, include=["distances"]
        )
        # Chroma's cosine distance is 1 - cos.
        return [(i, 1.0 - float(d)) for i, d in zip(result["ids"][0], result["distances"][0])]

    @_told_plainly
    def vectors_of(self, ids: Sequence[str]) -> tuple[list[str], np.ndarray]:
        """The stored vectors of these chunks (those Chroma holds), as ids and one float32 matrix."""
        found: list[str] = []
        rows: list[np.ndarray] = []
        for i in range(0, len(ids), _GET_PAGE):
            got = self.collection.get(ids=list(ids[i : i + _GET_PAGE]), include=["embeddings"])
            found.extend(got["ids"])
            rows.append(np.asarray(got["embeddings"], dtype=np.float32).reshape(len(got["ids"]), -1))
        return found, (np.concatenate(rows) if rows else np.zeros((0, 0), dtype=np.float32))

    def forget_count(self) -> None:
        """Ask Chroma again next time: another process may have added or removed vectors."""
        self._count = None

    def close(self) -> None:
        """Let Chroma drop this directory's client when its last user closes (a later open reads it afresh)."""
        close = getattr(self.client, "close", None)
        if close is not None:
            close()

    @_told_plainly
    def count(self) -> int:
        if self.server_url is not None:  # other workers write the same collection: a cached count goes stale
            counted: int = self.collection.count()
            return counted
        if self._count is None:
            self._count = self.collection.count()
        return self._count


def copy_vectors(source: VectorIndex, target: VectorIndex, page: int = 1000) -> int:
    """Every vector of ``source`` written into ``target`` with its id, text and metadata; how many were copied.

    Moves an embedded base onto a Chroma server without embedding anything again. Upserts, so
    running it twice (after an interruption, say) leaves one copy of each vector.
    """
    copied = 0
    while True:
        got = source.collection.get(include=["embeddings", "documents", "metadatas"], limit=page, offset=copied)
        if not got["ids"]:
            break
        target.collection.upsert(
            ids=got["ids"], embeddings=got["embeddings"], documents=got["documents"], metadatas=got["metadatas"]
        )
        copied += len(got["ids"])
    target._count = None
    return copied


class UnavailableVectors:
    """Stands in for Chroma when a full disk keeps it from opening: search falls back to keywords.

    Chroma writes to its own SQLite file as it opens, so on a full disk it cannot open at all;
    reading the registry and the keyword index still works. Every write refuses with ``DiskFull``.
    """

    available = False
    server_url = None  # only an embedded store is ever unavailable this way

    def __init__(self, directory: Path):
        self.directory = directory

    def _refuse(self, *args: object, **kwargs: object) -> NoReturn:
        raise DiskFull(self.directory.parent)

    ids_of = add = delete = delete_document = _refuse

    def search(
        self, vector: np.ndarray | Sequence[float], k: int, doc_ids: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        return []

    def count(self) -> int:
        return 0

    def vectors_of(self, ids: Sequence[str]) -> tuple[list[str], np.ndarray]:
        return [], np.zeros((0, 0), dtype=np.float32)

    def forget_count(self) -> None:
        pass

    def close(self) -> None:
        pass


def open_vector_index(
    directory: Path, embedder_name: str, server_url: str | None = None, timeout: float = DEFAULT_TIMEOUT
) -> VectorIndex | UnavailableVectors:
    """Chroma for this directory (or this directory's collection on a Chroma server), or a read-only
    stand-in when the disk is too full to open embedded Chroma."""
    try:
        return VectorIndex(directory, embedder_name, server_url, timeout)
    except Exception as exc:
        if server_url or not is_disk_full(exc):
            raise
        return UnavailableVectors(directory)
