"""Figure extraction quality: precision and recall against the project's gold lists.

Run: ``python -m eval.figures [--show-errors]``. Each gold line is one figure a
careful reader finds (see ``eval/gold/FIGURES_GUIDE.md``); a figure counts as
found when the extractor read the same (indicator, year, value, unit, kind)
from the same file. Each distinct figure of a file counts once (a figure the
text states twice is still one figure). Derived figures (推算) are not stated in the text and are
left out of the comparison.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

from eval.common import SEED, load_gold, print_json_line, table

os.environ.setdefault("HF_HUB_OFFLINE", "1")

TARGET = 0.95


def _key(indicator: str, year, value: float, unit: str, kind: str) -> tuple:
    return (indicator, year, round(float(value), 6), unit, kind)


def extracted(path: Path) -> Counter:
    from ingest import parse_file

    doc = parse_file(path)
    return Counter({_key(f.indicator, f.year, f.value, f.unit, f.kind): 1 for f in doc.figures if not f.derived})


def score(gold: list[dict], files: dict[str, Path]) -> dict:
    by_file: dict[str, Counter] = {}
    for g in gold:
        by_file.setdefault(g["file"], Counter())[_key(g["indicator"], g["year"], g["value"], g["unit"], g["kind"])] = 1
    tp = fp = fn = 0
    errors: dict[str, dict] = {}
    for name, expected in by_file.items():
        got = extracted(files[name])
        hit = expected & got
        tp += sum(hit.values())
        fn += sum((expected - got).values())
        fp += sum((got - expected).values())
        errors[name] = {
            "missed": sorted((expected - got).elements(), key=str),
            "spurious": sorted((got - expected).elements(), key=str),
        }
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {"figures": tp + fn, "extracted": tp + fp, "precision": precision, "recall": recall, "errors": errors}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args(argv)

    from corpus import build_corpus

    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        corpus_files = {p.name: p for p in build_corpus(Path(tmp))}
        results["sample corpus"] = score(load_gold("figures_corpus.jsonl"), corpus_files)
        if SEED.exists():
            results["real seed"] = score(load_gold("figures_seed.jsonl"), {SEED.name: SEED})
    columns = [
        ("set", "<14", ""),
        ("gold", ">5", ""),
        ("found", ">6", ""),
        ("precision", ">9", ".3f"),
        ("recall", ">7", ".3f"),
    ]
    print(
        table(
            columns, [(name, r["figures"], r["extracted"], r["precision"], r["recall"]) for name, r in results.items()]
        )
    )
    ok = True
    for r in results.values():
        ok &= r["precision"] >= TARGET and r["recall"] >= TARGET
    if args.show_errors:
        for r in results.values():
            for file, e in r["errors"].items():
                for m in e["missed"]:
                    print(f"  missed   {file}: {m}")
                for s in e["spurious"]:
                    print(f"  spurious {file}: {s}")
    print_json_line(
        {
            k: {"precision": round(v["precision"], 4), "recall": round(v["recall"], 4), "gold": v["figures"]}
            for k, v in results.items()
        },
        ensure_ascii=False,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
