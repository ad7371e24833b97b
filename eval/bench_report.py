"""The benchmark's human-readable report: machine header, ingest, search and asks per base, naive baseline."""

from __future__ import annotations

from .bench_summary import ratio

SEARCH_COLUMNS = [
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
NAIVE_COLUMNS = [
    "chunks",
    "search p50",
    "search p95",
    "metrics ask p95",
    "extr ask p95",
    "RSS MB",
    "start-up s",
    "p95 naive/Lantai",
]


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _f(value, spec: str = ".1f") -> str:
    return "—" if value is None else format(value, spec)


def format_report(results: dict) -> str:
    out = _header(results)
    out.append("")
    out += _ingest_section(results)
    out.append("")
    out += _search_section(results)
    out += _naive_section(results)
    return "\n".join(out)


def _header(results: dict) -> list[str]:
    m = results["machine"]
    pools = ", ".join(f"{p['lib']}={p['threads']}" for p in m.get("threadpools", [])) or "n/a"
    return [
        "== Lantai benchmark ==",
        f"python {m['python']} on {m['platform']}; cpu_count={m['cpu_count']} usable={m.get('cpus_usable')} "
        f"threadpools: {pools}; load average at start {m.get('loadavg')}; embedder {results.get('embedder')}",
        "NOTE: " + results["note"] + f"; synthetic sizes: {results['synthetic']}",
    ]


def _ingest_section(results: dict) -> list[str]:
    ing, naive_ing = results["ingest_detail"], results["naive_ingest"]
    table = _table(
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
    verdict = "OK" if ing["ratio"] <= 1.3 else "MISSED"
    return [
        f"-- Ingest: {ing['files']} files, {ing['chunks']} chunks, median of {ing['repeats']} --",
        table,
        f"ratio pipeline/embedder = {ing['ratio']:.3f} (target <= 1.3: {verdict}); pipeline's own cost "
        f"{ing['pipeline_overhead_seconds']:.2f} s; naive pipeline/embedder = {naive_ing['ratio']:.3f} "
        f"({naive_ing['chunks']} chunks of its own splitter)",
    ]


def _search_row(r: dict) -> list[str]:
    return [
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


def _search_section(results: dict) -> list[str]:
    return [
        "-- Search, k=5 (ms), ask (ms), memory, build; fresh serving process per base --",
        _table([SEARCH_COLUMNS] + [_search_row(r) for r in results["sizes"]]),
        "metrics ask: every figure question of the QA set; table ask: those the metrics table answered "
        "(target p95 <= 20 ms); start-up CPU s: the serving process's own CPU time to its first answer, "
        "which other processes' load hardly moves",
        "floor parts p50 (embed / chroma / bm25, ms): "
        + "; ".join(
            f"{r['chunks']}: " + " / ".join(f"{v:.1f}" for v in r["floor_parts_p50_ms"].values())
            for r in results["sizes"]
        ),
    ]


def _naive_section(results: dict) -> list[str]:
    naive_rows = [(r["chunks"], r["naive"]) for r in results["sizes"] if "naive" in r]
    if not naive_rows:
        return []
    ours = {r["chunks"]: r for r in results["sizes"]}
    rows = [NAIVE_COLUMNS]
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
                _f(ratio(n["hybrid_p95_ms"], ours[chunks]["hybrid_p95_ms"]), ".1f"),
            ]
        )
    return [
        "",
        "-- Naive llama-index pipeline on the same chunks and vectors (its only search: vector) --",
        _table(rows),
    ]
