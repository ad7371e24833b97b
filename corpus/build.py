"""Generate the binary and tabular files of the fictional 青川区图书馆 sample corpus.

Run ``python -m corpus.build [--out DIR]``. The default output is ``corpus/docs``,
where the hand-written Markdown/text documents already live; with another
``--out`` those are copied there too, so DIR holds the complete corpus.

Generated here:

* ``qingchuan-2023-summary.docx`` from ``sources/qingchuan-2023-summary.md``
* ``qingchuan-2024-summary-2025-plan.pdf`` from ``sources/qingchuan-2024-summary-2025-plan.md``
* ``qingchuan-statistics-2022-2024.xlsx`` and ``qingchuan-2024-branches.csv`` from the
  tables in this module.

Source convention (both .md sources): ``% `` title line, ``# `` heading 1,
``## `` heading 2, ``### `` heading 3, a fenced block opened by a line
```` ```table ```` holds a table (cells separated by ``|``, first row is the
header), any other non-blank line is a body paragraph.

Output is byte-for-byte deterministic: fixed document metadata dates and fixed
timestamps inside the docx/xlsx zip containers.

Parts: ``tables`` (the figures), ``source`` (reading the .md sources),
``docx_writer``, ``pdf_writer``, ``sheets`` (xlsx and csv) and ``containers``
(the deterministic zips).
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from . import CORPUS_DIR, SOURCES_DIR
from .docx_writer import build_docx
from .pdf_writer import build_pdf
from .sheets import build_csv, build_xlsx
from .tables import check_data

HAND_WRITTEN_SUFFIXES = (".md", ".txt")


def hand_written_files() -> list[Path]:
    return sorted(p for p in CORPUS_DIR.iterdir() if p.is_file() and p.suffix in HAND_WRITTEN_SUFFIXES)


def build_corpus(out_dir: Path = CORPUS_DIR) -> list[Path]:
    """Write the generated corpus files to ``out_dir`` (copying the hand-written ones
    when it is not ``corpus/docs``) and return every corpus file now in ``out_dir``."""
    check_data()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    same_dir = out_dir.resolve() == CORPUS_DIR.resolve()
    for path in hand_written_files():
        target = out_dir / path.name
        if not same_dir:
            shutil.copyfile(path, target)
        written.append(target)
    written.append(
        build_docx(
            SOURCES_DIR / "qingchuan-2023-summary.md",
            out_dir / "qingchuan-2023-summary.docx",
            title="青川区图书馆2023年工作总结",
        )
    )
    written.append(
        build_pdf(
            SOURCES_DIR / "qingchuan-2024-summary-2025-plan.md",
            out_dir / "qingchuan-2024-summary-2025-plan.pdf",
            title="青川区图书馆2024年工作总结暨2025年工作计划",
        )
    )
    written.append(build_xlsx(out_dir / "qingchuan-statistics-2022-2024.xlsx"))
    written.append(build_csv(out_dir / "qingchuan-2024-branches.csv"))
    return sorted(written)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Build the 青川区图书馆 sample corpus.")
    parser.add_argument("--out", type=Path, default=CORPUS_DIR, help="output directory (default: corpus/docs)")
    args = parser.parse_args(argv)
    for path in build_corpus(args.out):
        print(path)


if __name__ == "__main__":
    main()
