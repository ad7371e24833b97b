"""Vectors of several documents written to Chroma in one call, each document made visible only after.

A Chroma write costs 45–65 ms whatever its size (its SQLite commit and index
persistence dominate), so writing each document's vectors on their own made a
folder of small documents spend more time writing than embedding. Here vectors
wait in memory until enough have gathered, or until a finished document has
waited a second (a slow embedder still shows each document soon after its
vectors are made), then go out in one write, and only then are the documents
they complete marked ready in one registry transaction.

Each document stays atomic as before: it is ``indexing`` (invisible to search)
until every one of its vectors is in Chroma. If the process dies with vectors
still waiting, those documents are still ``indexing`` and the next ingest
finishes them (vectors already written are reused: ids are content hashes).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ingest import Chunk

# Vectors gathered before one write: enough to spread a write's fixed cost over many small documents,
# few enough that a crash loses little embedding work (about 1.5 MB of vectors at 384 dimensions).
FLUSH_AT = 1000
# Longest a finished document waits for the write that makes it searchable.
WAIT_AT_MOST = 1.0


class VectorWriteFailed(RuntimeError):
    """One write of several documents' vectors failed; those documents are reported failed."""


@dataclass
class Finished:
    """A document whose vectors are all embedded, waiting for them to be written to turn ready."""

    doc_id: str
    name: str  # the file's name, as the ingest report lists it


@dataclass
class VectorWrites:
    """Vectors and finished documents waiting for one write."""

    flush_at: int = FLUSH_AT
    wait_at_most: float = WAIT_AT_MOST
    chunks: list[Chunk] = field(default_factory=list)
    parts: list[np.ndarray] = field(default_factory=list)
    finished: list[Finished] = field(default_factory=list)
    _first_finished: float = 0.0  # monotonic time the oldest waiting document finished

    def add(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        self.chunks.extend(chunks)
        self.parts.append(np.asarray(vectors, dtype=np.float32))

    def finish(self, doc: Finished) -> None:
        if not self.finished:
            self._first_finished = time.monotonic()
        self.finished.append(doc)

    @property
    def due(self) -> bool:
        """Enough vectors gathered, or a finished document has waited long enough."""
        return len(self.chunks) >= self.flush_at or (
            bool(self.finished) and time.monotonic() - self._first_finished >= self.wait_at_most
        )

    def take(self) -> tuple[list[Chunk], np.ndarray, list[Finished]]:
        """The vectors and documents waiting, emptying the buffer."""
        chunks, finished = self.chunks, self.finished
        vectors = np.vstack(self.parts) if self.parts else np.zeros((0, 0), dtype=np.float32)
        self.chunks, self.parts, self.finished = [], [], []
        return chunks, vectors, finished

    def drop_document(self, doc_id: str) -> None:
        """Forget a document's waiting vectors (it was cut off and is being removed)."""
        self.finished = [f for f in self.finished if f.doc_id != doc_id]
        keep = [i for i, c in enumerate(self.chunks) if c.doc_id != doc_id]
        if len(keep) == len(self.chunks):
            return
        vectors = np.vstack(self.parts)[keep] if keep else None
        self.chunks = [self.chunks[i] for i in keep]
        self.parts = [vectors] if vectors is not None else []
