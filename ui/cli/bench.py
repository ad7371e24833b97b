"""``lantai bench``: search, asks, memory, ingest and start-up measured on bases of 1k to 1M chunks."""

from __future__ import annotations

from pathlib import Path

import typer

from .common import err_console, fail


def bench(
    quick: bool = typer.Option(
        False, "--quick", help="只测 1k 和 10k 切片（约三分钟）/ 1k and 10k chunks only (minutes)"
    ),
    as_json: bool = typer.Option(False, "--json", help="只输出 JSON / print only the JSON object"),
    sizes: str | None = typer.Option(
        None,
        "--sizes",
        help="知识库规模（切片数，逗号分隔）/ base sizes in chunks, "
        "comma separated (default 1000,10000,100000,1000000)",
    ),
    work_dir: Path | None = typer.Option(
        None, "--work-dir", help="保留并复用测试知识库的目录 / keep and reuse the bases here"
    ),
    queries: int | None = typer.Option(None, "--queries", min=1, help="每种检索计时次数 / timed searches per mode"),
    asks: int | None = typer.Option(None, "--asks", min=1, help="每类问答计时次数 / timed asks per kind"),
    naive_max: int | None = typer.Option(
        None,
        "--naive-max",
        min=0,
        help="对照组（朴素 llama-index）测到的最大规模 / largest base the naive baseline is measured on",
    ),
    sample_files: int = typer.Option(
        0, "--sample-files", min=0, help="只用前 N 个样例文件 / use only the first N sample files"
    ),
) -> None:
    """性能基准：1k 到 1M 切片的检索、问答、内存、导入与启动 / benchmark search, asks, memory, ingest, start-up."""
    from eval.bench import FULL_SIZES, QUICK_SIZES, BenchArgs, bench_main, parse_sizes

    try:
        chosen = parse_sizes(sizes) if sizes else list(QUICK_SIZES if quick else FULL_SIZES)
    except ValueError as exc:
        fail(str(exc))
    args = BenchArgs(
        sizes=chosen,
        queries=queries or (60 if quick else 100),
        asks=asks or (20 if quick else 40),
        repeats=1 if quick else 3,
        sample_files=sample_files,
        naive_max=naive_max if naive_max is not None else (10_000 if quick else 100_000),
    )
    bench_main(args, work_dir, as_json, log=lambda msg: err_console.print(msg, highlight=False, markup=False))


def register(app: typer.Typer) -> None:
    app.command()(bench)
