"""Replayed requests: a correctly signed request whose timestamp is too far from the server's clock is refused.

The signature covers token, timestamp and nonce only, and access logs keep all three, so a
request copied from a log stays validly signed for ever; the timestamp's age is what tells.
"""

from __future__ import annotations

import time

import pytest
from wechat_env import ANSWER_FIGURE, APPID, QUESTION, SECRET, lantai, wechat, wechat_settings

from eval.standins.wechat import WeChatAPIStandin, new_aes_key

pytestmark = pytest.mark.slow

AES_KEY = new_aes_key()


@pytest.fixture(scope="module")
def api():
    with WeChatAPIStandin(APPID, SECRET) as standin:
        yield standin


@pytest.fixture(scope="module")
def server(public_kb, api):
    with lantai(public_kb, wechat_settings(public_kb.data_dir, api, wechat_aes_key=AES_KEY)) as live:
        yield live


@pytest.mark.parametrize("aes", [False, True], ids=["plain", "aes"])
def test_a_request_signed_six_minutes_ago_is_403_and_not_answered(server, aes):
    channel = server.app.state.wechat
    with wechat(server, aes_key=AES_KEY if aes else None) as push:
        message = push.text(f"oreplay{time.monotonic_ns()}", QUESTION)
        before = channel.counts.messages
        for age in (-360, 360):  # six minutes in the past, or (a skewed clock) in the future
            body, params = push.signed(message, at=time.time() + age)
            r = push.post(body, params)
            assert r.status_code == 403, r.text
            assert ANSWER_FIGURE not in r.text
        assert channel.counts.messages == before  # nothing reached the channel
        body, params = push.signed(message, at=time.time() - 60)  # a minute late: within the window
        r = push.post(body, params)
        assert r.status_code == 200 and channel.counts.messages == before + 1


def test_url_verification_is_refused_when_replayed(server):
    from wechat_env import TOKEN

    from eval.standins.wechat import _nonce, _sign

    with wechat(server) as push:
        old = str(int(time.time()) - 360)
        nonce = _nonce()
        r = push.http.get(
            push.url, params={"signature": _sign(TOKEN, old, nonce), "timestamp": old, "nonce": nonce, "echostr": "42"}
        )
        assert r.status_code == 403 and r.text != "42"
        assert push.verify_url("43").text == "43"


def test_the_window_is_a_setting(public_kb, api):
    settings = wechat_settings(public_kb.data_dir, api, wechat_clock_skew=30)
    with lantai(public_kb, settings) as live, wechat(live) as push:
        body, params = push.signed(push.text(f"oskew{time.monotonic_ns()}", "你好"), at=time.time() - 60)
        assert push.post(body, params).status_code == 403
        body, params = push.signed(push.text(f"oskew{time.monotonic_ns()}", "你好"), at=time.time() - 10)
        assert push.post(body, params).status_code == 200
