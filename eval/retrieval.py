"""Retrieval quality on the project's gold set: hit@1, hit@5 and MRR per search mode.

Run: ``python -m eval.retrieval [--data-dir D]``. Without ``--data-dir`` the
sample corpus is built into a temp dir and ingested together with the real
seed document (``../shared/seed``), into a fresh knowledge base.

A question is answered at rank r when the r-th result is a chunk of the
expected file whose text contains the expected passage snippet.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from eval.common import GOLD_DIR, SEED, knowledge_base, load_jsonl, print_json_line, squash, table

os.environ.setdefault("HF_HUB_OFFLINE", "1")

GOLD = GOLD_DIR / "retrieval.jsonl"
MODES = ("vector", "keyword", "hybrid")
TARGET_HYBRID_HIT5 = 0.95


@dataclass
class ModeScore:
    mode: str
    hit1: float
    hit5: float
    mrr: float
    misses: list[str]


def first_hit_rank(kb, item: dict, mode: str, k: int = 5) -> int | None:
    expect = squash(item["expect"])
    for rank, hit in enumerate(kb.search(item["question"], k=k, mode=mode), start=1):
        if hit.chunk.file_name == item["file"] and expect in squash(hit.chunk.text):
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="reuse or build the knowledge base here")
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args(argv)

    gold = load_jsonl(args.gold)
    if not SEED.exists():
        gold = [g for g in gold if g["file"] != SEED.name]
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir or Path(tmp) / "data"
        kb = knowledge_base(data_dir)
        started = time.perf_counter()
        scores = [score(kb, gold, mode) for mode in MODES]
        elapsed = time.perf_counter() - started
        chunks = kb.stats()["chunks"]
        kb.close()

    print(f"retrieval gold set: {len(gold)} questions over {chunks} chunks ({elapsed:.1f}s for all modes)")
    columns = [("mode", "<8", ""), ("hit@1", ">6", ".3f"), ("hit@5", ">6", ".3f"), ("MRR", ">6", ".3f")]
    print(table(columns, [(s.mode, s.hit1, s.hit5, s.mrr) for s in scores]))
    if args.show_misses:
        for s in scores:
            if s.misses:
                print(f"  {s.mode} misses: {' '.join(s.misses)}")
    hybrid = next(s for s in scores if s.mode == "hybrid")
    print_json_line(
        {s.mode: {"hit1": round(s.hit1, 4), "hit5": round(s.hit5, 4), "mrr": round(s.mrr, 4)} for s in scores}
    )
    if hybrid.hit5 < TARGET_HYBRID_HIT5:
        print(f"hybrid hit@5 {hybrid.hit5:.3f} is below the target {TARGET_HYBRID_HIT5}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
