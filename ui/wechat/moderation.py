"""An external moderation endpoint, asked after the word list: WeChat's ``msg_sec_check`` (v2) protocol.

``POST {url}[?access_token=...]`` with ``{"content", "version": 2, "scene": 2,
"openid"}``; the answer is ``{"errcode": 0, "result": {"suggest": "pass" |
"review" | "risky", "label": n}}``. ``review`` is refused like ``risky``: a
public-facing government account sends nothing a reviewer has not passed.

It fails closed: a time-out, a refused connection, an HTTP error, an answer
that is not that JSON, or an errcode other than 0 all mean ``UNAVAILABLE``,
and the channel then sends a polite refusal instead of an unchecked text.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

from .errcodes import meaning

log = logging.getLogger(__name__)

# msg_sec_check's labels, in the categories the word list uses.
LABELS = {
    10001: "广告引流",
    20001: "政治敏感",
    20002: "色情",
    20003: "辱骂",
    20006: "违法犯罪",
    20008: "诈骗",
    20012: "低俗",
    20013: "版权",
    21000: "其他",
}


@dataclass(frozen=True)
class Verdict:
    passed: bool
    category: str = ""  # for a refusal: what the endpoint found, or UNAVAILABLE_CATEGORY
    available: bool = True


PASSED = Verdict(True)
UNAVAILABLE_CATEGORY = "审核服务不可用"
UNAVAILABLE = Verdict(False, UNAVAILABLE_CATEGORY, available=False)


class Moderation:
    def __init__(
        self,
        url: str,
        *,
        timeout: float = 2.0,
        access_token: Callable[[], Awaitable[str]] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        self.url = url
        self.access_token = access_token  # only for WeChat's own endpoint: the account's token
        self.http = httpx.AsyncClient(timeout=timeout, transport=transport)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def check(self, content: str, openid: str) -> Verdict:
        body = {"content": content, "version": 2, "scene": 2, "openid": openid}
        try:
            params = {"access_token": await self.access_token()} if self.access_token else None
            response = await self.http.post(self.url, params=params, json=body)
        except Exception as exc:  # any failure to ask: refused, never passed unchecked
            log.error("the moderation endpoint could not be reached; refusing: %r", exc)
            return UNAVAILABLE
        try:
            data = response.json() if response.status_code == 200 else None
        except ValueError:
            data = None
        if not isinstance(data, dict):
            log.error(
                "the moderation endpoint answered HTTP %s without a readable result; refusing", response.status_code
            )
            return UNAVAILABLE
        errcode = data.get("errcode") or 0
        result = data.get("result")
        if errcode != 0 or not isinstance(result, dict) or result.get("suggest") not in ("pass", "review", "risky"):
            log.error(
                "the moderation endpoint answered errcode %s (%s) without a verdict; refusing",
                errcode,
                meaning(errcode if isinstance(errcode, int) else None),
            )
            return UNAVAILABLE
        if result["suggest"] == "pass":
            return PASSED
        label = result.get("label")
        if label == 100:
            return Verdict(False, "待人工复核")
        known = LABELS.get(label) if label is not None else None
        return Verdict(False, known or f"审核标签 {label}")


__all__ = ["LABELS", "Moderation", "PASSED", "UNAVAILABLE", "UNAVAILABLE_CATEGORY", "Verdict"]
