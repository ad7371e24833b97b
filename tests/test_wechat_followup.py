"""Follow-ups in WeChat: a user's recent questions are the conversation, as in the web chat.

Over real HTTP with the stand-in. 「那2023年呢？」 after a question about 2024's visits is
answered with 2023's visits; the same words from a user with no earlier question, or after the
conversation window, are not. 「更多」 between the turns does not break the conversation.
"""

from __future__ import annotations

import time

import pytest
from wechat_env import ANSWER_FIGURE, APPID, QUESTION, SECRET, lantai, wechat, wechat_settings

from eval.standins.wechat import WeChatAPIStandin
from ui.wechat import texts

pytestmark = pytest.mark.slow

FOLLOW_UP = "那2023年呢？"
FIGURE_2023 = "196.48"


@pytest.fixture(scope="module")
def api():
    with WeChatAPIStandin(APPID, SECRET) as standin:
        yield standin


def _user(name: str) -> str:
    return f"o{name}{time.monotonic_ns()}"


def test_a_two_turn_follow_up(public_kb, api, state):
    with lantai(public_kb, wechat_settings(public_kb.data_dir, api, **state)) as live, wechat(live) as push:
        user = _user("turns")
        assert ANSWER_FIGURE in push.send(push.text(user, QUESTION)).shown
        more = push.send(push.text(user, "更多")).shown  # a command, not a turn
        assert more == texts.NO_MORE
        second = push.send(push.text(user, FOLLOW_UP)).shown
        assert FIGURE_2023 in second and ANSWER_FIGURE not in second.split("来源")[0]
        alone = push.send(push.text(_user("alone"), FOLLOW_UP)).shown  # no earlier question: nothing to follow
        assert FIGURE_2023 not in alone
        other = _user("other")  # each user has a conversation of their own
        push.send(push.text(other, "2025年工作计划有哪些重点？"))
        assert FIGURE_2023 not in push.send(push.text(other, FOLLOW_UP)).shown


def test_the_conversation_ends_after_its_window(public_kb, api, state):
    settings = wechat_settings(public_kb.data_dir, api, wechat_followup_seconds=1.0, **state)
    with lantai(public_kb, settings) as live, wechat(live) as push:
        user = _user("window")
        assert ANSWER_FIGURE in push.send(push.text(user, QUESTION)).shown
        time.sleep(1.5)
        assert FIGURE_2023 not in push.send(push.text(user, FOLLOW_UP)).shown


def test_turns_are_capped():
    from ui.wechat.conversation import Conversations

    talk = Conversations(window=60, turns=3)
    for q in ("一", "二", "三", "四"):
        talk.add("u", q)
    assert talk.history("u") == ["二", "三", "四"] and talk.history("v") == []
    assert Conversations(window=60, turns=0).history("u") == []
