"""The content-safety gate of the public channel, over real HTTP with WeChat's stand-in.

The word list is a real file; the external moderation endpoint is the stand-in's
``msg_sec_check`` (WeChat's own protocol, access_token included), which can be made to
find a word risky or to be down. A question or an answer that hits gets a polite refusal and
one line in the safety log, with the openid hashed and no message text unless allowed.
"""

from __future__ import annotations

import json
import time

import pytest
from wechat_env import ANSWER_FIGURE, APPID, QUESTION, SECRET, lantai, wechat, wechat_settings

from eval.standins.wechat import WeChatAPIStandin
from ui.wechat import texts
from ui.wechat.privacy import openid_hash

pytestmark = pytest.mark.slow

PLAN_QUESTION = "2025年工作计划有哪些重点？"
WORDS = """# 测试词表
广告引流\t加我微信
毒品\t毒品
白名单\t远离毒品
赌博
# 一个只出现在答案里的数字：答案也要过检查
其他\t208.37
"""


@pytest.fixture(scope="module")
def api():
    with WeChatAPIStandin(APPID, SECRET) as standin:
        yield standin


@pytest.fixture(autouse=True)
def clean(api):
    api.reset()
    yield


@pytest.fixture(scope="module")
def words_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("safety") / "words.tsv"
    path.write_text(WORDS, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def server(public_kb, api, words_file, tmp_path_factory):
    log = tmp_path_factory.mktemp("safety-log") / "hits.jsonl"
    settings = wechat_settings(public_kb.data_dir, api, safety_words=words_file, wechat_safety_log=log)
    with lantai(public_kb, settings) as live:
        live.log = log
        yield live


def _user(name: str) -> str:
    return f"o{name}{time.monotonic_ns()}"


def _hits(path, user: str) -> list[dict]:
    if not path.exists():
        return []
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [h for h in lines if h["user"] == openid_hash(user)]


def test_a_question_hitting_the_list_is_refused_and_logged_without_its_text(server):
    user = _user("ad")
    with wechat(server) as push:
        reply = push.send(push.text(user, "图书馆办证要多久？详情加 我 微 信咨询")).shown
    assert reply == texts.SAFETY_REFUSED_QUESTION
    hits = _hits(server.log, user)
    assert len(hits) == 1
    hit = hits[0]
    assert hit["where"] == "question" and hit["source"] == "words" and hit["categories"] == ["广告引流"]
    assert "time" in hit and "text" not in hit and "words" not in hit
    raw = server.log.read_text(encoding="utf-8")
    assert user not in raw and "办证要多久" not in raw and "加我微信" not in raw


def test_an_answer_hitting_the_list_is_withheld_and_logged(server, api):
    user = _user("answer")
    with wechat(server) as push:
        reply = push.send(push.text(user, QUESTION)).shown  # the question is clean; its answer holds 208.37
    assert reply == texts.SAFETY_REFUSED_ANSWER and ANSWER_FIGURE not in reply
    hits = _hits(server.log, user)
    assert [(h["where"], h["categories"]) for h in hits] == [("answer", ["其他"])]


def test_whitelisted_words_and_clean_questions_pass(server):
    with wechat(server) as push:
        user = _user("white")
        reply = push.send(push.text(user, "本馆开展过远离毒品主题活动吗？")).shown
        assert reply not in (texts.SAFETY_REFUSED_QUESTION, texts.SAFETY_REFUSED_ANSWER)
        assert _hits(server.log, user) == []
        refused = push.send(push.text(_user("drug"), "毒品相关的书有哪些？")).shown
        assert refused == texts.SAFETY_REFUSED_QUESTION
        bare = _user("bare")  # a bare word counts as 其他
        assert push.send(push.text(bare, "赌博")).shown == texts.SAFETY_REFUSED_QUESTION
        assert _hits(server.log, bare)[0]["categories"] == ["其他"]
        plan = push.send(push.text(_user("plan"), PLAN_QUESTION)).shown
        assert plan not in (texts.SAFETY_REFUSED_QUESTION, texts.SAFETY_REFUSED_ANSWER) and "来源：" in plan


def test_a_late_answer_is_checked_before_customer_service_sends_it(public_kb, api, words_file, tmp_path):
    settings = wechat_settings(
        public_kb.data_dir,
        api,
        wechat_reply_budget=0,
        safety_words=words_file,
        wechat_safety_log=tmp_path / "hits.jsonl",
    )
    with lantai(public_kb, settings) as live, wechat(live) as push:
        user = _user("late")
        push.send(push.text(user, QUESTION))
        sent = api.wait_for_sent(1, timeout=20, user=user)
    assert [m.content for m in sent] == [texts.SAFETY_REFUSED_ANSWER]


@pytest.fixture(scope="module")
def moderated(public_kb, api, tmp_path_factory):
    folder = tmp_path_factory.mktemp("moderated")
    words = folder / "words.tsv"
    words.write_text("广告引流\t加我微信\n", encoding="utf-8")
    settings = wechat_settings(
        public_kb.data_dir,
        api,
        safety_words=words,
        wechat_safety_log=folder / "hits.jsonl",
        wechat_moderation_url=api.moderation_url,
        wechat_moderation_wechat_token=True,
        wechat_moderation_timeout=1.0,
        wechat_log_bodies=True,
    )
    with lantai(public_kb, settings) as live:
        live.log = folder / "hits.jsonl"
        yield live


def test_the_moderation_endpoint_checks_questions_and_answers(moderated, api):
    api.risky["不雅测试词"] = 20002
    with wechat(moderated) as push:
        user = _user("modq")
        reply = push.send(push.text(user, "请问不雅测试词是什么意思")).shown
        assert reply == texts.SAFETY_REFUSED_QUESTION
        hit = _hits(moderated.log, user)[0]
        assert hit["source"] == "moderation" and hit["categories"] == ["色情"]
        assert hit["text"] == "请问不雅测试词是什么意思"  # the setting allows bodies here
        clean = _user("modok")
        answer = push.send(push.text(clean, QUESTION)).shown
        assert ANSWER_FIGURE in answer
        assert QUESTION in api.moderated and any(ANSWER_FIGURE in m for m in api.moderated)  # both were asked
        api.risky["208.37"] = 20006  # the endpoint now finds the answer risky
        withheld = _user("moda")
        assert push.send(push.text(withheld, QUESTION)).shown == texts.SAFETY_REFUSED_ANSWER
        assert _hits(moderated.log, withheld)[0]["categories"] == ["违法犯罪"]


@pytest.mark.parametrize("how", ["down", "http-503", "errcode"])
def test_moderation_down_fails_closed_with_a_polite_reply(moderated, api, how):
    if how == "down":
        api.moderation_down = True
    elif how == "http-503":
        api.fail_next(5, status=503, path=api.MODERATION)
    else:
        api.fail_next(5, errcode=-1, path=api.MODERATION)
    with wechat(moderated) as push:
        user = _user("down")
        reply = push.send(push.text(user, QUESTION)).shown
    assert reply == texts.SAFETY_UNAVAILABLE and ANSWER_FIGURE not in reply
    assert _hits(moderated.log, user)[0]["categories"] == ["审核服务不可用"]


def test_a_bad_word_list_is_a_clear_error_at_start(public_kb, api, tmp_path):
    from ui.api import create_app

    bad = tmp_path / "bad.tsv"
    bad.write_text("色情\t词一\n暴力\t词\t多余\n", encoding="utf-8")
    with pytest.raises(ValueError, match="第 2 行"):
        create_app(wechat_settings(public_kb.data_dir, api, safety_words=bad), kb=public_kb)


def test_the_bundled_list_is_used_when_none_is_set(public_kb, api, tmp_path):
    from ui.wechat.safety import BUNDLED, parse_words

    bundled = parse_words(BUNDLED.read_text(encoding="utf-8"))
    assert {"政治敏感", "色情", "暴力", "广告引流"} <= set(bundled.categories) and bundled.allowed >= 1
    settings = wechat_settings(public_kb.data_dir, api, wechat_safety_log=tmp_path / "hits.jsonl")
    with lantai(public_kb, settings) as live, wechat(live) as push:
        assert push.send(push.text(_user("b"), "兼职日结，扫码领红包")).shown == texts.SAFETY_REFUSED_QUESTION
        assert ANSWER_FIGURE in push.send(push.text(_user("b"), QUESTION)).shown
