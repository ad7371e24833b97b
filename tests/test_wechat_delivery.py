"""Answers that miss WeChat's 5-second window, over real HTTP with real time-outs.

Lantai runs under uvicorn on loopback; WeChat is the stand-in (5 s time-out, the same message
sent up to 3 times); the model is the OpenAI-compatible stand-in, made slow on purpose. Late
answers leave through the stand-in's customer-service API, which can expire tokens and fail
calls the ways WeChat does. Every test checks that an answer arrives exactly once.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from conftest import flush_state
from wechat_env import ANSWER_FIGURE, APPID, QUESTION, SECRET, lantai, wechat, wechat_settings

from eval.standins.openai_api import ChatReply, OpenAIStandin
from eval.standins.wechat import WeChatAPIStandin
from ui.wechat import CustomerService, DeliveryError

pytestmark = pytest.mark.slow

LLM_ANSWER = f"青川区图书馆2024年进馆人数为{ANSWER_FIGURE}[1]。"


@pytest.fixture(scope="module")
def api():
    with WeChatAPIStandin(APPID, SECRET) as standin:
        yield standin


@pytest.fixture(autouse=True)
def clean(api, module_state):
    api.reset()
    flush_state(module_state)  # the retry table and the cached token start empty, in Redis too
    yield


@pytest.fixture(scope="module")
def llm():
    with OpenAIStandin() as standin:
        yield standin


@pytest.fixture(scope="module")
def slow_server(public_kb, api, llm, module_state):
    """Lantai with a model that the tests make slow."""
    # A 4 s budget: the passive window's end stays a second clear of WeChat's 5 s time-out even when the
    # machine is busy with other tests.
    settings = wechat_settings(
        public_kb.data_dir,
        api,
        llm_api_base=llm.base_url,
        llm_model="qwen2.5-7b-instruct",
        llm_timeout=20,
        wechat_reply_budget=4.0,
        **module_state,
    )
    with lantai(public_kb, settings) as live:
        yield live


@pytest.fixture(scope="module")
def late_server(public_kb, api, module_state):
    """Lantai with no time to answer passively: every answer goes out by customer service."""
    with lantai(public_kb, wechat_settings(public_kb.data_dir, api, wechat_reply_budget=0, **module_state)) as live:
        yield live


@pytest.fixture(scope="module")
def fast_server(public_kb, api, module_state):
    with lantai(public_kb, wechat_settings(public_kb.data_dir, api, **module_state)) as live:
        yield live


def _user(name: str) -> str:
    return f"o{name}{time.monotonic_ns()}"


def _settle(server, seconds: float = 30.0) -> None:
    """Wait until the channel has no answer or delivery under way (on the server's own loop)."""
    channel = server.app.state.wechat
    deadline = time.monotonic() + seconds
    while channel.pending and time.monotonic() < deadline:
        time.sleep(0.05)


# -- the 5-second window --------------------------------------------------------------------------
def test_slow_answer_goes_out_once_by_customer_service(slow_server, api, llm):
    llm.reset()
    llm.queue_chat(ChatReply(text=LLM_ANSWER, delay=8))
    channel = slow_server.app.state.wechat
    started_before = channel.counts.answers_started
    user = _user("slow")
    with wechat(slow_server) as push:
        # WeChat acts as if our first two replies never arrived, so it sends the message three times.
        delivery = push.send(push.text(user, QUESTION), lose=2)
    attempts = delivery.attempts
    assert len(attempts) == 3
    assert all(a.status == 200 and a.body == "success" for a in attempts), attempts
    assert 3.5 <= attempts[0].elapsed < 5.0  # the budget ran out: success, before WeChat's time-out
    assert all(a.elapsed < 1.0 for a in attempts[1:])  # handed to customer service: retries answered at once
    sent = api.wait_for_sent(1, timeout=20, user=user)
    assert len(sent) == 1 and ANSWER_FIGURE in sent[0].content and "来源：" in sent[0].content
    _settle(slow_server)
    assert api.sent_to(user) == [sent[0].content]  # exactly one answer
    assert channel.counts.answers_started == started_before + 1  # one answer for three attempts
    assert len(llm.chat_requests()) >= 1


def test_a_retry_while_the_answer_is_running_gets_it_passively(slow_server, api, llm):
    llm.reset()
    llm.queue_chat(ChatReply(text=LLM_ANSWER, delay=3))
    channel = slow_server.app.state.wechat
    started_before = channel.counts.answers_started
    user = _user("retry")
    # A slow network leaves WeChat 2 s of its window: it retries while the first attempt still waits.
    with wechat(slow_server, timeout=2.0) as push:
        delivery = push.send(push.text(user, QUESTION))
    assert delivery.attempts[0].error == "timeout"
    assert delivery.accepted is delivery.attempts[-1] and len(delivery.attempts) in (2, 3)  # 2 unless very busy
    assert ANSWER_FIGURE in delivery.shown
    _settle(slow_server)
    assert api.sent_to(user) == []  # answered passively: nothing by customer service
    assert channel.counts.answers_started == started_before + 1


# -- replays ----------------------------------------------------------------------------------------
def test_replay_after_customer_service_gets_success_and_no_second_answer(late_server, api):
    channel = late_server.app.state.wechat
    user = _user("replay")
    with wechat(late_server) as push:
        message = push.text(user, QUESTION)
        first = push.send(message)
        assert first.attempts[0].body == "success"
        assert len(api.wait_for_sent(1, timeout=20, user=user)) == 1
        started = channel.counts.answers_started
        again = push.send(message)  # the same MsgId, after the answer was delivered
    assert len(again.attempts) == 1 and again.attempts[0].body == "success"
    _settle(late_server)
    time.sleep(0.5)
    assert len(api.sent_to(user)) == 1
    assert channel.counts.answers_started == started


def test_replay_after_a_passive_reply_gets_the_same_reply_not_a_new_answer(fast_server, api):
    channel = fast_server.app.state.wechat
    user = _user("passive")
    with wechat(fast_server) as push:
        message = push.text(user, QUESTION)
        first = push.send(message).shown
        started = channel.counts.answers_started
        again = push.send(message).shown
    assert ANSWER_FIGURE in first and again == first
    assert channel.counts.answers_started == started
    assert api.sent_to(user) == []


def test_event_retries_are_recognised_by_user_and_create_time(fast_server):
    channel = fast_server.app.state.wechat
    user = _user("event")
    with wechat(fast_server) as push:
        event = push.event(user, "subscribe", create_time=1735689600)
        before = channel.counts.messages
        replies = [push.send(event).shown for _ in range(3)]
        assert channel.counts.messages == before + 1
        assert len(set(replies)) == 1 and replies[0].startswith("您好")
        push.send(push.event(user, "subscribe", create_time=1735689601))
        assert channel.counts.messages == before + 2


# -- the customer-service API -------------------------------------------------------------------------
def _late(server, api, user: str, expect: int = 1) -> list[str]:
    with wechat(server) as push:
        assert push.send(push.text(user, QUESTION)).attempts[0].body == "success"
    if expect:
        api.wait_for_sent(expect, timeout=20, user=user)
    _settle(server)
    return api.sent_to(user)


def test_expired_token_is_fetched_again_and_the_message_goes_out_once(late_server, api):
    assert len(_late(late_server, api, _user("tok1"))) == 1
    tokens_before = api.token_requests()
    api.expire_tokens()  # WeChat says 42001 for the token Lantai has cached
    user = _user("tok2")
    assert len(_late(late_server, api, user)) == 1
    calls = [c for c in api.send_calls() if c.body["touser"] == user]
    assert [c.errcode for c in calls] == [42001, 0]
    assert api.token_requests() == tokens_before + 1


def test_invalid_token_is_fetched_again_once(late_server, api):
    api.fail_next(1, errcode=40001)
    user = _user("tok40001")
    assert len(_late(late_server, api, user)) == 1
    assert [c.errcode for c in api.send_calls() if c.body["touser"] == user] == [40001, 0]


def test_token_is_renewed_before_it_expires(public_kb, api, module_state):
    api.token_ttl = 2  # renewed a fifth of its lifetime early: after 1.6 s
    with lantai(public_kb, wechat_settings(public_kb.data_dir, api, wechat_reply_budget=0, **module_state)) as live:
        assert len(_late(live, api, _user("ttl1"))) == 1
        time.sleep(1.7)
        assert len(_late(live, api, _user("ttl2"))) == 1
    assert api.token_requests() == 2
    assert all(c.errcode == 0 for c in api.send_calls())  # never sent with an expired token


def test_busy_and_server_errors_are_retried_with_backoff(late_server, api):
    api.fail_next(2, errcode=-1)
    api.fail_next(1, status=500)
    user = _user("busy")
    assert len(_late(late_server, api, user)) == 1
    calls = api.send_calls()
    assert [c.errcode if c.status == 200 else c.status for c in calls] == [-1, -1, 500, 0]


def test_a_send_that_may_have_arrived_is_not_repeated(late_server, api):
    api.fail_next(1, drop=True, take=True)  # WeChat takes the message, then the connection drops
    channel = late_server.app.state.wechat
    failed = channel.counts.delivery_failed
    user = _user("drop")
    assert len(_late(late_server, api, user)) == 1
    time.sleep(1.0)
    assert len(api.send_calls()) == 1 and len(api.sent_to(user)) == 1
    assert channel.counts.delivery_failed == failed + 1  # logged as uncertain, not resent


def test_a_refusal_is_not_retried(late_server, api):
    api.fail_next(1, errcode=45015)  # response out of time limit: the 48 hours are over
    user = _user("refused")
    assert _late(late_server, api, user, expect=0) == []
    assert len(api.send_calls()) == 1


def test_unreachable_api_is_retried_then_given_up(api):
    from eval.live import free_port

    async def run() -> None:
        client = CustomerService(f"http://127.0.0.1:{free_port()}/cgi-bin/", APPID, SECRET, attempts=3, backoff=0.01)
        try:
            with pytest.raises(DeliveryError, match="3 attempts"):
                await client.send_text("ouser", "hi")
        finally:
            await client.aclose()

    asyncio.run(run())


def test_too_long_content_would_be_refused_by_wechat(api):
    async def run() -> None:
        client = CustomerService(api.base_url, APPID, SECRET)
        try:
            with pytest.raises(DeliveryError, match="45002"):
                await client.send_text("ouser", "长" * 700)  # 2100 bytes: over WeChat's 2048
            await client.send_text("ouser", "长" * 680)  # 2040 bytes: taken
        finally:
            await client.aclose()

    asyncio.run(run())
    assert api.sent_to("ouser") == ["长" * 680]
