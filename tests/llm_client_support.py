"""The chat-model client tests' setting: the OpenAI-compatible stand-in, the client pointed at it, shared checks."""

from __future__ import annotations

import os
import socket

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import pytest

from assistant.llm import LLMError, OpenAICompatibleLLM
from eval.standins.openai_api import OpenAIStandin

ANSWER = "2024年全馆进馆人数为392.88万次[1]，同比增长41.2%[1]。"
MESSAGES = [
    {"role": "system", "content": "只依据资料回答。"},
    {"role": "user", "content": "2024年进馆人数是多少？"},
]


@pytest.fixture
def standin():
    with OpenAIStandin() as server:
        yield server


def _llm(server: OpenAIStandin, **kw) -> OpenAICompatibleLLM:
    kw.setdefault("timeout", 5.0)
    return OpenAICompatibleLLM(server.base_url, "qwen2.5:7b-instruct", **kw)


def _assert_bilingual(error: LLMError, endpoint: str) -> None:
    text = str(error)
    assert error.zh and error.en and error.zh in text and error.en in text
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error.zh)  # Chinese half
    assert error.en.isascii() or "model" in error.en  # English half
    assert endpoint in error.zh and endpoint in error.en and error.endpoint == endpoint
    assert "Traceback" not in text


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
