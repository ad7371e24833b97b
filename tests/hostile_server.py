"""The hostile-input web tests' setting: the real server app over a temp data dir, an outside host, HTTP helpers.

The real server app (API + Gradio UI) runs under uvicorn on a free loopback port over a temp data
dir, with Gradio's upload cache in a temp folder of its own; requests go over real HTTP to the
public ``/gradio_api`` endpoints the way any logged-in page could send them. A small HTTP server on
loopback stands for an outside host and records every request that reaches it.
"""

from __future__ import annotations

import json
import os
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import pytest

from eval.live import LiveServer, free_port

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
