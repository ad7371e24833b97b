"""Keyword search: jieba tokens scored by BM25 (bm25s), persisted beside Chroma.

The index is a cache derived from the registry: it records the registry
generation it was built from and is rebuilt whenever that generation moved on,
so it can never disagree with what the registry says is ready — not even after
a crash mid-ingest.

On disk every build is a directory of its own (``v-<generation>-...``) that is
never changed once written; ``CURRENT`` names the published one and is
replaced atomically. Several processes may serve one data directory: a process
that sees the registry move on reads ``CURRENT`` and maps the newer build
instead of rebuilding it, and can never load a half-written one. The score
matrix and the chunk ids are memory-mapped, so opening an index of a million
chunks reads only its vocabulary, and the pages a query touches are shared
between processes through the page cache.

Segmenting the text is most of a rebuild's time, so tokens are kept by chunk
id in a small SQLite table beside the builds: a chunk id is a hash of the
chunk's document, title, headings and text, so the same id always has the same
tokens (for the same tokenizer), and a rebuild after adding one file segments
only that file's chunks. Nothing reads that table except a rebuild.
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import cast, overload

import bm25s
import numpy as np
from filelock import FileLock

from .tokenize import TOKENIZER_VERSION, tokenize

TOKENS_FILE = "tokens.sqlite3"
CURRENT_FILE = "CURRENT"
LOCK_FILE = "build.lock"
_LEGACY_TOKENS = "lantai-tokens.json"  # the cache's format before builds were versioned
_EMPTY = "∅"  # stands for a chunk with no keyword at all, so it still has a row
_FETCH = 900  # ids per SQL statement (SQLite allows 999 parameters by default)
log = logging.getLogger(__name__)


class ChunkIds(Sequence[str]):
    """The chunk id of each indexed row, decoded on access from a memory-mapped array."""

    def __init__(self, array: np.ndarray):
        self._array = array

    def __len__(self) -> int:
        return int(self._array.shape[0])

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [v.decode("ascii") for v in self._array[i]]
        return cast(str, self._array[i].decode("ascii"))

    def __iter__(self) -> Iterator[str]:
        for v in self._array:
            yield v.decode("ascii")


class TokenStore:
    """Tokens by chunk id (SQLite); valid only for the tokenizer version it was written by."""

    def __init__(self, path: Path):
        self.path = path
        try:
            self.conn = self._open()
        except sqlite3.DatabaseError:  # a damaged cache only costs a full segmentation
            log.warning("keyword token cache unreadable, starting it afresh: %s", path)
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
            self.conn = self._open()

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("CREATE TABLE IF NOT EXISTS tokens (id TEXT PRIMARY KEY, tokens TEXT NOT NULL)")
            conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            row = conn.execute("SELECT value FROM meta WHERE key = 'tokenizer'").fetchone()
            if row is None or row[0] != TOKENIZER_VERSION:  # tokens of another tokenizer are not trusted
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("DELETE FROM tokens")
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('tokenizer', ?)", (TOKENIZER_VERSION,))
                conn.execute("COMMIT")
        except BaseException:
            conn.close()
            raise
        return conn

    def get(self, ids: Sequence[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for i in range(0, len(ids), _FETCH):
            part = ids[i : i + _FETCH]
            rows = self.conn.execute(
                f"SELECT id, tokens FROM tokens WHERE id IN ({','.join('?' * len(part))})", part
            ).fetchall()
            out.update((r[0], r[1].split(" ")) for r in rows)
        return out

    def put(self, tokens: dict[str, list[str]]) -> None:
        if not tokens:
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            self.conn.executemany(
                "INSERT OR REPLACE INTO tokens VALUES (?, ?)", ((k, " ".join(v)) for k, v in tokens.items())
            )
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()


class KeywordIndex:
    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._retriever: bm25s.BM25 | None = None
        self._ids: ChunkIds | list[str] = []
        self._version = ""  # the build directory in use
        self.generation = -1
        self.builds = 0  # indexes this object built itself (rather than mapped another's)
        self._df: np.ndarray | None = None
        self._tokens: TokenStore | None = None
        # Held across processes while one of them ingests or rebuilds: the others keep serving the
        # build they have instead of rebuilding the same thing at once.
        self.build_lock = FileLock(self.directory / LOCK_FILE, thread_local=False)
        self._legacy_import()
        self.load_published()

    # -- reading what is published ---------------------------------------------------------
    def published(self) -> tuple[str, int] | None:
        """(build directory, generation) that ``CURRENT`` names, if any."""
        try:
            name = (self.directory / CURRENT_FILE).read_text(encoding="utf-8").strip()
            generation = int(name.split("-")[1])
        except (OSError, ValueError, IndexError):
            return None
        return name, generation

    def load_published(self) -> bool:
        """Map the published build if it is newer than the one in use; True when it was loaded."""
        current = self.published()
        if current is None or current[0] == self._version:
            return False
        name, generation = current
        try:
            self._load(self.directory / name, name, generation)
        except (OSError, ValueError, KeyError):
            # Removed by a newer publish while we read it: the next call finds the newer one.
            log.info("keyword index %s vanished while loading; keeping the one in use", name, exc_info=True)
            return False
        return True

    def _load(self, path: Path, name: str, generation: int) -> None:
        info = json.loads((path / "lantai.json").read_text(encoding="utf-8"))
        retriever: bm25s.BM25 | None = None
        ids: ChunkIds | list[str] = []
        if info["count"]:
            ids = ChunkIds(np.load(path / "ids.npy", mmap_mode="r"))
            retriever = bm25s.BM25.load(str(path), mmap=True, show_progress=False)
        self._retriever, self._ids, self._version, self.generation = retriever, ids, name, generation
        self._df = None

    # -- building --------------------------------------------------------------------------
    def rebuild(self, items: Iterable[tuple[str, str]], generation: int) -> None:
        """Index (chunk id, text) pairs, publish the build and use it."""
        texts = dict(items)
        self.rebuild_ids(list(texts), lambda ids: {i: texts[i] for i in ids}, generation)

    def rebuild_ids(self, ids: Sequence[str], texts_of: Callable[[list[str]], dict[str, str]], generation: int) -> None:
        """Index the chunks ``ids``; ``texts_of`` gives the text of those whose tokens are not cached."""
        self.build(ids, self._tokens_in_order(ids, texts_of), generation)

    def _tokens_in_order(
        self, ids: Sequence[str], texts_of: Callable[[list[str]], dict[str, str]]
    ) -> Iterator[list[str]]:
        """Each chunk's tokens, read from the cache batch by batch (a million token lists would not
        fit in memory as Python strings), segmenting and caching those it lacks."""
        store = self._token_store()
        for start in range(0, len(ids), 5000):
            part = list(ids[start : start + 5000])
            tokens = store.get(part) if store is not None else {}
            missing = [i for i in part if i not in tokens]
            if missing:
                fresh = {chunk_id: tokenize(text) or [_EMPTY] for chunk_id, text in texts_of(missing).items()}
                tokens.update(fresh)
                if store is not None:
                    try:
                        store.put(fresh)
                    except sqlite3.Error:  # a full disk (say): the tokens are only a cache
                        log.warning("keyword tokens not cached", exc_info=True)
            for chunk_id in part:
                yield tokens.get(chunk_id) or [_EMPTY]  # a chunk removed meanwhile: harmless

    def build(self, ids: Sequence[str], token_lists: Iterable[list[str]], generation: int) -> None:
        """Index already segmented chunks (one token list per id, in order), publish and use it."""
        self.builds += 1
        retriever = None
        if ids:
            vocab: dict[str, int] = {}
            corpus = [[vocab.setdefault(t, len(vocab)) for t in toks] for toks in token_lists]
            retriever = bm25s.BM25()
            retriever.index((corpus, vocab), show_progress=False)
            del corpus
        id_array = np.array([i.encode("ascii") for i in ids], dtype=f"S{max((len(i) for i in ids), default=1)}")
        name = f"v-{generation}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        try:
            self._publish(retriever, id_array, generation, name)
        except OSError:
            # A full disk (say) keeps the copy on disk old; the one in memory serves, and the next
            # open sees the old copy's generation and rebuilds it.
            log.warning("keyword index kept in memory only: could not save it", exc_info=True)
            self._retriever, self._ids, self.generation = retriever, ChunkIds(id_array), generation
            self._version, self._df = name, None
            return
        self._load(self.directory / name, name, generation)
        self._prune(keep=name)

    def _publish(self, retriever: bm25s.BM25 | None, ids: np.ndarray, generation: int, name: str) -> None:
        tmp = self.directory / f".{name}.tmp"
        try:
            tmp.mkdir(parents=True)
            if retriever is not None:
                retriever.save(str(tmp), show_progress=False)
                np.save(tmp / "ids.npy", ids)
            (tmp / "lantai.json").write_text(
                json.dumps({"generation": generation, "count": int(ids.shape[0]), "tokenizer": TOKENIZER_VERSION}),
                encoding="utf-8",
            )
            os.replace(tmp, self.directory / name)
            pointer = self.directory / f".{CURRENT_FILE}.{name}.tmp"
            pointer.write_text(name, encoding="utf-8")
            os.replace(pointer, self.directory / CURRENT_FILE)  # the build is whole before anyone sees it
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    def _prune(self, keep: str) -> None:
        """Remove builds no longer published but the one before: a process still serving that one
        keeps its mapped files readable anyway, and one that read ``CURRENT`` a moment ago can still
        open it. A build directory left half-written by a dead process goes after an hour."""
        builds = sorted(
            (p for p in self.directory.iterdir() if p.name.startswith("v-") and p.name != keep),
            key=lambda p: p.stat().st_mtime,
        )
        for path in builds[:-1]:
            shutil.rmtree(path, ignore_errors=True)
        for path in self.directory.glob(".v-*.tmp"):
            try:
                if time.time() - path.stat().st_mtime > 3600:
                    shutil.rmtree(path, ignore_errors=True)
            except OSError:
                pass

    def _token_store(self) -> TokenStore | None:
        if self._tokens is None:
            try:
                self._tokens = TokenStore(self.directory / TOKENS_FILE)
            except sqlite3.Error:
                log.warning("keyword token cache unavailable", exc_info=True)
                return None
        return self._tokens

    def _legacy_import(self) -> None:
        """Keep the tokens an index of the earlier layout (bm25/lantai-tokens.json) cached."""
        legacy = self.directory / _LEGACY_TOKENS
        if not legacy.exists():
            return
        try:
            saved = json.loads(legacy.read_text(encoding="utf-8"))
            store = self._token_store()
            if store is not None and saved.get("tokenizer") == TOKENIZER_VERSION:
                store.put(saved.get("tokens", {}))
        except (OSError, ValueError, sqlite3.Error):
            pass  # a damaged cache only costs a full segmentation
        for old in (
            "lantai.json",
            _LEGACY_TOKENS,
            "data.csc.index.npy",
            "indices.csc.index.npy",
            "indptr.csc.index.npy",
            "vocab.index.json",
            "params.index.json",
        ):
            try:
                (self.directory / old).unlink(missing_ok=True)
            except OSError:
                pass

    # -- querying --------------------------------------------------------------------------
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
        n = len(self._ids) or 1
        seen = 0
        if self._retriever is not None:
            if self._df is None:
                # Every (word, chunk) pair holding the word has a positive score: a column's length is its df.
                self._df = np.diff(np.asarray(self._retriever.scores["indptr"]))
            column = self._retriever.vocab_dict.get(term.lower())
            if column is not None and column < len(self._df):
                seen = int(self._df[column])
        return max(0.1, math.log(1 + (n - seen + 0.5) / (seen + 0.5)))

    def close(self) -> None:
        if self._tokens is not None:
            self._tokens.close()
            self._tokens = None

    def __len__(self) -> int:
        return len(self._ids)
