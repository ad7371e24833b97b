"""Checks on a knowledge base's stored state, shared by the lock, cancel and fault tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from index import KnowledgeBase

REPO = Path(__file__).resolve().parents[1]
ENV = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", ANONYMIZED_TELEMETRY="False", COLUMNS="200")


def write_summaries(folder: Path, files: int = 6, items: int = 60, start: int = 2010) -> Path:
    """Yearly summaries of several chunks each (distinct years and figures, so distinct documents and chunk ids)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(files):
        year = start + i
        sentences = "".join(
            f"第{j + 1}项：{year}年全年开展阅读推广活动{1000 * (i + 1) + j}场次，服务读者{i + 1}.{j:03d}万人次。"
            for j in range(items)
        )
        (folder / f"summary-{year}.txt").write_text(
            f"青川区图书馆{year}年工作总结\n\n一、主要工作\n\n{sentences}\n", encoding="utf-8"
        )
    return folder


def lantai(*args: str, timeout: float = 600, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The real command line, in its own process (``env``: settings added to its environment)."""
    return subprocess.run(
        [sys.executable, "-m", "ui.cli", *args],
        cwd=REPO,
        env=ENV | (env or {}),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def flat(text: str) -> str:
    """Terminal output without the line breaks a narrow console adds."""
    return "".join(text.split())


def assert_fully_searchable(kb: KnowledgeBase, pending_ok: bool = False) -> None:
    """Every chunk of every ready document is found by vector and by keyword search; no duplicates.

    Vector: each chunk's own stored vector, queried through Chroma's index, returns the chunk.
    Keyword: the BM25 index holds exactly the ready chunks. ``pending_ok``: documents an
    interrupted run left ``indexing`` may exist (invisible) and their vectors may be stored.
    """
    docs = [d for d in kb.documents() if d.status == "ready"]
    if not pending_ok:
        assert len(docs) == len(kb.documents()), [(d.file_name, d.status) for d in kb.documents()]
    chunk_ids = [c.id for c in kb.registry.ready_chunks()]
    assert len(chunk_ids) == len(set(chunk_ids)) == sum(d.chunk_count for d in docs)
    collection = kb.vectors.collection
    stored_ids = set(collection.get(include=[])["ids"])
    if pending_ok:
        assert set(chunk_ids) <= stored_ids
    else:
        assert stored_ids == set(chunk_ids)
    kb.refresh_keywords()
    assert sorted(kb.keywords._ids) == sorted(chunk_ids)
    if not chunk_ids:
        return
    stored = collection.get(ids=chunk_ids, include=["embeddings"])
    unreachable = []
    for chunk_id, vector in zip(stored["ids"], stored["embeddings"]):
        found = collection.query(query_embeddings=[list(vector)], n_results=min(3, len(chunk_ids)), include=[])
        if chunk_id not in found["ids"][0]:
            unreachable.append(chunk_id)
    assert not unreachable, f"{len(unreachable)} chunks unreachable by vector search"
