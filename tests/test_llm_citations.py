"""LLM mode of the assistant: the citations an LLM answer carries, checked against the passages they point at.

Same setting as ``test_llm_mode.py`` (``llm_mode_support``): a real knowledge base of two small work
reports and the OpenAI-compatible stand-in scripted per test. A citation the passage does not support
is dropped; an answer left without one is not accepted.

The last group pins down bugs found while writing these tests (fixed in 213045f): a dropped
citation still listed, an answer whose only citation was dropped accepted uncited, a mark
after the full stop lost, numbers checked against passages the answer does not cite, 亿
accepted for 万, and a refusal prefix letting unchecked numbers through.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import re

from llm_mode_support import (  # noqa: F401  (kb and standin are fixtures, used as parameters; server is the one standin stands on)
    FILE_2024,
    QUESTION,
    _assert_extractive_fallback,
    _assistant,
    _passage_with,
    _user_prompt,
    kb,
    server,
    standin,
)

from assistant.prompts import NO_ANSWER

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
