"""Keyword search: jieba tokens scored by BM25 (bm25s), persisted beside Chroma.

The index is a cache derived from the registry: it records the registry
generation it was built from and is rebuilt whenever that generation moved on,
so it can never disagree with what the registry says is ready — not even after
a crash mid-ingest. Segmenting the text is most of a rebuild's time, so the
tokens are kept beside the index by chunk id: a chunk id is a hash of the
chunk's document, title, headings and text, so the same id always has the
same tokens (for the same tokenizer), and a rebuild after adding one file
segments only that file's chunks.
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
from collections import Counter
from pathlib import Path
from typing import Iterable

import bm25s
import numpy as np

from .tokenize import TOKENIZER_VERSION, tokenize

TOKENS_FILE = "lantai-tokens.json"
log = logging.getLogger(__name__)


class KeywordIndex:
    def __init__(self, directory: Path):
        self.directory = directory
        self._retriever: bm25s.BM25 | None = None
        self._ids: list[str] = []
        self._tokens: dict[str, list[str]] = {}
        self.generation = -1
        self._df: Counter | None = None
        self._load()

    def _load(self) -> None:
        meta = self.directory / "lantai.json"
        if not meta.exists():
            return
        info = json.loads(meta.read_text(encoding="utf-8"))
        self._ids = info["ids"]
        self.generation = info["generation"]
        self._retriever = bm25s.BM25.load(str(self.directory), show_progress=False) if self._ids else None
        tokens = self.directory / TOKENS_FILE
        if tokens.exists():
            try:
                saved = json.loads(tokens.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                saved = {}  # a damaged cache only costs a full segmentation
            if saved.get("tokenizer") == TOKENIZER_VERSION:
                self._tokens = saved.get("tokens", {})

    def rebuild(self, items: Iterable[tuple[str, str]], generation: int) -> None:
        """Index (chunk id, text) pairs and swap the new index in atomically."""
        ids: list[str] = []
        corpus: list[list[str]] = []
        tokens: dict[str, list[str]] = {}
        for chunk_id, text in items:
            ids.append(chunk_id)
            toks = self._tokens.get(chunk_id)
            if toks is None:
                toks = tokenize(text) or ["∅"]
            tokens[chunk_id] = toks
            corpus.append(toks)
        retriever = None
        if ids:
            retriever = bm25s.BM25()
            retriever.index(corpus, show_progress=False)
        self._retriever, self._ids, self.generation, self._tokens = retriever, ids, generation, tokens
        self._df = None
        try:
            self._save(retriever, ids, tokens, generation)
        except OSError:
            # A full disk (say) keeps the copy on disk old; the one in memory serves, and the next
            # open sees the old copy's generation and rebuilds it.
            log.warning("keyword index kept in memory only: could not save it", exc_info=True)

    def _save(self, retriever: "bm25s.BM25 | None", ids: list[str], tokens: dict[str, list[str]],
              generation: int) -> None:
        tmp = self.directory.with_name(self.directory.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            tmp.mkdir(parents=True)
            if retriever is not None:
                retriever.save(str(tmp), show_progress=False)
            (tmp / TOKENS_FILE).write_text(json.dumps({"tokenizer": TOKENIZER_VERSION, "tokens": tokens},
                                                      ensure_ascii=False), encoding="utf-8")
            (tmp / "lantai.json").write_text(json.dumps({"ids": ids, "generation": generation}), encoding="utf-8")
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        old = self.directory.with_name(self.directory.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if self.directory.exists():
            os.replace(self.directory, old)
        os.replace(tmp, self.directory)
        shutil.rmtree(old, ignore_errors=True)

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

    def rarity(self, term: str) -> float:
        """Inverse document frequency of a word over the indexed chunks (BM25's idf, never below 0.1):
        a word every passage holds says little about which passage answers."""
        if self._df is None:
            df: Counter = Counter()
            for toks in self._tokens.values():
                df.update(set(toks))
            self._df = df
        n = len(self._tokens) or 1
        seen = self._df.get(term.lower(), 0)
        return max(0.1, math.log(1 + (n - seen + 0.5) / (seen + 0.5)))

    def __len__(self) -> int:
        return len(self._ids)
