"""Ingest fidelity on the real seed document: does every format yield the same text?

Run: ``python -m eval.fidelity [--seed-dir DIR] [--skip-ocr]``. The seed
(``../shared/seed`` beside the checkout by default) holds one work document as
plain text, as a text-layer PDF and as a scanned PDF. Each goes through
``ingest.parse_file``; the cleaned text of the .txt is the reference.

Measured per format:

- text share: characters of the reference matched in order by the format's
  text, all whitespace removed (targets: PDF ≥ 0.99, OCR ≥ 0.97);
- headings: every 一、 and （一） heading of the reference found among the
  format's section headings;
- document type and years: 总结暨计划, reported 2024, planned 2025;
- number cuts: no chunk starts or ends inside a number.

Exits non-zero when a target is missed.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

SEED_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "seed"
SEED_STEM = "nanhai-library-2024-summary-2025-plan"
FORMATS = {"txt": ".txt", "pdf": ".pdf", "ocr": ".scanned.pdf"}

TARGET_RATIO = {"txt": 1.0, "pdf": 0.99, "ocr": 0.97}
EXPECTED_TYPE = "总结暨计划"
EXPECTED_REPORT_YEAR = 2024
EXPECTED_PLAN_YEAR = 2025

_WHITESPACE = re.compile(r"\s+")
_CN_NUM = "一二三四五六七八九十"
_OUTLINE_HEADING = re.compile(rf"^(?:[{_CN_NUM}]{{1,3}}、|（[{_CN_NUM}]{{1,3}}）)")
_SENTENCE_END = re.compile(r"[。！？]")
_MAX_HEADING = 40


def seed_paths(seed_dir: Path = SEED_DIR) -> dict[str, Path]:
    """The seed file of each format (txt, pdf, ocr)."""
    return {fmt: seed_dir / f"{SEED_STEM}{suffix}" for fmt, suffix in FORMATS.items()}


def squash(text: str) -> str:
    return _WHITESPACE.sub("", text)


def match_ratio(reference: str, candidate: str) -> float:
    """Share of the reference's characters the candidate reproduces in order (whitespace ignored)."""
    a, b = squash(reference), squash(candidate)
    if not a:
        return 1.0 if not b else 0.0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return sum(m.size for m in matcher.get_matching_blocks()) / len(a)


def differences(reference: str, candidate: str, context: int = 6, limit: int = 30) -> list[str]:
    """Readable list of where the candidate departs from the reference."""
    a, b = squash(reference), squash(candidate)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        before = a[max(0, i1 - context) : i1]
        out.append(f"{op:7} …{before}[{a[i1:i2]}→{b[j1:j2]}]{a[i2 : i2 + context]}…")
        if len(out) >= limit:
            break
    return out


def reference_headings(text: str) -> list[str]:
    """The 一、 and （一） headings of a cleaned text, read from its paragraphs.

    Read from the text itself rather than from the outline, so the reference does
    not depend on the heading detection it is used to check.
    """
    headings = []
    for para in text.split("\n\n"):
        para = squash(para)
        if not _OUTLINE_HEADING.match(para):
            continue
        m = _SENTENCE_END.search(para[:-1])
        if m:  # a heading run into its first sentence: "（一）标题。正文……"
            if m.start() > _MAX_HEADING:
                continue
            para = para[: m.start()]
        elif len(para) > _MAX_HEADING:
            continue
        headings.append(para.rstrip("。"))
    return headings


def missing_headings(expected: list[str], sections) -> list[str]:
    found = {squash(s.heading).rstrip("。") for s in sections}
    return [h for h in expected if h not in found]


def _in_number(text: str, i: int) -> bool:
    """Is text[i] part of a number: a digit, or a decimal point, thousands comma or % attached to digits?"""
    if i < 0 or i >= len(text):
        return False
    ch = text[i]
    if "0" <= ch <= "9":
        return True
    prev_digit = i > 0 and "0" <= text[i - 1] <= "9"
    next_digit = i + 1 < len(text) and "0" <= text[i + 1] <= "9"
    if ch in ".,":
        return prev_digit and next_digit
    if ch in "%‰":
        return prev_digit
    return False


def number_cuts(doc) -> list[str]:
    """Chunks whose first or last character continues a number across the chunk boundary."""
    text = doc.text
    cuts = []
    for chunk in doc.chunks:
        s, e = chunk.char_start, chunk.char_end
        if s > 0 and _in_number(text, s) and _in_number(text, s - 1):
            cuts.append(f"chunk {chunk.ordinal} starts inside a number: …{text[max(0, s - 8) : s]}|{text[s : s + 8]}…")
        if e < len(text) and _in_number(text, e - 1) and _in_number(text, e):
            cuts.append(f"chunk {chunk.ordinal} ends inside a number: …{text[max(0, e - 8) : e]}|{text[e : e + 8]}…")
    return cuts


@dataclass
class FormatResult:
    fmt: str
    file_name: str
    ratio: float
    target: float
    headings_total: int
    headings_missing: list[str]
    doc_type: str
    report_year: int | None
    plan_year: int | None
    cuts: list[str]
    seconds: float
    pages: int | None
    diffs: list[str] = field(default_factory=list)

    @property
    def headings_found(self) -> int:
        return self.headings_total - len(self.headings_missing)

    @property
    def failures(self) -> list[str]:
        out = []
        if self.ratio < self.target:
            out.append(f"{self.fmt}: text share {self.ratio:.4f} < {self.target}")
        if self.headings_missing:
            out.append(f"{self.fmt}: headings not found: {self.headings_missing}")
        if self.doc_type != EXPECTED_TYPE:
            out.append(f"{self.fmt}: doc_type {self.doc_type!r} != {EXPECTED_TYPE!r}")
        if (self.report_year, self.plan_year) != (EXPECTED_REPORT_YEAR, EXPECTED_PLAN_YEAR):
            out.append(
                f"{self.fmt}: years {self.report_year}/{self.plan_year} != {EXPECTED_REPORT_YEAR}/{EXPECTED_PLAN_YEAR}"
            )
        if self.cuts:
            out.append(f"{self.fmt}: {len(self.cuts)} chunk(s) cut a number")
        return out


def parse_timed(path: Path):
    from ingest import parse_file

    start = time.perf_counter()
    doc = parse_file(path)
    return doc, time.perf_counter() - start


def evaluate(fmt: str, doc, reference, seconds: float = 0.0) -> FormatResult:
    """Score one parsed format against the parsed .txt reference."""
    expected = reference_headings(reference.text)
    return FormatResult(
        fmt=fmt,
        file_name=doc.file_name,
        ratio=match_ratio(reference.text, doc.text),
        target=TARGET_RATIO[fmt],
        headings_total=len(expected),
        headings_missing=missing_headings(expected, doc.sections),
        doc_type=doc.doc_type,
        report_year=doc.report_year,
        plan_year=doc.plan_year,
        cuts=number_cuts(doc),
        seconds=seconds,
        pages=doc.page_count,
        diffs=differences(reference.text, doc.text),
    )


def ocr_available() -> bool:
    try:
        import pypdfium2  # noqa: F401
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def measure(seed_dir: Path = SEED_DIR, formats: Sequence[str] = ("txt", "pdf", "ocr")) -> list[FormatResult]:
    paths = seed_paths(seed_dir)
    reference, ref_seconds = parse_timed(paths["txt"])
    results = []
    for fmt in formats:
        if fmt == "txt":
            doc, seconds = reference, ref_seconds
        else:
            doc, seconds = parse_timed(paths[fmt])
        results.append(evaluate(fmt, doc, reference, seconds))
    return results


def format_table(results: list[FormatResult]) -> str:
    head = f"{'format':6} {'text share':>10} {'target':>6} {'headings':>8} {'doc_type':>8} {'years':>9} {'num cuts':>8} {'s/page':>7}"
    rows = [head, "-" * len(head)]
    for r in results:
        per_page = f"{r.seconds / r.pages:.2f}" if r.pages else f"{r.seconds:.2f}"
        years = f"{r.report_year}/{r.plan_year}"
        rows.append(
            f"{r.fmt:6} {r.ratio:>10.4f} {r.target:>6.2f} {f'{r.headings_found}/{r.headings_total}':>8} "
            f"{r.doc_type:>5} {years:>9} {len(r.cuts):>8} {per_page:>7}"
        )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.fidelity", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed-dir", type=Path, default=SEED_DIR, help="directory holding the seed document")
    parser.add_argument("--skip-ocr", action="store_true", help="do not measure the scanned PDF")
    parser.add_argument("--diff", action="store_true", help="list every difference from the .txt text")
    args = parser.parse_args(argv)

    missing = [p for p in seed_paths(args.seed_dir).values() if not p.exists()]
    if missing:
        print(f"seed files not found: {', '.join(str(p) for p in missing)}", file=sys.stderr)
        return 2
    formats = ["txt", "pdf"]
    if not args.skip_ocr:
        if not ocr_available():
            print(
                "OCR extra not installed (pip install -e '.[ocr]'); use --skip-ocr to measure without it",
                file=sys.stderr,
            )
            return 2
        formats.append("ocr")

    results = measure(args.seed_dir, formats)
    print(format_table(results))
    for r in results:
        if r.diffs and (args.diff or r.ratio < r.target):
            print(f"\n{r.fmt} differences from the .txt text:")
            print("\n".join(f"  {d}" for d in r.diffs))
        for cut in r.cuts:
            print(f"  {r.fmt}: {cut}")
        if r.headings_missing:
            print(f"  {r.fmt}: missing headings: {', '.join(r.headings_missing)}")
    failures = [f for r in results for f in r.failures]
    if failures:
        print("\nFAILED:\n" + "\n".join(f"  {f}" for f in failures))
        return 1
    print("\nall targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
