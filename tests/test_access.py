"""Every route of the real server behind one rule once API keys are set, read from the environment or `.env`.

A real uvicorn server on a loopback port over a real data dir holding one
internal document with a marker string; ``eval.access.access_matrix`` calls
every route without credentials, with a wrong key, a valid key and a valid
login cookie.
"""

from __future__ import annotations

import time

import httpx
import pytest
from serving import serving

from eval.access import access_matrix

pytestmark = pytest.mark.slow

MARKER = "内部核对码-7Q4X"
QUESTION = "2024年进馆人数和核对码是多少？"
KEYS = "key-one, key-two"
USERS = "馆员:pw-兰台,other:pw-2"


@pytest.fixture(scope="module")
def secret_kb(tmp_path_factory, embedder):
    from index import KnowledgeBase

    root = tmp_path_factory.mktemp("access")
    docs = root / "docs"
    docs.mkdir()
    (docs / "青川区图书馆2024年内部工作总结.txt").write_text(
        f"青川区图书馆2024年内部工作总结\n\n一、主要工作\n\n全年进馆人数208.37万人次，核对码为{MARKER}。\n",
        encoding="utf-8",
    )
    _write_pdf(docs / "青川区图书馆2024年内部简报.pdf", f"青川区图书馆2024年内部简报：本页核对码为{MARKER}。")
    kb = KnowledgeBase(root / "data", embedder)
    assert kb.ingest([docs]).ok
    yield kb
    kb.close()


def _write_pdf(path, text: str) -> None:
    """A one-page internal PDF: its page image and cited passages are behind the same rule as the rest."""
    import pymupdf

    with pymupdf.open() as pdf:
        page = pdf.new_page()
        page.insert_text((72, 100), text, fontname="china-s", fontsize=11)
        page.insert_text((72, 130), "全年进馆人数208.37万人次，仅供内部核对。", fontname="china-s", fontsize=11)
        pdf.save(path)


def _pdf_citation(kb) -> tuple[str, str]:
    """The internal PDF's id and the id of a chunk of it."""
    doc = next(d for d in kb.documents() if d.file_name.endswith(".pdf"))
    return doc.id, kb.registry.chunks_of(doc.id)[0].id


def _configure(monkeypatch, tmp_path, source: str, values: dict[str, str]) -> None:
    import os

    for name in [n for n in os.environ if n.startswith("LANTAI_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # the `.env` of the working directory, as `lantai serve` reads it
    if source == "environment":
        for name, value in values.items():
            monkeypatch.setenv(name, value)
    else:
        (tmp_path / ".env").write_text("".join(f"{n}={v}\n" for n, v in values.items()), encoding="utf-8")


@pytest.mark.parametrize("with_users", [False, True], ids=["keys only", "keys and web users"])
@pytest.mark.parametrize("source", ["environment", "dotenv"])
def test_every_route_needs_a_key_or_a_login(secret_kb, monkeypatch, tmp_path, source, with_users):
    from ui.server import create_server_app
    from ui.settings import Settings

    # Wrong keys are not paused here, so every route's own refusal is seen (the pause has its own test below).
    values = {"LANTAI_API_KEYS": KEYS, "LANTAI_LOGIN_MAX_FAILURES": "1000"}
    values |= {"LANTAI_UI_USERS": USERS} if with_users else {}
    _configure(monkeypatch, tmp_path, source, values)
    app = create_server_app(Settings(data_dir=secret_kb.data_dir), kb=secret_kb)
    login = ("馆员", "pw-兰台") if with_users else ("任意名字", "key-two")
    doc_id, chunk_id = _pdf_citation(secret_kb)
    with serving(app) as (base, _):
        report = access_matrix(
            app, base, key="key-one", login=login, marker=MARKER, question=QUESTION, doc_id=doc_id, chunk_id=chunk_id
        )
        keyed = {"Authorization": "Bearer key-one"}  # the probe is real: a key reaches the page and the passage
        page = httpx.get(f"{base}/api/documents/{doc_id}/pages/1.png", headers=keyed, timeout=60)
        assert page.status_code == 200 and page.content.startswith(b"\x89PNG")
        context = httpx.get(f"{base}/api/documents/{doc_id}/chunks/{chunk_id}/context", headers=keyed, timeout=60)
        assert context.status_code == 200 and MARKER in context.json()["passage"] + context.json()["after"]
        if with_users:  # with web users configured, a key is no web password
            r = httpx.post(base + "/login", data={"username": "馆员", "password": "key-one"})
            assert r.status_code == 400
    print(source, "users" if with_users else "keys", report.summary())
    assert not report.leaks, [(c.method, c.path, c.credential, c.status) for c in report.leaks][:20]
    assert report.routes > 80 and "ask" in report.endpoints and report.logged_in
    assert not report.leaks, [(c.method, c.path, c.credential, c.status) for c in report.leaks]
    # the probe is sharp: a key, or a login, reaches the answer behind every surface
    for credential in ("valid key", "valid login"):
        ask = next(c for c in report.calls if c.path == "/gradio_api/call/ask" and c.credential == credential)
        assert ask.status == 200 and MARKER in ask.note, ask
    assert report.status("POST", "/api/ask", "valid key") == 200
    assert report.status("POST", "/api/ask", "valid login") == 401  # /api takes keys only
    assert report.status("POST", "/gradio_api/call/ask", "none") == 401
    assert report.status("GET", "/config", "none") == 401
    assert report.status("GET", "/healthz", "none") == 200
    for path in ("/api/documents/{doc_id}/pages/{page}.png", "/api/documents/{doc_id}/chunks/{chunk_id}/context"):
        # a wrong key is refused: 401, or 429 once the matrix's many wrong keys have paused the client
        assert report.status("GET", path, "none") == 401 and report.status("GET", path, "wrong key") in (401, 429)
    # The word list is for admins only: a staff key or login is not enough (no LANTAI_ADMIN_KEYS here).
    for method, path in (
        ("GET", "/api/wechat/safety-words"),
        ("PUT", "/api/wechat/safety-words"),
        ("GET", "/api/wechat/safety-hits"),
    ):
        assert report.status(method, path, "none") == 401
        assert report.status(method, path, "valid key") == 403
        assert report.status(method, path, "valid login") == 401


def test_login_page_explains_key_login_in_chinese(secret_kb, monkeypatch, tmp_path):
    from ui.server import create_server_app
    from ui.settings import Settings

    _configure(monkeypatch, tmp_path, "dotenv", {"LANTAI_API_KEYS": KEYS})
    app = create_server_app(Settings(data_dir=secret_kb.data_dir), kb=secret_kb)
    with serving(app) as (base, _):
        page = httpx.get(base + "/").text
        assert "auth_required" in page and "API 密钥" in page and MARKER not in page
        r = httpx.post(base + "/login", data={"username": "", "password": "key-one"})
        assert r.status_code in (400, 422)  # a user name is still needed


def test_failed_logins_and_wrong_keys_are_paused(secret_kb, monkeypatch, tmp_path):
    from ui.server import create_server_app
    from ui.settings import Settings

    _configure(
        monkeypatch,
        tmp_path,
        "environment",
        {"LANTAI_API_KEYS": KEYS, "LANTAI_UI_USERS": USERS, "LANTAI_LOGIN_LOCKOUT_SECONDS": "2"},
    )
    app = create_server_app(Settings(data_dir=secret_kb.data_dir), kb=secret_kb)

    def login(name: str, password: str, address: str) -> httpx.Response:
        # uvicorn takes the client address from X-Forwarded-For sent by a loopback proxy
        return httpx.post(
            base + "/login", data={"username": name, "password": password}, headers={"X-Forwarded-For": address}
        )

    with serving(app) as (base, _):
        assert login("馆员", "pw-兰台", "10.0.0.1").status_code == 200
        for i in range(5):  # one user name, five addresses
            assert login("馆员", f"guess-{i}", f"10.0.1.{i}").status_code == 400
        r = login("馆员", "pw-兰台", "10.0.0.9")
        assert r.status_code == 429 and "失败次数过多" in r.json()["detail"] and "Retry-After" in r.headers
        assert login("other", "pw-2", "10.0.0.9").status_code == 200  # other users are unaffected

        for i in range(5):  # one address, five user names
            assert login(f"nobody-{i}", "x", "10.0.2.1").status_code == 400
        assert login("other", "pw-2", "10.0.2.1").status_code == 429
        assert login("other", "pw-2", "10.0.2.2").status_code == 200

        for i in range(5):  # wrong keys count against the address too, on /api and on the web UI
            path = "/api/documents" if i % 2 else "/config"
            r = httpx.get(base + path, headers={"Authorization": f"Bearer wrong-{i}", "X-Forwarded-For": "10.0.3.1"})
            assert r.status_code == 401
        ok = {"Authorization": "bearer key-one"}  # the scheme is case-insensitive
        assert httpx.get(base + "/api/documents", headers=ok | {"X-Forwarded-For": "10.0.3.1"}).status_code == 429
        assert httpx.get(base + "/api/documents", headers=ok | {"X-Forwarded-For": "10.0.3.2"}).status_code == 200

        time.sleep(2.2)  # the pause ends
        assert login("馆员", "pw-兰台", "10.0.0.9").status_code == 200
        assert httpx.get(base + "/api/documents", headers=ok | {"X-Forwarded-For": "10.0.3.1"}).status_code == 200


def test_throttle_forgets_old_failures():
    from ui.access import LoginThrottle

    now = [0.0]
    throttle = LoginThrottle(max_failures=3, window=10, lockout=30, clock=lambda: now[0])
    throttle.failed("user:a")
    throttle.failed("user:a")
    now[0] = 11.0  # the first two fall out of the window
    throttle.failed("user:a")
    assert throttle.wait("user:a") == 0
    throttle.failed("user:a")
    throttle.failed("user:a")
    assert throttle.wait("user:a", "addr:x") == 30
    now[0] = 41.0
    assert throttle.wait("user:a") == 0
