"""Bulk ingest through an OpenAI-compatible embedding endpoint: chunks/s, whole ingest vs the embedder alone.

Run ``python -m eval.embed_bench [--copies 20] [--delay-ms 50] [--batch 32] [--concurrency 4]``.

A GPU embedding server (TEI, vLLM, Ollama) is stood in for by the test suite's
stand-in (``eval/standins/openai_api.py``): a real HTTP server on 127.0.0.1 speaking
``/v1/embeddings``, answering each request after ``--delay-ms`` (the GPU's time
for one batch plus the network), with vectors that are cheap to make (their
meaning does not matter for throughput). The folder is the sample corpus copied
``--copies`` times (each copy's text documents retitled, so every copy is a
document of its own).

Measured, each ``--repeats`` times, alternating, with a fresh data dir each time:

1. the embedder alone: every chunk text the ingest embeds, in one
   ``embed_passages`` call (batches of ``--batch``, ``--concurrency`` in flight):
   what the endpoint can give at these settings;
2. the whole ingest of the folder (parse, registry, vectors into Chroma — embedded,
   or the server at ``--chroma-url`` — keyword index) through the same embedder,
   and again with one request in flight.

Medians in chunks/s and the ratio (embedder alone / whole ingest) are printed;
the last line is one JSON object. The stand-in runs in this process and takes
CPU from the same cores; on the real deployment the GPU box does that work.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import argparse
import hashlib
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from corpus import build_corpus
from index import KnowledgeBase
from index.embed import OpenAICompatibleEmbedder
from index.writer import collect_files
from ingest import parse_file

TEXT_SUFFIXES = {".txt", ".md"}
DIM = 384  # the size of bge-small / e5-small vectors: a realistic payload per request


def _standin_class():
    """The OpenAI-compatible stand-in the tests start too."""
    from eval.standins.openai_api import OpenAIStandin

    return OpenAIStandin


def cheap_vector(text: str, dim: int = DIM) -> list[float]:
    """A deterministic vector per text, far cheaper than the stand-in's n-gram hashing."""
    seed = int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")
    return np.random.default_rng(seed).standard_normal(dim).astype(np.float32).tolist()


def write_folder(out: Path, copies: int) -> list[Path]:
    """The sample corpus, ``copies`` times over; text documents get the copy's number in their title."""
    source = out / "source"
    build_corpus(source)
    for n in range(copies):
        target = out / "docs" / f"copy{n:03d}"
        target.mkdir(parents=True)
        for f in sorted(source.iterdir()):
            if f.suffix in TEXT_SUFFIXES:
                lines = f.read_text(encoding="utf-8").split("\n", 1)
                lines[0] = f"{lines[0]}（第{n + 1}册）"
                (target / f.name).write_text("\n".join(lines), encoding="utf-8")
            else:
                shutil.copy2(f, target / f.name)
    return collect_files([out / "docs"])


def embedded_texts(files: Sequence[Path]) -> list[str]:
    return [c.embed_text() for f in files for c in parse_file(f).chunks]


def time_embedder(embedder, texts: list[str]) -> float:
    started = time.perf_counter()
    vectors = embedder.embed_passages(texts)
    elapsed = time.perf_counter() - started
    assert vectors.shape[0] == len(texts)
    return len(texts) / elapsed


def time_ingest(embedder, folder: Path, data_dir: Path, chroma_url: str | None = None) -> tuple[float, int]:
    kb = KnowledgeBase(data_dir, embedder, chroma_url=chroma_url)
    try:
        report = kb.ingest([folder])
    finally:
        kb.close()
    if not report.ok:
        raise SystemExit(f"ingest failed: {[e.bilingual() for e in report.failed]}")
    return report.chunks_embedded / report.seconds, report.chunks_embedded


def run(
    copies: int, delay_ms: float, batch: int, concurrency: int, repeats: int, work: Path, chroma_url: str | None = None
) -> dict:
    standin_class = _standin_class()
    files = write_folder(work, copies)
    texts = embedded_texts(files)
    with standin_class(dim=DIM) as server:
        server.embed_delay = delay_ms / 1000
        server.vector_for = cheap_vector

        def make(n: int) -> OpenAICompatibleEmbedder:
            return OpenAICompatibleEmbedder(server.base_url, "bench", batch_size=batch, concurrency=n, dim=DIM)

        embedder, serial = make(concurrency), make(1)
        for warm in (embedder, serial):  # connections and the client's first-call set-up are not throughput
            warm.embed_passages(texts[: batch * concurrency])
        alone, whole, one_in_flight = [], [], []
        chunks = 0
        for r in range(repeats):
            alone.append(time_embedder(embedder, texts))
            rate, chunks = time_ingest(embedder, work / "docs", work / f"data-{r}", chroma_url)
            whole.append(rate)
            rate, _ = time_ingest(serial, work / "docs", work / f"serial-{r}", chroma_url)
            one_in_flight.append(rate)
            print(
                f"run {r + 1}/{repeats}: embedder alone {alone[-1]:.0f} chunks/s, whole ingest {whole[-1]:.0f}, "
                f"one request in flight {one_in_flight[-1]:.0f}",
                file=sys.stderr,
                flush=True,
            )
        max_in_flight = server.max_in_flight
    alone_med, whole_med, serial_med = (statistics.median(x) for x in (alone, whole, one_in_flight))
    return {
        "files": len(files),
        "chunks": chunks,
        "texts_embedded_alone": len(texts),
        "delay_ms": delay_ms,
        "batch_size": batch,
        "concurrency": concurrency,
        "repeats": repeats,
        "max_in_flight_seen": max_in_flight,
        "vectors": "server" if chroma_url else "embedded",
        "embedder_chunks_per_s": round(alone_med, 1),
        "pipeline_chunks_per_s": round(whole_med, 1),
        "pipeline_one_in_flight_chunks_per_s": round(serial_med, 1),
        "ratio": round(alone_med / whole_med, 2),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.embed_bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=20, help="copies of the sample corpus in the folder")
    parser.add_argument("--delay-ms", type=float, default=50.0, help="the endpoint's time per request")
    parser.add_argument("--batch", type=int, default=32, help="texts per request")
    parser.add_argument("--concurrency", type=int, default=4, help="requests in flight")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--chroma-url", default=None, help="write the vectors to this Chroma server")
    args = parser.parse_args(argv)
    if min(args.copies, args.batch, args.concurrency, args.repeats) < 1 or args.delay_ms < 0:
        parser.error("counts must be positive and the delay not negative / 数量须为正数，延迟不能为负")
    with tempfile.TemporaryDirectory(prefix="lantai-embed-bench-") as tmp:
        result = run(args.copies, args.delay_ms, args.batch, args.concurrency, args.repeats, Path(tmp), args.chroma_url)
    print(
        f"vectors: Chroma {result['vectors']}; folder: {result['files']} files, {result['chunks']} chunks; "
        f"endpoint: {args.delay_ms:g} ms a request, "
        f"batches of {args.batch}, {args.concurrency} in flight (most seen: {result['max_in_flight_seen']})"
    )
    print(f"embedder alone         {result['embedder_chunks_per_s']:>8.0f} chunks/s")
    print(
        f"whole ingest           {result['pipeline_chunks_per_s']:>8.0f} chunks/s   "
        f"(embedder alone / ingest = {result['ratio']:.2f})"
    )
    print(f"ingest, 1 in flight    {result['pipeline_one_in_flight_chunks_per_s']:>8.0f} chunks/s")
    print(f"medians of {args.repeats}; {result['cpus']} CPUs, load average {result['load_average']}")
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
