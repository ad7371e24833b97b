"""The benchmark's JSON summary: the figures the acceptance names, under stable keys, with their ratios.

``summarise`` adds to the raw results (``sizes``, ``ingest_detail``, ``naive_ingest``) the keys
``search``, ``ask``, ``startup_s``, ``startup_cpu_s``, ``ingest``, ``naive``, ``naive_over_lantai`` and
``synthetic``; ratios are computed from their parts.
"""

from __future__ import annotations

SEARCH_KEYS = (
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
# The figures compared naive / Lantai at each base both were measured on.
NAIVE_RATIO_KEYS = (
    "hybrid_p50_ms",
    "hybrid_p95_ms",
    "metrics_ask_p95_ms",
    "extractive_ask_p95_ms",
    "rss_mb",
    "startup_s",
)
THROUGHPUT_KEYS = ("chunks", "embedder_chunks_per_s", "pipeline_chunks_per_s", "ratio")


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


def summarise(results: dict) -> dict:
    """The figures the acceptance names, under stable keys, with ratios computed from their parts."""
    rows = results["sizes"]
    results["search"] = [{k: r[k] for k in SEARCH_KEYS} for r in rows]
    _summarise_asks(results, rows)
    ing, naive_ing = results["ingest_detail"], results["naive_ingest"]
    results["ingest"] = {k: ing[k] for k in THROUGHPUT_KEYS}
    results["naive"] = _naive_summary(rows, naive_ing)
    results["naive_over_lantai"] = _naive_over_lantai(rows, ing, naive_ing)
    results["synthetic"] = [r["size"] for r in rows if r["synthetic_chunks"] > 0]
    return results


def _summarise_asks(results: dict, rows: list[dict]) -> None:
    """Asks at the largest base up to 100k chunks (the extractive target is stated there), and start-up."""
    at = max((r for r in rows if r["chunks"] <= 150_000), key=lambda r: r["chunks"], default=rows[-1] if rows else None)
    if at is None:
        return
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


def _naive_summary(rows: list[dict], naive_ing: dict) -> dict:
    naive_rows = [r["naive"] for r in rows if "naive" in r]
    naive: dict = {
        "search": naive_rows,
        "ingest": {k: naive_ing[k] for k in THROUGHPUT_KEYS},
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
    return naive


def _naive_over_lantai(rows: list[dict], ing: dict, naive_ing: dict) -> dict:
    """naive / Lantai: above 1 means Lantai is faster (for throughput: Lantai / naive)."""
    ratios: dict = {
        "search": [],
        "ingest_chunks_per_s": ratio(ing["pipeline_chunks_per_s"], naive_ing["pipeline_chunks_per_s"]),
    }
    for r in rows:
        if "naive" in r:
            n = r["naive"]
            ratios["search"].append({"chunks": r["chunks"], **{f"{k}": ratio(n[k], r[k]) for k in NAIVE_RATIO_KEYS}})
    return ratios
