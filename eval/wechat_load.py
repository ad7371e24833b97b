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
import statistics
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from pathlib import Path

from eval.common import knowledge_base, load_gold, percentile
from eval.wechat_servers import InProcessServer, WorkerProcesses, shared_redis

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

    asked = questions()
    aes_key = new_aes_key() if aes else None
    with (
        WeChatAPIStandin(APPID, SECRET) as api,
        tempfile.TemporaryDirectory() as tmp,
        shared_redis(redis_url) if workers else nullcontext(None) as shared_url,
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
        server = _server(kb, values, workers, Path(tmp) / "serve.log")
        with server:
            push = WeChatPush(server.url + "/wechat", TOKEN, APPID, aes_key=aes_key, keepalive=not workers)
            deliveries, wall = _send(push, _plan(messages, users, seconds, lossy, asked), messages)
            _settle(api, server, deliveries, settle_seconds)
            push.close()
            figures = server.figures()
            if while_served is not None:
                while_served(server.url)
        if workers:
            time.sleep(1.0)  # anything a worker still sent while shutting down is counted too
        sent_to = Counter(m.touser for m in api.sent)
        tokens = _token_figures(api, token_ttl)
    settings = dict(messages=messages, users=users, budget=budget, lossy=lossy, aes=aes, gate=gate, workers=workers)
    return _result(settings, deliveries, wall, sent_to, len(api.sent), figures, tokens)


def _server(kb, values: dict, workers: int, log: Path) -> InProcessServer | WorkerProcesses:
    """Lantai served over ``kb`` with ``values`` as its settings: in this process, or in ``workers`` processes."""
    if workers:
        kb.close()  # the server's processes open the data directory themselves
        env = {f"LANTAI_{k.upper()}": str(v) for k, v in values.items() if v is not None and k != "data_dir"}
        return WorkerProcesses(kb.data_dir, env, workers, log)
    from ui.settings import Settings

    return InProcessServer(kb, Settings(**values))


def _plan(messages: int, users: int, seconds: float, lossy: float, asked: list[str]) -> list[tuple]:
    """(when, user, question, lose the first reply) for each message, spread evenly over ``seconds``."""
    names = [f"oLoadUser{u:04d}" for u in range(users)]
    every = round(1 / lossy) if lossy > 0 else 0  # every n-th message loses its first reply
    return [
        (i * seconds / messages, names[i % users], asked[i % len(asked)], int(every and i % every == 0))
        for i in range(messages)
    ]


def _send(push, plan: list[tuple], messages: int) -> tuple[list, float]:
    """Each message pushed at its time, from a pool of threads; the deliveries and the wall time."""
    started = time.monotonic()

    def one(item):
        at, user, question, lose = item
        time.sleep(max(0.0, started + at - time.monotonic()))
        return user, push.send(push.text(user, question), lose=lose)

    with ThreadPoolExecutor(max_workers=min(messages, 64)) as pool:
        deliveries = list(pool.map(one, plan))
    return deliveries, time.monotonic() - started


def _settle(api, server: InProcessServer | WorkerProcesses, deliveries: list, settle_seconds: float) -> None:
    """Wait until every answer not shown passively went out by customer service, or the time runs out."""
    late = sum(1 for _, d in deliveries if not d.shown)
    deadline = time.monotonic() + settle_seconds
    while (len(api.sent) < late or server.pending) and time.monotonic() < deadline:
        time.sleep(0.1)


def _result(
    settings: dict, deliveries: list, wall: float, sent_to: Counter, sent: int, figures: dict, tokens: dict
) -> dict:
    """Every message answered exactly once? Duplicates, losses, reply times and the server's own counts."""
    messages, workers = settings["messages"], settings["workers"]
    asked_by = Counter(user for user, _ in deliveries)
    passive_by = Counter(user for user, d in deliveries if d.shown)
    duplicates = sum(max(0, passive_by[u] + sent_to[u] - n) for u, n in asked_by.items())
    lost = sum(max(0, n - passive_by[u] - sent_to[u]) for u, n in asked_by.items())
    times = [d.accepted.elapsed * 1000 for _, d in deliveries if d.shown]
    attempts = sum(len(d.attempts) for _, d in deliveries)
    return {
        "messages": messages,
        "users": settings["users"],
        "seconds": round(wall, 1),
        "budget_s": settings["budget"],
        "lossy": settings["lossy"],
        "aes": settings["aes"],
        "gate": settings["gate"],
        "workers": workers or 1,
        "redis": bool(workers),
        "gate_words": figures["gate_words"],
        "gate_refused": figures["gate_refused"],
        "passive": sum(passive_by.values()),
        "customer_service": sent,
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
