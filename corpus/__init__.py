"""The fictional 青川区图书馆 sample corpus (2022–2024) and its generator.

``CORPUS_DIR`` is ``corpus/docs``: hand-written .md/.txt documents live there and the
generated .docx/.pdf/.xlsx/.csv are written there by default (``python -m corpus.build``).
``build_corpus(out_dir)`` builds the complete corpus into ``out_dir`` and returns its
files. Every figure is listed in ``FACTS.md``.

The generator: ``build`` (entry point), ``tables`` (the figures of the workbook and CSV),
``source`` (reading the .md sources), one writer per format (``docx_writer``, ``pdf_writer``,
``sheets`` for xlsx and csv) and ``containers`` (deterministic zips).
"""

from __future__ import annotations

from pathlib import Path

CORPUS_DIR = Path(__file__).resolve().parent / "docs"
SOURCES_DIR = Path(__file__).resolve().parent / "sources"


def build_corpus(out_dir: Path = CORPUS_DIR) -> list[Path]:
    """Build the complete corpus into ``out_dir``; return every corpus file written or copied."""
    from .build import build_corpus as _build  # imported lazily: keeps `python -m corpus.build` clean

    return _build(out_dir)


__all__ = ["CORPUS_DIR", "SOURCES_DIR", "build_corpus"]
