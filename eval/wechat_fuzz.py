"""Fuzz the WeChat endpoint of a running server: signed and unsigned, plain and safe mode, hostile XML.

Run: ``python -m eval.wechat_fuzz [--inputs 2000] [--seconds 300]`` (serves its own
Lantai with the WeChat channel on 127.0.0.1, WeChat's API played by a loopback
stand-in), or call ``fuzz(url, token, appid, aes_key)`` against one already up.

Inputs, drawn from a seeded generator: well-formed signed messages with random
content (text, events, other types), the same encrypted (safe mode), random
mutations of both (truncation, byte flips, inserted or dropped elements, stray
bytes, non-UTF-8), entity tricks (billion laughs, external and parameter
entities, a DTD), bodies over the size cap (declared and streamed), bad,
missing and stale signatures, and URL checks. Documented answers: 200 with
``success``, an empty body or a well-formed XML reply (an ``<Encrypt>``
envelope that decrypts to one in safe mode); 400 for an unreadable message;
403 for a bad signature; 413 for an oversized body. Anything else (a 5xx
above all) is a crash; no answer within ``--timeout`` seconds is a hang; the
server must still answer ``/healthz`` at the end. Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import httpx

from eval.standins.wechat import new_aes_key
from eval.wechat_fuzzer import Fuzzer

TOKEN = "lantai-fuzz-token"
APPID = "wx5a6e7f8091a2b3c4"
SECRET = "lantai-fuzz-secret"


def fuzz(
    url: str,
    token: str = TOKEN,
    appid: str = APPID,
    aes_key: str | None = None,
    *,
    inputs: int = 2000,
    seconds: float = 300.0,
    seed: int = 11,
    timeout: float = 10.0,
    max_body: int = 64 * 1024,
    health_url: str | None = None,
) -> dict:
    """Fuzz the endpoint at ``url`` (e.g. ``http://127.0.0.1:8000/wechat``); the result as a dict."""
    fuzzer = Fuzzer(url, token, appid, aes_key, seed, timeout, max_body)
    started = time.monotonic()
    try:
        out = fuzzer.run(inputs, seconds)
    finally:
        fuzzer.close()
    health = health_url or url.rsplit("/", 1)[0] + "/healthz"
    try:
        alive = httpx.get(health, timeout=timeout).status_code == 200
    except httpx.HTTPError:
        alive = False
    return {
        "inputs": out.inputs,
        "seconds": round(time.monotonic() - started, 1),
        "kinds": dict(out.kinds),
        "statuses": {str(k): v for k, v in sorted(out.statuses.items())},
        "replies": out.replies,
        "crashes": len(out.crashes),
        "hangs": len(out.hangs),
        "max_seconds": round(out.max_seconds, 2),
        "server_alive": alive,
        "failures": (out.crashes + out.hangs)[:10],
        "ok": not out.crashes and not out.hangs and alive,
    }


def wechat_env(api_base: str, aes_key: str) -> dict[str, str]:
    """The ``LANTAI_*`` settings that serve the WeChat channel the fuzzer signs for."""
    return {
        "LANTAI_WECHAT_TOKEN": TOKEN,
        "LANTAI_WECHAT_APPID": APPID,
        "LANTAI_WECHAT_SECRET": SECRET,
        "LANTAI_WECHAT_AES_KEY": aes_key,
        "LANTAI_WECHAT_API_BASE": api_base,
    }


def print_table(result: dict) -> None:
    print(
        f"WeChat fuzz: {result['inputs']} inputs in {result['seconds']} s · crashes {result['crashes']} · "
        f"hangs {result['hangs']} · XML replies {result['replies']} · slowest {result['max_seconds']} s · server alive {result['server_alive']}"
    )
    print("  inputs by kind: " + " · ".join(f"{k} {v}" for k, v in sorted(result["kinds"].items())))
    print("  statuses: " + " · ".join(f"{k}: {v}" for k, v in result["statuses"].items()))
    for line in result["failures"]:
        print("  failure:", line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)

    import tempfile
    from pathlib import Path

    from eval.served import Served, prepare_data, sample_files
    from eval.standins.wechat import WeChatAPIStandin

    aes_key = new_aes_key()
    with tempfile.TemporaryDirectory(prefix="lantai-wechat-fuzz-") as tmp, WeChatAPIStandin(APPID, SECRET) as api:
        with Served(prepare_data(Path(tmp)), wechat_env(api.base_url, aes_key)) as server:
            server.ingest(sample_files(Path(tmp)))
            result = fuzz(
                server.url + "/wechat",
                aes_key=aes_key,
                inputs=args.inputs,
                seconds=args.seconds,
                seed=args.seed,
                timeout=args.timeout,
            )
            result["server_tracebacks"] = server.tracebacks()
    print_table(result)
    print(json.dumps(result, ensure_ascii=False))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
