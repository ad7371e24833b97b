"""LLM mode of the assistant, end to end: a real knowledge base (real embedder, Chroma,
SQLite on a temp dir) built from small Chinese work documents, and the real
``OpenAICompatibleLLM`` client talking HTTP to the local OpenAI-compatible stand-in
(``eval/standins/openai_api.py``) whose chat replies each test scripts.

What is checked: an LLM answer is used only when every number in it stands in a cited
passage or a verified figure and it carries [n] citations; a failed check is sent back
once with the problems named; a second failure, a time-out or an HTTP error gives the
extractive answer instead.

The citation checks (marks the passage does not support, marks misplaced, and the numbers they must
keep out) are in ``test_llm_citations.py``; the setting both share is ``llm_mode_support``.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import time

from llm_mode_support import (  # noqa: F401  (kb, server and standin are fixtures, used as parameters; test_llm_grounding imports the setting from here)
    DOCS,
    FIGURE_LINE,
    FILE_2023,
    FILE_2024,
    GOOD,
    QUESTION,
    RETRY_HEADER,
    UNCITED,
    VISITS_2024,
    WRONG,
    _assert_extractive_fallback,
    _assistant,
    _passage_numbers,
    _passage_with,
    _user_prompt,
    kb,
    server,
    standin,
)

from assistant import Assistant
from assistant.prompts import NO_ANSWER
from eval.standins.openai_api import ChatReply

# -- no LLM --------------------------------------------------------------------------------------


def test_without_llm_the_answer_is_extractive(kb):
    answer = Assistant(kb).ask(QUESTION)
    _assert_extractive_fallback(answer)
    public = answer.as_dict()
    assert public["mode"] == "extractive" and public["question"] == QUESTION
    assert public["citations"][0]["source"] == FILE_2024


# -- an answer that passes the checks ------------------------------------------------------------


def test_correct_llm_answer_is_used_and_the_prompt_carries_passages_figures_and_rules(kb, standin):
    standin.queue_chat(GOOD)
    answer = _assistant(kb, standin).ask(QUESTION)

    assert answer.mode == "llm" and answer.grounded and not answer.refused
    assert answer.answer == GOOD
    assert not answer.unverified_numbers
    assert [(c.n, c.source) for c in answer.citations] == [(1, FILE_2024)]
    assert VISITS_2024 in answer.citations[0].quote
    assert [(f.indicator, f.value, f.unit) for f in answer.figures] == [("进馆人数", 208.37, "万次")]
    public = answer.as_dict()
    assert public["mode"] == "llm" and public["answer"] == GOOD and public["question"] == QUESTION
    assert public["citations"] == [
        {
            "n": 1,
            "source": FILE_2024,
            "title": "青川区图书馆2024年工作总结",
            "library": "青川区图书馆",
            "section": "一、主要工作 > （一）读者服务",
            "page": None,
            "quote": answer.citations[0].quote,
        }
    ]

    requests = standin.chat_requests()
    assert len(requests) == 1
    body = requests[0].body
    assert body["model"] == "qwen2.5:7b-instruct"
    assert body["temperature"] <= 0.2  # a grounded answer, not a creative one
    assert not body.get("stream")
    system, user = body["messages"][0], body["messages"][-1]
    assert system["role"] == "system" and user["role"] == "user" and len(body["messages"]) == 2
    for rule in ("只依据", "资料段落", "出处编号", "不写资料段落和已核实数字中没有出现的数字", NO_ANSWER):
        assert rule in system["content"]
    prompt = user["content"]
    passages = _passage_numbers(prompt)
    assert passages[1][0] == FILE_2024 and VISITS_2024 in passages[1][1]  # the extractive citation comes first
    assert any(file == FILE_2023 for file, _ in passages.values())  # the other retrieved passages follow
    assert "已核实数字" in prompt and FIGURE_LINE in prompt
    assert f"问题：{QUESTION}" in prompt


def test_citations_are_renumbered_in_order_and_point_at_their_passages(kb, standin):
    """The model cites passages by their prompt numbers; the answer numbers its own citations 1, 2, ..."""

    def responder(messages):
        prompt = messages[-1]["content"]
        n2024, n2023 = _passage_with(prompt, "208.37万次"), _passage_with(prompt, "196.47万次")
        assert n2023 > 2  # a gap the renumbering has to close
        return f"青川区图书馆2024年进馆人数为208.37万次[{n2024}]，2023年为196.47万次[{n2023}]。"

    standin.chat_responder = responder
    answer = _assistant(kb, standin).ask(QUESTION)

    assert answer.mode == "llm" and answer.grounded
    assert answer.answer == "青川区图书馆2024年进馆人数为208.37万次[1]，2023年为196.47万次[2]。"
    assert [(c.n, c.source) for c in answer.citations] == [(1, FILE_2024), (2, FILE_2023)]
    assert "208.37万次" in answer.citations[0].quote and "196.47万次" in answer.citations[1].quote
    assert len(standin.chat_requests()) == 1


# -- a wrong number: one retry, then the extractive answer ----------------------------------------


def test_wrong_number_twice_is_retried_once_then_falls_back_to_extractive(kb, standin):
    standin.queue_chat(WRONG, WRONG, GOOD)  # the third reply must never be asked for
    answer = _assistant(kb, standin).ask(QUESTION)

    _assert_extractive_fallback(answer)
    requests = standin.chat_requests()
    assert len(requests) == 2
    first, retry = requests[0].body["messages"], requests[1].body["messages"]
    assert retry[: len(first)] == first  # the retry repeats the conversation ...
    assert retry[len(first)] == {"role": "assistant", "content": WRONG}  # ... with the rejected answer
    correction = retry[-1]
    assert correction["role"] == "user" and len(retry) == len(first) + 2
    assert RETRY_HEADER in correction["content"] and "210.37万" in correction["content"]
    assert "208.37" not in correction["content"]  # only the bad number is named


def test_wrong_number_then_a_correct_one_uses_the_corrected_llm_answer(kb, standin):
    corrected = "青川区图书馆2024年进馆人数为208.37万次[1]。"
    standin.queue_chat(WRONG, corrected)
    answer = _assistant(kb, standin).ask(QUESTION)

    assert len(standin.chat_requests()) == 2
    assert answer.mode == "llm" and answer.grounded and not answer.unverified_numbers
    assert answer.answer == corrected
    assert [(c.n, c.source) for c in answer.citations] == [(1, FILE_2024)]


def test_answer_without_citations_is_retried_once_then_falls_back(kb, standin):
    standin.queue_chat(UNCITED, UNCITED)
    answer = _assistant(kb, standin).ask(QUESTION)

    _assert_extractive_fallback(answer)
    requests = standin.chat_requests()
    assert len(requests) == 2
    correction = _user_prompt(requests[1])
    assert RETRY_HEADER in correction and "引用编号" in correction
    assert requests[1].body["messages"][-2] == {"role": "assistant", "content": UNCITED}


# -- the model fails: the extractive answer, at once ---------------------------------------------


def test_slow_model_times_out_and_the_answer_stays_quick(kb, standin):
    standin.queue_chat(ChatReply(text=GOOD, delay=3.0))
    assistant = _assistant(kb, standin, timeout=1.0, max_retries=0)
    waited = []
    complete = assistant.llm.complete

    def timed(messages):
        started = time.perf_counter()
        try:
            return complete(messages)
        finally:
            waited.append(time.perf_counter() - started)

    assistant.llm.complete = timed
    started = time.perf_counter()
    answer = assistant.ask(QUESTION)
    elapsed = time.perf_counter() - started

    _assert_extractive_fallback(answer)
    assert len(standin.chat_requests()) == 1  # a time-out is not answered with the check's retry
    assert len(waited) == 1 and 0.9 < waited[0] < 2.9  # gave up at the 1 s time-out, not after the 3 s reply
    assert elapsed < 5.0 and answer.latency_ms < 5000


def test_http_error_falls_back_to_extractive(kb, standin):
    standin.queue_chat(ChatReply(status=500), GOOD)
    answer = _assistant(kb, standin, max_retries=0).ask(QUESTION)

    _assert_extractive_fallback(answer)
    assert len(standin.chat_requests()) == 1


def test_http_error_after_client_retries_falls_back_to_extractive(kb, standin):
    standin.queue_chat(ChatReply(status=503), ChatReply(status=503), GOOD)
    answer = _assistant(kb, standin, max_retries=1).ask(QUESTION)

    _assert_extractive_fallback(answer)
    assert len(standin.chat_requests()) == 2  # the client's one retry; no third request


# -- refusal -------------------------------------------------------------------------------------


def test_llm_refusal_does_not_discard_a_verified_figure(kb, standin):
    """The metrics table answered this question: the model's "文档中没有相关信息" (with or without
    a full stop) must not throw that verified figure away, so the extractive answer stands."""
    for reply in (NO_ANSWER, f"{NO_ANSWER}。"):
        standin.reset() if hasattr(standin, "reset") else None
        before = len(standin.chat_requests())
        standin.queue_chat(reply)
        answer = _assistant(kb, standin).ask(QUESTION)
        assert len(standin.chat_requests()) - before == 1
        _assert_extractive_fallback(answer)
