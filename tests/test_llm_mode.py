"""LLM mode of the assistant, end to end: a real knowledge base (real embedder, Chroma,
SQLite on a temp dir) built from small Chinese work documents, and the real
``OpenAICompatibleLLM`` client talking HTTP to the local OpenAI-compatible stand-in
(``eval/standins/openai_api.py``) whose chat replies each test scripts.

What is checked: an LLM answer is used only when every number in it stands in a cited
passage or a verified figure and it carries [n] citations; a failed check is sent back
once with the problems named; a second failure, a time-out or an HTTP error gives the
extractive answer instead.

The last group pins down bugs found while writing this file (fixed in 213045f): a dropped
citation still listed, an answer whose only citation was dropped accepted uncited, a mark
after the full stop lost, numbers checked against passages the answer does not cite, 亿
accepted for 万, and a refusal prefix letting unchecked numbers through.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import re
import time

import pytest

from assistant import Assistant, AssistantConfig
from assistant.llm import OpenAICompatibleLLM
from assistant.prompts import NO_ANSWER
from eval.standins.openai_api import ChatReply, OpenAIStandin

QUESTION = "青川区图书馆2024年进馆人数是多少？"
FILE_2024 = "qingchuan-2024-summary.txt"
FILE_2023 = "qingchuan-2023-summary.txt"
VISITS_2024 = "全年全区总分馆进馆人数208.37万次，同比增长6.05%"
FIGURE_LINE = f"- 进馆人数 2024年：208.37万次（{FILE_2024}）"
GOOD = "青川区图书馆2024年全区总分馆进馆人数为208.37万次[1]，同比增长6.05%[1]。"
WRONG = "青川区图书馆2024年进馆人数为210.37万次[1]。"
UNCITED = "青川区图书馆2024年进馆人数为208.37万次，同比增长6.05%。"
RETRY_HEADER = "上面的回答没有通过核对"

DOCS = {
    FILE_2024: """青川区图书馆2024年工作总结

一、主要工作

（一）读者服务

全年全区总分馆进馆人数208.37万次，同比增长6.05%。全年外借图书156.2万册次，同比增长3.1%。

（二）阅读推广

全年开展阅读推广活动455场次，吸引读者3.6万人次。新建读书驿站12间，全区读书驿站达到240间。

二、面临的困难与问题

一是馆舍面积不足，总馆阅览座位长期紧张。二是专业人才缺乏，新媒体运营人员不足。三是购书经费增长有限，新书入藏量难以满足读者需求。
""",
    FILE_2023: """青川区图书馆2023年工作总结

一、主要工作

全年全区总分馆进馆人数196.47万次。全年开展阅读推广活动412场次，吸引读者3.2万人次。
""",
}


# -- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kb(tmp_path_factory, embedder):
    """Two small work reports, ingested once for this module."""
    from index import KnowledgeBase

    docs = tmp_path_factory.mktemp("llm-mode-docs")
    for name, text in DOCS.items():
        (docs / name).write_text(text, encoding="utf-8")
    base = KnowledgeBase(tmp_path_factory.mktemp("llm-mode-data"), embedder)
    report = base.ingest([docs])
    assert sorted(report.added) == sorted(DOCS) and not report.failed
    Assistant(base).ask(QUESTION)  # warm: models loaded, caches filled, so latencies below are the LLM's
    yield base
    base.close()


@pytest.fixture(scope="module")
def server():
    with OpenAIStandin(host="127.0.0.1") as standin:
        yield standin


@pytest.fixture
def standin(server):
    server.reset()
    yield server
    server.reset()


def _assistant(kb, standin, *, timeout: float = 5.0, max_retries: int = 0) -> Assistant:
    llm = OpenAICompatibleLLM(standin.base_url, "qwen2.5:7b-instruct", timeout=timeout, max_retries=max_retries)
    return Assistant(kb, config=AssistantConfig(), llm=llm)


def _user_prompt(request) -> str:
    return [m for m in request.body["messages"] if m["role"] == "user"][-1]["content"]


def _passage_numbers(prompt: str) -> dict[int, tuple[str, str]]:
    """``{n: (file, text)}`` of the numbered passages in a prompt built by ``build_messages``."""
    out = {}
    for m in re.finditer(r"^\[(\d+)\] 文件：([^｜\n]+)[^\n]*\n(.+?)(?=\n\n|\Z)", prompt, re.S | re.M):
        out[int(m.group(1))] = (m.group(2), m.group(3))
    return out


def _passage_with(prompt: str, needle: str) -> int:
    found = [n for n, (_, text) in _passage_numbers(prompt).items() if needle in text]
    assert len(found) == 1, (needle, prompt)
    return found[0]


def _assert_extractive_fallback(answer) -> None:
    """The extractive answer: the right figure from the metrics table, cited, grounded."""
    assert answer.mode == "extractive"
    assert answer.grounded and not answer.refused and not answer.unverified_numbers
    assert "208.37万次" in answer.answer
    assert "210.37" not in answer.answer
    assert re.search(r"\[1\]", answer.answer)
    assert answer.citations and answer.citations[0].source == FILE_2024
    assert VISITS_2024 in answer.citations[0].quote
    assert [(f.indicator, f.year, f.value, f.unit) for f in answer.figures] == [("进馆人数", 2024, 208.37, "万次")]


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


# -- citations the passage does not support ------------------------------------------------------


def test_unsupported_citation_is_dropped_from_the_text(kb, standin):
    def responder(messages):
        prompt = messages[-1]["content"]
        unrelated = _passage_with(prompt, "读书驿站")  # 阅读推广: nothing about visits
        assert unrelated != 1
        return f"青川区图书馆2024年进馆人数为208.37万次[1][{unrelated}]。"

    standin.chat_responder = responder
    answer = _assistant(kb, standin).ask(QUESTION)

    assert answer.mode == "llm" and answer.grounded
    assert answer.answer == "青川区图书馆2024年进馆人数为208.37万次[1]。"
    assert answer.citations[0].n == 1 and answer.citations[0].source == FILE_2024
    assert len(standin.chat_requests()) == 1


def test_supported_citations_on_several_sentences_are_kept(kb, standin):
    def responder(messages):
        prompt = messages[-1]["content"]
        problems = _passage_with(prompt, "馆舍面积不足")
        return f"青川区图书馆2024年进馆人数为208.37万次[1]。该馆面临馆舍面积不足、阅览座位紧张的问题[{problems}]。"

    standin.chat_responder = responder
    answer = _assistant(kb, standin).ask(QUESTION)

    assert answer.mode == "llm" and answer.grounded
    assert answer.answer == "青川区图书馆2024年进馆人数为208.37万次[1]。该馆面临馆舍面积不足、阅览座位紧张的问题[2]。"
    assert [c.section for c in answer.citations] == ["一、主要工作 > （一）读者服务", "二、面临的困难与问题"]


# -- regressions: citations and numbers the checks must not let through ----------------------------


def test_dropped_citation_is_not_listed(kb, standin):
    def responder(messages):
        return f"青川区图书馆2024年进馆人数为208.37万次[1][{_passage_with(messages[-1]['content'], '读书驿站')}]。"

    standin.chat_responder = responder
    answer = _assistant(kb, standin).ask(QUESTION)

    assert answer.mode == "llm" and answer.grounded
    assert answer.answer == "青川区图书馆2024年进馆人数为208.37万次[1]。"
    marks = {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)}
    assert {c.n for c in answer.citations} == marks  # every listed source is referenced in the text
    assert [(c.n, c.source) for c in answer.citations] == [(1, FILE_2024)]


def test_citation_to_a_passage_that_was_not_shown_is_removed(kb, standin):
    standin.queue_chat("青川区图书馆2024年进馆人数为208.37万次[1][9]。")
    answer = _assistant(kb, standin).ask(QUESTION)

    assert answer.mode == "llm" and answer.grounded
    assert answer.answer == "青川区图书馆2024年进馆人数为208.37万次[1]。"
    assert [c.n for c in answer.citations] == [1]


def test_answer_whose_only_citation_is_unsupported_is_not_accepted(kb, standin):
    def responder(messages):
        return f"青川区图书馆2024年进馆人数为208.37万次[{_passage_with(messages[-1]['content'], '读书驿站')}]。"

    standin.chat_responder = responder
    answer = _assistant(kb, standin).ask(QUESTION)

    assert len(standin.chat_requests()) == 2
    _assert_extractive_fallback(answer)


def test_citation_after_the_full_stop_is_kept(kb, standin):
    standin.queue_chat("青川区图书馆2024年进馆人数为208.37万次。[1]")
    answer = _assistant(kb, standin).ask(QUESTION)

    assert answer.mode == "llm" and answer.grounded
    assert answer.answer == "青川区图书馆2024年进馆人数为208.37万次[1]。"
    assert [(c.n, c.source) for c in answer.citations] == [(1, FILE_2024)]


def test_number_from_an_uncited_passage_is_rejected(kb, standin):
    wrong_year = "青川区图书馆2024年进馆人数为196.47万次[1]。"
    standin.queue_chat(wrong_year, wrong_year)
    answer = _assistant(kb, standin).ask(QUESTION)

    assert len(standin.chat_requests()) == 2
    assert "196.47万" in _user_prompt(standin.chat_requests()[1])
    _assert_extractive_fallback(answer)


def test_wrong_magnitude_is_rejected(kb, standin):
    wrong_unit = "青川区图书馆2024年进馆人数为208.37亿次[1]。"
    standin.queue_chat(wrong_unit, wrong_unit)
    answer = _assistant(kb, standin).ask(QUESTION)

    assert len(standin.chat_requests()) == 2
    _assert_extractive_fallback(answer)


def test_refusal_prefix_does_not_smuggle_unverified_numbers(kb, standin):
    smuggled = f"{NO_ANSWER}。但2024年进馆人数约为999万次。"
    standin.queue_chat(smuggled, smuggled)
    answer = _assistant(kb, standin).ask(QUESTION)

    assert "999" not in answer.answer
    assert len(standin.chat_requests()) == 2  # checked like any answer: uncited, unverified, retried once
    _assert_extractive_fallback(answer)


def test_refusal_prefix_does_not_carry_uncited_claims(kb, standin):
    claim = f"{NO_ANSWER}。但该馆2024年全年闭馆整修，未对外开放。"
    standin.queue_chat(claim, claim)
    answer = _assistant(kb, standin).ask(QUESTION)

    assert "闭馆整修" not in answer.answer
    assert len(standin.chat_requests()) == 2
    _assert_extractive_fallback(answer)
