"""The word list over REST: admins read and replace it; the running channel uses the new list at once.

Real uvicorn on loopback, real files. Without a key: 401; with a staff key that is no admin
key: 403; with an admin key: the list, and a bad list refused with the line named while the
file on disk stays as it was.
"""

from __future__ import annotations

import time

import httpx
import pytest
from wechat_env import APPID, SECRET, lantai, wechat, wechat_settings

from eval.standins.wechat import WeChatAPIStandin
from ui.wechat import texts

pytestmark = pytest.mark.slow

STAFF, ADMIN = "staff-key", "admin-key"
PATH = "/api/wechat/safety-words"
WORDS = "广告引流\t加我微信\n白名单\t远离毒品\n"


@pytest.fixture(scope="module")
def api():
    with WeChatAPIStandin(APPID, SECRET) as standin:
        yield standin


@pytest.fixture
def served(public_kb, api, tmp_path):
    words = tmp_path / "words.tsv"
    words.write_text(WORDS, encoding="utf-8")
    settings = wechat_settings(
        public_kb.data_dir, api, safety_words=words, admin_keys=ADMIN, wechat_safety_log=tmp_path / "hits.jsonl"
    )
    with lantai(public_kb, settings, api_keys=[STAFF, ADMIN]) as live:
        live.words = words
        yield live


def _h(key: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"} if key else {}


def test_only_admins_read_and_replace_the_list(served):
    url = served.url + PATH
    assert httpx.get(url).status_code == 401
    assert httpx.get(url, headers=_h("wrong")).status_code == 401
    assert httpx.get(url, headers=_h(STAFF)).status_code == 403
    r = httpx.put(url, json={"text": "色情\t词\n"}, headers=_h(STAFF))
    assert r.status_code == 403 and served.words.read_text(encoding="utf-8") == WORDS
    got = httpx.get(url, headers=_h(ADMIN))
    assert got.status_code == 200
    body = got.json()
    assert body["text"] == WORDS and body["entries"] == 1 and body["whitelist"] == 1 and body["editable"]
    assert body["categories"] == ["广告引流"]


def test_a_saved_list_is_used_by_the_channel_at_once(served):
    user = f"oadmin{time.monotonic_ns()}"
    with wechat(served) as push:
        before = push.send(push.text(user, "图书馆有没有赌球相关的书？")).shown
        assert before not in (texts.SAFETY_REFUSED_QUESTION, texts.SAFETY_REFUSED_ANSWER)
        r = httpx.put(served.url + PATH, json={"text": WORDS + "赌博\t赌球"}, headers=_h(ADMIN))
        assert r.status_code == 200 and r.json()["entries"] == 2 and r.json()["categories"] == ["广告引流", "赌博"]
        assert served.words.read_text(encoding="utf-8") == WORDS + "赌博\t赌球\n"
        after = push.send(push.text(user, "图书馆有没有赌球相关的书呢？")).shown  # no wait for the file watcher
        assert after == texts.SAFETY_REFUSED_QUESTION


@pytest.mark.parametrize(
    "text, status, says",
    [
        ("色情\t好词\n暴力\t词\t多余\n", 422, "第 2 行"),
        ("色情\t\x07\n", 422, "第 1 行"),
    ],
)
def test_a_bad_list_is_refused_and_nothing_stored_is_lost(served, text, status, says):
    r = httpx.put(served.url + PATH, json={"text": text}, headers=_h(ADMIN))
    assert r.status_code == status and says in r.json()["detail"]
    assert served.words.read_text(encoding="utf-8") == WORDS
    assert httpx.put(served.url + PATH, json={"words": []}, headers=_h(ADMIN)).status_code == 422


def test_the_bundled_list_is_read_only_and_no_admin_key_means_nobody(public_kb, api, tmp_path):
    settings = wechat_settings(public_kb.data_dir, api, admin_keys=ADMIN, wechat_safety_log=tmp_path / "h.jsonl")
    with lantai(public_kb, settings, api_keys=[ADMIN]) as live:
        got = httpx.get(live.url + PATH, headers=_h(ADMIN)).json()
        assert not got["editable"] and got["entries"] > 10 and "白名单" in got["text"]
        r = httpx.put(live.url + PATH, json={"text": "色情\t词\n"}, headers=_h(ADMIN))
        assert r.status_code == 409 and "LANTAI_SAFETY_WORDS" in r.json()["detail"]
    settings = wechat_settings(public_kb.data_dir, api, wechat_safety_log=tmp_path / "h.jsonl")
    with lantai(public_kb, settings, api_keys=[]) as live:  # an open server, no admin key set
        assert httpx.get(live.url + PATH, headers=_h("anything")).status_code == 403
        assert httpx.get(live.url + PATH).status_code == 401


def test_the_web_panel_serves_admins_only(public_kb, api, tmp_path):
    from serving import serving

    from eval.access import _login, _read_events
    from ui.server import create_server_app

    words = tmp_path / "words.tsv"
    words.write_text(WORDS, encoding="utf-8")
    settings = wechat_settings(
        public_kb.data_dir, api, safety_words=words, admin_users="管理员", wechat_safety_log=tmp_path / "hits.jsonl"
    )
    app = create_server_app(settings, kb=public_kb, api_keys=[STAFF], ui_users="馆员:pw-1,管理员:pw-2")

    def call(client, name: str, data: list) -> str:
        r = client.post(f"/gradio_api/call/{name}", json={"data": data})
        assert r.status_code == 200, r.text
        return _read_events(client, f"/gradio_api/call/{name}/{r.json()['event_id']}", time.monotonic() + 60)

    with serving(app) as (base, _):
        staff, admin = _login(base, ("馆员", "pw-1"), {}), _login(base, ("管理员", "pw-2"), {})
        assert staff is not None and admin is not None
        try:
            refused = call(staff, "safety_words_load", [])
            assert "只有管理员" in refused and "加我微信" not in refused
            refused = call(staff, "safety_words_save", ["色情\t词\n"])
            assert "只有管理员" in refused and words.read_text(encoding="utf-8") == WORDS
            loaded = call(admin, "safety_words_load", [])
            assert "加我微信" in loaded and "共 1 条敏感词" in loaded
            bad = call(admin, "safety_words_save", [WORDS + "暴力\t词\t多余\n"])
            assert "未保存" in bad and "第 3 行" in bad and words.read_text(encoding="utf-8") == WORDS
            good = call(admin, "safety_words_save", [WORDS + "赌博\t赌球\n"])
            assert "已保存" in good and words.read_text(encoding="utf-8") == WORDS + "赌博\t赌球\n"
            assert app.state.wechat.gate.words.blocked == 2  # the running channel uses it
        finally:
            staff.close()
            admin.close()
        assert httpx.post(base + "/gradio_api/call/safety_words_load", json={"data": []}).status_code == 401


def test_admins_read_the_hits_newest_first_without_message_text(served):
    with wechat(served) as push:
        first, second = f"ohit1{time.monotonic_ns()}", f"ohit2{time.monotonic_ns()}"
        assert push.send(push.text(first, "详情加我微信")).shown == texts.SAFETY_REFUSED_QUESTION
        assert push.send(push.text(second, "加 我 微 信了解")).shown == texts.SAFETY_REFUSED_QUESTION
    url = served.url + "/api/wechat/safety-hits"
    assert httpx.get(url).status_code == 401
    assert httpx.get(url, headers=_h(STAFF)).status_code == 403
    r = httpx.get(url, params={"limit": 1}, headers=_h(ADMIN))
    assert r.status_code == 200
    from ui.wechat.privacy import openid_hash

    hits = r.json()
    assert [h["user"] for h in hits] == [openid_hash(second)]
    assert hits[0]["categories"] == ["广告引流"] and hits[0]["text"] is None and hits[0]["words"] is None
    assert "了解" not in r.text and second not in r.text
    assert httpx.get(url, params={"limit": 0}, headers=_h(ADMIN)).status_code == 422
