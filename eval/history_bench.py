"""CPU cost of one question asked with a long conversation history.

Run ``python -m eval.history_bench [--data-dir D] [--turns 50] [--chars 2000]``.
The sample corpus (and the real seed, when it is beside the checkout) is
ingested into a fresh knowledge base, or ``--data-dir`` is reused. Each earlier
turn is ``--chars`` characters of indicator names run together: the worst case
for question understanding, which looks every indicator alias up in the text.
Printed: CPU seconds (``time.process_time``) for question understanding alone
and for a whole ``Assistant.ask``, with and without that history; the last
line is one JSON object.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import argparse
import json
import tempfile
import time
from pathlib import Path

QUESTION = "2024年进馆人数是多少？"


def history_turns(alias_names: list[str], turns: int, chars: int) -> list[str]:
    """``turns`` texts of ``chars`` characters, each a run of indicator names (shifted per turn)."""
    out = []
    for t in range(turns):
        text, i = "", t
        while len(text) < chars:
            text += alias_names[i % len(alias_names)] + "，"
            i += 1
        out.append(text[:chars])
    return out


def cpu_seconds(fn) -> float:
    started = time.process_time()
    fn()
    return time.process_time() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--turns", type=int, default=50)
    parser.add_argument("--chars", type=int, default=2000)
    args = parser.parse_args(argv)

    from assistant import Assistant
    from assistant.aliases import indicator_aliases
    from assistant.query import understand
    from eval.common import knowledge_base

    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="lantai-history-bench-")) / "data"
    kb = knowledge_base(data_dir)
    assistant = Assistant(kb)
    indicators = kb.metrics.indicators
    history = history_turns([alias for alias, _ in indicator_aliases(indicators)], args.turns, args.chars)
    assistant.ask(QUESTION)  # warm: models loaded, caches filled

    def understand_with_history():
        understand(
            QUESTION,
            indicators=indicators,
            reference_year=assistant.reference_year(),
            orgs=assistant.holdings.orgs(),
            scopes=assistant.holdings.scopes(),
            history=history,
        )

    figures = {
        "ask_without_history_s": cpu_seconds(lambda: assistant.ask(QUESTION)),
        "understand_with_history_s": cpu_seconds(understand_with_history),
        "ask_with_history_s": cpu_seconds(lambda: assistant.ask(QUESTION, history=history)),
    }
    print(f"history: {args.turns} turns x {args.chars} characters")
    for name, value in figures.items():
        print(f"  {name:<28} {value:8.3f} CPU s")
    print(json.dumps({"turns": args.turns, "chars": args.chars, **{k: round(v, 4) for k, v in figures.items()}}))
    kb.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
