"""Keyword search: jieba tokens scored by BM25 (bm25s), persisted beside Chroma.

The index is a cache derived from the registry: it records the registry
generation it was built from and is rebuilt (in well under a second for 10k
chunks) whenever that generation moved on, so it can never disagree with what
the registry says is ready — not even after a crash mid-ingest.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Iterable

import bm25s
import numpy as np

from .tokenize import tokenize


class KeywordIndex:
    def __init__(self, directory: Path):
        self.directory = directory
        self._retriever: bm25s.BM25 | None = None
        self._ids: list[str] = []
        self.generation = -1
        self._load()

    def _load(self) -> None:
        meta = self.directory / "lantai.json"
        if not meta.exists():
            return
        info = json.loads(meta.read_text(encoding="utf-8"))
        self._ids = info["ids"]
        self.generation = info["generation"]
        self._retriever = bm25s.BM25.load(str(self.directory), show_progress=False) if self._ids else None

    def rebuild(self, items: Iterable[tuple[str, str]], generation: int) -> None:
        """Index (chunk id, text) pairs and swap the new index in atomically."""
        ids: list[str] = []
        corpus: list[list[str]] = []
        for chunk_id, text in items:
            ids.append(chunk_id)
            corpus.append(tokenize(text) or ["∅"])
        retriever = None
        tmp = self.directory.with_name(self.directory.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        if ids:
            retriever = bm25s.BM25()
            retriever.index(corpus, show_progress=False)
            retriever.save(str(tmp), show_progress=False)
        (tmp / "lantai.json").write_text(json.dumps({"ids": ids, "generation": generation}), encoding="utf-8")
        old = self.directory.with_name(self.directory.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if self.directory.exists():
            os.replace(self.directory, old)
        os.replace(tmp, self.directory)
        shutil.rmtree(old, ignore_errors=True)
        self._retriever, self._ids, self.generation = retriever, ids, generation

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """Best (chunk id, BM25 score) pairs; chunks with no query term are left out."""
        if self._retriever is None or not self._ids:
            return []
        tokens = tokenize(query)
        if not tokens:
            return []
        k = min(k, len(self._ids))
        docs, scores = self._retriever.retrieve([tokens], k=k, show_progress=False, n_threads=1)
        out = []
        for idx, score in zip(np.asarray(docs[0]), np.asarray(scores[0])):
            if score > 0:
                out.append((self._ids[int(idx)], float(score)))
        return out

    def __len__(self) -> int:
        return len(self._ids)
