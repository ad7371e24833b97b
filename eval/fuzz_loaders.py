"""Fuzz the loaders: random and mutated files through ``parse_file``, counting what breaks.

An input may be refused (``IngestError``, the intended outcome for a broken
file) or read; anything else is a crash. Inputs run in a child process under a
watchdog (``eval.isolate``): one that runs past the per-input time limit is
counted as a hang and its child replaced, one that grows past the memory limit
is counted too, and the child's peak RSS is recorded for every input.

Why a seeded mutator and not Hypothesis: the goal is throughput (10,000 inputs
per format) through a child process, and a record anyone can replay. Input
``i`` of a format is a pure function of ``(seed, format, i)``, so a crash is
reproduced from three values, without an example database; Hypothesis would
add shrinking and health checks that cost more than they give on byte blobs,
and its engine would have to run inside the child, where a hang kills it.

Mutations are structure-aware where structure would otherwise stop them at
the door: a .docx/.xlsx is unzipped, one XML part is mutated and the zip is
rebuilt (random bytes in a zip mostly fail its CRC and test nothing past
``zipfile``); PDFs are seeded uncompressed so mutations land in objects and
content streams; numbers are swapped for extreme ones, since sizes, spans and
row numbers are what loaders trust.

    python -m eval.fuzz_loaders --per-format 200      # quick
    python -m eval.fuzz_loaders --per-format 10000    # full
"""

from __future__ import annotations

import argparse
import io
import random
import re
import statistics
import sys
import tempfile
import time
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from .isolate import Worker

FORMATS = ("pdf", "docx", "xlsx", "csv", "txt", "md")
_INTERESTING = [
    b"0",
    b"-1",
    b"4294967295",
    b"99999999999",
    b"1e308",
    b"NaN",
    b"",
    b"\x00",
    b"XFD1048576",
    b"<",
    b"&#0;",
    b"\xff\xfe",
    b"%%EOF",
    b"obj",
    b"endstream",
    b"R",
]
_NUMBER = re.compile(rb"\d+")


# --- seeds: small valid files of every format, made in code -----------------------


@cache
def seeds(fmt: str) -> tuple[bytes, ...]:
    return {
        "pdf": _pdf_seeds,
        "docx": _docx_seeds,
        "xlsx": _xlsx_seeds,
        "csv": _csv_seeds,
        "txt": _txt_seeds,
        "md": _md_seeds,
    }[fmt]()


_LINES = [
    "青川区图书馆2024年工作总结",
    "一、主要工作及成效",
    "全年进馆人数372.5万人次，同比增长3.2%。",
    "（一）阅读推广",
    "开展阅读推广活动412场次，线上服务2.1万人次。",
    "二、2025年工作计划",
    "新增读书驿站12间，外借册次达到60万册次。",
]


def _pdf_seeds() -> tuple[bytes, ...]:
    import pymupdf

    out = []
    for compress in (False, True):
        doc = pymupdf.open()
        for page_no in range(2):
            page = doc.new_page(width=595, height=842)
            y = 72
            for line in _LINES:
                page.insert_text((72, y), line, fontname="china-s", fontsize=11)
                y += 20
            page.insert_text((280, 800), str(page_no + 1), fontname="helv", fontsize=9)
            if page_no == 1:
                page.draw_rect(pymupdf.Rect(72, 300, 300, 400), color=(0, 0, 0))
        out.append(doc.tobytes(garbage=0 if not compress else 3, deflate=compress))
    return tuple(out)


def _docx_seeds() -> tuple[bytes, ...]:
    import docx

    d = docx.Document()
    d.add_heading(_LINES[0], level=0)
    d.add_heading(_LINES[1], level=1)
    d.add_paragraph(_LINES[2])
    d.add_paragraph("主要业务指标")
    t = d.add_table(rows=3, cols=3)
    for i, row in enumerate(
        [["指标", "2023年", "2024年"], ["外借册次（万册次）", "61.5", "58.2"], ["新增文献（万册）", "4.1", "4.3"]]
    ):
        for j, value in enumerate(row):
            t.cell(i, j).text = value
    t.cell(2, 1).merge(t.cell(2, 2))
    d.add_heading(_LINES[5], level=1)
    d.add_paragraph(_LINES[6])
    buf = io.BytesIO()
    d.save(buf)
    return (buf.getvalue(),)


def _xlsx_seeds() -> tuple[bytes, ...]:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.worksheets[0]  # the sheet a new workbook starts with (its active one), typed as a worksheet
    ws.title = "主要指标"
    ws.append(["青川区图书馆主要业务指标（2023—2024）"])
    ws.merge_cells("A1:D1")
    ws.append(["指标", "单位", "2023年", "2024年"])
    ws.append(["进馆人数", "万人次", 372.5, 388.0])
    ws.append(["读书驿站数", "间", 240, None])
    ws.append(["外借册次", "万册次", "=C3*2", 61.5])
    wb.create_sheet("分馆").append(["分馆", "面积"])
    wb["分馆"].append(["城东分馆", 1200])
    buf = io.BytesIO()
    wb.save(buf)
    return (buf.getvalue(),)


def _csv_seeds() -> tuple[bytes, ...]:
    text = "指标,单位,2023年,2024年\n进馆人数,万人次,372.5,388.0\n读书驿站数,间,240,\n外借册次,万册次,58.2,61.5\n"
    return text.encode("utf-8"), text.replace(",", "\t").encode("gb18030")


def _txt_seeds() -> tuple[bytes, ...]:
    text = "\n\n".join(_LINES) + "\n"
    return text.encode("utf-8"), text.encode("gb18030")


def _md_seeds() -> tuple[bytes, ...]:
    text = (
        "# "
        + _LINES[0]
        + "\n\n## "
        + _LINES[1]
        + "\n\n"
        + "\n\n".join(_LINES[2:])
        + "\n\n| 指标 | 2024年 |\n|---|---|\n| 进馆人数 | 372.5 |\n"
    )
    return (text.encode("utf-8"),)


# --- mutations ---------------------------------------------------------------------------


def _mutate_bytes(rng: random.Random, data: bytes, others: tuple[bytes, ...]) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(9)
        n = len(buf)
        if n == 0:
            buf += rng.randbytes(rng.randint(1, 64))
            continue
        at = rng.randrange(n)
        if op == 0:  # flip bits
            buf[at] ^= 1 << rng.randrange(8)
        elif op == 1:  # random bytes over a span
            span = rng.randint(1, 16)
            buf[at : at + span] = rng.randbytes(span)
        elif op == 2:  # insert random bytes
            buf[at:at] = rng.randbytes(rng.randint(1, 32))
        elif op == 3:  # delete a span
            del buf[at : at + rng.randint(1, max(1, n // 8))]
        elif op == 4:  # duplicate a span, sometimes many times
            copied = bytes(buf[at : at + rng.randint(1, 256)])
            buf[at:at] = copied * rng.choice((1, 2, 16, 200))
        elif op == 5:  # truncate
            del buf[rng.randint(0, n) :]
        elif op == 6:  # an interesting token
            buf[at:at] = rng.choice(_INTERESTING)
        elif op == 7:  # a number swapped for an extreme one
            numbers = list(_NUMBER.finditer(buf))
            if numbers:
                m = rng.choice(numbers)
                buf[m.start() : m.end()] = rng.choice((b"0", b"99999999", b"2147483648", b"65536", b"1"))
        else:  # splice with another seed of the format
            other = rng.choice(others)
            cut = rng.randrange(len(other)) if other else 0
            buf = buf[:at] + bytearray(other[cut:])
    return bytes(buf)


def _mutate_zip(rng: random.Random, data: bytes, others: tuple[bytes, ...]) -> bytes:
    """Mutate one part inside the container and rebuild it, so the XML parsers are reached."""
    with zipfile.ZipFile(io.BytesIO(data)) as zin:
        parts = [(i.filename, zin.read(i)) for i in zin.infolist()]
    xml = [k for k, (name, _) in enumerate(parts) if name.endswith((".xml", ".rels"))]
    k = rng.choice(xml)
    # The main part is where most content lives: give it extra weight.
    main = [j for j, (name, _) in enumerate(parts) if name in ("word/document.xml", "xl/worksheets/sheet1.xml")]
    if main and rng.random() < 0.5:
        k = main[0]
    name, content = parts[k]
    parts[k] = (name, _mutate_bytes(rng, content, (content,)))
    if rng.random() < 0.05:
        parts.pop(rng.randrange(len(parts)))  # a missing part
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, content in parts:
            zout.writestr(name, content)
    return out.getvalue()


def make_input(fmt: str, seed: int, index: int) -> bytes:
    """Input ``index`` of ``fmt``: the same bytes for the same three values, in any process."""
    rng = random.Random(f"{seed}:{fmt}:{index}")
    pool = seeds(fmt)
    roll = rng.random()
    if roll < 0.03:
        return rng.randbytes(rng.randint(1, 4096))  # pure noise
    base = rng.choice(pool)
    if fmt in ("docx", "xlsx") and roll < 0.75:
        return _mutate_zip(rng, base, pool)
    return _mutate_bytes(rng, base, pool)


# --- the child -----------------------------------------------------------------------------


def fuzz_limits():
    """Caps small enough that OCR of a damaged page stays cheap; everything else as shipped."""
    from ingest import ReadLimits

    return ReadLimits(max_ocr_pages=1, max_page_pixels=250_000)


_folder: Path | None = None


def run_input(fmt: str, seed: int, index: int) -> str:
    """Read one generated input; returns "read" or "refused". Any other exception is a crash."""
    global _folder
    from ingest import IngestError, parse_file

    if _folder is None:
        _folder = Path(tempfile.mkdtemp(prefix="fuzz-"))
    path = _folder / f"input.{fmt}"
    path.write_bytes(make_input(fmt, seed, index))
    try:
        parse_file(path, limits=fuzz_limits())
    except IngestError:
        return "refused"
    return "read"


def warm() -> None:
    from .bombs import warm as import_loaders

    import_loaders()
    import pymupdf

    pymupdf.TOOLS.mupdf_display_errors(False)  # damaged files are the point; their warnings are noise
    pymupdf.TOOLS.mupdf_display_warnings(False)
    for fmt in FORMATS:
        seeds(fmt)


# --- the run ------------------------------------------------------------------------------


@dataclass
class FormatReport:
    fmt: str
    tried: int = 0
    outcomes: Counter = field(default_factory=Counter)
    crashes: list[tuple[int, str]] = field(default_factory=list)  # (index, what)
    hangs: list[int] = field(default_factory=list)
    peak_rss_mb: list[float] = field(default_factory=list)
    seconds: float = 0.0


def fuzz(
    fmt: str, count: int, seed: int = 0, timeout: float = 10.0, max_rss_mb: float = 1024.0, worker: Worker | None = None
) -> FormatReport:
    report = FormatReport(fmt)
    own = worker is None
    worker = worker or Worker(run_input, warm, timeout=timeout, max_rss_mb=max_rss_mb)
    started = time.perf_counter()
    try:
        for index in range(count):
            outcome = worker.call(fmt, seed, index)
            report.tried += 1
            report.peak_rss_mb.append(outcome.extra_rss_mb)
            if outcome.status == "ok":
                report.outcomes[outcome.value] += 1
            elif outcome.status == "timeout":
                report.hangs.append(index)
                report.outcomes["hang"] += 1
            else:
                what = outcome.status if outcome.status != "error" else f"{outcome.value[0]}: {outcome.value[1]}"
                tail = outcome.value[2] if outcome.status == "error" else ""
                report.crashes.append((index, f"{what}\n{tail}"))
                report.outcomes["crash"] += 1
    finally:
        if own:
            worker.stop()
    report.seconds = time.perf_counter() - started
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fuzz the file loaders")
    parser.add_argument("--per-format", type=int, default=200)
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per input before it counts as a hang")
    parser.add_argument("--crash-dir", type=Path, default=None, help="write each crashing input here")
    args = parser.parse_args(argv)
    print(
        f"{'format':7} {'tried':>7} {'read':>6} {'refused':>8} {'crashes':>8} {'hangs':>6} "
        f"{'median MB':>10} {'max MB':>7} {'seconds':>8} {'ms/input':>9}"
    )
    bad = 0
    for fmt in args.formats.split(","):
        r = fuzz(fmt, args.per_format, args.seed, args.timeout)
        print(
            f"{fmt:7} {r.tried:7} {r.outcomes['read']:6} {r.outcomes['refused']:8} {len(r.crashes):8} "
            f"{len(r.hangs):6} {statistics.median(r.peak_rss_mb):10.1f} {max(r.peak_rss_mb):7.1f} "
            f"{r.seconds:8.1f} {1000 * r.seconds / max(1, r.tried):9.1f}",
            flush=True,
        )
        for index, what in r.crashes[:5] + [(i, "hang") for i in r.hangs[:5]]:
            print(f"  {fmt} #{index} (seed {args.seed}): {what}")
            if args.crash_dir:
                args.crash_dir.mkdir(parents=True, exist_ok=True)
                (args.crash_dir / f"{fmt}-{args.seed}-{index}.{fmt}").write_bytes(make_input(fmt, args.seed, index))
        bad += len(r.crashes) + len(r.hangs)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
