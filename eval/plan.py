"""Check drafted plans against hand-written expectations: problems answered, numbers verified, items cited,
carried-over items found, previous-plan items judged, passed deadlines flagged.

The sample corpus and the real seed are ingested into a fresh knowledge base (or ``--data-dir``); each
case of ``eval/gold/plan.jsonl`` is drafted in the embedded (deterministic) mode and its shares printed.

    python -m eval.plan [--data-dir DIR] [--show]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from eval import common

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def load_gold() -> list[dict]:
    return common.load_gold("plan.jsonl")


def _share(found: int, total: int) -> str:
    return f"{found}/{total} = {found / total:.3f}" if total else "—"


def evaluate(kb, case: dict) -> dict:
    from assistant.plan import draft_plan, measure
    from assistant.plan.model import CARRIED, RECOVERY, TO_CHECK

    start = time.perf_counter()
    draft = draft_plan(kb, case["year"], case["org"])
    seconds = time.perf_counter() - start
    checks = measure(draft)
    items = draft.items()
    carried_text = " ".join(i.text for i in items if CARRIED in i.tags)
    flagged_text = " ".join(i.text for i in items if TO_CHECK in i.tags)
    recovery_text = " ".join(i.text for i in items if RECOVERY in i.tags)
    labels = [p.label for p in draft.problems]
    status = {j.item: j.status for j in draft.carry}

    def judged(phrase: str, wanted: str) -> bool:  # the gold phrase names the item it is part of
        return any(phrase in item and s == wanted for item, s in status.items())

    return {
        "case": case["case"],
        "seconds": seconds,
        "checks": checks,
        "problems_found": sum(p in labels for p in case["problems"]),
        "problems_gold": len(case["problems"]),
        "carried_found": sum(c in carried_text for c in case["carried"]),
        "carried_gold": len(case["carried"]),
        "judged": sum(judged(p, "done") for p in case["done"])
        + sum(judged(p, "continuing") for p in case["continuing"]),
        "judged_gold": len(case["done"]) + len(case["continuing"]),
        "deadlines_found": sum(d in flagged_text for d in case["deadlines"]),
        "deadlines_gold": len(case["deadlines"]),
        "recovery_found": sum(f"推动{r}" in recovery_text for r in case["recovery"]),
        "recovery_gold": len(case["recovery"]),
        "missing": [c for c in case["carried"] if c not in carried_text],
        "draft": draft,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--show", action="store_true", help="print each draft's Markdown")
    args = parser.parse_args(argv)

    from assistant.plan import to_markdown

    gold = load_gold()
    if not common.SEED.exists():
        gold = [g for g in gold if not g["case"].startswith("seed")]
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        kb = common.knowledge_base(args.data_dir or Path(tmp) / "data")
        results = [evaluate(kb, case) for case in gold]
        kb.close()
    for r in results:
        c = r["checks"]
        print(f"\n{r['case']}: {c.items} items, {c.projected} projected targets, drafted in {r['seconds']:.2f} s")
        print(f"  problems found           {_share(r['problems_found'], r['problems_gold'])}")
        print(f"  problems answered        {_share(c.problems_answered, c.problems)}")
        print(f"  numbers verified         {_share(c.numbers_verified, c.numbers)}")
        print(f"  items citing             {_share(c.items_cited, c.items)}")
        print(
            f"  carried-over items found {_share(r['carried_found'], r['carried_gold'])}"
            + (f"  missing: {r['missing']}" if r["missing"] else "")
        )
        print(f"  previous items judged    {_share(r['judged'], r['judged_gold'])}")
        print(f"  passed deadlines flagged {_share(r['deadlines_found'], r['deadlines_gold'])}")
        print(f"  recovery measures        {_share(r['recovery_found'], r['recovery_gold'])}")
        if args.show:
            print(to_markdown(r["draft"]))
        failed |= c.problem_share < 1 or c.verified_share < 1 or c.cited_share < 1
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
