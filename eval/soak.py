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
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from eval.common import percentile
from eval.live import free_port

API_KEY = "soak-key-1"
OTHER_KEY = "soak-key-2"
BUSY = (409, 429)
MIX = (("ask", 50), ("stream", 12), ("metrics", 12), ("targets", 6), ("documents", 10), ("upload", 5), ("unauth", 5))
KINDS = ("ask", "stream", "metrics", "targets", "documents", "upload", "job", "unauth")
QUESTIONS = (
    "2024年进馆人数是多少？",
    "2023年文献外借册次同比变化多少？",
    "2025年计划新建几个读书驿站？",
    "青川区图书馆2024年举办了多少场阅读推广活动？",
    "新馆什么时候开放？",
    "2022年到2024年进馆人数的变化趋势",
    "还有多少个村没有覆盖读书驿站？",
    "2024年数字资源访问量是多少？",
    "2025年服务体系建设有哪些重点工作？",
    "2024年工作中存在哪些问题？",
    "文献流通量连续几年下降了吗？",
    "2024年新增馆藏多少册？",
)
FLAT_LIMIT = 0.10


# -- a served instance ----------------------------------------------------------------------------------
def _env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANTAI_")}
    env.update(
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        GRADIO_ANALYTICS_ENABLED="False",
        ORT_DISABLE_TELEMETRY="1",
        ANONYMIZED_TELEMETRY="False",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def sample_files(root: Path) -> list[Path]:
    """The sample corpus, built under ``root/corpus``."""
    from corpus import build_corpus

    return build_corpus(root / "corpus")


def prepare_data(root: Path) -> Path:
    """An empty data dir under ``root``; ``Served.ingest`` fills it through the API once served."""
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    return data


class Served:
    """``lantai serve`` as a child process on a free loopback port over ``data_dir``.

    ``env`` adds ``LANTAI_*`` settings (API keys, WeChat). The server's output
    goes to ``log``; ``tracebacks()`` counts the unhandled errors it logged.
    """

    def __init__(self, data_dir: Path, env: dict[str, str] | None = None, start_timeout: float = 120.0):
        self.data_dir = Path(data_dir)
        self.port = free_port()
        self.env = _env(env or {})
        self.start_timeout = start_timeout
        self.log = self.data_dir.parent / f"server-{self.port}.log"
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> Served:
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "ui.cli",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--data-dir",
                    str(self.data_dir),
                ],
                cwd=self.data_dir.parent,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"the server exited: {self.log_tail()}")
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the server did not start within {self.start_timeout:.0f} s: {self.log_tail()}")

    def ingest(self, files: list[Path], visibility: str = "public", timeout: float = 600.0) -> None:
        """Upload ``files`` through ``POST /api/documents`` and wait until their job is done."""
        keys = self.env.get("LANTAI_API_KEYS", "").split(",")
        headers = {"Authorization": f"Bearer {keys[0]}"} if keys[0] else {}
        with httpx.Client(base_url=self.url, headers=headers, timeout=120) as http:
            r = http.post(
                "/api/documents",
                data={"visibility": visibility},
                files=[("files", (f.name, f.read_bytes(), "application/octet-stream")) for f in files],
            )
            r.raise_for_status()
            job = r.json()["job_id"]
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                snap = http.get(f"/api/jobs/{job}").json()
                if snap["state"] in ("done", "failed"):
                    failed = [f for f in snap["files"] if f["status"] == "failed"]
                    if snap["state"] == "failed" or failed:
                        raise RuntimeError(f"ingest failed: {failed or snap.get('error')}")
                    return
                time.sleep(0.5)
        raise RuntimeError(f"ingest did not finish within {timeout:.0f} s")

    def stop(self, timeout: float = 30.0) -> int | None:
        if self.proc is None:
            return None
        if self.alive():
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        return self.proc.returncode

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def log_tail(self, chars: int = 2000) -> str:
        return self.log_text()[-chars:]

    def tracebacks(self) -> int:
        return self.log_text().count("Traceback (most recent call last)")

    def __enter__(self) -> Served:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# -- RSS ------------------------------------------------------------------------------------------------
class RssSampler:
    """The RSS of one process, sampled every ``interval`` seconds in a thread until stopped."""

    def __init__(self, pid: int, interval: float = 1.0):
        import psutil

        self.process = psutil.Process(pid)
        self.interval = interval
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        started = time.monotonic()
        while not self._stop.is_set():
            try:
                self.samples.append((time.monotonic() - started, self.process.memory_info().rss))
            except psutil.Error:
                return
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def summary(self) -> dict:
        values = [rss for _, rss in self.samples]
        if not values:
            return {
                "samples": 0,
                "start_mb": None,
                "end_mb": None,
                "max_mb": None,
                "second_half_growth": None,
                "flat": False,
            }
        half = len(values) // 2
        window = max(1, min(5, len(values) // 10 or 1))
        mid = statistics.median(values[half : half + window])
        end = statistics.median(values[-window:])
        growth = (end - mid) / mid if mid else 0.0
        mb = 1024 * 1024
        return {
            "samples": len(values),
            "start_mb": round(values[0] / mb, 1),
            "end_mb": round(values[-1] / mb, 1),
            "max_mb": round(max(values) / mb, 1),
            "second_half_growth": round(growth, 4),
            "flat": growth < FLAT_LIMIT,
        }


# -- traffic --------------------------------------------------------------------------------------------
@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    errors: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    busy: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    samples: list[str] = field(default_factory=list)
    uploads: dict[str, str] = field(default_factory=dict)  # file name -> final job state
    budget: int = 0

    def ok(self, kind: str, ms: float) -> None:
        self.latencies[kind].append(ms)

    def error(self, kind: str, what: str) -> None:
        self.errors[kind] += 1
        if len(self.samples) < 20:
            self.samples.append(f"{kind}: {what[:200]}")

    def requests(self, kind: str) -> int:
        return len(self.latencies[kind]) + self.errors[kind] + self.busy[kind]


def _upload_text(n: int, rng: random.Random) -> tuple[str, bytes]:
    year = rng.choice((2023, 2024))
    branch = rng.choice(("东城", "西城", "南岸", "北山", "河口"))
    visits = rng.randint(1000, 99999)
    events = rng.randint(10, 400)
    text = (
        f"# {branch}分馆{year}年第{n}号工作简报\n\n一、基本情况\n\n{year}年{branch}分馆接待读者{visits}人次，"
        f"举办阅读推广活动{events}场次，同比增长{rng.randint(1, 30)}.{rng.randint(0, 9)}%。\n\n"
        f"二、存在问题\n\n一是场地不足。二是志愿者人数偏少，第{n}号简报另行说明。\n"
    )
    suffix = rng.choice((".txt", ".md"))
    return f"soak-{os.getpid()}-{n:05d}{suffix}", text.encode("utf-8")


class Traffic:
    def __init__(
        self,
        base: str,
        seconds: float,
        max_requests: int,
        seed: int,
        indicators: list[str],
        timeout: float = 60.0,
        job_wait: float = 90.0,
    ):
        self.base = base
        self.seconds = seconds
        self.tally = Tally(budget=max_requests)
        self.rng = random.Random(seed)
        self.indicators = indicators or ["进馆人数"]
        self.timeout = timeout
        self.job_wait = job_wait
        self.uploads = 0
        kinds, weights = zip(*MIX)
        self.kinds, self.weights = list(kinds), list(weights)

    def _take(self) -> bool:
        if self.tally.budget <= 0:
            return False
        self.tally.budget -= 1
        return True

    async def _timed(self, kind: str, call) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response = await call()
        except (TimeoutError, httpx.HTTPError) as exc:
            self.tally.error(kind, repr(exc))
            return None
        response.elapsed_ms = (time.perf_counter() - started) * 1000  # type: ignore[attr-defined]
        return response

    def _judge(self, kind: str, response: httpx.Response | None, expect: int = 200, busy_ok: bool = False) -> bool:
        if response is None:
            return False
        if busy_ok and response.status_code in BUSY:
            self.tally.busy[kind] += 1
            return False
        if response.status_code != expect:
            self.tally.error(kind, f"{response.status_code} {response.text[:160]}")
            return False
        self.tally.ok(kind, response.elapsed_ms)  # type: ignore[attr-defined]
        return True

    async def ask(self, http: httpx.AsyncClient) -> None:
        q = self.rng.choice(QUESTIONS)
        r = await self._timed("ask", lambda: http.post("/api/ask", json={"question": q}))
        if r is not None and r.status_code == 200 and "answer" not in r.json():
            self.tally.error("ask", "no answer field")
            return
        self._judge("ask", r)

    async def stream(self, http: httpx.AsyncClient) -> None:
        q = self.rng.choice(QUESTIONS)
        started = time.perf_counter()
        try:
            async with http.stream("POST", "/api/ask/stream", json={"question": q}) as r:
                if r.status_code != 200:
                    await r.aread()
                    self.tally.error("stream", f"{r.status_code} {r.text[:160]}")
                    return
                events = [line[7:].strip() async for line in r.aiter_lines() if line.startswith("event: ")]
        except httpx.HTTPError as exc:
            self.tally.error("stream", repr(exc))
            return
        if "error" in events or not events or events[-1] != "answer":
            self.tally.error("stream", f"events {events[-3:]}")
            return
        self.tally.ok("stream", (time.perf_counter() - started) * 1000)

    async def metrics(self, http: httpx.AsyncClient) -> None:
        params: dict = {}
        if self.rng.random() < 0.7:
            params["indicator"] = self.rng.choice(self.indicators)
        if self.rng.random() < 0.5:
            params["year"] = self.rng.choice((2022, 2023, 2024, 2025))
        if self.rng.random() < 0.2:
            params["derived"] = "false"
        self._judge("metrics", await self._timed("metrics", lambda: http.get("/api/metrics", params=params)))

    async def targets(self, http: httpx.AsyncClient) -> None:
        params = {"year": self.rng.choice((2023, 2024, 2025))} if self.rng.random() < 0.5 else {}
        self._judge("targets", await self._timed("targets", lambda: http.get("/api/metrics/targets", params=params)))

    async def documents(self, http: httpx.AsyncClient) -> None:
        self._judge("documents", await self._timed("documents", lambda: http.get("/api/documents")))

    async def unauth(self, http: httpx.AsyncClient) -> None:
        # No wrong bearer keys: five from one address pause that address (every client here) by design.
        headers = self.rng.choice(
            (
                {"Authorization": ""},
                {"Authorization": f"Basic {API_KEY}"},
                {"Authorization": "Bearer"},
                {"Authorization": API_KEY},
            )
        )
        path = self.rng.choice(("/api/documents", "/api/metrics", "/api/jobs"))
        self._judge("unauth", await self._timed("unauth", lambda: http.get(path, headers=headers)), expect=401)

    async def upload(self, http: httpx.AsyncClient) -> None:
        self.uploads += 1
        name, body = _upload_text(self.uploads, self.rng)
        r = await self._timed(
            "upload",
            lambda: http.post(
                "/api/documents", files={"files": (name, body, "text/plain")}, data={"visibility": "internal"}
            ),
        )
        if not self._judge("upload", r, expect=202, busy_ok=True):
            return
        job_id = r.json()["job_id"]
        saved = r.json()["files"][0]
        self.tally.uploads[saved] = "submitted"
        deadline = time.monotonic() + self.job_wait
        while time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            j = await self._timed("job", lambda: http.get(f"/api/jobs/{job_id}"))
            if not self._judge("job", j):
                return
            state = j.json()["state"]
            if state in ("done", "failed"):
                self.tally.uploads[saved] = state if state == "failed" else j.json()["files"][0]["status"]
                if state == "failed":
                    self.tally.error("job", f"job {job_id} failed: {j.json().get('files')}")
                return
        self.tally.error("job", f"job {job_id} not finished after {self.job_wait:.0f} s")

    async def client(self, http: httpx.AsyncClient, stop_at: float) -> None:
        while time.monotonic() < stop_at and self._take():
            kind = self.rng.choices(self.kinds, self.weights)[0]
            await getattr(self, kind)(http)

    async def run(self, clients: int) -> float:
        limits = httpx.Limits(max_connections=clients + 4, max_keepalive_connections=clients + 4)
        async with httpx.AsyncClient(
            base_url=self.base, headers={"Authorization": f"Bearer {API_KEY}"}, timeout=self.timeout, limits=limits
        ) as http:
            started = time.monotonic()
            stop_at = started + self.seconds
            hard = self.seconds + self.timeout + self.job_wait + 30
            tasks = [asyncio.create_task(self.client(http, stop_at)) for _ in range(clients)]
            done, pending = await asyncio.wait(tasks, timeout=hard)
            for t in pending:
                t.cancel()
                self.tally.error("ask", "client still running at the hard deadline")
            for t in done:
                if t.exception() is not None:
                    self.tally.error("ask", f"client crashed: {t.exception()!r}")
            return time.monotonic() - started


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
        if own:
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
    kinds = {}
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
