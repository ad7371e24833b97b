"""Keyword index rebuild time: from scratch, and after one chunk is added in a new process.

The index is rebuilt whenever the registry changes; segmenting text is most of that work, so tokens
are kept by chunk id. This prints the median of several runs for both cases at N chunks made from
the sample corpus's text.

    python -m eval.keyword_bench [--chunks 10000] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path


def corpus_texts(n: int) -> list[tuple[str, str]]:
    from corpus import build_corpus

    with tempfile.TemporaryDirectory() as tmp:
        text = "".join(p.read_text(encoding="utf-8") for p in build_corpus(Path(tmp)) if p.suffix in (".md", ".txt"))
    step = max(1, (len(text) - 400) // n)
    return [(f"c{i}", text[(i * step) % (len(text) - 400) :][:400] + f"（第{i}段）") for i in range(n)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)

    from index.keywords import TOKENS_FILE, KeywordIndex

    items = corpus_texts(args.chunks)
    full, incremental = [], []
    for _run in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            directory = Path(tmp) / "bm25"
            start = time.perf_counter()
            KeywordIndex(directory).rebuild(items, 1)
            full.append(time.perf_counter() - start)
            assert (directory / TOKENS_FILE).exists()
            reopened = KeywordIndex(directory)  # as a new process sees it
            start = time.perf_counter()
            reopened.rebuild(items + [("added", "新增的一段：读书驿站建设与运营评估")], 2)
            incremental.append(time.perf_counter() - start)
    f, i = statistics.median(full), statistics.median(incremental)
    print(f"keyword index, {args.chunks} chunks, median of {args.runs}:")
    print(f"  rebuild from scratch            {f:.2f} s")
    print(f"  rebuild after adding one chunk  {i:.2f} s  (tokens reused; ratio {i / f:.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
