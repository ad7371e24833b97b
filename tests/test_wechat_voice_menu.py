"""Voice messages, menu clicks and keywords over real HTTP, WeChat played by the stand-in.

Voice carries WeChat's own transcript (``Recognition``) when 语音识别 is on for the account:
it is answered like text; without it the user is told how to ask in writing. Menu clicks
(``CLICK`` with an EventKey) and exact keywords get the answers staff keep in a file, before
the assistant is asked; the file is read again when staff change it.
"""

from __future__ import annotations

import time

import pytest
from wechat_env import ANSWER_FIGURE, APPID, QUESTION, SECRET, lantai, wechat, wechat_settings

from eval.standins.wechat import WeChatAPIStandin, new_aes_key
from ui.wechat import texts

pytestmark = pytest.mark.slow

AES_KEY = new_aes_key()
HOURS = "周二至周日 9:00—21:00 开放，周一闭馆（法定节假日照常开放）。"
CARD = "办理读者证：携带本人身份证到总馆服务台办理，免押金。\\n也可在公众号菜单「我的」中在线办理。"
KEYWORDS = f"""# 关键词或菜单 EventKey <TAB> 回答
开放时间\t{HOURS}
OPEN_HOURS\t{HOURS}
办证\t{CARD}
MENU_CARD\t{CARD}
"""


@pytest.fixture(scope="module")
def api():
    with WeChatAPIStandin(APPID, SECRET) as standin:
        yield standin


@pytest.fixture(scope="module")
def keyword_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("keywords") / "keyword-answers.tsv"
    path.write_text(KEYWORDS, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def server(public_kb, api, keyword_file):
    settings = wechat_settings(public_kb.data_dir, api, wechat_aes_key=AES_KEY, wechat_keyword_answers=keyword_file)
    with lantai(public_kb, settings) as live:
        yield live


def _user(name: str) -> str:
    return f"o{name}{time.monotonic_ns()}"


@pytest.mark.parametrize("aes", [False, True], ids=["plain", "aes"])
def test_voice_with_recognition_is_answered_like_text(server, aes):
    with wechat(server, aes_key=AES_KEY if aes else None) as push:
        reply = push.send(push.voice(_user("voice"), recognition=QUESTION)).shown
    assert ANSWER_FIGURE in reply and "来源：" in reply


def test_voice_without_recognition_says_how_to_ask_by_text(server):
    with wechat(server) as push:
        for recognition in (None, ""):
            reply = push.send(push.voice(_user("mute"), recognition=recognition)).shown
            assert reply == texts.VOICE_WITHOUT_TRANSCRIPT and "文字" in reply and ANSWER_FIGURE not in reply


def test_menu_click_gets_the_maintained_answer(server):
    channel = server.app.state.wechat
    started = channel.counts.answers_started
    with wechat(server) as push:
        assert push.send(push.event(_user("menu"), "CLICK", key="OPEN_HOURS")).shown == HOURS
        card = push.send(push.event(_user("menu"), "CLICK", key="MENU_CARD")).shown
        assert card == CARD.replace("\\n", "\n") and "\n" in card
        unknown = push.send(push.event(_user("menu"), "CLICK", key="NOT_IN_THE_FILE")).shown
        assert unknown != HOURS and "文字问题" in unknown
    assert channel.counts.answers_started == started  # the assistant was not asked


def test_exact_keywords_get_the_maintained_answer_and_questions_still_reach_the_assistant(server):
    with wechat(server, aes_key=AES_KEY) as push:
        for said in ("开放时间", "开放时间？", " 开放时间。"):
            assert push.send(push.text(_user("kw"), said)).shown == HOURS
        assert push.send(push.voice(_user("kw"), recognition="办证。")).shown == CARD.replace("\\n", "\n")
        longer = push.send(push.text(_user("kw"), QUESTION)).shown  # not a keyword: the assistant answers
        assert ANSWER_FIGURE in longer


def test_staff_edits_take_effect_and_a_broken_edit_keeps_the_last_good_list(server, keyword_file):
    with wechat(server) as push:
        keyword_file.write_text(KEYWORDS + "联系方式\t服务热线：0000-12345678\n", encoding="utf-8")
        time.sleep(1.1)  # the file is looked at once a second at most
        assert push.send(push.text(_user("edit"), "联系方式")).shown == "服务热线：0000-12345678"
        keyword_file.write_text("联系方式 没有制表符\n", encoding="utf-8")  # a bad edit
        time.sleep(1.1)
        assert push.send(push.text(_user("edit"), "联系方式")).shown == "服务热线：0000-12345678"
        assert push.send(push.text(_user("edit"), "开放时间")).shown == HOURS
    keyword_file.write_text(KEYWORDS, encoding="utf-8")


def test_a_bad_keyword_file_is_a_clear_error_at_start(public_kb, api, tmp_path):
    from ui.api import create_app

    bad = tmp_path / "bad.tsv"
    bad.write_text("开放时间\t好\n办证 缺少制表符\n", encoding="utf-8")
    with pytest.raises(ValueError, match="第 2 行"):
        create_app(wechat_settings(public_kb.data_dir, api, wechat_keyword_answers=bad), kb=public_kb)
    with pytest.raises(ValueError, match="找不到文件"):
        create_app(wechat_settings(public_kb.data_dir, api, wechat_keyword_answers=tmp_path / "none.tsv"), kb=public_kb)
