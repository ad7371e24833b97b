"""Load test of the WeChat channel: many users, WeChat's own time-outs and retries, every answer counted.

Run: ``python -m eval.wechat_load [--messages 200] [--users 50] [--seconds 60] [--budget 4.5] [--lossy 0.1]
[--aes] [--no-gate] [--data-dir D] [--workers N [--redis-url URL]] [--token-ttl S]``.

Lantai is served by uvicorn on 127.0.0.1 over a knowledge base holding the sample corpus
(and the real seed when present) as public documents, or over ``--data-dir``: in this process,
or with ``--workers N`` as ``lantai serve --workers N`` in its own processes, sharing its state
through Redis (``--redis-url``, or a redis-server this script starts on a free loopback port).
``--token-ttl`` makes the stand-in's access_tokens expire after that many seconds (an older
token then stays valid 5 s only, as WeChat keeps the previous one for a while): the run then
counts the token fetches against the renewal periods it spanned — one fetch per period means
one refresher, whatever the number of workers. The WeChat
stand-in (``eval.standins.wechat``) pushes the messages, spread evenly over the time given,
each from one of the users in turn, with gold questions; it behaves as WeChat does (5 s
time-out, the same message up to 3 times) and serves the customer-service API. ``--lossy``
is the share of messages whose first reply is lost on the way back, so WeChat sends them
again; ``--budget`` below the answer time sends answers out by customer service; ``--aes``
encrypts every message and reply (safe mode). The content-safety gate (the bundled word list)
checks every question and answer unless ``--no-gate``. At the end every message must have been
answered exactly once, passively or by customer service.

Printed: messages sent, answered passively, answered asynchronously by customer service,
duplicates (must be 0), lost (must be 0), the passive reply time p50/p95 as WeChat saw
it, and the access_token fetches. Exit status 1 when anything was duplicated or lost, or
more tokens were fetched than renewal periods passed. Traffic never leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from pathlib import Path

from eval.common import knowledge_base, load_gold, percentile

os.environ.setdefault("HF_HUB_OFFLINE", "1")

TOKEN, APPID, SECRET = "load-token", "wxloadtest000001", "load-secret"


def questions() -> list[str]:
    items = load_gold("qa.jsonl")
    return [i["question"] for i in items if not i.get("history") and len(i["question"]) <= 500]


def public_base(data_dir: Path):
    """The sample corpus (and the seed) ingested as public documents, unless ``data_dir`` has documents."""
    kb = knowledge_base(data_dir, visibility="public")
    if not any(d.visibility == "public" for d in kb.documents()):
        print("warning: no public documents: every WeChat answer will be a refusal", file=sys.stderr)
    return kb


class _InProcess:
    """Lantai's API app over ``kb``, served by uvicorn in a thread of this process."""

    def __init__(self, kb, settings):
        from eval.live import LiveServer
        from ui.api import create_app

        self.app = create_app(settings, kb=kb, api_keys=[])
        self.live = LiveServer(self.app)

    def __enter__(self):
        self.live.start()
        self.url = self.live.url
        return self

    def __exit__(self, *exc) -> None:
        self.live.stop()

    @property
    def pending(self) -> int:
        return self.app.state.wechat.pending

    def figures(self) -> dict:
        channel = self.app.state.wechat
        return {
            "answers_started": channel.counts.answers_started,
            "delivery_failed": channel.counts.delivery_failed,
            "gate_words": channel.gate.words.blocked if channel.gate else 0,
            "gate_refused": channel.gate.refused if channel.gate else 0,
        }


class _Workers:
    """``lantai serve --workers N`` in its own processes, configured through the environment as deployed."""

    def __init__(self, data_dir: Path, settings_env: dict[str, str], workers: int, log: Path):
        from eval.live import free_port

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.command = [
            sys.executable,
            "-m",
            "ui.cli",
            "serve",
            "--workers",
            str(workers),
            "--port",
            str(self.port),
            "--data-dir",
            str(data_dir),
        ]
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("LANTAI_")} | settings_env
        self.log = log
        self.workers = workers
        self.pending = 0  # other processes: what is under way there is seen from outside only

    def __enter__(self):
        self._out = self.log.open("w")
        self.proc = subprocess.Popen(
            self.command,
            env=self.env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            cwd=Path(__file__).resolve().parents[1],
        )
        try:
            self._wait_started()
        except BaseException:
            self._stop()  # never leave a half-started server behind
            raise
        self._cpu_at_start = self._cpu()
        return self

    def _wait_started(self) -> None:
        import httpx

        deadline = time.monotonic() + 300
        while True:
            if self.proc.poll() is not None:
                raise SystemExit(f"lantai serve exited with {self.proc.returncode}: see {self.log}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"lantai serve did not answer in 300 s: see {self.log}")
            time.sleep(0.25)
        while self.log.read_text(errors="replace").count("Application startup complete") < self.workers:
            if time.monotonic() > deadline or self.proc.poll() is not None:  # the first to answer may be alone
                raise SystemExit(f"not every worker of lantai serve started: see {self.log}")
            time.sleep(0.25)

    def __exit__(self, *exc) -> None:
        self._stop()

    def _stop(self) -> None:
        import psutil

        try:
            workers = psutil.Process(self.proc.pid).children(recursive=True)
        except psutil.Error:
            workers = []
        self.proc.send_signal(signal.SIGINT)  # uvicorn's graceful shutdown: late answers still go out
        try:
            self.proc.wait(90)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for worker in workers:  # a supervisor killed mid-restart may leave its workers behind
            try:
                worker.kill()
            except psutil.Error:
                pass
        self._out.close()

    def _cpu(self) -> dict[int, float]:
        """CPU seconds of each worker process (uvicorn spawns them through multiprocessing)."""
        import psutil

        return {
            c.pid: sum(c.cpu_times()[:2])
            for c in psutil.Process(self.proc.pid).children()
            if "spawn_main" in " ".join(c.cmdline())
        }

    def figures(self) -> dict:
        """What can be seen from outside: the CPU seconds each worker spent during the run (the load's spread)."""
        now = self._cpu()
        spent = sorted((round(t - self._cpu_at_start.get(pid, 0.0), 1) for pid, t in now.items()), reverse=True)
        return {
            "answers_started": None,
            "delivery_failed": None,
            "gate_words": None,
            "gate_refused": None,
            "worker_cpu_s": spent,
        }


@contextmanager
def _redis(url: str | None):
    """The Redis the workers share: the one named, or a redis-server started here on a free loopback port."""
    if url:
        yield url
        return
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit(
            "--workers needs Redis: install redis-server (Debian: apt-get install redis-server) or pass --redis-url"
        )
    from eval.live import free_port

    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        proc = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", folder, "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        try:
            time.sleep(0.3)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            proc.terminate()
            proc.wait(10)


def run(
    kb,
    messages: int = 200,
    users: int = 50,
    seconds: float = 60.0,
    budget: float = 4.5,
    lossy: float = 0.0,
    settle_seconds: float = 60.0,
    aes: bool = False,
    gate: bool = True,
    workers: int = 0,
    redis_url: str | None = None,
    token_ttl: int | None = None,
    while_served=None,
) -> dict:
    """Push ``messages`` from ``users`` over ``seconds`` and count what came back; the figures as a dict.

    ``workers`` 0: served in this process over ``kb``; N: ``lantai serve --workers N`` over ``kb``'s
    data directory (``kb`` closed first), its state in Redis (``redis_url``, or one started here).
    ``while_served(url)``, if given, is called once the load is over, while the server still runs.
    """
    from eval.standins.wechat import WeChatAPIStandin, WeChatPush, new_aes_key
    from ui.settings import Settings

    asked = questions()
    aes_key = new_aes_key() if aes else None
    with (
        WeChatAPIStandin(APPID, SECRET) as api,
        tempfile.TemporaryDirectory() as tmp,
        _redis(redis_url) if workers else nullcontext(None) as shared_url,
    ):
        if token_ttl:
            api.token_ttl = token_ttl
            api.old_token_grace = 5.0
        values = dict(
            data_dir=kb.data_dir,
            wechat_token=TOKEN,
            wechat_appid=APPID,
            wechat_secret=SECRET,
            wechat_api_base=api.base_url,
            wechat_reply_budget=budget,
            wechat_aes_key=aes_key,
            wechat_safety_gate=gate,
            wechat_safety_log=Path(tmp) / "safety-hits.jsonl",
            redis_url=shared_url,
        )
        if workers:
            kb.close()  # the server's processes open the data directory themselves
            env = {f"LANTAI_{k.upper()}": str(v) for k, v in values.items() if v is not None and k != "data_dir"}
            server = _Workers(kb.data_dir, env, workers, Path(tmp) / "serve.log")
        else:
            server = _InProcess(kb, Settings(**values))
        with server:
            push = WeChatPush(server.url + "/wechat", TOKEN, APPID, aes_key=aes_key, keepalive=not workers)
            names = [f"oLoadUser{u:04d}" for u in range(users)]
            every = round(1 / lossy) if lossy > 0 else 0  # every n-th message loses its first reply
            plan = [
                (i * seconds / messages, names[i % users], asked[i % len(asked)], int(every and i % every == 0))
                for i in range(messages)
            ]
            started = time.monotonic()

            def one(item):
                at, user, question, lose = item
                time.sleep(max(0.0, started + at - time.monotonic()))
                return user, push.send(push.text(user, question), lose=lose)

            with ThreadPoolExecutor(max_workers=min(messages, 64)) as pool:
                deliveries = list(pool.map(one, plan))
            wall = time.monotonic() - started
            late = sum(1 for _, d in deliveries if not d.shown)
            deadline = time.monotonic() + settle_seconds
            while (len(api.sent) < late or server.pending) and time.monotonic() < deadline:
                time.sleep(0.1)
            push.close()
            figures = server.figures()
            if while_served is not None:
                while_served(server.url)
        if workers:
            time.sleep(1.0)  # anything a worker still sent while shutting down is counted too
        sent_to = Counter(m.touser for m in api.sent)
        tokens = _token_figures(api, token_ttl)

    asked_by = Counter(user for user, _ in deliveries)
    passive_by = Counter(user for user, d in deliveries if d.shown)
    duplicates = sum(max(0, passive_by[u] + sent_to[u] - n) for u, n in asked_by.items())
    lost = sum(max(0, n - passive_by[u] - sent_to[u]) for u, n in asked_by.items())
    times = [d.accepted.elapsed * 1000 for _, d in deliveries if d.shown]
    attempts = sum(len(d.attempts) for _, d in deliveries)
    return {
        "messages": messages,
        "users": users,
        "seconds": round(wall, 1),
        "budget_s": budget,
        "lossy": lossy,
        "aes": aes,
        "gate": gate,
        "workers": workers or 1,
        "redis": bool(workers),
        "gate_words": figures["gate_words"],
        "gate_refused": figures["gate_refused"],
        "passive": sum(passive_by.values()),
        "customer_service": len(api.sent),
        "duplicates": duplicates,
        "lost": lost,
        "invalid_replies": sum(1 for _, d in deliveries if d.invalid),
        "wechat_attempts": attempts,
        "retries": attempts - messages,
        "answers_started": figures["answers_started"],
        "delivery_failed": figures["delivery_failed"],
        "passive_p50_ms": round(statistics.median(times), 1) if times else None,
        "passive_p95_ms": round(percentile(times, 0.95), 1) if times else None,
        "passive_max_ms": round(max(times), 1) if times else None,
        "worker_cpu_s": figures.get("worker_cpu_s"),
        **tokens,
    }


def _token_figures(api, token_ttl: int | None) -> dict:
    """Token fetches, and the renewal periods the customer-service traffic spanned (one fetch each at best).

    A token is renewed a fifth of its lifetime early (at most 5 minutes): a period is ``ttl - margin``.
    From the first fetch to the last send, ``floor(span / period) + 1`` periods began in which a token was
    needed; a single refresher fetches at most that many.
    """
    calls = api.calls
    fetches = [c for c in calls if c.path == api.TOKEN]
    sends = [c for c in calls if c.path == api.SEND]
    rejected = sum(1 for c in sends if c.errcode in (40001, 40014, 42001))
    figures = {
        "token_ttl_s": token_ttl,
        "token_fetches": len(fetches),
        "token_rejections": rejected,
        "token_periods": None,
    }
    if fetches and sends:
        ttl = float(token_ttl or 7200)
        period = ttl - min(300.0, ttl / 5)
        span = max(c.at for c in sends) - min(c.at for c in fetches)
        figures["token_periods"] = int(span // period) + 1
    return figures


def report(r: dict) -> None:
    print(
        f"messages sent: {r['messages']} from {r['users']} users in {r['seconds']} s "
        f"(reply budget {r['budget_s']} s, first reply lost for {r['lossy']:.0%}, "
        f"{'safe mode (AES)' if r['aes'] else 'plain mode'})"
    )
    print(
        f"content-safety gate: {'on, ' + str(r['gate_words']) + ' words' if r['gate'] else 'off'}; "
        f"refused: {r['gate_refused']}"
    )
    print(f"answered passively: {r['passive']}")
    print(f"answered asynchronously (customer service): {r['customer_service']}")
    print(f"duplicates: {r['duplicates']}")
    print(f"lost: {r['lost']}")
    if r["passive_p50_ms"] is not None:
        print(
            f"passive reply time: p50 {r['passive_p50_ms']:.1f} ms · p95 {r['passive_p95_ms']:.1f} ms · "
            f"max {r['passive_max_ms']:.1f} ms"
        )
    print(
        f"served by: {r['workers']} worker process(es)"
        + (", state shared in Redis" if r["redis"] else ", state in process")
        + (f"; CPU seconds per worker: {r['worker_cpu_s']}" if r.get("worker_cpu_s") else "")
    )
    if r["token_fetches"]:
        print(
            f"access_token fetches: {r['token_fetches']} over {r['token_periods']} renewal period(s) "
            f"(token lifetime {r['token_ttl_s'] or 7200} s); sends rejected for the token: {r['token_rejections']}"
        )
    print(
        f"WeChat attempts: {r['wechat_attempts']} (retries {r['retries']}); invalid replies: "
        f"{r['invalid_replies']}; answers computed: {r['answers_started']}; failed deliveries: "
        f"{r['delivery_failed']}"
    )
    print(json.dumps(r, ensure_ascii=False))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0, help="the messages are spread over this time")
    parser.add_argument("--budget", type=float, default=4.5, help="passive reply budget (LANTAI_WECHAT_REPLY_BUDGET)")
    parser.add_argument("--lossy", type=float, default=0.0, help="share of messages whose first reply is lost")
    parser.add_argument("--aes", action="store_true", help="safe mode: messages and replies encrypted")
    parser.add_argument("--no-gate", action="store_true", help="turn the content-safety gate off")
    parser.add_argument("--data-dir", type=Path, help="an existing data dir (its public documents are used)")
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="serve with `lantai serve --workers N` in its own processes, state in Redis "
        "(0: in this process, no Redis)",
    )
    parser.add_argument("--redis-url", help="the Redis the workers share (default: a redis-server started here)")
    parser.add_argument("--token-ttl", type=int, help="access_token lifetime the WeChat stand-in gives, seconds")
    args = parser.parse_args(argv)
    if (
        args.messages < 1
        or args.users < 1
        or args.seconds <= 0
        or not 0 <= args.lossy <= 1
        or args.workers < 0
        or (args.token_ttl is not None and args.token_ttl < 1)
    ):
        parser.error(
            "--messages and --users must be at least 1, --seconds positive, --lossy between 0 and 1, "
            "--workers 0 or more, --token-ttl at least 1"
        )
    with tempfile.TemporaryDirectory() as tmp:
        kb = public_base(args.data_dir or Path(tmp) / "data")
        try:
            result = run(
                kb,
                args.messages,
                args.users,
                args.seconds,
                args.budget,
                args.lossy,
                aes=args.aes,
                gate=not args.no_gate,
                workers=args.workers,
                redis_url=args.redis_url,
                token_ttl=args.token_ttl,
            )
        finally:
            kb.close()
    report(result)
    one_refresher = result["token_periods"] is None or result["token_fetches"] <= result["token_periods"]
    clean = result["duplicates"] == 0 and result["lost"] == 0 and result["invalid_replies"] == 0
    return 0 if clean and one_refresher else 1


if __name__ == "__main__":
    sys.exit(main())
