"""The WeChat endpoint over real HTTP: Lantai served by uvicorn on loopback, WeChat played by a
stand-in that signs (and in safe mode encrypts) real messages and checks replies as WeChat does.

Covered here: URL verification, passive answers in plain and safe mode, what the channel says to
events and non-text messages, the per-user rate limit, over-long questions, 「更多」 pages, and
every way a bad request is refused (signature 403; malformed XML, entity tricks 400; size 413).
"""

from __future__ import annotations

import time

import httpx
import pytest
from wechat_env import ANSWER_FIGURE, APPID, QUESTION, SECRET, TOKEN, lantai, wechat, wechat_settings

from eval.standins.wechat import MAX_TEXT_BYTES, WeChatAPIStandin, new_aes_key
from ui.wechat import texts

pytestmark = pytest.mark.slow

AES_KEY = new_aes_key()


@pytest.fixture(scope="module")
def api():
    with WeChatAPIStandin(APPID, SECRET) as standin:
        yield standin


@pytest.fixture(scope="module")
def server(public_kb, api):
    settings = wechat_settings(
        public_kb.data_dir,
        api,
        wechat_aes_key=AES_KEY,
        wechat_rate_limit=5,
        wechat_max_message_chars=50,
        wechat_max_body_bytes=4096,
    )
    with lantai(public_kb, settings) as live:
        yield live


@pytest.fixture
def push(server):
    with wechat(server) as p:
        yield p


@pytest.fixture
def push_aes(server):
    with wechat(server, aes_key=AES_KEY) as p:
        yield p


def _user(name: str) -> str:
    return f"o{name}{time.monotonic_ns()}"  # a fresh user per test: the rate limit counts per user


# -- verification -----------------------------------------------------------------------------------
def test_url_verification_returns_echostr_only_when_signed_with_the_token(push):
    good = push.verify_url("8412934761")
    assert good.status_code == 200 and good.text == "8412934761"
    bad = push.verify_url("8412934761", token="someone-elses-token")
    assert bad.status_code == 403 and "8412934761" not in bad.text
    unsigned = httpx.get(push.url, params={"echostr": "1"})
    assert unsigned.status_code == 403


# -- answers ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("safe_mode", [False, True], ids=["plain", "aes"])
def test_fast_answer_is_a_passive_reply(push, push_aes, api, safe_mode):
    sender = push_aes if safe_mode else push
    before = len(api.sent)
    delivery = sender.send(sender.text(_user("fast"), QUESTION))
    assert len(delivery.attempts) == 1, delivery.attempts
    first = delivery.attempts[0]
    assert first.accepted and first.elapsed < 5.0
    if safe_mode:
        assert "<Encrypt>" in first.body and ANSWER_FIGURE not in first.body  # nothing readable on the wire
    reply = delivery.shown
    assert reply and ANSWER_FIGURE in reply
    # The figure stands in the summary and in the statistics workbook: either may be the source named.
    assert "来源：" in reply and any(
        t in reply.split("来源：", 1)[1]
        for t in ("青川区图书馆2024年工作总结暨2025年工作计划", "qingchuan-statistics-2022-2024")
    )
    assert "[1]" not in reply and "**" not in reply
    assert len(reply.encode("utf-8")) <= 2000
    assert len(api.sent) == before  # nothing went out by customer service


def test_subscribe_gets_a_welcome_with_example_questions(push_aes):
    reply = push_aes.send(push_aes.event(_user("sub"), "subscribe")).shown
    assert reply.startswith("您好，欢迎关注")
    assert all(q in reply for q in texts.EXAMPLES)


def test_unsubscribe_and_location_reports_get_success(push):
    for event in ("unsubscribe", "LOCATION"):
        delivery = push.send(push.event(_user("quiet"), event))
        assert delivery.accepted is not None and delivery.attempts[0].body == "success"


def test_image_gets_a_polite_reply_saying_what_is_supported(push):
    reply = push.send(push.image(_user("img"))).shown
    assert "图片" in reply and "文字问题" in reply


def test_other_message_kinds_and_menu_clicks(push):
    user = _user("misc")
    voice = push._message(user, "voice", "<MediaId><![CDATA[m]]></MediaId><Format><![CDATA[amr]]></Format>", None)
    assert "语音" in push.send(voice).shown
    link = push._message(user, "link", "<Title><![CDATA[t]]></Title><Url><![CDATA[http://x]]></Url>", None)
    assert "链接" in push.send(link).shown
    click = push.send(push.event(_user("click"), "CLICK")).shown
    assert "文字问题" in click


def test_rate_limit_per_user(public_kb, api, state):
    with (
        lantai(public_kb, wechat_settings(public_kb.data_dir, api, wechat_rate_limit=5, **state)) as live,
        wechat(live) as push,
    ):
        _rate_limited(push)


def _rate_limited(push):
    user, other = _user("busy"), _user("calm")
    replies = [push.send(push.text(user, "你好")).shown for _ in range(6)]
    assert all("太快" not in r for r in replies[:5])
    assert "太快" in replies[5] and "5条" in replies[5]
    assert "太快" not in push.send(push.text(other, "你好")).shown  # other users are not affected


def test_over_long_question_gets_a_polite_reply(push):
    reply = push.send(push.text(_user("long"), "请问" * 30)).shown
    assert "50字以内" in reply


def test_more_returns_the_next_page_of_a_long_answer(public_kb, api, state):
    settings = wechat_settings(public_kb.data_dir, api, wechat_max_reply_bytes=600, **state)
    with lantai(public_kb, settings) as live, wechat(live) as push:
        user = _user("more")
        first = push.send(push.text(user, "2025年工作计划有哪些重点？")).shown
        assert first.endswith(texts.MORE_HINT) and "来源：" in first
        pages = [first]
        for _ in range(20):
            more = push.text(user, "更多")
            page = push.send(more).shown
            assert push.send(more).shown == page  # WeChat's retry of the same 「更多」 does not skip a page
            if page == texts.NO_MORE:
                break
            pages.append(page)
        assert len(pages) >= 3 and page == texts.NO_MORE
        assert all(len(p.encode("utf-8")) <= 600 for p in pages)
        assert all(p.endswith(texts.MORE_HINT) for p in pages[:-1]) and not pages[-1].endswith(texts.MORE_HINT)
        nobody = push.send(push.text(_user("nobody"), "更多")).shown
        assert nobody == texts.NO_MORE


# -- refusals -----------------------------------------------------------------------------------------
def test_bad_signature_is_403(push, push_aes):
    body, params = push.signed(push.text(_user("sig"), QUESTION))
    assert push.post(body, {**params, "signature": "0" * 40}).status_code == 403
    assert push.post(body, {k: v for k, v in params.items() if k != "signature"}).status_code == 403
    body, params = push_aes.signed(push_aes.text(_user("sig"), QUESTION))
    assert push_aes.post(body, {**params, "msg_signature": "0" * 40}).status_code == 403
    assert push_aes.post(body, {k: v for k, v in params.items() if k != "msg_signature"}).status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        b"<xml><ToUserName>a</ToUserName>",
        b"not xml at all",
        b"",
        b"<xml></xml>",
        b"<other><MsgType>text</MsgType></other>",
        b"<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><MsgType><x>1</x></MsgType></xml>",
        b"<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><MsgType>text</MsgType><MsgId>abc</MsgId></xml>",
        "<xml><Content>中文</Content></xml>".encode("gbk"),
    ],
    ids=["truncated", "text", "empty", "empty-xml", "wrong-root", "nested-type", "bad-msgid", "not-utf8"],
)
def test_malformed_messages_are_400(push, body):
    _, params = push.signed("<xml/>")
    r = push.post(body, params)
    assert r.status_code == 400, r.text


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><MsgType>text</MsgType>
<Content>&d;</Content><MsgId>1</MsgId></xml>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><MsgType>text</MsgType>
<Content>&xxe;</Content><MsgId>2</MsgId></xml>"""
DOCTYPE_ONLY = b"""<!DOCTYPE xml SYSTEM "http://127.0.0.1:9/evil.dtd">
<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><MsgType>text</MsgType>
<Content>hi</Content><MsgId>3</MsgId></xml>"""


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY, DOCTYPE_ONLY], ids=["laughs", "xxe", "dtd"])
def test_entity_tricks_are_refused_before_parsing(push, push_aes, body):
    _, params = push.signed("<xml/>")
    r = push.post(body, params)
    assert r.status_code == 400 and "passwd" not in r.text and "root:" not in r.text
    # Inside the encrypted envelope the decrypted message is guarded too.
    inner = body.decode()
    enc_body, enc_params = push_aes.signed(inner)
    assert push_aes.post(enc_body, enc_params).status_code == 400
    # and the server is still answering
    assert ANSWER_FIGURE in push.send(push.text(_user("after"), QUESTION)).shown


def test_oversized_body_is_413(push):
    big = push.text(_user("big"), "问" * 3000)
    body, params = push.signed(big)
    assert len(body) > 4096
    assert push.post(body, params).status_code == 413


def test_replies_are_addressed_back_and_within_wechat_limits(push):
    delivery = push.send(push.text(_user("addr"), "2025年服务体系建设要做哪几件事？"))
    assert delivery.accepted and not delivery.invalid  # the stand-in checks To/From, MsgType and size
    assert len(delivery.shown.encode("utf-8")) <= MAX_TEXT_BYTES


# -- configuration ------------------------------------------------------------------------------------
def test_no_token_no_endpoint(public_kb):
    from fastapi.testclient import TestClient

    from ui.api import create_app
    from ui.settings import Settings

    app = create_app(Settings(data_dir=public_kb.data_dir), kb=public_kb, api_keys=[])
    with TestClient(app) as client:
        assert client.get("/wechat", params={"echostr": "1"}).status_code == 404
        assert client.post("/wechat", content=b"<xml/>").status_code == 404
    assert app.state.wechat is None


def test_incomplete_configuration_is_a_clear_error(public_kb, api):
    from ui.api import create_app
    from ui.settings import Settings

    with pytest.raises(ValueError, match="LANTAI_WECHAT_SECRET"):
        create_app(Settings(data_dir=public_kb.data_dir, wechat_token=TOKEN, wechat_appid=APPID), kb=public_kb)
    with pytest.raises(ValueError, match="EncodingAESKey"):
        create_app(wechat_settings(public_kb.data_dir, api, wechat_aes_key="too-short"), kb=public_kb)
    with pytest.raises(ValueError, match="/wechat"):
        create_app(wechat_settings(public_kb.data_dir, api, wechat_path="/api/wx"), kb=public_kb)
    with pytest.raises(ValueError, match="public"):
        from assistant import Assistant
        from ui.wechat import WeChatChannel

        WeChatChannel(Assistant(public_kb), None)  # an assistant that sees internal documents is refused


def test_served_beside_the_web_app(public_kb, api):
    """``lantai serve`` mounts the web UI at "/": the WeChat path still reaches the channel."""
    from fastapi.testclient import TestClient

    from eval.standins.wechat import WeChatPush
    from ui.server import create_server_app

    app = create_server_app(wechat_settings(public_kb.data_dir, api), kb=public_kb, api_keys=[], ui_users=[])
    with TestClient(app) as client:
        push = WeChatPush("http://testserver/wechat", TOKEN, APPID)
        push.http = client
        assert push.verify_url("echo-me").text == "echo-me"
        body, params = push.signed(push.text("oweb", QUESTION))
        r = client.post("/wechat", params=params, content=body)
        assert r.status_code == 200 and ANSWER_FIGURE in r.text
