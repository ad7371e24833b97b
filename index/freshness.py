"""The keyword index follows the registry, across every process serving one data directory.

The registry's generation (one SQLite row, bumped by every change search can
see) is read on each request; when it moved, the keyword index catches up:

- a build of that generation published by another process is mapped (cheap:
  nothing is segmented or scored again);
- while another process ingests or rebuilds (it holds the index's build lock),
  the build in use keeps serving: search returns chunks of ready documents
  only, so for a moment a new document may be missing from keyword results, a
  removed one never shows; the writer publishes when it finishes;
- only when nobody is building does this process rebuild, publish, and use it.
"""

from __future__ import annotations

from collections.abc import Callable

from filelock import Timeout

from .keywords import KeywordIndex
from .registry import Registry


def refresh_keywords(
    keywords: KeywordIndex, registry: Registry, texts_of: Callable[[list[str]], dict[str, str]]
) -> None:
    """Bring ``keywords`` to ``registry``'s generation (callers serialise calls within a process)."""
    generation = registry.generation()
    if keywords.generation == generation:
        return
    if keywords.load_published() and keywords.generation == generation:
        return
    try:
        # Re-entrant within this process: a search beside this process's own ingest rebuilds, as it
        # always did; another process's ingest makes this one wait for its build instead.
        keywords.build_lock.acquire(timeout=0)
    except Timeout:
        return
    try:
        generation = registry.generation()
        keywords.load_published()
        if keywords.generation != generation:
            keywords.rebuild_ids(registry.ready_chunk_ids(), texts_of, generation)
    finally:
        keywords.build_lock.release()
