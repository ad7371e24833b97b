"""The web UI against hostile input: server paths sent as files, documents that carry HTML, formulas in exports.

The real server app (API + Gradio UI) runs under uvicorn on a free loopback
port over a temp data dir, with Gradio's upload cache in a temp folder of its
own; requests go over real HTTP to the public ``/gradio_api`` endpoints the way
any logged-in page could send them. A small HTTP server on loopback stands for
an outside host and records every request that reaches it.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import pytest

from eval.live import LiveServer, free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[1]
SCREENS = Path("/tmp/lantai-screens")
CHROMIUM = Path("/usr/bin/chromium")
REFUSAL = "只能导入通过本页面上传的文件"
SECRET_MARKER = "青鸾工程内部核算密钥7391"
SUMMARY_NAME = "青川区图书馆2024年工作总结.txt"
SUMMARY = (
    "青川区图书馆2024年工作总结\n\n一、主要工作\n\n"
    "全年进馆人数208.37万人次，同比增长6.05%。新建读书驿站11间，全区读书驿站达到63间。\n"
)
HOSTILE_NAME = "青川区图书馆2024年系统维护通知.txt"
OVERLAY = '<div style="position:fixed;top:0;left:0;width:100%;height:100%;z-index:99999;background:#fff">会话已过期，请重新登录</div>'


def hostile_text(port: int) -> str:
    return (
        "青川区图书馆2024年系统维护通知\n\n一、维护安排\n\n"
        f"系统维护期间自助借还机暂停服务<img src=http://127.0.0.1:{port}/x>，"
        f"维护公告见![x](http://127.0.0.1:{port}/y)，"
        f"详情见<http://127.0.0.1:{port}/z>和[通知](http://127.0.0.1:{port}/w){OVERLAY}。\n"
    )


# -- helpers --------------------------------------------------------------------------------------
class Outside:
    """A loopback HTTP server standing for an outside host: it records the paths requested."""

    def __init__(self) -> None:
        requests: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/gif")
                self.end_headers()
                self.wfile.write(b"GIF89a")

            def log_message(self, *args):
                pass

        self.requests = requests
        self.httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _request(url: str, body: bytes | None = None, headers: dict | None = None, method: str | None = None):
    req = urllib.request.Request(url, data=body, headers=headers or {}, method=method)
    with urllib.request.urlopen(req, timeout=120) as r:
        return r.status, r.read()


def _status(url: str) -> int:
    try:
        return _request(urllib.parse.quote(url, safe=":/?=&"))[0]
    except urllib.error.HTTPError as exc:
        return exc.code


def call(base: str, api_name: str, data: list) -> list[tuple[str, object]]:
    """One event handler through ``/gradio_api/call/<api_name>``: the server-sent events, parsed."""
    _, body = _request(
        f"{base}/gradio_api/call/{api_name}", json.dumps({"data": data}).encode(), {"Content-Type": "application/json"}
    )
    event_id = json.loads(body)["event_id"]
    _, stream = _request(f"{base}/gradio_api/call/{api_name}/{event_id}")
    events = []
    for block in stream.decode("utf-8").strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        data_field = fields.get("data", "null")
        try:
            events.append((fields.get("event", ""), json.loads(data_field)))
        except json.JSONDecodeError:
            events.append((fields.get("event", ""), data_field))
    return events


def upload_to_gradio(base: str, name: str, content: bytes) -> str:
    """A file sent the way the page sends it: multipart to ``/gradio_api/upload``; returns its cache path."""
    boundary = "----lantai-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
            "Content-Type: text/plain\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    _, out = _request(f"{base}/gradio_api/upload", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    return json.loads(out)[0]


def file_data(path: str | Path, name: str | None = None) -> dict:
    return {"path": str(path), "orig_name": name or Path(path).name, "meta": {"_type": "gradio.FileData"}}


def files_holding(folder: Path, marker: str) -> list[Path]:
    found = []
    for path in folder.rglob("*"):
        try:
            if path.is_file() and marker.encode() in path.read_bytes():
                found.append(path)
        except OSError:
            continue
    return found


def _paths(value) -> list[str]:
    """Every ``path`` inside an event's data (a file output may come wrapped in an update)."""
    if isinstance(value, dict):
        return ([value["path"]] if isinstance(value.get("path"), str) else []) + [
            p for v in value.values() for p in _paths(v)
        ]
    if isinstance(value, list):
        return [p for v in value for p in _paths(v)]
    return []


def documents(base: str) -> set[str]:
    return {d["file_name"] for d in json.loads(_request(base + "/api/documents")[1])}


# -- the server -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def outside():
    server = Outside()
    yield server
    server.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory, embedder, outside):
    from index import KnowledgeBase
    from ui.server import create_server_app
    from ui.settings import Settings

    root = tmp_path_factory.mktemp("hostile")
    docs = root / "docs"
    docs.mkdir()
    (docs / SUMMARY_NAME).write_text(SUMMARY, encoding="utf-8")
    (docs / HOSTILE_NAME).write_text(hostile_text(outside.port), encoding="utf-8")
    data = root / "data"
    kb = KnowledgeBase(data, embedder)
    report = kb.ingest([docs])
    assert report.ok, [e.bilingual() for e in report.failed]
    secret = root / "elsewhere" / "馆务机密.txt"
    secret.parent.mkdir()
    secret.write_text(f"青川区图书馆馆务机密\n\n一、说明\n\n{SECRET_MARKER}，不得外传。\n", encoding="utf-8")

    cache = root / "gradio-cache"
    before = os.environ.get("GRADIO_TEMP_DIR")
    os.environ["GRADIO_TEMP_DIR"] = str(cache)  # read when the Blocks and their routes are built
    try:
        settings = Settings(_env_file=None, data_dir=data, llm_api_base=None, reranker_path=None)
        app = create_server_app(settings, kb=kb, api_keys=[], ui_users=[])
        with LiveServer(app) as live:
            yield SimpleNamespace(base=live.url, root=root, data=data, cache=cache, secret=secret, kb=kb)
    finally:
        if before is None:
            os.environ.pop("GRADIO_TEMP_DIR", None)
        else:
            os.environ["GRADIO_TEMP_DIR"] = before
        kb.close()


def _refused(events: list) -> bool:
    return any(REFUSAL in json.dumps(data, ensure_ascii=False) for _, data in events)


# -- 1. files only from the upload cache ----------------------------------------------------------
def test_upload_refuses_a_server_path_outside_the_upload_cache(server):
    events = call(server.base, "upload_any", [[file_data(server.secret)], None, "public"])
    assert _refused(events), events
    assert "馆务机密.txt" not in documents(server.base)
    assert files_holding(server.data, SECRET_MARKER) == []  # nothing staged, nothing indexed
    assert files_holding(server.cache, SECRET_MARKER) == []  # and no copy left to download


def test_upload_refuses_a_link_in_the_cache_that_leads_outside(server):
    link = server.cache / "planted" / "馆务机密.txt"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(server.secret)
    try:
        events = call(server.base, "upload_any", [None, [file_data(link)], "internal"])
    finally:
        link.unlink()
    assert _refused(events), events
    assert "馆务机密.txt" not in documents(server.base)
    assert files_holding(server.data, SECRET_MARKER) == []


def test_upload_refuses_a_url_and_fetches_nothing(server, outside):
    outside.requests.clear()
    events = call(
        server.base,
        "upload_any",
        [[file_data(f"http://127.0.0.1:{outside.port}/doc.txt", "doc.txt")], None, "internal"],
    )
    assert _refused(events), events
    assert outside.requests == []


@pytest.mark.parametrize(
    "api_name, data",
    [
        ("reindex_document", lambda p: [file_data(p)]),
        ("delete_document", lambda p: [file_data(p), True]),
        ("change_visibility", lambda p: [file_data(p), "public"]),
        ("ask", lambda p: ["你好", [{"role": "user", "content": file_data(p)}]]),
        ("ask", lambda p: [file_data(p), []]),
    ],
)
def test_no_other_input_copies_a_server_file(server, api_name, data):
    """Any input can carry a file reference: none may copy a server file where it can be downloaded."""
    for stale in files_holding(server.cache, SECRET_MARKER):
        stale.unlink()
    events = call(server.base, api_name, data(server.secret))
    assert files_holding(server.cache, SECRET_MARKER) == []
    shown = json.dumps(events, ensure_ascii=False)
    assert SECRET_MARKER not in shown and "/gradio_api/file=" not in shown


def test_web_upload_is_ingested_and_leaves_no_downloadable_copy(server):
    marker = "少儿阅读简报专用标记5821"
    name = "青川区图书馆2024年少儿阅读简报.txt"
    cached = upload_to_gradio(
        server.base, name, f"青川区图书馆2024年少儿阅读简报\n\n{marker}，暑期开展亲子共读活动。\n".encode()
    )
    assert Path(cached).resolve().is_relative_to(server.cache.resolve())
    events = call(server.base, "upload_any", [[file_data(cached, name)], None, "internal"])
    assert events[-1][0] == "complete", events
    assert "新增" in json.dumps(events[-1][1], ensure_ascii=False)
    assert name in documents(server.base)
    assert not Path(cached).exists()  # the cache copy is gone once staged
    assert _status(f"{server.base}/gradio_api/file={cached}") in (403, 404)
    assert files_holding(server.cache, marker) == []

    doc_id = next(d["id"] for d in json.loads(_request(server.base + "/api/documents")[1]) if d["file_name"] == name)
    events = call(server.base, "delete_document", [doc_id, True])
    assert "已删除" in json.dumps(events[-1][1], ensure_ascii=False)
    assert files_holding(server.data / "uploads", marker) == [] and files_holding(server.cache, marker) == []


# -- 2. document text is shown as text ------------------------------------------------------------
def _hostile_answer(port: int):
    from assistant.types import Answer, Citation, FigureUsed

    text = hostile_text(port)
    return Answer(
        question="维护安排",
        answer=text,
        grounded=False,
        unverified_numbers=[f"<img src=http://127.0.0.1:{port}/n>"],
        citations=[
            Citation(
                1,
                f"![f](http://127.0.0.1:{port}/f).txt",
                "一、维护安排\n\n![s](http://x/s)",
                3,
                "前文\n\n" + text + "\n\n<script>alert(1)</script>",
            )
        ],
        figures=[
            FigureUsed(
                "<b onmouseover=x>指标</b>",
                2024,
                1.0,
                "[单位](http://127.0.0.1:1/u)",
                f"<img src=http://127.0.0.1:{port}/s>",
                derived=True,
                formula="![f](http://x/f)",
            )
        ],
    )


ALLOWED_TAGS = {
    "div",
    "span",
    "b",
    "br",
    "details",
    "summary",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}


def _tags(markup: str) -> list[tuple[str, list]]:
    from html.parser import HTMLParser

    found: list[tuple[str, list]] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Collect(convert_charrefs=True).feed(markup)
    return found


def _assert_inert(markup: str) -> None:
    for tag, attrs in _tags(markup):
        assert tag in ALLOWED_TAGS, tag
        assert all(name == "class" for name, _ in attrs), (tag, attrs)
    for construct in ("![", "](", "<http", "http://", "\n\n", "$$"):
        assert construct not in markup, construct


def test_render_answer_shows_document_text_as_text():
    from ui.web import render_answer

    answer = _hostile_answer(9)
    markup = render_answer(answer)
    _assert_inert(markup)
    shown = html.unescape(markup)
    assert "<img src=http://127.0.0.1:9/x>" in shown and "![x](http://127.0.0.1:9/y)" in shown
    assert "会话已过期，请重新登录" in shown and "position:fixed" in shown  # visible, as words


def test_status_texts_and_plan_preview_are_inert():
    from ui import web
    from ui.web import job_markdown, plan_preview

    snap = {
        "job_id": "abcdef123456",
        "state": "failed",
        "files_done": 1,
        "files_total": 1,
        "chunks_embedded": 0,
        "chunks_planned": 0,
        "error": "![e](http://127.0.0.1:9/e)",
        "files": [
            {
                "name": "<img src=http://127.0.0.1:9/n>.txt",
                "status": "failed",
                "error": '[点此](http://127.0.0.1:9/r) <div style="position:fixed">x</div>',
            }
        ],
    }
    out = job_markdown(snap)
    for construct in ("![", "](", "<img", "<div", "http://"):
        assert construct not in out, construct
    assert "<img src=http://127.0.0.1:9/n>.txt" in html.unescape(out)

    plan = (
        "# 2025年工作计划\n\n## 一、总体思路\n\n- 推进读书驿站建设![x](http://127.0.0.1:9/p)\n"
        "- 见<http://127.0.0.1:9/q>与[链接](http://127.0.0.1:9/l)<img src=http://127.0.0.1:9/i>\n"
        "| 指标 | 目标 |\n|---|---|\n| 进馆人数 | 210万人次 |\n"
    )
    preview = plan_preview(plan)
    for construct in ("![", "](", "<img", "<http", "http://"):
        assert construct not in preview, construct
    assert (
        preview.startswith("# 2025年工作计划")
        and "## 一、总体思路" in preview
        and "| 进馆人数 | 210万人次 |" in preview
    )
    assert "<" not in web.inert("<b>") and html.unescape(web.inert("<b>")) == "<b>"


def test_hostile_document_answer_in_the_browser_fetches_nothing_and_covers_nothing(server, outside, tmp_path):
    playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing")
    outside.requests.clear()
    SCREENS.mkdir(parents=True, exist_ok=True)
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        try:
            for width, height in ((1280, 900), (390, 844)):
                context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
                page = context.new_page()
                page.set_default_timeout(60_000)
                page.goto(server.base + "/")
                page.locator("#lt-question textarea").fill("系统维护期间自助借还机暂停服务吗？")
                page.locator("#lt-ask").click()
                chat = page.locator("#lt-chat")
                chat.locator("details.lt-cite").first.wait_for()
                page.wait_for_timeout(1500)
                assert outside.requests == []
                covering = page.evaluate(
                    """() => [...document.querySelectorAll('body *')].filter(e => {
                           const s = getComputedStyle(e);
                           return (s.position === 'fixed' || s.position === 'absolute')
                                  && (e.innerText || '').startsWith('会话已过期');
                       }).length"""
                )
                assert covering == 0
                middle = page.evaluate(
                    "() => (document.elementFromPoint(innerWidth / 2, innerHeight / 2)"
                    "?.innerText || '').startsWith('会话已过期')"
                )
                assert not middle
                for summary in chat.locator("details.lt-cite summary").all():
                    summary.click(timeout=5_000)
                page.wait_for_timeout(1000)
                text = chat.inner_text()
                assert "会话已过期，请重新登录" in text and "<img src=http" in text  # shown as words
                assert "![x](http" in text
                chat.locator("details.lt-cite").first.scroll_into_view_if_needed()
                page.screenshot(path=str(SCREENS / f"hostile-answer-{width}.png"), full_page=True)
                context.close()
        finally:
            browser.close()
    assert outside.requests == []


# -- 3. exports carry no formulas -----------------------------------------------------------------
def _metric_row(**changes):
    from index import MetricRow

    base = dict(
        id=1,
        doc_id="d",
        file_name="青川区图书馆2024年工作总结.txt",
        title="t",
        doc_type="工作总结",
        org="青川区图书馆",
        chunk_id=None,
        indicator="进馆人数",
        phrase="进馆人数",
        value=208.37,
        unit="万人次",
        plain_value=2083700.0,
        base_unit="人次",
        year=2024,
        kind="actual",
        scope="",
        as_of=None,
        qualifier=None,
        change_pct=6.05,
        change_dir="down",
        change_text=None,
        derived=False,
        formula=None,
        char_start=0,
        char_end=1,
        stated="208.37万人次",
        quote="全年进馆人数208.37万人次",
        check_note=None,
    )
    base.update(changes)
    return MetricRow(**base)


HOSTILE_CELLS = {
    "indicator": '=HYPERLINK("http://127.0.0.1:9/x","点击")',
    "org": "+1+cmd|' /C calc'!A0",
    "phrase": "-2+3",
    "file_name": "@SUM(A1:A9).txt",
    "qualifier": "\t=1+1",
    "quote": "\r=2+2",
    "scope": "=1",
}


def test_exports_write_formula_like_text_as_text(tmp_path):
    from openpyxl import load_workbook

    from ui.metrics_export import COLUMNS, to_csv, to_xlsx

    rows = [_metric_row(**HOSTILE_CELLS), _metric_row(id=2, value=-3.5, change_pct=None)]
    keys = [key for key, _ in COLUMNS]
    records = list(csv.reader(io.StringIO(to_csv(rows))))
    first = dict(zip(keys, records[1]))
    for key, raw in HOSTILE_CELLS.items():
        assert first[key] == "'" + (raw if key != "quote" else raw[:200]), key
    assert first["change"] == "'-6.05%"  # a text cell that happens to start with "-"
    assert records[1][keys.index("value")] == "208.37" and records[2][keys.index("value")] == "-3.5"

    path = tmp_path / "指标表.xlsx"
    to_xlsx(rows, path)
    sheet = load_workbook(path).active
    cells = {key: sheet.cell(row=2, column=i + 1) for i, key in enumerate(keys)}
    for key, raw in HOSTILE_CELLS.items():
        assert cells[key].data_type == "s" and cells[key].value == "'" + raw, key
    assert cells["value"].data_type == "n" and cells["value"].value == 208.37
    assert cells["year"].data_type == "n" and cells["year"].value == 2024
    negative = sheet.cell(row=3, column=keys.index("value") + 1)
    assert negative.data_type == "n" and negative.value == -3.5
    with path.open("rb") as fh:  # no formula element anywhere in the sheet
        import zipfile

        with zipfile.ZipFile(fh) as z:
            assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")


# -- 4. nothing left behind -----------------------------------------------------------------------
def test_a_stopped_server_leaves_no_download_folder(tmp_path, embedder):
    from index import KnowledgeBase

    data = tmp_path / "data"
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / SUMMARY_NAME).write_text(SUMMARY, encoding="utf-8")
    kb = KnowledgeBase(data, embedder)
    assert kb.ingest([docs]).ok
    kb.close()
    (data / "feedback.jsonl").write_text('{"rating": "up"}\n', encoding="utf-8")  # something to download
    scratch, cache = tmp_path / "tmp", tmp_path / "gradio-cache"
    scratch.mkdir()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANTAI_")}
    env.update(
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        GRADIO_ANALYTICS_ENABLED="False",
        PYTHONPATH=str(REPO),
        TMPDIR=str(scratch),
        GRADIO_TEMP_DIR=str(cache),
    )
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.cli", "serve", "--host", "127.0.0.1", "--port", str(port), "--data-dir", str(data)],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if _status(base + "/healthz") == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "server.log").read_text()
            time.sleep(0.3)
        events = call(base, "download_feedback", [])
        assert events[-1][0] == "complete", events
        exported = _paths(events[-1][1])[0]
        assert _status(f"{base}/gradio_api/file={exported}") == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
    # uvicorn re-raises the SIGTERM it handled once the shutdown is complete
    assert proc.returncode in (0, -signal.SIGTERM), (tmp_path / "server.log").read_text()[-2000:]
    assert "Application shutdown complete" in (tmp_path / "server.log").read_text()
    assert [p.name for p in scratch.iterdir() if p.name.startswith("lantai-ui-")] == []
    assert [p for p in cache.rglob("*") if p.is_file()] == []  # exports served from the cache are gone too
