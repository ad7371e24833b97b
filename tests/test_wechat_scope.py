"""The WeChat channel answers from public documents only.

The knowledge base holds the sample corpus as public documents and one internal document
with distinctive figures and words (``wechat_env.SECRET_TEXT``). Each question below finds
that document through the staff API, so the test could fail; through WeChat, passively, in
「更多」 pages or by customer service, nothing of it may appear: not a figure (the metrics
table included), not a phrase, not its title, not as a "nearest passage" of a refusal.
"""

from __future__ import annotations

import time

import httpx
import pytest
from wechat_env import APPID, SECRET, SECRET_MARKERS, lantai, wechat, wechat_settings

from eval.standins.wechat import WeChatAPIStandin
from ui.wechat import texts

pytestmark = pytest.mark.slow

QUESTIONS = {
    "figure": "青鸾工程的总预算是多少？",
    "rephrased": "新馆智能书库项目一共要花多少钱？还欠多少款？",
    "indicator": "2024年文献购置经费实际到位多少？",
    "indicator-debt": "青川区图书馆还有多少应付未付款？",
    "document": "新馆智能书库项目内部核算报告写了什么？",
    "list": "列出新馆智能书库项目存在的问题",
}


@pytest.fixture(scope="module")
def api():
    with WeChatAPIStandin(APPID, SECRET) as standin:
        yield standin


def _leaks(text: str) -> list[str]:
    return [m for m in SECRET_MARKERS if m in text]


def _staff_answer(server, question: str) -> str:
    r = httpx.post(server.url + "/api/ask", json={"question": question}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["answer"]


def _all_pages(push, user: str, first: str) -> list[str]:
    pages = [first]
    while pages[-1].endswith(texts.MORE_HINT) and len(pages) < 20:
        pages.append(push.send(push.text(user, "更多")).shown)
    return pages


@pytest.mark.parametrize("budget", [4.5, 0.0], ids=["passive", "customer-service"])
def test_internal_documents_never_reach_wechat(public_kb, api, budget):
    settings = wechat_settings(public_kb.data_dir, api, wechat_reply_budget=budget, wechat_max_reply_bytes=400)
    replies: dict[str, list[str]] = {}
    with lantai(public_kb, settings) as live, wechat(live) as push:
        for name, question in QUESTIONS.items():
            staff = _staff_answer(live, question)
            assert _leaks(staff), f"the staff API should find the internal document for {name!r}: {staff}"
            user = f"oscope{name}{time.monotonic_ns()}"
            delivery = push.send(push.text(user, question))
            if budget:
                first = delivery.shown
            else:
                assert delivery.attempts[0].body == "success"
                first = api.wait_for_sent(1, timeout=20, user=user)[0].content
            replies[name] = _all_pages(push, user, first)
    for name, pages in replies.items():
        for page in pages:
            assert not _leaks(page), (name, page)
    everything = "\n".join(p for pages in replies.values() for p in pages)
    assert "265.8万元" in everything  # the public figure of the same indicator is what WeChat shows
    assert "最接近的内容" in everything  # refusals showing nearest passages were exercised (public ones)
    assert all(not _leaks(m.content) for m in api.sent)
