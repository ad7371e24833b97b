"""WeChat's send errcodes by meaning: what each says, in Chinese for the account's staff, and what follows.

Only some failures are worth anything but a log line:

* 40001/40014/42001 — the access_token is invalid or expired: fetched again (``customer``);
* 45015 — the user's last message is more than 48 hours old, and 45047 — the
  customer-service send limit for this user is reached: WeChat will refuse the
  same message again, so it is never resent; it is kept for the user's next
  message, which can carry it as a passive reply;
* 48001 — the account has no right to this API (an unverified 订阅号 has no
  客服消息): kept the same way, and from then on every late answer is.

Every other errcode is logged with its meaning, so staff reading the log know what to fix.
"""

from __future__ import annotations

OUTSIDE_48_HOURS = 45015
SEND_LIMIT = 45047
UNAUTHORIZED = 48001

# Refusals that a later passive reply gets around: keep the answer for the user's next message.
KEEP_FOR_NEXT_MESSAGE = frozenset({OUTSIDE_48_HOURS, SEND_LIMIT, UNAUTHORIZED})

MEANINGS = {
    -1: "系统繁忙，稍后重试",
    40001: "access_token 无效或不是最新的（AppSecret 错误，或另一处刷新了 access_token）",
    40002: "不合法的凭证类型（grant_type）",
    40003: "不合法的 OpenID（用户未关注本公众号，或 OpenID 属于其他公众号）",
    40008: "不合法的消息类型",
    40013: "不合法的 AppID",
    40014: "不合法的 access_token",
    40125: "不合法的 AppSecret",
    40164: "调用接口的 IP 地址不在公众号的 IP 白名单中",
    41001: "缺少 access_token 参数",
    42001: "access_token 已过期",
    43004: "用户未关注本公众号",
    44002: "POST 数据包为空",
    44003: "图文消息内容为空",
    45002: "消息内容超过长度限制",
    45009: "接口调用次数已达今日上限",
    45011: "接口调用太频繁，请稍候再试",
    45015: "回复时间超过限制：用户最近一条消息已超过 48 小时",
    45047: "客服接口下行条数超过上限",
    48001: "接口未授权：公众号没有客服消息权限（如未认证的订阅号）",
    50001: "用户未授权该接口",
    50002: "用户受限，可能是违规后接口被封禁",
    61024: "公众号已授权给第三方平台，需通过第三方平台调用",
}


def meaning(errcode: int | None) -> str:
    """What ``errcode`` means, in Chinese; unknown codes are said to be unknown, with the code."""
    if errcode is None:
        return "未知错误（没有错误码）"
    return MEANINGS.get(errcode, f"未收录的错误码 {errcode}，请查阅微信公众平台文档")


__all__ = ["KEEP_FOR_NEXT_MESSAGE", "MEANINGS", "OUTSIDE_48_HOURS", "SEND_LIMIT", "UNAUTHORIZED", "meaning"]
