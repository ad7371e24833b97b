"""How well a reviewed answer finds its question: rephrasings served, different questions not.

``eval/gold/reviewed_pairs.jsonl`` holds pairs of a reviewed question and a question asked later,
marked ``same`` when the reviewed answer answers it (a rephrasing) or not (another year, library,
part of the year, or another thing asked about the same facts). For each similarity threshold the
eval prints the share of rephrasings served, of different questions refused, and of all pairs
decided rightly, with the real embedding model; the pairs decided wrongly at the chosen threshold
(``assistant.reviewed.SAME_QUESTION``) are listed.

    python -m eval.reviewed_match [--data-dir D]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from .common import knowledge_base, load_gold, print_json_line, table

THRESHOLDS = (0.8, 0.85, 0.88, 0.9, 0.92, 0.94, 0.96, 0.98)


def scored_pairs(data_dir: Path) -> list[dict]:
    """Each pair with its facts' agreement and the model's similarity of the two normalised questions."""
    import numpy as np

    from assistant import Assistant
    from assistant.reviewed import normalise_question, question_facts, vocabulary_of

    kb = knowledge_base(data_dir)
    vocabulary = vocabulary_of(Assistant(kb))
    out = []
    for pair in load_gold("reviewed_pairs.jsonl"):
        reviewed, asked = normalise_question(pair["reviewed"]), normalise_question(pair["asked"])
        facts_agree = (
            question_facts(pair["reviewed"], vocabulary).key() == question_facts(pair["asked"], vocabulary).key()
        )
        similarity = float(np.dot(kb.embedder.embed_query(reviewed), kb.embedder.embed_query(asked)))
        out.append({**pair, "facts_agree": facts_agree, "similarity": similarity})
    return out


def decide(pairs: list[dict], threshold: float) -> dict:
    served = [p["facts_agree"] and (p["similarity"] >= threshold) for p in pairs]
    same = [p for p, s in zip(pairs, served) if p["same"]]
    rephrased_served = sum(s for p, s in zip(pairs, served) if p["same"])
    different_refused = sum(not s for p, s in zip(pairs, served) if not p["same"])
    right = sum(s == p["same"] for p, s in zip(pairs, served))
    return {
        "threshold": threshold,
        "rephrasings_served": rephrased_served / max(1, len(same)),
        "different_refused": different_refused / max(1, len(pairs) - len(same)),
        "correct": right / max(1, len(pairs)),
    }


def main(argv: list[str] | None = None) -> None:
    from assistant.reviewed import SAME_QUESTION

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="a knowledge base of the sample corpus, kept for reruns")
    args = parser.parse_args(argv)
    if args.data_dir is not None:
        pairs = scored_pairs(args.data_dir)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            pairs = scored_pairs(Path(tmp) / "data")
    rows = [decide(pairs, t) for t in sorted({*THRESHOLDS, SAME_QUESTION})]
    columns = [("threshold", ">9", ".2f"), ("rephrasings", ">11", ".3f"), ("different", ">9", ".3f")]
    print(f"{sum(p['same'] for p in pairs)} rephrasings, {sum(not p['same'] for p in pairs)} different questions")
    print(table([*columns, ("correct", ">7", ".3f")], [list(r.values()) for r in rows]))
    print(f"\nwrong at {SAME_QUESTION}:")
    for p in pairs:
        served = p["facts_agree"] and p["similarity"] >= SAME_QUESTION
        if served != p["same"]:
            print(f"  {p['similarity']:.3f} facts {'=' if p['facts_agree'] else '≠'} {p['reviewed']} | {p['asked']}")
    print_json_line({"pairs": len(pairs), "thresholds": rows})


if __name__ == "__main__":
    main()
