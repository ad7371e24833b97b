"""Late answers that no customer-service message can carry are kept for the user's next message.

Over real HTTP: Lantai under uvicorn, WeChat's push and API played by the stand-in. The
reply budget is 0, so every answer is late. WeChat's API answers 48001 (an account without
客服消息), 45015 (outside the 48 hours) or 45047 (send limit) on demand: none of them is ever
sent again, and the user's next message gets the answer passively.
"""

from __future__ import annotations

import logging
import time

import pytest
from wechat_env import ANSWER_FIGURE, APPID, QUESTION, SECRET, lantai, wechat, wechat_settings

from eval.standins.wechat import WeChatAPIStandin
from ui.wechat import texts

pytestmark = pytest.mark.slow


@pytest.fixture
def api():
    with WeChatAPIStandin(APPID, SECRET) as standin:
        yield standin


def _user(name: str) -> str:
    return f"o{name}{time.monotonic_ns()}"


def _settle(server, seconds: float = 30.0) -> None:
    channel = server.app.state.wechat
    deadline = time.monotonic() + seconds
    while channel.pending and time.monotonic() < deadline:
        time.sleep(0.05)


def _send_calls_to(api, user: str) -> list[int | None]:
    return [c.errcode for c in api.send_calls() if c.body["touser"] == user]


def test_48001_keeps_the_answer_for_the_next_message_and_turns_customer_service_off(public_kb, api, state, caplog):
    api.fail_next(100, errcode=48001)  # the account has no 客服消息: every send is refused
    settings = wechat_settings(public_kb.data_dir, api, **state, wechat_reply_budget=0)
    caplog.set_level(logging.WARNING, logger="ui.wechat.channel")
    with lantai(public_kb, settings) as live, wechat(live) as push:
        channel = live.app.state.wechat
        first = _user("first")
        assert push.send(push.text(first, QUESTION)).attempts[0].body == "success"  # not known yet: success
        _settle(live)
        assert _send_calls_to(api, first) == [48001]  # tried once, never again
        assert api.sent_to(first) == []
        reply = push.send(push.text(first, "你好")).shown  # any text takes the kept answer
        assert ANSWER_FIGURE in reply and "来源：" in reply and texts.ASK_AGAIN in reply
        assert push.send(push.text(first, "结果")).shown == texts.NOTHING_KEPT  # taken once only

        # From now on a late answer is kept at once, and the reply says so.
        second = _user("second")
        notice = push.send(push.text(second, QUESTION))
        assert notice.shown == texts.KEPT_NOTICE and "回复任意内容" in notice.shown
        _settle(live)
        assert _send_calls_to(api, second) == []  # no second attempt at the refused API
        answer = push.send(push.text(second, "结果")).shown
        assert ANSWER_FIGURE in answer and texts.ASK_AGAIN not in answer
        assert channel.counts.kept == 2 and channel.counts.kept_shown == 2
    assert any("48001" in r.getMessage() and "客服消息" in r.getMessage() for r in caplog.records)
    assert not any(first in r.getMessage() or second in r.getMessage() for r in caplog.records)  # openids hashed


def test_an_account_set_up_without_customer_service_never_calls_the_api(public_kb, api, state):
    settings = wechat_settings(
        public_kb.data_dir, api, **state, wechat_reply_budget=0, wechat_customer_service=False, wechat_secret=None
    )
    with lantai(public_kb, settings) as live, wechat(live) as push:
        user = _user("sub")
        message = push.text(user, QUESTION)
        assert push.send(message).shown == texts.KEPT_NOTICE
        assert push.send(message).shown == texts.KEPT_NOTICE  # a replay of the same MsgId says it again
        _settle(live)
        assert ANSWER_FIGURE in push.send(push.text(user, "结果")).shown
    assert api.calls == []  # neither a token nor a send


def test_next_message_before_the_answer_is_ready_is_told_to_wait(public_kb, api, state):
    from eval.standins.openai_api import ChatReply, OpenAIStandin

    with OpenAIStandin() as llm:
        llm.queue_chat(ChatReply(text=f"青川区图书馆2024年进馆人数为{ANSWER_FIGURE}[1]。", delay=3))
        settings = wechat_settings(
            public_kb.data_dir,
            api,
            **state,
            wechat_reply_budget=0,
            wechat_customer_service=False,
            llm_api_base=llm.base_url,
            llm_model="qwen2.5-7b-instruct",
            llm_timeout=20,
        )
        with lantai(public_kb, settings) as live, wechat(live) as push:
            user = _user("early")
            assert push.send(push.text(user, QUESTION)).shown == texts.KEPT_NOTICE
            assert push.send(push.text(user, "结果")).shown == texts.KEPT_NOT_READY
            _settle(live)
            assert ANSWER_FIGURE in push.send(push.text(user, "好了吗")).shown


@pytest.mark.parametrize("errcode", [45015, 45047], ids=["outside-48h", "send-limit"])
def test_45015_and_45047_keep_the_answer_and_never_resend_it(public_kb, api, state, errcode, caplog):
    caplog.set_level(logging.WARNING, logger="ui.wechat.channel")
    settings = wechat_settings(public_kb.data_dir, api, **state, wechat_reply_budget=0)
    with lantai(public_kb, settings) as live, wechat(live) as push:
        user = _user(f"e{errcode}")
        api.fail_next(1, errcode=errcode)
        assert push.send(push.text(user, QUESTION)).attempts[0].body == "success"
        _settle(live)
        time.sleep(0.5)
        assert _send_calls_to(api, user) == [errcode]  # one call: not retried
        assert ANSWER_FIGURE in push.send(push.text(user, "结果")).shown  # the next message takes it
        _settle(live)
        assert _send_calls_to(api, user) == [errcode]
        # Customer service stays on for everyone else: this refusal is about one user.
        other = _user("other")
        assert push.send(push.text(other, QUESTION)).attempts[0].body == "success"
        assert len(api.wait_for_sent(1, timeout=20, user=other)) == 1
    meaning = "48 小时" if errcode == 45015 else "下行条数超过上限"
    assert any(str(errcode) in r.getMessage() and meaning in r.getMessage() for r in caplog.records)


def test_other_errcodes_are_logged_with_their_meaning(public_kb, api, state, caplog):
    caplog.set_level(logging.WARNING, logger="ui.wechat.channel")
    settings = wechat_settings(public_kb.data_dir, api, **state, wechat_reply_budget=0)
    with lantai(public_kb, settings) as live, wechat(live) as push:
        user = _user("bad")
        api.fail_next(1, errcode=40003)
        push.send(push.text(user, QUESTION))
        _settle(live)
        assert _send_calls_to(api, user) == [40003]
        assert push.send(push.text(user, "结果")).shown == texts.NOTHING_KEPT  # not kept: nothing to come back
    assert any("不合法的 OpenID" in r.getMessage() for r in caplog.records)
