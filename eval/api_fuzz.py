"""Fuzz every operation of the REST API with schemathesis, from the server's own OpenAPI schema.

Run: ``python -m eval.api_fuzz [--examples 10] [--seconds 600]`` (serves its own
Lantai over the sample corpus on 127.0.0.1, with an API key), or call
``fuzz(base_url, api_key)`` against a server already up.

schemathesis (its ``st run`` command, in a subprocess with a JSON report: the
most stable interface across its 4.x releases) reads ``/openapi.json`` and
sends valid and invalid requests to every operation: the schema's examples,
its coverage cases (boundaries, missing and wrong-typed fields) and up to
``--examples`` random cases per operation, with a valid key (schemathesis's
``--max-time`` would repeat fuzzing until the time is spent, so the bound is
the number of examples, and ``--seconds`` only a hard stop). Checks: no
response is a 5xx (``not_a_server_error``) and every documented response
matches its schema (``response_schema_conformance``). The stateful phase is
left out: it chains uploads and deletions without a bound on their count.
Prints operations tested, cases, failures (the first few in full) and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHECKS = "not_a_server_error,response_schema_conformance"
PHASES = "examples,coverage,fuzzing"


def _st() -> list[str]:
    exe = Path(sys.executable).with_name("st")
    return [str(exe)] if exe.exists() else [shutil.which("st") or "st"]


def _st_command(
    base_url: str, api_key: str | None, report: Path, examples: int, seed: int, workers: int, request_timeout: float
) -> list[str]:
    """The ``st run`` command line: every operation of the schema, the checks and phases above, a JSON report."""
    command = _st() + [
        "run",
        base_url.rstrip("/") + "/openapi.json",
        "--checks",
        CHECKS,
        "--phases",
        PHASES,
        "--max-examples",
        str(examples),
        "--seed",
        str(seed),
        "--workers",
        str(workers),
        "--no-shrink",
        "--request-timeout",
        str(request_timeout),
        "--wait-for-schema",
        "30",
        "--report",
        "json",
        "--report-json-path",
        str(report),
        "--output-truncate",
        "true",
    ]
    if api_key:
        command += ["--header", f"Authorization: Bearer {api_key}"]
    return command


def fuzz(
    base_url: str,
    api_key: str | None,
    *,
    examples: int = 10,
    seconds: float = 600.0,
    seed: int = 5,
    workers: int = 2,
    request_timeout: float = 60.0,
) -> dict:
    """Run schemathesis against ``base_url``; the summary of its JSON report as a dict."""
    with tempfile.TemporaryDirectory(prefix="lantai-api-fuzz-") as tmp:
        report = Path(tmp) / "report.json"
        command = _st_command(base_url, api_key, report, examples, seed, workers, request_timeout)
        started = time.monotonic()
        try:
            done = subprocess.run(
                command,
                cwd=tmp,
                capture_output=True,
                text=True,
                timeout=seconds,
                env={
                    "PATH": str(Path(sys.executable).parent),
                    "NO_COLOR": "1",
                    "HOME": tmp,
                    "SCHEMATHESIS_TELEMETRY": "false",
                },
            )
        except subprocess.TimeoutExpired:
            return {
                "operations": 0,
                "tested": 0,
                "cases": 0,
                "failures": 0,
                "errors": 1,
                "hung": True,
                "seconds": round(time.monotonic() - started, 1),
                "summaries": [f"schemathesis did not finish within {seconds:.0f} s"],
                "ok": False,
            }
        wall = time.monotonic() - started
        if not report.exists():
            return {
                "operations": 0,
                "tested": 0,
                "cases": 0,
                "failures": 1,
                "errors": 1,
                "seconds": round(wall, 1),
                "summaries": [
                    f"schemathesis did not report (exit {done.returncode}): {(done.stderr or done.stdout)[-600:]}"
                ],
                "ok": False,
            }
        data = json.loads(report.read_text(encoding="utf-8"))
    return summarise(data, wall, done.stdout)


def summarise(data: dict, wall: float, output: str = "") -> dict:
    """The figures of a schemathesis JSON report, with one line per failure kind and per error."""
    ops = data.get("operations") or {}
    cases = data.get("test_cases") or {}
    failures = data.get("failures") or []
    errors = data.get("errors") or []
    summaries = [
        f"{f.get('code')} {f.get('title')} ×{f.get('count')}: {', '.join(f.get('operations') or [])}" for f in failures
    ]
    details = _section(output, "ERRORS")
    summaries += [
        f"error: {e.get('title')} ×{e.get('count')}" + (f": {details[:600]}" if details else "") for e in errors
    ]
    unique = cases.get("unique_failures", sum(f.get("count", 1) for f in failures))
    return {
        "operations": ops.get("selected", 0),
        "tested": ops.get("tested", 0),
        "operations_errored": ops.get("errored", 0),
        "cases": cases.get("generated", 0),
        "failures": unique,
        "errors": len(errors),
        "seconds": round(wall, 1),
        "complete": bool(data.get("complete")),
        "stop_reason": data.get("stop_reason"),
        "summaries": summaries,
        "reproduce": _reproductions(output)[:3],
        "ok": unique == 0 and not errors and ops.get("tested", 0) == ops.get("selected", -1),
    }


def _section(output: str, title: str) -> str:
    """The text of one ``=== TITLE ===`` section of schemathesis's console output, blank lines dropped."""
    lines, inside = [], False
    for line in output.splitlines():
        if line.startswith("====="):
            inside = f" {title} " in line
            continue
        if inside and line.strip():
            lines.append(line.strip())
    return " | ".join(lines)


def _reproductions(output: str) -> list[str]:
    """The ``curl`` lines schemathesis prints to reproduce each failure."""
    return [line.strip()[:400] for line in output.splitlines() if line.strip().startswith("curl ")]


def print_table(result: dict) -> None:
    print(
        f"API fuzz: {result['tested']}/{result['operations']} operations · {result['cases']} cases · "
        f"{result['failures']} failures · {result['errors']} errors · {result['seconds']} s"
    )
    for line in result["summaries"][:5]:
        print("  failure:", line)
    for line in result.get("reproduce", []):
        print("  reproduce:", line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=10, help="random cases per operation")
    parser.add_argument("--seconds", type=float, default=600.0, help="hard stop of the whole run")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args(argv)

    from eval.served import Served, prepare_data, sample_files

    key = "api-fuzz-key"
    with tempfile.TemporaryDirectory(prefix="lantai-api-fuzz-") as tmp:
        with Served(prepare_data(Path(tmp)), {"LANTAI_API_KEYS": key}) as server:
            server.ingest(sample_files(Path(tmp)))
            result = fuzz(server.url, key, examples=args.examples, seconds=args.seconds, seed=args.seed)
            result["server_alive"] = server.alive()
            result["server_tracebacks"] = server.tracebacks()
    print_table(result)
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
