"""The soak's mixed traffic: async clients sending questions, metrics queries, uploads and unauthenticated calls.

Each kind of request is judged against the response the API documents; latencies, errors and
back-pressure ("busy") are tallied per kind.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

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

    async def _timed(self, kind: str, call: Callable[[], Awaitable[httpx.Response]]) -> httpx.Response | None:
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
        if r is None or not self._judge("upload", r, expect=202, busy_ok=True):
            return
        job_id = r.json()["job_id"]
        saved = r.json()["files"][0]
        self.tally.uploads[saved] = "submitted"
        deadline = time.monotonic() + self.job_wait
        while time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            j = await self._timed("job", lambda: http.get(f"/api/jobs/{job_id}"))
            if j is None or not self._judge("job", j):
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
