"""The chat model client (``assistant.llm``) when the endpoint fails: time-outs, retries, refused and dropped
connections, malformed replies, each an error in Chinese and English naming the endpoint. Against the real
stand-in server in ``eval/standins/openai_api.py``."""

from __future__ import annotations

import os
import time

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import pytest
from llm_client_support import ANSWER, MESSAGES, _assert_bilingual, _free_port, _llm, standin  # noqa: F401  (standin is a fixture, used as a parameter)

from assistant.llm import LLMError, OpenAICompatibleLLM
from eval.standins.openai_api import CHAT_PATH, ChatReply, OpenAIStandin


# ------------------------------------------------------------------ failures
def test_slow_reply_times_out_with_a_bilingual_error(standin):
    standin.queue_chat(ChatReply(text=ANSWER, delay=10))
    llm = _llm(standin, timeout=0.5, max_retries=0)
    started = time.monotonic()
    with pytest.raises(LLMError) as info:
        llm.complete(MESSAGES)
    elapsed = time.monotonic() - started
    assert 0.4 < elapsed < 3.0
    error = info.value
    assert error.kind == "timeout"
    _assert_bilingual(error, standin.base_url)
    assert "秒内没有回应" in error.zh and "did not answer within 0.5 s" in error.en
    assert standin.request_count(CHAT_PATH) == 1


def test_slow_reply_is_retried_once_within_a_bounded_time(standin):
    standin.queue_chat(ChatReply(text="慢", delay=10), ChatReply(text="慢", delay=10))
    llm = _llm(standin, timeout=0.5, max_retries=1)
    started = time.monotonic()
    with pytest.raises(LLMError) as info:
        llm.complete(MESSAGES)
    assert time.monotonic() - started < 2 * 0.5 + 2.5  # two time-outs and one short back-off
    assert info.value.kind == "timeout" and "共尝试 2 次" in info.value.zh
    assert standin.request_count(CHAT_PATH) == 2


def test_stream_that_stalls_times_out(standin):
    standin.queue_chat(ChatReply(deltas=["2024年", "全馆", "进馆"], chunk_delay=10))
    llm = _llm(standin, timeout=0.5, max_retries=0)
    received: list[str] = []
    started = time.monotonic()
    with pytest.raises(LLMError) as info:
        for delta in llm.stream(MESSAGES):
            received.append(delta)
    assert time.monotonic() - started < 3.0
    assert received == ["2024年"]
    assert info.value.kind == "timeout"
    _assert_bilingual(info.value, standin.base_url)


def test_http_500_is_retried_then_succeeds(standin):
    standin.queue_chat(ChatReply(status=500), ANSWER)
    llm = _llm(standin, max_retries=1)
    assert llm.complete(MESSAGES) == ANSWER
    requests = standin.chat_requests()
    assert len(requests) == 2
    # the openai client did the retrying (llama-index's own retry layer is off)
    assert [r.headers.get("x-stainless-retry-count") for r in requests] == ["0", "1"]


@pytest.mark.parametrize("max_retries", [0, 1, 2])
def test_http_500_gives_up_after_max_retries(standin, max_retries):
    standin.queue_chat(*[ChatReply(status=500)] * 5)
    llm = _llm(standin, max_retries=max_retries)
    started = time.monotonic()
    with pytest.raises(LLMError) as info:
        llm.complete(MESSAGES)
    assert time.monotonic() - started < 3.0
    assert standin.request_count(CHAT_PATH) == 1 + max_retries
    error = info.value
    assert error.kind == "http" and error.status == 500
    _assert_bilingual(error, standin.base_url)
    assert "HTTP 500" in error.zh and "HTTP 500" in error.en
    assert "scripted chat failure" in error.en  # the server's own message, not the raw body


def test_stream_http_500_is_retried_then_fails(standin):
    standin.queue_chat(ChatReply(status=503), ChatReply(status=503))
    with pytest.raises(LLMError) as info:
        list(_llm(standin, max_retries=1).stream(MESSAGES))
    assert info.value.status == 503
    assert standin.request_count(CHAT_PATH) == 2


def test_client_errors_are_not_retried(standin):
    standin.queue_chat(ChatReply(status=404), ANSWER)
    with pytest.raises(LLMError) as info:
        _llm(standin, max_retries=2).complete(MESSAGES)
    assert info.value.status == 404 and "共尝试" not in info.value.zh
    assert standin.request_count(CHAT_PATH) == 1


def test_connection_refused():
    base = f"http://127.0.0.1:{_free_port()}/v1"
    llm = OpenAICompatibleLLM(base, "m", timeout=2, max_retries=1)
    started = time.monotonic()
    with pytest.raises(LLMError) as info:
        llm.complete(MESSAGES)
    assert time.monotonic() - started < 5.0
    error = info.value
    assert error.kind == "connection"
    _assert_bilingual(error, base)
    assert "无法连接大模型服务" in error.zh and "cannot reach the chat model" in error.en
    assert "refused" in error.en.lower()
    with pytest.raises(LLMError) as info:
        list(llm.stream(MESSAGES))
    assert info.value.kind == "connection"


def test_server_that_went_away():
    with OpenAIStandin() as server:
        llm = _llm(server, max_retries=0)
        server.queue_chat("在")
        assert llm.complete(MESSAGES) == "在"
    with pytest.raises(LLMError) as info:
        llm.complete(MESSAGES)
    assert info.value.kind == "connection"


def test_dropped_connection(standin):
    standin.queue_chat(ChatReply(close=True), ChatReply(close=True), ANSWER)
    with pytest.raises(LLMError) as info:
        _llm(standin, max_retries=1).complete(MESSAGES)
    assert info.value.kind == "connection"
    _assert_bilingual(info.value, standin.base_url)
    assert standin.request_count(CHAT_PATH) == 2
    assert _llm(standin).complete(MESSAGES) == ANSWER  # the server is fine afterwards


def test_connection_dropped_mid_stream(standin):
    standin.queue_chat(ChatReply(deltas=["2024年", "全馆", "进馆人数"], close_after=2))
    received: list[str] = []
    with pytest.raises(LLMError) as info:
        for delta in _llm(standin).stream(MESSAGES):
            received.append(delta)
    assert received == ["2024年", "全馆"]
    assert info.value.kind == "connection" and "中途断开" in info.value.zh


@pytest.mark.parametrize(
    "raw",
    [b"<html>502 Bad Gateway</html>", b'{"object": "chat.completion"}', b'{"choices": "nope"}'],
    ids=["not-json", "no-choices", "bad-choices"],
)
def test_malformed_reply(standin, raw):
    standin.queue_chat(ChatReply(raw=raw))
    with pytest.raises(LLMError) as info:
        _llm(standin).complete(MESSAGES)
    assert info.value.kind == "malformed"
    _assert_bilingual(info.value, standin.base_url)
    assert "格式不对" in info.value.zh and "malformed" in info.value.en


def test_empty_reply(standin):
    standin.queue_chat("", ChatReply(deltas=[]), "<think>只有思考</think>")
    llm = _llm(standin)
    for call in (llm.complete, lambda m: "".join(llm.stream(m)), llm.complete):
        with pytest.raises(LLMError) as info:
            call(MESSAGES)
        assert info.value.kind == "empty" and "空回答" in info.value.zh


def test_bad_messages_are_refused_before_sending(standin):
    llm = _llm(standin)
    for bad in ([], [{"role": "tool", "content": "x"}], [{"role": "user", "content": None}], ["hi"]):
        with pytest.raises(ValueError):
            llm.complete(bad)
        with pytest.raises(ValueError):
            llm.stream(bad)
    assert standin.request_count() == 0
