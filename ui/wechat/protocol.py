"""The WeChat callback protocol: signatures, safe mode, parsing and passive replies.

wechatpy does the protocol (``check_signature``, ``WeChatCrypto``,
``parse_message``, ``TextReply``); this module puts a guard in front of it
and turns its many failure modes into two errors the route maps to HTTP:
``BadSignature`` (403) and ``BadMessage`` (400).

The guard: every XML document, the outer envelope and the decrypted inner
message alike, is first parsed by defusedxml with DTDs forbidden, so entity
tricks (billion laughs, external entities, any ``<!DOCTYPE``) are refused
before wechatpy's own parser (xmltodict on expat) ever sees them.
"""

from __future__ import annotations

import binascii
import time
from dataclasses import dataclass
from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.replies import TextReply
from wechatpy.utils import check_signature, random_string


class BadSignature(Exception):
    """The request was not signed with our token (or not for our app id), or is a replay: 403."""


class BadMessage(Exception):
    """The body is not a message we can read: malformed, entity tricks, wrong shape: 400."""


@dataclass(frozen=True)
class Inbound:
    """One message from a user, as much as the channel needs of it."""

    user: str  # FromUserName: the user's openid
    account: str  # ToUserName: our account's id
    kind: str  # text | image | voice | video | shortvideo | location | link | event | ...
    content: str = ""  # text messages; for voice, WeChat's transcript (Recognition) when 语音识别 is on
    event: str = ""  # events: subscribe, unsubscribe, click, ...
    event_key: str = ""  # a menu item's key (CLICK events)
    msg_id: int = 0
    create_time: int = 0

    @property
    def key(self) -> str:
        """What WeChat's retries share: MsgId, or for events (no MsgId) the user and CreateTime."""
        if self.msg_id:
            return f"msg:{self.msg_id}"
        return f"event:{self.user}:{self.create_time}:{self.event}"


def guard_xml(body: bytes | str) -> None:
    """Refuse anything that is not plain well-formed XML: DTDs, entities, bad syntax."""
    try:
        root = SafeET.fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise BadMessage(f"forbidden XML construct: {type(exc).__name__}") from None
    except (ParseError, ValueError, TypeError) as exc:
        raise BadMessage(f"malformed XML: {exc}") from None
    if root.tag != "xml":
        raise BadMessage(f"unexpected root element <{root.tag}>")


class WeChatProtocol:
    """Signature checks, decryption and reply rendering for one account."""

    def __init__(self, token: str, app_id: str | None = None, aes_key: str | None = None, clock_skew: float = 300.0):
        self.token = token
        self.clock_skew = clock_skew
        self.app_id = app_id or ""
        self.crypto = None
        if aes_key:
            if not app_id:
                raise ValueError("safe mode needs the AppID / 安全模式需要配置 LANTAI_WECHAT_APPID")
            try:
                self.crypto = WeChatCrypto(token, aes_key, app_id)
            except (AssertionError, binascii.Error, ValueError):
                raise ValueError(
                    "LANTAI_WECHAT_AES_KEY is not a valid EncodingAESKey (43 characters) / "
                    "EncodingAESKey 格式不对（应为 43 个字符）"
                ) from None

    # -- signatures ---------------------------------------------------------------------------
    def check(self, signature: str | None, timestamp: str | None, nonce: str | None) -> None:
        if not (signature and timestamp and nonce):
            raise BadSignature("signature, timestamp and nonce are required")
        try:
            check_signature(self.token, signature, timestamp, nonce)
        except InvalidSignatureException:
            raise BadSignature("signature mismatch") from None
        # The signature covers neither the body nor the time of sending, and access logs keep signature,
        # timestamp and nonce: without an age check a logged request could be sent again at any time.
        try:
            age = abs(time.time() - int(timestamp))
        except ValueError:
            raise BadSignature("timestamp is not a number") from None
        if age > self.clock_skew:
            raise BadSignature(f"timestamp is {age:.0f} s away from the server's clock (a replay?)")

    # -- inbound ------------------------------------------------------------------------------
    def read(self, body: bytes, *, encrypted: bool, msg_signature: str | None, timestamp: str, nonce: str) -> Inbound:
        """The message in a POST body (the query's ``signature`` already checked)."""
        guard_xml(body)
        if encrypted:
            if self.crypto is None:
                raise BadMessage("an encrypted message arrived but no EncodingAESKey is configured")
            if not msg_signature:
                raise BadSignature("msg_signature is required in safe mode")
            try:
                xml = self.crypto.decrypt_message(body, msg_signature, timestamp, nonce)
            except InvalidSignatureException:
                raise BadSignature("msg_signature mismatch") from None
            except InvalidAppIdException:
                raise BadSignature("the message was encrypted for another app id") from None
            except (KeyError, TypeError, ValueError, IndexError, binascii.Error, UnicodeDecodeError) as exc:
                raise BadMessage(f"cannot decrypt: {type(exc).__name__}") from None
            guard_xml(xml)
        else:
            try:
                xml = body.decode("utf-8") if isinstance(body, bytes) else body
            except UnicodeDecodeError:
                raise BadMessage("the body is not UTF-8") from None
        return _inbound(xml)

    # -- outbound -----------------------------------------------------------------------------
    def render(self, message: Inbound, text: str, *, encrypted: bool, nonce: str) -> str:
        """A passive text reply, encrypted when the message came encrypted."""
        # wechatpy writes the content into CDATA unescaped: a "]]>" in a document would end it early.
        reply = TextReply(
            source=message.account, target=message.user, content=text.replace("]]>", "]]＞"), time=int(time.time())
        )
        xml = reply.render()
        if encrypted and self.crypto is not None:
            return self.crypto.encrypt_message(xml, nonce or random_string(16), str(int(time.time())))
        return xml


def _inbound(xml: str) -> Inbound:
    try:
        message = parse_message(xml)
        data = message._data  # the parsed fields; wechatpy's classes only wrap this dict
        fields = {name: data.get(name) for name in ("FromUserName", "ToUserName", "MsgType")}
        if not all(isinstance(v, str) and v.strip() for v in fields.values()):
            raise BadMessage("FromUserName, ToUserName and MsgType are required")
        kind = fields["MsgType"].strip().lower()
        # A voice message carries WeChat's own transcript in Recognition when 语音识别 is on for the account.
        content = data.get("Recognition" if kind == "voice" else "Content") or ""
        event = data.get("Event") or ""
        event_key = data.get("EventKey") or ""
        if not all(isinstance(v, str) for v in (content, event, event_key)):
            raise BadMessage("Content, Recognition, Event and EventKey must be text")
        return Inbound(
            user=fields["FromUserName"].strip(),
            account=fields["ToUserName"].strip(),
            kind=kind,
            content=content,
            event=getattr(message, "event", "") or event.lower(),
            event_key=event_key.strip(),
            msg_id=_int(data.get("MsgId")),
            create_time=_int(data.get("CreateTime")),
        )
    except BadMessage:
        raise
    except Exception as exc:  # wechatpy raises whatever its dict access meets: KeyError, AttributeError, ...
        raise BadMessage(f"not a WeChat message: {type(exc).__name__}") from None


def _int(value) -> int:
    if value is None or value == "":
        return 0
    if not isinstance(value, str) or not value.strip().isdigit():
        raise BadMessage("MsgId and CreateTime must be numbers")
    return int(value.strip())


__all__ = ["BadMessage", "BadSignature", "Inbound", "WeChatProtocol", "guard_xml"]
