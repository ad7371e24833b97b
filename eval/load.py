"""Load test of ``POST /api/ask`` on loopback: concurrent clients for a bounded time.

Run: ``python -m eval.load [--clients 20] [--seconds 60] [--max-requests 20000] [--data-dir D]``.
A real uvicorn server is started on 127.0.0.1 (a free port) over a knowledge base
holding the sample corpus (and the real seed when present); each client thread
sends gold questions in turn until the time or the request budget runs out. It
prints requests, errors, throughput and latency p50/p95 as seen by the clients,
and exits non-zero on any error. Traffic never leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from eval.common import knowledge_base, load_gold, percentile

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data_dir: Path, port: int, api_key: str):
    import uvicorn

    from ui.api import create_app
    from ui.settings import Settings

    kb = knowledge_base(data_dir)
    app = create_app(Settings(data_dir=data_dir), kb=kb, api_keys=[api_key])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 60
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    if not server.started:
        raise SystemExit("the server did not start")
    return server, thread


def client(
    base: str,
    key: str,
    questions: list[dict],
    stop_at: float,
    budget: list[int],
    lock: threading.Lock,
    latencies: list[float],
    errors: list[str],
    offset: int,
) -> None:
    import httpx

    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=30) as http:
        i = offset
        while time.time() < stop_at:
            with lock:
                if budget[0] <= 0:
                    return
                budget[0] -= 1
            item = questions[i % len(questions)]
            i += 1
            started = time.perf_counter()
            try:
                r = http.post("/api/ask", json={"question": item["question"], "history": item.get("history") or []})
                elapsed = (time.perf_counter() - started) * 1000
                if r.status_code != 200 or "answer" not in r.json():
                    errors.append(f"{r.status_code}: {r.text[:100]}")
                else:
                    latencies.append(elapsed)
            except Exception as exc:  # a refused or dropped connection is an error to count, not a crash
                errors.append(repr(exc))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--max-requests", type=int, default=20000)
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args(argv)

    questions = load_gold("qa.jsonl")
    key = "load-test-key"
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir or Path(tmp) / "data"
        port = free_port()
        server, thread = start_server(data_dir, port, key)
        base = f"http://127.0.0.1:{port}"
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        budget = [args.max_requests]
        started = time.time()
        stop_at = started + args.seconds
        threads = [
            threading.Thread(
                target=client, args=(base, key, questions, stop_at, budget, lock, latencies, errors, i * 7)
            )
            for i in range(args.clients)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=args.seconds + 60)
        wall = time.time() - started
        server.should_exit = True
        thread.join(timeout=30)
    total = len(latencies) + len(errors)
    print(
        f"{args.clients} clients for {wall:.1f} s on 127.0.0.1: {total} requests, {len(errors)} errors, "
        f"{total / wall:.1f} requests/s"
    )
    if latencies:
        print(
            f"latency p50 {statistics.median(latencies):.1f} ms · p95 {percentile(latencies, 0.95):.1f} ms · "
            f"max {max(latencies):.1f} ms"
        )
    for e in errors[:5]:
        print("  error:", e)
    print(
        json.dumps(
            {
                "clients": args.clients,
                "seconds": round(wall, 1),
                "requests": total,
                "errors": len(errors),
                "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
                "p95_ms": round(percentile(latencies, 0.95), 1) if latencies else None,
            }
        )
    )
    return 0 if not errors and latencies else 1


if __name__ == "__main__":
    sys.exit(main())
