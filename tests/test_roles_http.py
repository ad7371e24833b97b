"""Roles over real HTTP: ``lantai serve`` in a subprocess, web logins of both roles, the handlers called
as the public ``/gradio_api/call/<name>`` endpoints any logged-in page could call.

A 馆员 is refused by every admin handler and nothing changes (documents, visibility, word list,
operations log); a 管理员's actions, and a REST client's, land in the operations log with who, when
and what, which admins read at ``GET /api/audit``.
"""

from __future__ import annotations

import json
import time
from datetime import datetime

import httpx
import pytest
from web_server import lantai_served

from eval.access import _login, _read_events

pytestmark = pytest.mark.slow

STAFF, ADMIN = ("馆员甲", "pw:with:colons"), ("王馆长", "pw-admin")
STAFF_KEY, ADMIN_KEY = "k-staff", "k-admin"
WORDS = "广告引流\t加我微信\n"
SUMMARY = "青川区图书馆2024年工作总结\n\n一、主要工作\n\n全年进馆人数208.37万人次，同比增长6.05%。\n"
REFUSED = "只有管理员"


@pytest.fixture(scope="module")
def server(tmp_path_factory, embedder):
    from index import KnowledgeBase

    root = tmp_path_factory.mktemp("roles")
    docs, data = root / "docs", root / "data"
    docs.mkdir()
    (docs / "青川区图书馆2024年工作总结.txt").write_text(SUMMARY, encoding="utf-8")
    kb = KnowledgeBase(data, embedder)
    assert kb.ingest([docs]).ok
    kb.close()
    (data / "feedback.jsonl").write_text(json.dumps({"question": "进馆人数", "rating": "up"}) + "\n", "utf-8")
    words = root / "words.tsv"
    words.write_text(WORDS, encoding="utf-8")
    env = {
        "LANTAI_UI_USERS": f"{STAFF[0]}:{STAFF[1]}:馆员,{ADMIN[0]}:{ADMIN[1]}:admin",
        "LANTAI_API_KEYS": f"{STAFF_KEY},{ADMIN_KEY}",
        "LANTAI_ADMIN_KEYS": ADMIN_KEY,
        "LANTAI_SAFETY_WORDS": str(words),
    }
    with lantai_served(root, data, 1, **env) as base:
        staff, admin = _login(base, STAFF, {}), _login(base, ADMIN, {})
        assert staff is not None and admin is not None
        try:
            yield base, staff, admin, words
        finally:
            staff.close()
            admin.close()


def _call(client: httpx.Client, name: str, data: list) -> str:
    r = client.post(f"/gradio_api/call/{name}", json={"data": data})
    assert r.status_code == 200, r.text
    return _read_events(client, f"/gradio_api/call/{name}/{r.json()['event_id']}", time.monotonic() + 60)


def _api(base: str, key: str, method: str = "GET", path: str = "/api/documents", **kw) -> httpx.Response:
    return httpx.request(method, base + path, headers={"Authorization": f"Bearer {key}"}, timeout=30, **kw)


def test_staff_are_refused_by_every_admin_handler_and_nothing_changes(server):
    base, staff, _, words = server
    before = _api(base, STAFF_KEY).json()
    doc_id = before[0]["id"]
    calls = {
        "upload_any": [[], None, "public", True],
        "change_visibility": [doc_id, "public"],
        "reindex_document": [doc_id],
        "delete_document": [doc_id, True],
        "safety_words_load": [],
        "safety_words_save": ["色情\t词\n"],
        "audit_show": ["全部"],
        "audit_refresh": ["全部"],
        "audit_by_user": [ADMIN[0]],
    }
    for name, data in calls.items():
        shown = _call(staff, name, data)
        assert REFUSED in shown, (name, shown)
        assert "加我微信" not in shown and "进馆人数" not in shown, name
    # The feedback download answers with its file only: a 馆员 gets none (the page shows a warning).
    assert "反馈记录.jsonl" not in _call(staff, "download_feedback", [])
    assert _api(base, STAFF_KEY).json() == before  # nothing removed, re-indexed or shared
    assert words.read_text(encoding="utf-8") == WORDS
    assert _api(base, ADMIN_KEY, path="/api/audit").json() == []  # and nothing was done to record


def test_admin_actions_land_in_the_operations_log_with_who_when_what(server):
    base, _, admin, _ = server
    doc = _api(base, ADMIN_KEY).json()[0]
    assert "已将" in _call(admin, "change_visibility", [doc["id"], "public"])
    assert "反馈记录.jsonl" in _call(admin, "download_feedback", [])
    patched = _api(base, STAFF_KEY, "PATCH", f"/api/documents/{doc['id']}", json={"visibility": "internal"})
    assert patched.status_code == 200
    log = _api(base, ADMIN_KEY, path="/api/audit").json()
    target = f"{doc['file_name']}（{doc['id']}）"
    assert [(e["user"], e["surface"], e["action"], e["target"]) for e in log[:3]] == [
        ("API", "API", "设为不公开", target),
        (ADMIN[0], "网页", "导出反馈", "feedback.jsonl"),
        (ADMIN[0], "网页", "设为公开", target),
    ]
    assert all(e["time"].startswith(datetime.now().strftime("%Y-%m-%d")) for e in log[:3])
    mine = _api(base, ADMIN_KEY, path="/api/audit", params={"user": ADMIN[0]}).json()
    assert {e["user"] for e in mine} == {ADMIN[0]} and len(mine) >= 2
    assert _api(base, STAFF_KEY, path="/api/audit").status_code == 403
    shown = _call(admin, "audit_by_user", [ADMIN[0]])
    assert "设为公开" in shown and "导出反馈" in shown and "设为不公开" not in shown
