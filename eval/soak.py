"""Soak test: many concurrent clients of mixed traffic against a real ``lantai serve`` on loopback.

Run: ``python -m eval.soak [--clients 50] [--seconds 120]``.
The script starts ``lantai serve`` as a child process over an empty temp data
dir on a free 127.0.0.1 port with API keys configured, and uploads the sample
corpus to it (``POST /api/documents``), waiting for the ingest job. Async httpx clients then send, until
the time runs out: questions (/api/ask, ~50%), streamed questions
(/api/ask/stream), metrics queries with filters (/api/metrics,
/api/metrics/targets), the document list, uploads of small .txt/.md files
(~5%, internal) whose jobs the uploading client polls until done, and a few
requests without a bearer key (which must get 401; not with a wrong key: five
of those pause the client's address, and here every client shares 127.0.0.1).

Errors: any response other than the expected one. A 409 or 429 to an upload
is back-pressure the API documents for a busy server ("busy", retried by a
real client later), not an error; everywhere else it is one. A streamed
answer must end with an ``answer`` event and no ``error`` event; an upload's
job must finish ``done`` and its document must be listed ``ready`` at the end
(otherwise it counts as data lost). The server's RSS is sampled every second
(psutil); it is "flat" when it grows less than 10% over the second half.
Prints a table and, last, one JSON line. Exit status 1 on any error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import httpx

from eval.common import percentile
from eval.rss import FLAT_LIMIT, RssSampler
from eval.served import Served, prepare_data, sample_files
from eval.soak_traffic import API_KEY, KINDS, OTHER_KEY, Tally, Traffic

# Served, prepare_data, sample_files, RssSampler and Traffic are also taken from here by the reliability run
# and its smoke test, as ``soak.Served`` and so on.
__all__ = [
    "API_KEY",
    "FLAT_LIMIT",
    "OTHER_KEY",
    "RssSampler",
    "Served",
    "Traffic",
    "main",
    "prepare_data",
    "sample_files",
    "soak",
]


def _indicators(base: str) -> list[str]:
    r = httpx.get(base + "/api/metrics", headers={"Authorization": f"Bearer {OTHER_KEY}"}, timeout=60)
    r.raise_for_status()
    return sorted({row["indicator"] for row in r.json()})[:40]


def _lost(base: str, uploads: dict[str, str]) -> list[str]:
    """Uploads whose job finished but whose document is not listed ready."""
    r = httpx.get(base + "/api/documents", headers={"Authorization": f"Bearer {API_KEY}"}, timeout=60)
    r.raise_for_status()
    ready = {d["file_name"] for d in r.json() if d["status"] == "ready"}
    return [
        name
        for name, state in uploads.items()
        if state in ("added", "updated", "unchanged", "resumed") and name not in ready
    ]


# -- the run --------------------------------------------------------------------------------------------
def soak(
    clients: int = 50,
    seconds: float = 120.0,
    *,
    max_requests: int = 200_000,
    seed: int = 7,
    server: Served | None = None,
) -> dict:
    """Run the soak; against ``server`` if given, else a fresh one over a freshly ingested temp data dir."""
    with tempfile.TemporaryDirectory(prefix="lantai-soak-") as tmp:
        own = server is None
        if server is None:
            server = Served(prepare_data(Path(tmp)), {"LANTAI_API_KEYS": f"{API_KEY},{OTHER_KEY}"}).start()
            server.ingest(sample_files(Path(tmp)), visibility="internal")
        try:
            traffic = Traffic(server.url, seconds, max_requests, seed, _indicators(server.url))
            with RssSampler(server.pid) as rss:
                wall = asyncio.run(traffic.run(clients))
            lost = _lost(server.url, traffic.tally.uploads) if server.alive() else list(traffic.tally.uploads)
            alive = server.alive()
            tracebacks = server.tracebacks()
        finally:
            if own:
                server.stop()
                shutil.rmtree(tmp, ignore_errors=True)
    return _result(clients, wall, traffic.tally, rss.summary(), lost, alive, tracebacks)


def _result(clients: int, wall: float, tally: Tally, rss: dict, lost: list[str], alive: bool, tracebacks: int) -> dict:
    kinds: dict[str, dict] = {}
    for kind in KINDS:
        lat = tally.latencies[kind]
        kinds[kind] = {
            "requests": tally.requests(kind),
            "errors": tally.errors[kind],
            "busy": tally.busy[kind],
            "p50_ms": None if not lat else round(statistics.median(lat), 1),
            "p95_ms": None if not lat else round(percentile(lat, 0.95), 1),
        }
    requests = sum(k["requests"] for k in kinds.values())
    errors = sum(k["errors"] for k in kinds.values()) + len(lost) + (0 if alive else 1)
    return {
        "clients": clients,
        "seconds": round(wall, 1),
        "requests": requests,
        "throughput_rps": round(requests / wall, 1) if wall else 0.0,
        "errors": errors,
        "busy": sum(k["busy"] for k in kinds.values()),
        "uploads": len(tally.uploads),
        "data_lost": len(lost),
        "server_alive": alive,
        "server_tracebacks": tracebacks,
        "by_kind": kinds,
        "rss": rss,
        "rss_flat": rss["flat"],
        "error_samples": tally.samples[:10] + [f"lost: {n}" for n in lost[:5]],
        "ok": errors == 0 and rss["flat"] and alive,
    }


def print_table(result: dict) -> None:
    print(
        f"{result['clients']} clients for {result['seconds']} s on 127.0.0.1: {result['requests']} requests "
        f"({result['throughput_rps']}/s), {result['errors']} errors, {result['busy']} busy"
    )
    print(f"{'kind':<10}{'requests':>10}{'errors':>8}{'busy':>6}{'p50 ms':>10}{'p95 ms':>10}")
    for kind, k in result["by_kind"].items():
        p50 = "-" if k["p50_ms"] is None else f"{k['p50_ms']:.1f}"
        p95 = "-" if k["p95_ms"] is None else f"{k['p95_ms']:.1f}"
        print(f"{kind:<10}{k['requests']:>10}{k['errors']:>8}{k['busy']:>6}{p50:>10}{p95:>10}")
    rss = result["rss"]
    growth = rss["second_half_growth"]
    print(
        f"server RSS: start {rss['start_mb']} MB · end {rss['end_mb']} MB · max {rss['max_mb']} MB · "
        f"second-half growth {'-' if growth is None else f'{growth * 100:.1f}%'} · "
        f"{'flat' if rss['flat'] else 'NOT flat'} ({rss['samples']} samples)"
    )
    print(
        f"uploads {result['uploads']} · data lost {result['data_lost']} · server alive {result['server_alive']} · "
        f"server tracebacks {result['server_tracebacks']}"
    )
    for line in result["error_samples"]:
        print("  error:", line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    result = soak(args.clients, args.seconds, max_requests=args.max_requests, seed=args.seed)
    print_table(result)
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
