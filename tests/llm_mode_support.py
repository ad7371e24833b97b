"""The LLM-mode tests' setting: two small work reports in a real knowledge base and the OpenAI-compatible stand-in.

A real knowledge base (real embedder, Chroma, SQLite on a temp dir) built from small Chinese work
documents, and the real ``OpenAICompatibleLLM`` client talking HTTP to the local stand-in
(``eval/standins/openai_api.py``) whose chat replies each test scripts.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import re

import pytest

from assistant import Assistant, AssistantConfig
from assistant.llm import OpenAICompatibleLLM
from eval.standins.openai_api import OpenAIStandin

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
