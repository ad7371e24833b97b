"""What a new message gets without asking the assistant: events, limits, commands and staff answers.

In order: menu clicks with a staff answer, welcomes and silent events; the
per-user rate limit; voice without a transcript and kinds that are not text;
an answer kept for this user (it goes out with whatever they send next); empty
and over-long messages; 「更多」 and 「结果」; exact keywords with a staff answer.
Anything else is a question (``None``).
"""

from __future__ import annotations

from . import texts
from .kept import NOT_READY, KeptAnswers
from .keywords import KeywordAnswers
from .pages import MorePages
from .protocol import Inbound
from .ratelimit import UserRateLimit

# Events that are no conversation: nothing to say (and replying to a location report every 5 s would spam).
SILENT_EVENTS = {
    "unsubscribe",
    "location",
    "view",
    "view_miniprogram",
    "templatesendjobfinish",
    "masssendjobfinish",
    "kf_create_session",
    "kf_close_session",
    "kf_switch_session",
}
WELCOME_EVENTS = {"subscribe", "subscribe_scan", "scan"}  # following, or scanning our QR code again


class Triage:
    def __init__(
        self,
        limits,
        counts,
        rate: UserRateLimit,
        more: MorePages,
        kept: KeptAnswers,
        keywords: KeywordAnswers | None = None,
        examples: tuple[str, ...] = texts.EXAMPLES,
    ):
        self.limits = limits
        self.counts = counts
        self.rate = rate
        self.more = more
        self.kept = kept
        self.keywords = keywords  # staff-maintained answers to exact keywords and menu clicks
        self.examples = examples

    def reply(self, message: Inbound) -> str | None:
        """Replies that need no answer; ``None`` when the message is a question to answer."""
        if message.kind == "event":
            if message.event == "click" and self.keywords is not None:
                staff = self.keywords.lookup(message.event_key)
                if staff is not None:
                    return staff
            if message.event in WELCOME_EVENTS:
                return texts.welcome(self.examples)
            return "" if message.event in SILENT_EVENTS else texts.unsupported("event")
        if not self.rate.allow(message.user):
            self.counts.rate_limited += 1
            return texts.rate_limited(self.limits.rate_limit, self.limits.rate_window)
        if message.kind == "voice" and not message.content.strip():
            return texts.VOICE_WITHOUT_TRANSCRIPT  # 语音识别 is off for the account: no transcript came
        if message.kind not in ("text", "voice"):
            return texts.unsupported(message.kind)
        question = message.content.strip()
        command = question.strip("。.!！?？ ")
        kept = self._kept_reply(message.user, command)
        if kept is not None:
            return kept
        if not question:
            return texts.EMPTY_QUESTION
        if len(question) > self.limits.max_message_chars:
            return texts.too_long(self.limits.max_message_chars)
        if command == texts.MORE_COMMAND:
            return self.more.next(message.user) or texts.NO_MORE
        if command == texts.RESULT_COMMAND:
            return texts.NOTHING_KEPT
        if self.keywords is not None:
            return self.keywords.lookup(question)  # the staff's answer, or None: a question for the assistant
        return None

    def _kept_reply(self, user: str, command: str) -> str | None:
        """The answer kept for this user, taken by whatever they send next; ``None`` when nothing is kept."""
        kept = self.kept.take(user)
        if kept is None:
            return None
        if kept is NOT_READY:
            return texts.KEPT_NOT_READY
        self.counts.kept_shown += 1
        if command in ("", texts.RESULT_COMMAND, texts.MORE_COMMAND):
            return kept
        # A new question came with it: only one reply can go back, so the user is asked to send it again.
        with_note = f"{kept}\n{texts.ASK_AGAIN}"
        return with_note if len(with_note.encode("utf-8")) <= self.limits.max_reply_bytes else kept


__all__ = ["SILENT_EVENTS", "Triage", "WELCOME_EVENTS"]
