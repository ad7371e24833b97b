"""The keyword index alone at up to a million chunks: build, disk, opening it, memory, query latency.

    python -m eval.keyword_scale [--chunks 1000000] [--queries 100]

Chunks are made of the sample corpus's sentences (segmented once, so a chunk's
tokens are its sentences' tokens), indexed with ``KeywordIndex.build`` and
published. A fresh process then opens the published build (memory-mapped) and
reports the time to open it, its resident memory before and after, and the
p50/p95 of ``KeywordIndex.search`` against raw bm25s top-k on the same tokens.
The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def build(directory: Path, chunks: int, seed: int = 20251207) -> dict:
    from eval.bench import base_files, sentence_pool
    from index.keywords import KeywordIndex
    from index.tokenize import tokenize

    with tempfile.TemporaryDirectory() as tmp:
        pool = sentence_pool([f for f in base_files(Path(tmp)) if f.suffix.lower() in (".md", ".txt", ".docx")])
    tokens = [tokenize(s) for s in pool.sentences]
    rng = random.Random(seed)

    def token_lists():
        for _ in range(chunks):
            toks: list[str] = []
            for i in (rng.randrange(len(tokens)) for _ in range(rng.randint(4, 8))):
                toks += tokens[i]
            yield toks

    ids = [f"k{i:07d}" for i in range(chunks)]
    started = time.perf_counter()
    KeywordIndex(directory).build(ids, token_lists(), 1)
    return {
        "chunks": chunks,
        "build_s": time.perf_counter() - started,
        "disk_mb": sum(p.stat().st_size for p in directory.rglob("*") if p.is_file()) / 2**20,
    }


def probe(directory: Path, queries: int) -> dict:
    import psutil

    from eval.bench_probe import percentiles, questions
    from index.keywords import KeywordIndex
    from index.tokenize import tokenize

    qs = questions()["search"]
    tokenize("预热")
    before = psutil.Process().memory_info().rss / 2**20
    started = time.perf_counter()
    index = KeywordIndex(directory)
    open_s = time.perf_counter() - started
    opened = psutil.Process().memory_info().rss / 2**20
    search, raw = [], []
    for i in range(queries + 5):
        q = qs[i % len(qs)]
        t = time.perf_counter()
        index.search(q, 40)
        s = (time.perf_counter() - t) * 1000
        retriever = index._retriever
        assert retriever is not None, "the search above loaded the keyword index"
        t = time.perf_counter()
        retriever.retrieve([tokenize(q)], k=40, show_progress=False, n_threads=1)
        r = (time.perf_counter() - t) * 1000
        if i >= 5:
            search.append(s)
            raw.append(r)
    return {
        "open_s": open_s,
        "rss_before_open_mb": before,
        "rss_after_open_mb": opened,
        "rss_after_queries_mb": psutil.Process().memory_info().rss / 2**20,
        "search": percentiles(search),
        "raw_bm25s": percentiles(raw),
        "ratio_p95": float(np.percentile(search, 95) / np.percentile(raw, 95)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--probe", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe:
        print(json.dumps(probe(args.probe, args.queries)))
        return 0
    with tempfile.TemporaryDirectory(prefix="lantai-kw-") as tmp:
        directory = Path(tmp) / "bm25"
        built = build(directory, args.chunks)
        print(f"built {args.chunks} chunks in {built['build_s']:.1f} s, {built['disk_mb']:.0f} MB on disk", flush=True)
        out = subprocess.run(
            [sys.executable, "-m", "eval.keyword_scale", "--probe", str(directory), "--queries", str(args.queries)],
            capture_output=True,
            text=True,
            cwd=REPO,
            check=True,
        )
        result = {**built, **json.loads(out.stdout.strip().splitlines()[-1])}
    print(
        f"open {result['open_s']:.2f} s; RSS {result['rss_before_open_mb']:.0f} -> {result['rss_after_open_mb']:.0f} "
        f"-> {result['rss_after_queries_mb']:.0f} MB; search p50 {result['search']['p50_ms']:.1f} / p95 "
        f"{result['search']['p95_ms']:.1f} ms, raw bm25s p95 {result['raw_bm25s']['p95_ms']:.1f} ms"
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
