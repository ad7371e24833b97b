"""Request bodies are capped before any route reads them; conversation history is capped before it is read.

A real uvicorn server on a loopback port over a real data dir; oversize bodies
are written by raw sockets so the server's answer can be read while the
client is still sending (a server that waits for the whole body misses the
deadline).
"""

from __future__ import annotations

import os
import socket
import threading
import time

import httpx
import psutil
import pytest
from serving import serving

pytestmark = pytest.mark.slow

KEY = "caps-key"
MB = 1024 * 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory, embedder):
    from index import KnowledgeBase
    from ui.server import create_server_app
    from ui.settings import Settings

    root = tmp_path_factory.mktemp("caps")
    docs = root / "docs"
    docs.mkdir()
    (docs / "青川区图书馆2024年工作总结.txt").write_text(
        "青川区图书馆2024年工作总结\n\n一、主要工作\n\n全年进馆人数208.37万人次，同比增长6.05%。\n", encoding="utf-8"
    )
    kb = KnowledgeBase(root / "data", embedder)
    assert kb.ingest([docs]).ok
    settings = Settings(
        _env_file=None,
        data_dir=root / "data",
        max_file_mb=1,
        max_files_per_upload=2,
        api_keys=KEY,
        llm_api_base=None,
        reranker_path=None,
    )
    app = create_server_app(settings, kb=kb, ui_users=[])
    with serving(app) as (base, port):
        yield {"base": base, "port": port, "root": root}
    kb.close()


def _rss() -> int:
    return psutil.Process(os.getpid()).memory_info().rss


def _send_and_wait(port: int, head: bytes, chunks, deadline: float = 3.0) -> tuple[int | None, float, str]:
    """Send ``head`` then ``chunks`` from a thread; read the status line as soon as the server answers."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.settimeout(deadline)

    def sender():
        try:
            sock.sendall(head)
            for chunk in chunks:
                sock.sendall(chunk)
        except OSError:
            pass  # the server answered and closed: what a capped server does

    started = time.perf_counter()
    threading.Thread(target=sender, daemon=True).start()
    try:
        data = b""
        while b"\r\n\r\n" not in data:
            part = sock.recv(65536)
            if not part:
                break
            data += part
        while True:  # the body too, for the message
            sock.settimeout(0.5)
            try:
                part = sock.recv(65536)
            except OSError:
                break
            if not part:
                break
            data += part
    except TimeoutError:
        return None, time.perf_counter() - started, ""
    finally:
        sock.close()
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else None
    return status, time.perf_counter() - started, data.decode("utf-8", "replace")


def _head(method: str, path: str, headers: dict[str, str]) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _json_chunks(total: int, piece: int = MB):
    """A JSON object of extra fields, ``total`` bytes, produced piece by piece (never whole in memory)."""
    yield b'{"question": "2024\xe5\xb9\xb4\xe8\xbf\x9b\xe9\xa6\x86\xe4\xba\xba\xe6\x95\xb0", '
    filler = b'"x%07d": "' + b"a" * (piece - 32) + b'", '
    sent = 0
    i = 0
    while sent < total:
        chunk = filler.replace(b"%07d", b"%07d" % i)
        sent += len(chunk)
        i += 1
        yield chunk
    yield b'"end": 1}'


def test_50_mb_json_body_is_refused_at_once_without_memory(server):
    before = _rss()
    total = 50 * MB
    head = _head(
        "POST",
        "/api/ask",
        {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json", "Content-Length": str(total + 64)},
    )
    status, seconds, text = _send_and_wait(server["port"], head, _json_chunks(total))
    grown = (_rss() - before) / MB
    print(f"50 MB JSON: {status} in {seconds:.3f} s, RSS +{grown:.1f} MB")
    assert status == 413 and seconds < 1.0
    assert "请求内容过大" in text and "1.0 MB" in text
    assert grown < 20


def test_chunked_body_without_length_is_stopped_at_the_cap(server):
    before = _rss()
    head = _head(
        "POST",
        "/api/ask",
        {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json", "Transfer-Encoding": "chunked"},
    )

    def chunked():
        for piece in _json_chunks(30 * MB, 256 * 1024):
            yield b"%x\r\n" % len(piece) + piece + b"\r\n"
        yield b"0\r\n\r\n"

    status, seconds, text = _send_and_wait(server["port"], head, chunked(), deadline=5.0)
    grown = (_rss() - before) / MB
    print(f"30 MB chunked JSON: {status} in {seconds:.3f} s, RSS +{grown:.1f} MB")
    assert status == 413 and "请求内容过大" in text
    assert grown < 20


@pytest.mark.parametrize("path", ["/api/documents", "/gradio_api/upload"])
def test_oversize_upload_is_refused_before_it_is_spooled(server, path, tmp_path, monkeypatch):
    import tempfile

    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))  # where the multipart parser would spool
    boundary = "lantai-boundary"
    total = 10 * MB  # the cap: 1 MB × 2 files + form overhead
    part = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="大文件.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode()
    head = _head(
        "POST",
        path,
        {
            "Authorization": f"Bearer {KEY}",
            "Content-Length": str(total),
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    seen_big = []

    def body():
        yield part
        for _ in range(total // (256 * 1024)):
            seen_big.extend(p for p in spool.rglob("*") if p.is_file() and p.stat().st_size > MB)
            yield b"a" * (256 * 1024)

    status, seconds, text = _send_and_wait(server["port"], head, body())
    print(f"10 MB upload to {path}: {status} in {seconds:.3f} s")
    assert status == 413 and seconds < 1.0 and "请求内容过大" in text
    assert not seen_big and not [p for p in (server["root"] / "data" / "uploads").rglob("*") if p.is_file()]


def test_long_history_is_refused_fast_and_only_recent_turns_are_read(server):
    from ui.services.questions import MAX_HISTORY_CHARS, MAX_HISTORY_ITEMS

    turn = "2024年进馆人数、文献外借量、读书驿站数量、阅读推广活动场次分别是多少？同比增长多少？" * 60
    auth = {"Authorization": f"Bearer {KEY}"}
    with httpx.Client(base_url=server["base"], headers=auth, timeout=60) as client:
        started = time.perf_counter()
        r = client.post("/api/ask", json={"question": "那前年呢？", "history": [turn[:2000]] * 50})
        refused = time.perf_counter() - started
        assert r.status_code == 422 and f"最多 {MAX_HISTORY_ITEMS} 条" in r.json()["detail"], r.text
        r = client.post("/api/ask", json={"question": "那前年呢？", "history": [turn[: MAX_HISTORY_CHARS + 1]]})
        assert r.status_code == 422 and f"{MAX_HISTORY_CHARS} 字" in r.json()["detail"]

        started = time.perf_counter()
        r = client.post(
            "/api/ask", json={"question": "那前年呢？", "history": [turn[:MAX_HISTORY_CHARS]] * MAX_HISTORY_ITEMS}
        )
        answered = time.perf_counter() - started
        assert r.status_code == 200 and r.json()["answer"]

        extra = {f"x{i}": "a" * 1000 for i in range(900)}  # ~0.9 MB of unknown fields: ignored, cheaply
        started = time.perf_counter()
        r = client.post("/api/ask", json={"question": "2024年进馆人数是多少？", **extra})
        extras = time.perf_counter() - started
        assert r.status_code == 200 and "208.37" in r.json()["answer"]
    print(
        f"50 turns refused in {refused:.3f} s; {MAX_HISTORY_ITEMS} turns answered in {answered:.3f} s; "
        f"0.9 MB of extra fields answered in {extras:.3f} s"
    )
    assert refused < 0.5 and answered < 3.0 and extras < 3.0
