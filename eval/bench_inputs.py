"""What the benchmark ingests and fills its bases with: the sample corpus, the real seed, their sentences."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from corpus import build_corpus
from ingest import parse_file

REPO = Path(__file__).resolve().parents[1]
SEED_DIR = REPO.parent / "shared" / "seed"
SEED_TXT = SEED_DIR / "nanhai-library-2024-summary-2025-plan.txt"
SEED_PDF = SEED_DIR / "nanhai-library-2024-summary-2025-plan.pdf"


def base_files(dest: Path) -> list[Path]:
    """The sample corpus built into ``dest`` plus the real seed .txt and .pdf (when present)."""
    files = list(build_corpus(dest))
    files += [p for p in (SEED_TXT, SEED_PDF) if p.exists()]
    return files


def chunk_texts(files: Sequence[Path]) -> list[list[str]]:
    """Per file, the texts ingest hands the embedder."""
    return [[c.embed_text() for c in parse_file(f).chunks] for f in files]


_SENTENCE = re.compile(r"[^。！？；]+[。！？；]+[”’」』）)]*")
_NUMBERING = re.compile(
    r"^(?:[一二三四五六七八九十百]{1,3}、|[（(][一二三四五六七八九十]{1,3}[）)]|\d{1,2}[.．、](?!\d)|[（(]\d{1,2}[）)])\s*"
)


@dataclass
class _Pool:
    sections: list[tuple[str, list[str]]] = field(default_factory=list)  # (heading, sentences)
    sentences: list[str] = field(default_factory=list)


def sentence_pool(files: Sequence[Path]) -> _Pool:
    """Headings and body sentences of the given documents, grouped by section."""
    pool = _Pool()
    for path in files:
        doc = parse_file(path)
        by_section: dict[int, tuple[str, list[str]]] = {}
        for p in doc.paragraphs:
            if p.kind != "text":
                continue
            sentences = [s.strip() for s in _SENTENCE.findall(p.text) if len(s.strip()) >= 8]
            if not sentences:
                continue
            heading = _NUMBERING.sub("", p.section.heading).strip() if p.section else ""
            by_section.setdefault(id(p.section), (heading, []))[1].extend(sentences)
            pool.sentences.extend(sentences)
        pool.sections.extend(v for v in by_section.values() if v[0] and len(v[1]) >= 2)
    if not pool.sections or not pool.sentences:
        raise RuntimeError("no source sentences for the synthetic corpus")
    return pool
