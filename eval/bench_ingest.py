"""Ingest throughput: the warm embedder alone against the whole pipeline, on the same chunk texts.

Medians over repeats, the two sides alternated so a burst of load elsewhere tends to hit both; the
pipeline's own cost (everything but embedding) is measured inside the same runs, which load hardly moves.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from index import KnowledgeBase
from index.tokenize import tokenize

from .bench_inputs import chunk_texts
from .bench_machine import Log, forget_chroma_clients, load_average
from .bench_machine import log_to_stderr as _stderr

BATCH = 32  # KnowledgeBase.add_file embeds in batches of 32


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
        forget_chroma_clients()
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
