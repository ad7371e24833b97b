"""Benchmark of the WeChat word-list match: one message against a large list, p50/p95 per message.

Run: ``python -m eval.safety_bench [--words 10000] [--chars 500] [--messages 2000] [--seed 7]``.

The list is made up here (seeded): ``--words`` entries of 2–6 common Chinese characters in
a few categories, a twentieth of them whitelisted; the messages are ``--chars`` characters
drawn from the same characters, so partial matches are everywhere and some messages hit. Each
message is timed through ``WordList.find`` (normalising included), as the channel calls it.
Printed: the list size, the message length, how many messages hit, p50, p95 and max in ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time

from eval.common import percentile
from ui.wechat.safety import WHITELIST, parse_words

CATEGORIES = ("政治敏感", "色情", "暴力", "赌博", "广告引流", "诈骗")
# Common characters of everyday Chinese: a word list over them overlaps real text the most.
CHARS = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可也你说年"
    "面而发多经行家方学如都同现当没动起看把还好天定心只前所本见问从回里此实工理"
)


def make_list(words: int, rng: random.Random) -> str:
    lines: list[str] = []
    seen: set[str] = set()
    while len(seen) < words:
        word = "".join(rng.choices(CHARS, k=rng.randint(2, 6)))
        if word in seen:
            continue
        seen.add(word)
        category = WHITELIST if rng.random() < 0.05 else rng.choice(CATEGORIES)
        lines.append(f"{category}\t{word}")
    return "\n".join(lines)


def run(words: int = 10_000, chars: int = 500, messages: int = 2000, seed: int = 7) -> dict:
    rng = random.Random(seed)
    built = time.perf_counter()
    word_list = parse_words(make_list(words, rng))
    build_ms = (time.perf_counter() - built) * 1000
    texts = ["".join(rng.choices(CHARS + "，。？ ", k=chars)) for _ in range(messages)]
    for text in texts[:50]:  # warm up
        word_list.find(text)
    times, hit = [], 0
    for text in texts:
        started = time.perf_counter()
        found = word_list.find(text)
        times.append((time.perf_counter() - started) * 1000)
        hit += bool(found)
    ordered = sorted(times)
    return {
        "words": len(word_list.pairs),
        "chars": chars,
        "messages": messages,
        "hit": hit,
        "build_ms": round(build_ms, 1),
        "p50_ms": statistics.median(times),
        "p95_ms": percentile(times, 0.95),
        "max_ms": ordered[-1],
    }


def report(r: dict) -> None:
    print(
        f"word list: {r['words']} entries (automaton built in {r['build_ms']} ms); "
        f"messages: {r['messages']} of {r['chars']} characters; with a hit: {r['hit']}"
    )
    print(f"match time per message: p50 {r['p50_ms']:.3f} ms · p95 {r['p95_ms']:.3f} ms · max {r['max_ms']:.3f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=10_000)
    parser.add_argument("--chars", type=int, default=500)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if args.words < 1 or args.chars < 1 or args.messages < 1:
        parser.error("--words, --chars and --messages must be at least 1")
    report(run(args.words, args.chars, args.messages, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
