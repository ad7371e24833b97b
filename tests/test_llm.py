"""The chat model client (``assistant.llm``) against the real stand-in server in
``eval/standins/openai_api.py``, and the prompts (``assistant.prompts``).

Time-outs, retries and broken connections are in ``test_llm_failures.py``."""

from __future__ import annotations

import json
import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import httpx
import openai
import pytest
from llm_client_support import ANSWER, MESSAGES, _llm, standin  # noqa: F401  (standin is a fixture, used as a parameter)

from assistant.llm import ChatLLM, LLMError, OpenAICompatibleLLM, make_llm, strip_thinking
from assistant.prompts import (
    MAX_HISTORY_TURNS,
    NO_ANSWER,
    SYSTEM_PROMPT,
    Passage,
    build_messages,
    build_retry_messages,
)
from eval.standins.openai_api import CHAT_PATH, ChatReply, OpenAIStandin


# ------------------------------------------------------------------ complete
def test_complete_returns_scripted_text_and_sends_the_request(standin):
    standin.queue_chat(ANSWER)
    llm = _llm(standin, temperature=0.1, max_tokens=300)
    assert llm.complete(MESSAGES) == ANSWER
    (request,) = standin.chat_requests()
    body = request.body
    assert request.method == "POST" and request.path == "/v1/chat/completions"
    assert body["model"] == "qwen2.5:7b-instruct"
    assert body["temperature"] == pytest.approx(0.1)
    assert body["max_tokens"] == 300
    assert body["stream"] is False
    assert body["messages"] == MESSAGES
    assert request.headers["authorization"] == "Bearer none"  # local servers want no key; a dummy one is sent


def test_api_key_and_bare_host(standin):
    keyed = OpenAIStandin(api_key="sk-local").start()
    try:
        llm = OpenAICompatibleLLM(keyed.root_url, "m", api_key="sk-local", timeout=5)  # bare http://host:port
        assert llm.api_base == keyed.base_url
        keyed.queue_chat("好的")
        assert llm.complete(MESSAGES) == "好的"
        assert keyed.chat_requests()[-1].path == CHAT_PATH
        assert keyed.chat_requests()[-1].headers["authorization"] == "Bearer sk-local"
        with pytest.raises(LLMError) as info:  # wrong key: 401, not retried
            OpenAICompatibleLLM(keyed.base_url, "m", api_key="wrong", timeout=5).complete(MESSAGES)
        assert info.value.kind == "http" and info.value.status == 401
        assert "HTTP 401" in info.value.zh and "Incorrect API key" in str(info.value)
    finally:
        keyed.stop()
    assert OpenAICompatibleLLM(standin.base_url + "/", "m").api_base == standin.base_url  # a path is kept


def test_responder_function_sees_the_messages(standin):
    seen: list[list[dict]] = []

    def responder(messages: list[dict]) -> str:
        seen.append(messages)
        return f"收到{len(messages)}条消息[1]"

    standin.chat_responder = responder
    llm = _llm(standin)
    assert llm.complete(MESSAGES) == "收到2条消息[1]"
    assert "".join(llm.stream(MESSAGES)) == "收到2条消息[1]"
    assert seen == [MESSAGES, MESSAGES]
    assert standin.request_count(CHAT_PATH) == 2


def test_thinking_block_is_dropped(standin):
    standin.queue_chat("<think>用户问进馆人数，资料[1]里有。</think>\n\n" + ANSWER)
    standin.queue_chat(
        ChatReply(deltas=["<thi", "nk>先看资料", "[1]。</think>", "\n", "2024年", "全馆进馆人数为392.88万次[1]。"])
    )
    llm = _llm(standin)
    assert llm.complete(MESSAGES) == ANSWER
    assert list(llm.stream(MESSAGES)) == ["2024年", "全馆进馆人数为392.88万次[1]。"]
    assert strip_thinking("答案<think>x</think>") == "答案<think>x</think>"  # only a leading block


# -------------------------------------------------------------------- stream
def test_stream_yields_the_deltas_in_order(standin):
    deltas = ["2024年", "全馆进馆人数", "为392.88万次", "[1]", "，同比增长41.2%[1]。"]
    standin.queue_chat(ChatReply(deltas=deltas, chunk_delay=0.05))
    llm = _llm(standin)
    stream = llm.stream(MESSAGES)
    assert standin.request_count(CHAT_PATH) == 0  # nothing is sent before the first next()
    received = list(stream)
    assert received == deltas
    assert "".join(received) == ANSWER
    body = standin.chat_requests()[-1].body
    assert body["stream"] is True and body["messages"] == MESSAGES and body["model"] == "qwen2.5:7b-instruct"


def test_stream_split_by_the_standin(standin):
    standin.queue_chat(ChatReply(text=ANSWER, delta_size=3))
    received = list(_llm(standin).stream(MESSAGES))
    assert len(received) == -(-len(ANSWER) // 3)
    assert "".join(received) == ANSWER


def test_standin_streams_server_sent_events_like_openai(standin):
    standin.queue_chat(ChatReply(deltas=["南海", "图书馆"]))
    payload = {"model": "m", "messages": MESSAGES, "stream": True, "stream_options": {"include_usage": True}}
    with httpx.Client() as http:
        with http.stream("POST", standin.base_url + "/chat/completions", json=payload) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            lines = [line for line in response.iter_lines() if line]
    assert all(line.startswith("data: ") for line in lines)
    assert lines[-1] == "data: [DONE]"
    chunks = [json.loads(line[len("data: ") :]) for line in lines[:-1]]
    assert {c["object"] for c in chunks} == {"chat.completion.chunk"}
    assert len({c["id"] for c in chunks}) == 1
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    contents = [c["choices"][0]["delta"].get("content") for c in chunks if c["choices"]]
    assert "".join(x for x in contents if x) == "南海图书馆"
    assert [c["choices"][0]["finish_reason"] for c in chunks if c["choices"]][-1] == "stop"
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["completion_tokens"] == 5

    # and the official client reads it
    standin.queue_chat(ChatReply(deltas=["南海", "图书馆"]))
    client = openai.OpenAI(base_url=standin.base_url, api_key="none", max_retries=0)
    parts = [
        chunk.choices[0].delta.content or ""
        for chunk in client.chat.completions.create(model="m", messages=MESSAGES, stream=True)
        if chunk.choices
    ]
    assert "".join(parts) == "南海图书馆"


# ------------------------------------------------------------------ make_llm
def test_make_llm(standin):
    assert make_llm(None, None) is None
    assert make_llm("", "") is None
    assert make_llm(None, "qwen2.5") is None  # no endpoint: extractive answers
    with pytest.raises(ValueError, match="model"):
        make_llm(standin.base_url, None)
    llm = make_llm(standin.root_url, "qwen2.5", timeout=3, max_retries=0, temperature=0.0)
    assert isinstance(llm, OpenAICompatibleLLM) and isinstance(llm, ChatLLM)
    assert llm.api_base == standin.base_url and "qwen2.5" in llm.name
    standin.queue_chat("好")
    assert llm.complete(MESSAGES) == "好"
    assert standin.chat_requests()[-1].body["temperature"] == 0.0


def test_no_global_llama_index_llm(standin):
    from llama_index.core import Settings

    before = Settings._llm
    _llm(standin)
    make_llm(standin.base_url, "m")
    assert Settings._llm is before


# ------------------------------------------------------------------- prompts
PASSAGES = [
    Passage(1, "南海区图书馆2024年工作总结.pdf", "一、读者服务", 3, "2024年全馆进馆人数392.88万次，同比增长41.2%。"),
    Passage(2, "南海区图书馆2024年工作总结.pdf", "二、文献借阅", None, "全年外借文献152.6万册次。"),
    Passage(3, "2025年工作计划.docx", "", 1, "2025年计划新增分馆3个。"),
]
FIGURES = ["2024年进馆人数：392.88万次", "2024年外借文献：152.6万册次"]


def test_build_messages_layout_and_rules():
    messages = build_messages("今年进馆人数是多少？", PASSAGES, FIGURES, reference_note="按2024年度资料")
    assert [m["role"] for m in messages] == ["system", "user"]
    system, user = messages[0]["content"], messages[1]["content"]
    assert system == SYSTEM_PROMPT
    for rule in ("只依据", "[1]或[1][3]", "没有出现的数字", NO_ANSWER, "200字", "万次", "万册次", "%", "Markdown"):
        assert rule in system, rule
    # numbered passages with their source, in order
    assert "[1] 文件：南海区图书馆2024年工作总结.pdf｜章节：一、读者服务｜第3页\n2024年全馆进馆人数392.88万次" in user
    assert "[2] 文件：南海区图书馆2024年工作总结.pdf｜章节：二、文献借阅\n全年外借文献152.6万册次。" in user
    assert "[3] 文件：2025年工作计划.docx｜第1页\n2025年计划新增分馆3个。" in user
    assert user.index("[1] ") < user.index("[2] ") < user.index("[3] ")
    # verified figures, reference note, question last
    assert "已核实数字" in user and "- 2024年进馆人数：392.88万次" in user and "- 2024年外借文献：152.6万册次" in user
    assert "按2024年度资料" in user and "今年" in user
    assert user.index("资料段落") < user.index("已核实数字") < user.index("问题：今年进馆人数是多少？")


def test_build_messages_history_in_order():
    history = [
        ("2024年进馆人数是多少？", "2024年全馆进馆人数392.88万次[1]。"),
        ("同比增长多少？", "同比增长41.2%[1][2]。"),
    ]
    messages = build_messages("外借呢？", PASSAGES, FIGURES, history=history)
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user", "assistant", "user"]
    assert [m["content"] for m in messages[1:5]] == [
        "2024年进馆人数是多少？",
        "2024年全馆进馆人数392.88万次。",  # old citation marks pointed at old passages
        "同比增长多少？",
        "同比增长41.2%。",
    ]
    assert messages[-1]["content"].endswith("资料不能回答时只回答“文档中没有相关信息”。")
    assert "问题：外借呢？" in messages[-1]["content"]

    long_history = [(f"问题{i}", f"回答{i}") for i in range(10)]
    kept = build_messages("再问", PASSAGES, [], history=long_history)
    assert [m["content"] for m in kept[1:-1:2]] == [f"问题{i}" for i in range(10 - MAX_HISTORY_TURNS, 10)]


def test_build_messages_without_passages_or_figures():
    messages = build_messages("馆长是谁？", [], [])
    user = messages[-1]["content"]
    assert "资料段落：（无）" in user and "已核实数字：（无）" in user and "时间基准" not in user
    with pytest.raises(ValueError):
        build_messages("  ", PASSAGES, FIGURES)


def test_build_retry_messages():
    first = build_messages("今年进馆人数是多少？", PASSAGES, FIGURES, reference_note="按2024年度资料")
    snapshot = [dict(m) for m in first]
    bad = "2024年进馆人数约400万次。"
    problems = ["数字“400万次”不在资料中", "第1句没有出处编号"]
    retry = build_retry_messages(first, bad, problems)
    assert first == snapshot  # not changed in place
    assert retry[: len(first)] == first
    assert retry[-2] == {"role": "assistant", "content": bad}
    assert retry[-1]["role"] == "user"
    correction = retry[-1]["content"]
    for text in ("- 数字“400万次”不在资料中", "- 第1句没有出处编号", "出处编号", NO_ANSWER, "只输出改正后的回答"):
        assert text in correction


def test_prompt_round_trip_through_the_model(standin):
    """What build_messages produces is what the endpoint receives."""
    standin.chat_responder = lambda messages: ANSWER if "[1] 文件：" in messages[1]["content"] else NO_ANSWER
    llm = _llm(standin)
    messages = build_messages("今年进馆人数是多少？", PASSAGES, FIGURES, reference_note="按2024年度资料")
    assert llm.complete(messages) == ANSWER
    retry = build_retry_messages(messages, "约400万次。", ["数字“400万次”不在资料中"])
    assert "".join(llm.stream(retry)) == ANSWER
    sent = [r.body["messages"] for r in standin.chat_requests()]
    assert sent == [messages, retry]
