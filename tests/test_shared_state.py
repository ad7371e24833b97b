"""Each kind of shared state behaves the same in process and in a real Redis; in Redis, across workers.

The ``state`` fixture runs every test twice: state kept in this process, and in a redis-server
started for the session on loopback. "Workers" in Redis mode are separate connections, each
with its own event loop in its own thread — to Redis they are what separate processes are.
"""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from ui.settings import Settings
from ui.shared_state import SharedRedis, open_shared
from ui.wechat.channel import Limits
from ui.wechat.conversation import Conversations
from ui.wechat.dedup import Action, SeenMessages
from ui.wechat.kept import NOT_READY, KeptAnswers
from ui.wechat.pages import MorePages
from ui.wechat.ratelimit import UserRateLimit
from ui.wechat.token import LocalToken

pytestmark = pytest.mark.slow


def tables(state: dict, limits: Limits):
    """(seen, more, kept, conversations, rate) of one worker, where ``state`` says."""
    if not state:
        return (
            SeenMessages(limits.dedup_seconds),
            MorePages(limits.more_seconds),
            KeptAnswers(limits.kept_seconds),
            Conversations(limits.followup_seconds, limits.followup_turns),
            UserRateLimit(limits.rate_limit, limits.rate_window),
        )
    from ui.shared_state.wechat import shared_tables

    return shared_tables(SharedRedis(state["redis_url"]), limits)


def test_more_pages_in_order_replaced_by_a_new_answer_and_forgotten(state):
    _, more, _, _, _ = tables(state, Limits(more_seconds=0.4))
    more.keep("u1", ["p2", "p3"])
    assert more.next("u1") == "p2"
    more.keep("u1", ["q2"])  # a new answer replaces what was left
    assert more.next("u1") == "q2" and more.next("u1") is None
    more.keep("u2", ["r2"])
    more.keep("u2", [])
    assert more.next("u2") is None
    more.keep("u3", ["s2"])
    time.sleep(0.6)
    assert more.next("u3") is None


def test_turns_are_capped_and_end_after_the_window(state):
    _, _, _, talk, _ = tables(state, Limits(followup_seconds=0.5, followup_turns=2))
    for question in ("一", "二", "三"):
        talk.add("u", question)
    assert talk.history("u") == ["二", "三"] and talk.history("v") == []
    time.sleep(0.7)
    assert talk.history("u") == []
    talk.add("u", "四")  # a new conversation
    assert talk.history("u") == ["四"]


def test_rate_limit_per_user(state):
    *_, rate = tables(state, Limits(rate_limit=2, rate_window=60))
    assert [rate.allow("a") for _ in range(3)] == [True, True, False]
    assert rate.allow("b")


def _run(coro):
    return asyncio.run(coro)


def test_a_message_decided_as_the_channel_needs(state):
    """New, retried, waited for, answered passively; handed over by its latest attempt only."""
    seen, _, kept, _, _ = tables(state, Limits(dedup_seconds=30))

    async def flow():
        entry, first, new = await seen.arrive("m1", "u")
        assert (first, new) == (1, True)
        assert await seen.decide(entry, first, True, final=False) == (Action.WAIT, None)
        started = time.monotonic()
        await seen.wait(entry, 0.2)
        assert time.monotonic() - started >= 0.15  # nothing came: waited its time
        _, second, new = await seen.arrive("m1", "u")
        assert (second, new) == (2, False)
        assert (await seen.decide(entry, first, True, final=True))[0] == Action.NOTHING  # a newer attempt waits
        await seen.answered(entry, "答复")
        assert await seen.decide(entry, second, True, final=True) == (Action.REPLY, "答复")

        late, attempt, _ = await seen.arrive("m2", "u")
        assert await seen.decide(late, attempt, True, final=True) == (Action.DELIVER, None)
        assert (await seen.decide(late, attempt, True, final=False))[0] == Action.NOTHING  # the API has it now
        await seen.answered(late, "迟到的答复")
        assert await seen.reply(late) == "迟到的答复"

        kept_entry, attempt, _ = await seen.arrive("m3", "u")
        assert await seen.decide(kept_entry, attempt, False, final=True) == (Action.KEEP, None)
        kept.keep(kept_entry)
        assert (await seen.decide(kept_entry, attempt, False, final=False))[0] == Action.NOTICE
        assert kept.take("u") is NOT_READY
        await seen.answered(kept_entry, "留给下一条消息")
        assert kept.take("u") == "留给下一条消息" and kept.take("u") is None

    _run(flow())


def test_a_retry_on_another_worker_waits_for_the_first_workers_answer(redis_url):
    """Two workers, one message: one answer, which the retry on the other worker returns."""
    import redis

    with redis.Redis.from_url(redis_url) as client:
        client.flushdb()
    limits = Limits(dedup_seconds=30)
    one, _, _, _, _ = tables({"redis_url": redis_url}, limits)
    two, _, _, _, _ = tables({"redis_url": redis_url}, limits)
    ready = threading.Event()
    seen_by_two = {}

    async def worker_one():
        entry, _attempt, new = await one.arrive("m-cross", "u")
        assert new
        ready.set()
        await asyncio.sleep(0.3)  # answering
        await one.answered(entry, "第一个进程的答复")

    async def worker_two():
        await asyncio.get_running_loop().run_in_executor(None, ready.wait)
        entry, attempt, new = await two.arrive("m-cross", "u")
        seen_by_two["new"] = new
        assert await two.decide(entry, attempt, True, final=False) == (Action.WAIT, None)
        await two.wait(entry, 5.0)
        seen_by_two["decision"] = await two.decide(entry, attempt, True, final=True)

    threads = [threading.Thread(target=_run, args=(w(),)) for w in (worker_one, worker_two)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert seen_by_two == {"new": False, "decision": (Action.REPLY, "第一个进程的答复")}


class _TokenEndpoint:
    """Counts fetches; each fetch is slow enough for every other worker to notice the token is due."""

    def __init__(self, lifetime: float):
        self.lifetime = lifetime
        self.fetches = 0
        self._lock = threading.Lock()

    async def fetch(self):
        await asyncio.sleep(0.2)
        with self._lock:
            self.fetches += 1
            return f"token-{self.fetches}", self.lifetime


def _token_stores(state: dict, workers: int):
    if not state:
        store = LocalToken()
        return [store] * workers  # one process: one store
    from ui.shared_state.token import SharedToken

    return [SharedToken(SharedRedis(state["redis_url"]), "wxappid") for _ in range(workers)]


def test_one_token_fetch_per_expiry_whatever_the_number_of_workers(state):
    endpoint = _TokenEndpoint(lifetime=2.5)  # renewed a fifth early: 2 s after it came
    stores = _token_stores(state, 4)
    got: list[list[str]] = [[] for _ in stores]

    async def worker(n: int, store):
        for _ in range(3):
            got[n].append(await store.get(endpoint.fetch))
            got[n].append(await store.get(endpoint.fetch))
            await asyncio.sleep(1.5)

    if state:  # each worker its own connection and loop, like a process
        threads = [threading.Thread(target=_run, args=(worker(n, s),)) for n, s in enumerate(stores)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    else:

        async def all_workers():
            await asyncio.gather(*(worker(n, s) for n, s in enumerate(stores)))

        _run(all_workers())
    # Three rounds 1.5 s apart over a 2 s renewal period: the first and the third need a token, the second not.
    assert endpoint.fetches == 2, got
    assert all(g[:2] == ["token-1", "token-1"] and g[-1] == "token-2" for g in got), got


def test_a_rejected_token_is_fetched_again_once(state):
    endpoint = _TokenEndpoint(lifetime=7200)
    stores = _token_stores(state, 3)

    async def flow():
        first = await stores[0].get(endpoint.fetch)
        # WeChat rejected it: every worker holding it asks again with it as stale, at once.
        again = await asyncio.gather(*(s.get(endpoint.fetch, stale=first) for s in stores))
        return first, again

    first, again = _run(flow())
    assert endpoint.fetches == 2 and first == "token-1" and again == ["token-2"] * 3


def test_an_unreachable_redis_is_a_clear_error_at_start():
    from redis_server import free_port

    settings = Settings(_env_file=None, redis_url=f"redis://:pw@127.0.0.1:{free_port()}/0")
    with pytest.raises(ValueError) as info:
        open_shared(settings)
    assert "无法连接 Redis" in str(info.value) and "cannot reach Redis" in str(info.value)
    assert ":pw@" not in str(info.value)  # the password is never printed
    assert open_shared(Settings(_env_file=None)) is None
