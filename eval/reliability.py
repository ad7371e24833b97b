"""Every reliability check in one run and one table: faults, fuzzing, bombs, access, soak.

Run: ``python -m eval.reliability [--quick]``. Rows:

- faults: ``pytest -m fault -q`` in a subprocess (passed / failed);
- loader fuzz: ``eval.fuzz_loaders`` per format (inputs, crashes, hangs, peak extra RSS of an input);
- bombs: ``eval.bombs``, each bomb read in a fresh child (refused?, seconds, extra RSS);
- access: ``python -m eval.access`` (routes tried, leaks found);
- API fuzz: ``eval.api_fuzz`` (schemathesis over /openapi.json);
- WeChat fuzz: ``eval.wechat_fuzz``;
- soak: ``eval.soak`` (errors, data lost, server RSS flat?).

The last three share one ``lantai serve`` child over a temp data dir holding
the sample corpus (uploaded through the API) (API keys and the WeChat channel configured; WeChat's API played by a
loopback stand-in); the soak runs first, so its RSS curve starts clean. A
module that is not there (yet) is a "not available" row, and a check that
raises is an "error" row: neither stops the run. Sizes: default = acceptance
(10,000 fuzzed inputs per loader format, 50 clients × 2 min); ``--quick`` =
small counts (a few minutes in all). The last line printed is one JSON object
with every figure. Exit status 1 unless every available check passed.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SIZES = {
    "quick": {
        "fuzz_per_format": 25,
        "api_examples": 3,
        "wechat_inputs": 300,
        "soak_clients": 10,
        "soak_seconds": 20.0,
        "bomb_timeout": 60.0,
    },
    "full": {
        "fuzz_per_format": 10_000,
        "api_examples": 25,
        "wechat_inputs": 5000,
        "soak_clients": 50,
        "soak_seconds": 120.0,
        "bomb_timeout": 120.0,
    },
}


@dataclass
class Row:
    check: str
    verdict: str = "not available"  # pass | FAIL | not available | error
    inputs: int | None = None
    crashes: int | None = None
    hangs: int | None = None
    peak_rss_mb: float | None = None
    data_lost: int | None = None
    leaks: int | None = None
    note: str = ""
    seconds: float = 0.0
    details: dict = field(default_factory=dict)


def _optional(name: str):
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _guarded(check: str, run, *args) -> Row:
    started = time.monotonic()
    print(f"… {check}", file=sys.stderr, flush=True)
    try:
        row = run(*args)
    except Exception as exc:  # a broken check is reported, and the others still run
        row = Row(
            check,
            "error",
            note=f"{type(exc).__name__}: {exc}"[:200],
            details={"traceback": traceback.format_exc()[-1500:]},
        )
    row.seconds = round(time.monotonic() - started, 1)
    print(f"  {check}: {row.verdict} in {row.seconds:.0f} s", file=sys.stderr, flush=True)
    return row


# -- the checks -------------------------------------------------------------------------------------------
def faults(_: dict) -> Row:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "tests", "-m", "fault", "-q", "-p", "no:cacheprovider"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    tail = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-200:]
    counts = {word: int(n) for n, word in re.findall(r"(\d+) (passed|failed|errors?|skipped|deselected)", tail)}
    passed, failed = counts.get("passed", 0), counts.get("failed", 0) + counts.get("error", 0) + counts.get("errors", 0)
    if done.returncode == 5 or passed + failed == 0:
        return Row("faults", "not available", note="no test is marked fault yet", details={"pytest": tail})
    return Row(
        "faults",
        "pass" if done.returncode == 0 and not failed else "FAIL",
        inputs=passed + failed,
        crashes=failed,
        note=f"{passed} passed, {failed} failed",
        details={"pytest": tail, **counts},
    )


def loader_fuzz(sizes: dict) -> Row:
    mod = _optional("eval.fuzz_loaders")
    if mod is None:
        return Row("loader fuzz", note="eval.fuzz_loaders is not there")
    per_format = {}
    for fmt in mod.FORMATS:
        r = mod.fuzz(fmt, sizes["fuzz_per_format"])
        per_format[fmt] = {
            "tried": r.tried,
            "crashes": len(r.crashes),
            "hangs": len(r.hangs),
            "peak_rss_mb": round(max(r.peak_rss_mb, default=0.0), 1),
            "median_rss_mb": round(statistics.median(r.peak_rss_mb), 1) if r.peak_rss_mb else None,
            "seconds": round(r.seconds, 1),
            "first_failures": [f"#{i}: {w.splitlines()[0][:160]}" for i, w in r.crashes[:3]],
        }
    tried = sum(f["tried"] for f in per_format.values())
    crashes = sum(f["crashes"] for f in per_format.values())
    hangs = sum(f["hangs"] for f in per_format.values())
    peak = max((f["peak_rss_mb"] for f in per_format.values()), default=None)
    return Row(
        "loader fuzz",
        "pass" if not crashes and not hangs else "FAIL",
        inputs=tried,
        crashes=crashes,
        hangs=hangs,
        peak_rss_mb=peak,
        note=f"{sizes['fuzz_per_format']} per format × {len(per_format)}",
        details=per_format,
    )


def bombs(sizes: dict) -> Row:
    mod = _optional("eval.bombs")
    if mod is None:
        return Row("bombs", note="eval.bombs is not there")
    results = {}
    with tempfile.TemporaryDirectory(prefix="lantai-bombs-") as tmp:
        for i, (name, build) in enumerate(mod.BUILDERS.items()):
            folder = Path(tmp) / str(i)
            folder.mkdir()
            outcome = mod.read_isolated(build(folder), timeout=sizes["bomb_timeout"])
            results[name] = {
                "refused": mod.refused(outcome),
                "seconds": round(outcome.seconds, 2),
                "extra_rss_mb": round(outcome.extra_rss_mb, 1),
                "outcome": mod.describe(outcome)[:160],
            }
    not_refused = [n for n, r in results.items() if not r["refused"]]
    hangs = sum(1 for r in results.values() if r["outcome"].startswith("timeout"))
    slowest = max(r["seconds"] for r in results.values())
    return Row(
        "bombs",
        "pass" if not not_refused else "FAIL",
        inputs=len(results),
        crashes=len(not_refused) - hangs,
        hangs=hangs,
        peak_rss_mb=max(r["extra_rss_mb"] for r in results.values()),
        note=f"refused {len(results) - len(not_refused)}/{len(results)}, slowest {slowest:.2f} s",
        details=results,
    )


def access(_: dict) -> Row:
    if _optional("eval.access") is None:
        return Row("access", note="eval.access is not there")
    done = subprocess.run([sys.executable, "-m", "eval.access"], cwd=REPO, capture_output=True, text=True, timeout=900)
    m = re.search(r"routes tried (\d+).*?leaks found (\d+)", done.stdout)
    if not m:
        return Row(
            "access", "error", note=f"no summary (exit {done.returncode}): {(done.stderr or done.stdout)[-160:]}"
        )
    routes, leaks = int(m.group(1)), int(m.group(2))
    leaked = [line for line in done.stdout.splitlines() if line.startswith("LEAK")]
    return Row(
        "access",
        "pass" if leaks == 0 and done.returncode == 0 else "FAIL",
        inputs=routes,
        leaks=leaks,
        note=m.group(0)[:120],
        details={"summary": done.stdout.strip().splitlines()[-1], "leaks": leaked[:10]},
    )


def served_checks(sizes: dict) -> list[Row]:
    """Soak, API fuzz and WeChat fuzz against one served instance."""
    from eval import soak, wechat_fuzz
    from eval.standins.wechat import WeChatAPIStandin, new_aes_key

    aes_key = new_aes_key()
    with (
        tempfile.TemporaryDirectory(prefix="lantai-reliability-") as tmp,
        WeChatAPIStandin(wechat_fuzz.APPID, wechat_fuzz.SECRET) as api,
    ):
        env = {"LANTAI_API_KEYS": f"{soak.API_KEY},{soak.OTHER_KEY}", **wechat_fuzz.wechat_env(api.base_url, aes_key)}
        with soak.Served(soak.prepare_data(Path(tmp)), env) as server:
            server.ingest(soak.sample_files(Path(tmp)))
            rows = [
                _guarded("soak", _soak_row, server, sizes),
                _guarded("API fuzz", _api_row, server, sizes),
                _guarded("WeChat fuzz", _wechat_row, server, sizes, aes_key),
            ]
            alive = server.alive()
            tracebacks = server.tracebacks()
    for row in rows:
        row.details["server_alive_after_all"] = alive
    rows[-1].details["server_tracebacks_total"] = tracebacks
    return rows


def _soak_row(server, sizes: dict) -> Row:
    from eval import soak

    r = soak.soak(sizes["soak_clients"], sizes["soak_seconds"], server=server)
    rss = r["rss"]
    growth = rss["second_half_growth"]
    ok = r["ok"]
    ask = r["by_kind"]["ask"]
    return Row(
        "soak",
        "pass" if ok else "FAIL",
        inputs=r["requests"],
        crashes=r["errors"],
        hangs=None,
        peak_rss_mb=rss["max_mb"],
        data_lost=r["data_lost"],
        leaks=r["by_kind"]["unauth"]["errors"],
        note=(
            f"{r['clients']} clients × {r['seconds']:.0f} s, {r['errors']} errors, ask p95 {ask['p95_ms']} ms, "
            f"RSS {rss['start_mb']}→{rss['end_mb']} MB, 2nd half "
            f"{'-' if growth is None else f'{growth * 100:+.1f}%'} {'flat' if rss['flat'] else 'NOT flat'}"
        ),
        details=r,
    )


def _api_row(server, sizes: dict) -> Row:
    from eval import api_fuzz, soak

    with soak.RssSampler(server.pid) as rss:
        r = api_fuzz.fuzz(
            server.url, soak.API_KEY, examples=sizes["api_examples"], seconds=max(600.0, 60.0 * sizes["api_examples"])
        )
    r["server_alive"] = server.alive()
    ok = r["ok"] and r["server_alive"]
    return Row(
        "API fuzz",
        "pass" if ok else "FAIL",
        inputs=r["cases"],
        crashes=r["failures"] + r["errors"],
        hangs=1 if r.get("hung") else 0,
        peak_rss_mb=rss.summary()["max_mb"],
        note=f"{r['tested']}/{r['operations']} operations, {sizes['api_examples']} random cases each"
        + (f"; {r['summaries'][0]}" if r["summaries"] else ""),
        details=r,
    )


def _wechat_row(server, sizes: dict, aes_key: str) -> Row:
    from eval import soak, wechat_fuzz

    with soak.RssSampler(server.pid) as rss:
        r = wechat_fuzz.fuzz(server.url + "/wechat", aes_key=aes_key, inputs=sizes["wechat_inputs"])
    ok = r["ok"]
    return Row(
        "WeChat fuzz",
        "pass" if ok else "FAIL",
        inputs=r["inputs"],
        crashes=r["crashes"],
        hangs=r["hangs"],
        peak_rss_mb=rss.summary()["max_mb"],
        note=f"plain + safe mode, statuses {r['statuses']}, slowest {r['max_seconds']} s",
        details=r,
    )


# -- the table ----------------------------------------------------------------------------------------------
COLUMNS = (
    ("check", 12),
    ("inputs tried", 13),
    ("crashes", 8),
    ("hangs", 6),
    ("peak RSS MB", 12),
    ("data lost", 10),
    ("leaks found", 12),
    ("verdict", 14),
    ("seconds", 8),
)


def _cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def print_table(rows: list[Row]) -> None:
    print(" ".join(f"{name:<{width}}" for name, width in COLUMNS))
    for r in rows:
        values = (r.check, r.inputs, r.crashes, r.hangs, r.peak_rss_mb, r.data_lost, r.leaks, r.verdict, r.seconds)
        print(" ".join(f"{_cell(v):<{width}}" for v, (_, width) in zip(values, COLUMNS)))
    print()
    for r in rows:
        if r.note:
            print(f"  {r.check}: {r.note}")


def run(mode: str) -> list[Row]:
    sizes = SIZES[mode]
    rows = [
        _guarded("faults", faults, sizes),
        _guarded("loader fuzz", loader_fuzz, sizes),
        _guarded("bombs", bombs, sizes),
        _guarded("access", access, sizes),
    ]
    try:
        rows += served_checks(sizes)
    except Exception as exc:  # the server would not start: the three rows say so
        note = f"no server: {type(exc).__name__}: {exc}"[:200]
        rows += [Row(name, "error", note=note) for name in ("soak", "API fuzz", "WeChat fuzz")]
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small counts: a few minutes in all")
    args = parser.parse_args(argv)
    mode = "quick" if args.quick else "full"
    started = time.monotonic()
    rows = run(mode)
    print(f"reliability ({mode}) in {time.monotonic() - started:.0f} s")
    print_table(rows)
    passed = all(r.verdict in ("pass", "not available") for r in rows)
    print(
        json.dumps(
            {
                "mode": mode,
                "ok": passed,
                "seconds": round(time.monotonic() - started, 1),
                "checks": {r.check: asdict(r) for r in rows},
            },
            ensure_ascii=False,
            default=str,
        )
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
