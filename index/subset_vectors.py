"""Nearest chunks within a few documents, searched exactly in memory.

A question about one library of a network, or a public channel's search, may read only some
documents. Chroma filters by document by reading every vector's metadata (tens of milliseconds at
100k chunks, a second at 1M), however few documents are allowed. When the allowed documents hold few
chunks, their vectors fit in memory: read once per set of documents and per change of the base,
one matrix product ranks them all exactly, in a millisecond or two. Larger sets go to Chroma's
filter; the memory held is bounded by ``budget`` vectors over every cached set.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np

# Vectors held over every cached set (384 float32s each: 60,000 are about 90 MB), and the largest set.
DEFAULT_BUDGET = 60_000
DEFAULT_LARGEST = 30_000

Loader = Callable[[Sequence[str]], tuple[list[str], np.ndarray]]


class SubsetVectors:
    """Exact cosine search within sets of documents, their vectors kept until the base changes."""

    def __init__(self, budget: int = DEFAULT_BUDGET, largest: int = DEFAULT_LARGEST):
        self.budget = budget
        self.largest = min(largest, budget)
        self._generation: int | None = None
        self._sets: OrderedDict[frozenset[str], tuple[list[str], np.ndarray]] = OrderedDict()
        self._lock = threading.Lock()  # server threads search at once; one reads a set's vectors

    def fits(self, chunks: int) -> bool:
        """A set of documents holding this many chunks is searched here."""
        return 0 < chunks <= self.largest

    def search(
        self,
        vector: np.ndarray,
        k: int,
        doc_ids: frozenset[str],
        generation: int,
        chunk_ids: Callable[[], list[str]],
        load: Loader,
    ) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) pairs, best first, among the chunks of ``doc_ids``."""
        with self._lock:
            ids, matrix = self._vectors(doc_ids, generation, chunk_ids, load)
        if not ids:
            return []
        query = np.asarray(vector, dtype=np.float32)
        scores = matrix @ (query / (np.linalg.norm(query) or 1.0))
        top = min(k, len(ids))
        best = np.argpartition(-scores, top - 1)[:top]
        best = best[np.argsort(-scores[best])]
        return [(ids[i], float(scores[i])) for i in best]

    def _vectors(
        self, doc_ids: frozenset[str], generation: int, chunk_ids: Callable[[], list[str]], load: Loader
    ) -> tuple[list[str], np.ndarray]:
        if generation != self._generation:  # a document came, went or changed visibility
            self._sets.clear()
            self._generation = generation
        held = self._sets.get(doc_ids)
        if held is not None:
            self._sets.move_to_end(doc_ids)
            return held
        ids, matrix = load(chunk_ids())
        if len(ids):
            norms = np.linalg.norm(matrix, axis=1, keepdims=True)
            matrix = matrix / np.where(norms == 0, 1.0, norms)
        held = (ids, matrix)
        self._sets[doc_ids] = held
        while sum(len(i) for i, _ in self._sets.values()) > self.budget and len(self._sets) > 1:
            self._sets.popitem(last=False)  # the set used longest ago
        return held


__all__ = ["SubsetVectors", "DEFAULT_BUDGET", "DEFAULT_LARGEST"]
