"""Topics, and the standing measures that answer a problem when last year's plan has none."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

MEASURES_FILE = Path(__file__).with_name("measures.yaml")


@dataclass(frozen=True)
class Topic:
    name: str
    words: tuple[str, ...]
    measure: str = ""
    recovery: str = ""
    guarantee: str = ""


@lru_cache(maxsize=4)
def load_topics(path: Path = MEASURES_FILE) -> tuple[Topic, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return tuple(
        Topic(
            name,
            tuple(spec.get("words", ())),
            spec.get("measure", ""),
            spec.get("recovery", ""),
            spec.get("guarantee", ""),
        )
        for name, spec in data.items()
    )


def topics_of(text: str) -> list[Topic]:
    """Topics named in a text, the most mentioned first."""
    scored = [(sum(text.count(w) for w in t.words), i, t) for i, t in enumerate(load_topics())]
    return [t for n, _, t in sorted(scored, key=lambda s: (-s[0], s[1])) if n > 0]


def topic(name: str) -> Topic | None:
    return next((t for t in load_topics() if t.name == name), None)
