"""The WeChat service account (公众号) surface: answers from public documents, within WeChat's rules.

``build_channel(settings, kb)`` makes the channel (over an assistant limited to
public documents) and the protocol; ``wechat_router`` serves them at
``settings.wechat_path``. ``ui.rest.create_app`` does both when
``LANTAI_WECHAT_TOKEN`` is set and closes the channel at shutdown.
"""

from __future__ import annotations

from pathlib import Path

from ..settings import Settings
from .channel import Counts, Limits, WeChatChannel
from .customer import CustomerService, DeliveryError, DeliveryUncertain
from .gate import ContentGate
from .keywords import KeywordAnswers
from .moderation import Moderation
from .protocol import BadMessage, BadSignature, Inbound, WeChatProtocol
from .routes import SUCCESS, wechat_router
from .safety import BUNDLED
from .safety_log import SafetyLog
from .stafffile import StaffFileError

_RESERVED = ("/", "/api", "/healthz", "/docs", "/openapi.json")


def wechat_protocol(settings: Settings) -> WeChatProtocol:
    """The account's protocol once its settings are checked; ``ValueError`` with a clear message when they
    are incomplete. Cheap: ``lantai serve --workers N`` checks them before starting any worker."""
    if not settings.wechat_token:
        raise ValueError("LANTAI_WECHAT_TOKEN is not set / 未配置公众号 Token")
    if settings.wechat_customer_service and not (settings.wechat_appid and settings.wechat_secret):
        raise ValueError(
            "公众号需要同时配置 LANTAI_WECHAT_APPID 和 LANTAI_WECHAT_SECRET：超过 5 秒的回答要通过客服消息发出"
            "（账号没有客服消息权限时，请设置 LANTAI_WECHAT_CUSTOMER_SERVICE=false）"
            " / LANTAI_WECHAT_APPID and LANTAI_WECHAT_SECRET are required: answers slower than the reply"
            " budget go out as customer-service messages (or set LANTAI_WECHAT_CUSTOMER_SERVICE=false)"
        )
    path = settings.wechat_path
    if not path.startswith("/") or path.rstrip("/") in ("", *_RESERVED) or path.startswith("/api/"):
        raise ValueError(f"LANTAI_WECHAT_PATH 不能是 {path!r} / the WeChat path must be a free path such as /wechat")
    return WeChatProtocol(
        settings.wechat_token, settings.wechat_appid, settings.wechat_aes_key, clock_skew=settings.wechat_clock_skew
    )


def build_channel(settings: Settings, kb, assistant=None, shared=None) -> tuple[WeChatChannel, WeChatProtocol]:
    """The channel and protocol the settings describe; ``ValueError`` with a clear message when incomplete.

    ``shared`` (a ``ui.shared_state.SharedRedis``) keeps the retry table, pages, limits, turns and the
    access_token in Redis for every worker; ``None`` keeps them in this process.
    """
    from ..context import open_assistant

    protocol = wechat_protocol(settings)
    customer_service = None
    if settings.wechat_appid and settings.wechat_secret:
        tokens = None
        if shared is not None:
            from ..shared_state.token import SharedToken

            tokens = SharedToken(shared, settings.wechat_appid)
        customer_service = CustomerService(
            settings.wechat_api_base,
            settings.wechat_appid,
            settings.wechat_secret,
            timeout=settings.wechat_api_timeout,
            attempts=settings.wechat_send_attempts,
            tokens=tokens,
        )
    limits = Limits(
        reply_budget=settings.wechat_reply_budget,
        rate_limit=settings.wechat_rate_limit,
        rate_window=settings.wechat_rate_window,
        max_message_chars=settings.wechat_max_message_chars,
        max_reply_bytes=settings.wechat_max_reply_bytes,
        dedup_seconds=settings.wechat_dedup_seconds,
        more_seconds=settings.wechat_more_seconds,
        workers=settings.wechat_workers,
        customer_service=settings.wechat_customer_service,
        kept_seconds=settings.wechat_kept_seconds,
        followup_seconds=settings.wechat_followup_seconds,
        followup_turns=settings.wechat_followup_turns,
    )
    keywords = None
    if settings.wechat_keyword_answers is not None:
        try:
            keywords = KeywordAnswers(settings.wechat_keyword_answers, settings.wechat_max_reply_bytes)
        except StaffFileError as exc:
            raise ValueError(f"LANTAI_WECHAT_KEYWORD_ANSWERS（{settings.wechat_keyword_answers}）：{exc}") from None
    gate = content_gate(settings, customer_service) if settings.wechat_safety_gate else None
    assistant = assistant or open_assistant(settings, kb, visibility="public")
    from ..services.curation_store import CurationStore

    store = CurationStore(kb.data_dir)  # the question log, and reviewed answers that cite public documents only
    channel = WeChatChannel(
        assistant, customer_service, limits, keywords=keywords, gate=gate, shared=shared, store=store
    )
    return channel, protocol


def safety_words_file(settings: Settings) -> Path:
    """The word list in use: ``LANTAI_SAFETY_WORDS``, or the bundled example."""
    return settings.safety_words or BUNDLED


def safety_log_file(settings: Settings) -> Path:
    """Where the gate's hits are written: ``LANTAI_WECHAT_SAFETY_LOG``, or beside the data."""
    return settings.wechat_safety_log or settings.data_dir / "wechat-safety-hits.jsonl"


def content_gate(settings: Settings, customer_service: CustomerService | None = None) -> ContentGate:
    """The gate the settings describe; ``ValueError`` naming the bad line of a bad word list."""
    try:
        words_file = safety_words_file(settings)
        log = SafetyLog(safety_log_file(settings), bodies=settings.wechat_log_bodies)
        moderation = None
        if settings.wechat_moderation_url:
            token = None
            if settings.wechat_moderation_wechat_token:
                if customer_service is None:
                    raise ValueError(
                        "LANTAI_WECHAT_MODERATION_WECHAT_TOKEN 需要 AppID 和 AppSecret / needs the AppID and AppSecret"
                    )
                token = customer_service.access_token
            moderation = Moderation(
                settings.wechat_moderation_url, timeout=settings.wechat_moderation_timeout, access_token=token
            )
        return ContentGate(words_file, log, moderation)
    except StaffFileError as exc:
        raise ValueError(f"LANTAI_SAFETY_WORDS（{safety_words_file(settings)}）：{exc}") from None


__all__ = [
    "BadMessage",
    "BadSignature",
    "ContentGate",
    "Counts",
    "CustomerService",
    "DeliveryError",
    "DeliveryUncertain",
    "Inbound",
    "Limits",
    "WeChatProtocol",
    "SUCCESS",
    "WeChatChannel",
    "build_channel",
    "content_gate",
    "safety_log_file",
    "safety_words_file",
    "wechat_protocol",
    "wechat_router",
]
