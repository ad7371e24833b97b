"""The WeChat channel: a message in, a reply within the 5-second window or a customer-service message later.

Each new message starts its work once (an answer runs in a thread pool: the
assistant is synchronous); every attempt of that message (WeChat retries
after 5 s, three times in all) waits for the same reply, up to its own budget
(``wechat_reply_budget``, 4.5 s from its arrival):

* ready in time → the reply goes back passively, as the HTTP answer;
* not ready → ``success`` (which stops WeChat's retries). If this is the
  latest attempt, the reply is handed to the customer-service API for good:
  it is sent once when ready, and any later attempt gets ``success`` at once.
  An earlier attempt that runs out while a newer one waits hands nothing
  over (WeChat only listens to the newest attempt).
* an account without customer-service messages (``Limits.customer_service``
  off, or WeChat said 48001 once) keeps the reply instead: the attempt that
  gives up says so, and the user's next message (any text, or 「结果」) gets
  it passively (``kept``). WeChat's refusals 45015 and 45047 keep it too.
* an attempt after the reply went back passively gets the same reply again,
  not a new answer: WeChat retries only when it did not get a reply in time,
  and it shows a user at most one reply per message, so returning it again
  is the only way the user still sees it, and never a duplicate.

The assistant behind the channel must be limited to public documents.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from ..services.curation_store import CurationStore
from ..services.questions import Asker, Questions
from . import texts
from .conversation import Conversations
from .customer import CustomerService, DeliveryError, DeliveryUncertain
from .dedup import Action, Delivery, Entry, SeenMessages
from .errcodes import KEEP_FOR_NEXT_MESSAGE, UNAUTHORIZED, meaning
from .gate import ContentGate
from .kept import KeptAnswers
from .keywords import KeywordAnswers
from .pages import MorePages
from .privacy import openid_hash
from .protocol import Inbound
from .ratelimit import UserRateLimit
from .reply import render_pages
from .triage import Triage

log = logging.getLogger(__name__)


@dataclass
class Limits:
    reply_budget: float = 4.5
    rate_limit: int = 10
    rate_window: int = 60
    max_message_chars: int = 500
    max_reply_bytes: int = 2000
    dedup_seconds: float = 300.0
    more_seconds: float = 1800.0
    workers: int = 4
    customer_service: bool = True  # False: the account has no 客服消息; late answers wait for the next message
    kept_seconds: float = 48 * 3600.0
    followup_seconds: float = 600.0  # a user's questions within this time of each other are one conversation
    followup_turns: int = 3


@dataclass
class Counts:
    """What the channel did, for logs and the load script."""

    messages: int = 0
    retries: int = 0
    answers_started: int = 0
    passive: int = 0
    customer_service: int = 0
    delivery_failed: int = 0
    kept: int = 0  # late answers kept for the user's next message
    kept_shown: int = 0  # ... and shown by it
    rate_limited: int = 0
    passive_ms: deque = field(default_factory=lambda: deque(maxlen=10000))  # the latest passive reply times


class WeChatChannel:
    def __init__(
        self,
        assistant,
        customer_service: CustomerService | None,
        limits: Limits | None = None,
        examples: tuple[str, ...] = texts.EXAMPLES,
        keywords: KeywordAnswers | None = None,
        gate: ContentGate | None = None,
        shared=None,
        store: CurationStore | None = None,
    ):
        if getattr(getattr(assistant, "config", None), "visibility", None) != "public":
            raise ValueError(
                "the WeChat channel needs an assistant limited to public documents "
                "(AssistantConfig.visibility='public')"
            )
        self.assistant = assistant
        # asked as every surface asks (an empty base says so; logged, and reviewed answers citing public documents)
        self.questions = Questions(assistant, store, channel="wechat")
        self.customer_service = customer_service
        self.limits = limits or Limits()
        self.gate = gate  # the content-safety gate on questions and answers
        self.counts = Counts()
        # What several server processes must share lives in Redis (``shared``), else in this process.
        self.shared = shared
        if shared is None:
            self.seen = SeenMessages(self.limits.dedup_seconds)
            self.more = MorePages(self.limits.more_seconds)
            self.kept = KeptAnswers(self.limits.kept_seconds)
            self.conversations = Conversations(self.limits.followup_seconds, self.limits.followup_turns)
            self.rate = UserRateLimit(self.limits.rate_limit, self.limits.rate_window)
        else:
            from ..shared_state.wechat import shared_tables

            self.seen, self.more, self.kept, self.conversations, self.rate = shared_tables(shared, self.limits)
        # Whether late answers go out as customer-service messages; a 48001 from WeChat turns it off for good.
        self.sends = self.limits.customer_service and customer_service is not None
        self.triage = Triage(self.limits, self.counts, self.rate, self.more, self.kept, keywords, examples)
        self.pool = ThreadPoolExecutor(self.limits.workers, thread_name_prefix="wechat-answer")
        self._tasks: set[asyncio.Task] = set()

    # -- one attempt of one message ---------------------------------------------------------------
    async def handle(self, message: Inbound, arrived: float | None = None) -> str | None:
        """The text to reply passively, or ``None`` for ``success`` (nothing now, or sent later)."""
        arrived = time.monotonic() if arrived is None else arrived
        entry, attempt, new = await self.seen.arrive(message.key, message.user)
        if new:
            self.counts.messages += 1
            await self._start(entry, message)
        else:
            self.counts.retries += 1
        text = await self._wait(entry, attempt, arrived + self.limits.reply_budget)
        if text is not None:
            self.counts.passive += 1
            self.counts.passive_ms.append((time.monotonic() - arrived) * 1000)
        return text

    async def _wait(self, entry: Entry, attempt: int, deadline: float) -> str | None:
        action, text = await self.seen.decide(entry, attempt, self.sends, final=False)
        if action == Action.WAIT:
            await self.seen.wait(entry, deadline - time.monotonic())
            action, text = await self.seen.decide(entry, attempt, self.sends, final=True)
        if action == Action.REPLY:
            return text
        if action == Action.NOTICE:
            return texts.KEPT_NOTICE  # WeChat may not have got the notice: say it again
        if action == Action.KEEP:  # the user's next message will take it
            await self._keep(entry)
            return texts.KEPT_NOTICE
        if action == Action.DELIVER:  # from here on, the reply leaves by the customer-service API only
            self._spawn(self._deliver(entry))
        return None

    # -- the work of a new message ------------------------------------------------------------------
    async def _start(self, entry: Entry, message: Inbound) -> None:
        immediate = self.triage.reply(message)
        if immediate is not None:
            await self.seen.answered(entry, immediate)
            return
        self.counts.answers_started += 1
        self._spawn(self._answer(entry, message.user, message.content.strip()))

    async def _answer(self, entry: Entry, user: str, question: str) -> None:
        try:
            pages = await self._checked_pages(user, question)
        except Exception:
            log.exception("answering a WeChat question failed")
            pages = [texts.FAILED]
        self.more.keep(user, pages[1:])
        await self.seen.answered(entry, pages[0])

    async def _checked_pages(self, user: str, question: str) -> list[str]:
        """The answer's pages, or one refusal when the gate stops the question or the answer."""
        if self.gate is not None:
            refusal = await self.gate.question(user, question)
            if refusal is not None:
                return [refusal]  # refused questions are no turn of the conversation
        history = self.conversations.history(user)
        loop = asyncio.get_running_loop()
        pages = await loop.run_in_executor(self.pool, self._pages, question, history, user)
        self.conversations.add(user, question)
        if self.gate is not None:
            refusal = await self.gate.answer(user, "\n".join(pages))
            if refusal is not None:
                return [refusal]
        return pages

    def _pages(self, question: str, history: list[str] | None = None, user: str | None = None) -> list[str]:
        answer = self.questions.ask(question, history, asker=Asker("wechat", openid_hash(user)) if user else None)
        titles: dict[str, str] = {}
        for doc in self.assistant.kb.documents():
            if doc.visibility == "public":  # a title is content too: only public ones may be shown
                titles[doc.id] = titles[doc.file_name] = doc.title or doc.file_name
        return render_pages(answer, titles, self.limits.max_reply_bytes)

    async def _keep(self, entry: Entry) -> None:
        await self.seen.mark(entry, Delivery.KEPT)
        self.kept.keep(entry)
        self.counts.kept += 1

    async def _deliver(self, entry: Entry) -> None:
        text = await self.seen.reply(entry)
        if not text:
            return
        user = openid_hash(entry.user)
        customer_service = self.customer_service
        if (
            not self.sends or customer_service is None
        ):  # a 48001 for another message came while this answer was computed
            await self._keep(entry)
            return
        try:
            await customer_service.send_text(entry.user, text)
        except DeliveryUncertain as exc:
            await self.seen.mark(entry, Delivery.UNCERTAIN)
            self.counts.delivery_failed += 1
            log.warning("customer-service message to user %s may not have arrived; not resent: %s", user, exc)
        except DeliveryError as exc:
            if exc.errcode in KEEP_FOR_NEXT_MESSAGE:  # WeChat would refuse it again: never resent blindly
                if exc.errcode == UNAUTHORIZED and self.sends:
                    self.sends = False
                    log.warning(
                        "WeChat refused customer-service messages (48001 %s): from now on late answers "
                        "are kept for each user's next message",
                        meaning(UNAUTHORIZED),
                    )
                await self._keep(entry)
                log.warning(
                    "customer-service message to user %s refused (%s %s); kept for the user's next message",
                    user,
                    exc.errcode,
                    meaning(exc.errcode),
                )
                return
            await self.seen.mark(entry, Delivery.FAILED)
            self.counts.delivery_failed += 1
            log.error("customer-service message to user %s failed (%s): %s", user, meaning(exc.errcode), exc)
        else:
            await self.seen.mark(entry, Delivery.CUSTOMER_SERVICE)
            self.counts.customer_service += 1

    # -- lifecycle ------------------------------------------------------------------------------------
    def _spawn(self, coro) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)  # the loop keeps only weak references to tasks
        task.add_done_callback(self._tasks.discard)

    @property
    def pending(self) -> int:
        """Answers and deliveries under way."""
        return len(self._tasks)

    async def drain(self, timeout: float = 30.0) -> None:
        """Wait for answers and deliveries still under way (at shutdown, and in tests)."""
        deadline = time.monotonic() + timeout
        while self._tasks and time.monotonic() < deadline:
            await asyncio.wait(set(self._tasks), timeout=max(0.0, deadline - time.monotonic()))

    async def aclose(self, timeout: float = 30.0) -> None:
        await self.drain(timeout)
        for task in list(self._tasks):
            task.cancel()
        self.pool.shutdown(wait=False, cancel_futures=True)
        if self.customer_service is not None:
            await self.customer_service.aclose()
        if self.gate is not None:
            await self.gate.aclose()
        if self.shared is not None:
            await self.shared.aclose()


__all__ = ["Counts", "Limits", "WeChatChannel"]
