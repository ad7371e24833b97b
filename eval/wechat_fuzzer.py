"""The WeChat fuzzer's inputs and judge: seeded hostile requests, sent one by one, each answer checked.

``Fuzzer`` draws well-formed, mutated, entity-laden, oversized and badly signed requests from a seeded
generator; ``reply_problem`` says why a 200 reply is not one WeChat accepts. ``eval.wechat_fuzz`` runs it.
"""

from __future__ import annotations

import random
import string
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import defusedxml.ElementTree as SafeET
import httpx
from wechatpy.crypto import WeChatCrypto

from eval.standins.wechat import WeChatPush

ALLOWED = {200, 400, 403, 413}
QUESTIONS = (
    "2024年进馆人数是多少？",
    "新馆什么时候开放",
    "更多",
    "你好",
    "",
    " ",
    "]]>",
    "<b>x</b>",
    "&amp;",
    "2025年计划" * 40,
    "\u0000\u0007",
    "😀" * 30,
    "' OR 1=1 --",
)

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + "]><xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><MsgType>text</MsgType>"
    "<Content>&lol9;</Content><MsgId>1</MsgId></xml>"
)
ENTITY_TRICKS = (
    BILLION_LAUGHS,
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    "<xml><ToUserName>a</ToUserName><FromUserName>b</FromUserName><MsgType>text</MsgType>"
    "<Content>&x;</Content></xml>",
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;]><xml/>',
    '<!DOCTYPE xml SYSTEM "http://127.0.0.1:9/x.dtd"><xml><MsgType>text</MsgType></xml>',
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "'
    + "A" * 20000
    + '">]><xml><Content>'
    + "&a;" * 2000
    + "</Content></xml>",
    '<?xml version="1.0"?><!DOCTYPE xml [<!ELEMENT xml ANY>]><xml/>',
    '<?xml version="1.0" encoding="UTF-7"?><xml>+ADw-x+AD4-</xml>',
    '<?xml-stylesheet href="http://127.0.0.1:9/x.xsl"?><xml><MsgType>text</MsgType></xml>',
)


@dataclass
class Outcome:
    inputs: int = 0
    kinds: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    crashes: list[str] = field(default_factory=list)  # 5xx, unexpected status, invalid reply
    hangs: list[str] = field(default_factory=list)
    replies: int = 0  # 200 answers holding an XML reply (an answer the user sees)
    max_seconds: float = 0.0


class Fuzzer:
    def __init__(self, url: str, token: str, appid: str, aes_key: str | None, seed: int, timeout: float, max_body: int):
        self.url = url.rstrip("/")
        self.rng = random.Random(seed)
        self.plain = WeChatPush(self.url, token, appid, timeout=timeout)
        self.safe = WeChatPush(self.url, token, appid, aes_key=aes_key, timeout=timeout) if aes_key else None
        self.crypto = WeChatCrypto(token, aes_key, appid) if aes_key else None
        self.token = token
        self.timeout = timeout
        self.max_body = max_body
        self.http = httpx.Client(timeout=timeout)
        self.out = Outcome()

    def close(self) -> None:
        self.plain.close()
        if self.safe is not None:
            self.safe.close()
        self.http.close()

    # -- messages ---------------------------------------------------------------------------------------
    def _user(self) -> str:
        return "o" + "".join(self.rng.choices(string.ascii_letters + string.digits, k=20))

    def message(self, push: WeChatPush) -> tuple[str, str]:
        user = self._user()
        pick = self.rng.random()
        if pick < 0.6:
            content = self.rng.choice(QUESTIONS) if self.rng.random() < 0.6 else self._random_text()
            return push.text(user, content, msg_id=self.rng.randint(1, 10**15)), user
        if pick < 0.8:
            event = self.rng.choice(("subscribe", "unsubscribe", "CLICK", "VIEW", "SCAN", "LOCATION", "weird"))
            return push.event(user, event, create_time=self.rng.randint(0, 2**31)), user
        return push.image(user, msg_id=self.rng.randint(1, 10**15)), user

    def _random_text(self) -> str:
        n = self.rng.choice((0, 1, 5, 50, 300, 800))
        alphabet = string.printable + "中文图书馆进馆人数年计划，。？！“”<>&]]>\u3000\ufeff\U0001f600"
        return "".join(self.rng.choices(alphabet, k=n)).replace("]]>", "]]")

    def mutate(self, data: bytes) -> bytes:
        b = bytearray(data)
        for _ in range(self.rng.randint(1, 4)):
            op = self.rng.randrange(8)
            at = self.rng.randrange(len(b) + 1) if b else 0
            if op == 0 and b:  # truncate
                del b[at:]
            elif op == 1 and b:  # flip a byte
                i = min(at, len(b) - 1)
                b[i] = self.rng.randrange(256)
            elif op == 2:  # insert random bytes
                b[at:at] = bytes(self.rng.randrange(256) for _ in range(self.rng.randint(1, 16)))
            elif op == 3:  # insert an element
                tag = self.rng.choice(("MsgType", "Content", "FromUserName", "MsgId", "CreateTime", "Event", "x"))
                b[at:at] = (
                    f"<{tag}>{self.rng.choice(('', 'text', '12', '<a/>', '&amp;', '-1', 'x' * 100))}</{tag}>".encode()
                )
            elif op == 4:  # drop a slice
                del b[at : at + self.rng.randint(1, 40)]
            elif op == 5:  # duplicate a slice
                piece = bytes(b[at : at + self.rng.randint(1, 60)])
                b[at:at] = piece * self.rng.randint(1, 5)
            elif op == 6:  # nest deeply
                depth = self.rng.randint(10, 2000)
                b[at:at] = (b"<a>" * depth) + (b"</a>" * depth)
            else:  # swap the root
                b = bytearray(bytes(b).replace(b"<xml>", b"<root>", 1).replace(b"</xml>", b"</root>", 1))
        return bytes(b)

    # -- one request ------------------------------------------------------------------------------------
    def send(
        self,
        kind: str,
        method: str,
        *,
        params: dict,
        body: bytes | Iterator[bytes] = b"",
        expect: set[int] | None = None,
        crypto: WeChatCrypto | None = None,
        headers: dict | None = None,
    ) -> None:
        self.out.inputs += 1
        self.out.kinds[kind] += 1
        started = time.monotonic()
        try:
            if method == "GET":
                r = self.http.get(self.url, params=params)
            else:
                r = self.http.post(
                    self.url, params=params, content=body, headers=headers or {"Content-Type": "text/xml"}
                )
        except httpx.TimeoutException:
            self.out.hangs.append(f"{kind}: no answer in {self.timeout:.0f} s")
            return
        except httpx.TransportError as exc:
            self.out.crashes.append(f"{kind}: {exc!r}")
            return
        elapsed = time.monotonic() - started
        self.out.max_seconds = max(self.out.max_seconds, elapsed)
        self.out.statuses[r.status_code] += 1
        if r.status_code >= 500 or r.status_code not in (expect or ALLOWED):
            self.out.crashes.append(f"{kind}: HTTP {r.status_code} {r.text[:120]!r}")
        elif r.status_code == 200 and method == "POST":
            problem = reply_problem(r.text, crypto)
            if problem:
                self.out.crashes.append(f"{kind}: invalid reply ({problem}): {r.text[:120]!r}")
            elif r.text.strip() not in ("", "success"):
                self.out.replies += 1

    # -- the input kinds --------------------------------------------------------------------------------
    def valid(self) -> None:
        push = self.safe if self.safe is not None and self.rng.random() < 0.5 else self.plain
        xml, user = self.message(push)
        body, params = push.signed(xml, user)
        self.send(
            "valid-aes" if push is self.safe else "valid",
            "POST",
            params=params,
            body=body,
            expect={200, 400},
            crypto=push.crypto,
        )

    def mutated(self) -> None:
        push = self.safe if self.safe is not None and self.rng.random() < 0.4 else self.plain
        xml, user = self.message(push)
        if push is self.safe and self.rng.random() < 0.5:  # a mutated inner message, encrypted and signed properly
            inner = self.mutate(xml.encode("utf-8")).decode("utf-8", errors="replace")
            body, params = push.signed(inner)
        else:
            body, params = push.signed(xml, user)
            body = self.mutate(body)
        self.send(
            "mutated-aes" if push is self.safe else "mutated", "POST", params=params, body=body, crypto=push.crypto
        )

    def entities(self) -> None:
        xml = self.rng.choice(ENTITY_TRICKS)
        push = self.safe if self.safe is not None and self.rng.random() < 0.3 else self.plain
        if push is self.safe and self.rng.random() < 0.5:
            body, params = push.signed(xml)  # the trick inside the encrypted message
        else:
            body, params = self.plain.signed("")
            body = xml.encode("utf-8")
            if push is self.safe:
                params.update(encrypt_type="aes", msg_signature="0" * 40)
        self.send("entities", "POST", params=params, body=body, expect={400, 403, 413})

    def huge(self) -> None:
        xml, user = self.message(self.plain)
        _, params = self.plain.signed(xml, user)
        size = self.max_body + self.rng.choice((1, 1024, 10 * self.max_body))
        filler = b"<Pad>" + b"x" * size + b"</Pad>"
        body = xml.encode().replace(b"</xml>", filler + b"</xml>")
        if self.rng.random() < 0.5:
            self.send("huge", "POST", params=params, body=body, expect={413})
        else:  # streamed without a Content-Length: the cap must hold while reading
            self.send(
                "huge-streamed",
                "POST",
                params=params,
                body=iter([body[i : i + 8192] for i in range(0, len(body), 8192)]),
                expect={413},
            )

    def bad_signature(self) -> None:
        xml, user = self.message(self.plain)
        body, params = self.plain.signed(xml, user)
        how = self.rng.randrange(5)
        if how == 0:
            params["signature"] = "".join(self.rng.choices("0123456789abcdef", k=40))
        elif how == 1:
            params.pop(self.rng.choice(("signature", "timestamp", "nonce")))
        elif how == 2:
            params["timestamp"] = str(int(params["timestamp"]) + 1)
        elif how == 3:
            params = {}
        else:
            params["signature"] = params["signature"].upper() + "00"
        self.send("bad-signature", "POST", params=params, body=body, expect={403})

    def bad_safe_signature(self) -> None:
        if self.safe is None:
            return self.bad_signature()
        xml, user = self.message(self.safe)
        body, params = self.safe.signed(xml, user)
        if self.rng.random() < 0.5:
            params["msg_signature"] = "".join(self.rng.choices("0123456789abcdef", k=40))
        else:
            params.pop("msg_signature")
        self.send("bad-signature-aes", "POST", params=params, body=body, expect={403})

    def url_check(self) -> None:
        echostr = "".join(self.rng.choices(string.ascii_letters + string.digits, k=self.rng.randint(0, 40)))
        _, params = self.plain.signed("")
        params.pop("openid", None)
        good = self.rng.random() < 0.5
        if not good:
            params["signature"] = "f" * 40
        if echostr:
            params["echostr"] = echostr
        expect = ({200} if echostr else {400}) if good else {403}
        self.send("url-check", "GET", params=params, expect=expect)

    PLAN = (
        ("valid", 10),
        ("mutated", 35),
        ("entities", 12),
        ("huge", 6),
        ("bad_signature", 15),
        ("bad_safe_signature", 8),
        ("url_check", 14),
    )

    def run(self, inputs: int, seconds: float) -> Outcome:
        names, weights = zip(*self.PLAN)
        stop_at = time.monotonic() + seconds
        # every kind at least once, then a seeded mix
        order = list(names) + self.rng.choices(names, weights, k=max(0, inputs - len(names)))
        for name in order[:inputs]:
            if time.monotonic() >= stop_at:
                break
            getattr(self, name)()
        return self.out


def reply_problem(text: str, crypto: WeChatCrypto | None) -> str:
    """Why a 200 reply is not one WeChat accepts (``success``, empty or XML), or ``""``."""
    if text.strip() in ("", "success"):
        return ""
    try:
        root = SafeET.fromstring(text.encode("utf-8"), forbid_dtd=True)
        if root.tag != "xml":
            return f"root <{root.tag}>"
        if crypto is not None:
            if root.findtext("Encrypt") is None:
                return "a plain reply to an encrypted message"
            inner = crypto.decrypt_message(
                text, root.findtext("MsgSignature"), root.findtext("TimeStamp"), root.findtext("Nonce")
            )
            root = SafeET.fromstring(inner.encode("utf-8"), forbid_dtd=True)
        if root.findtext("MsgType") != "text" or root.findtext("ToUserName") is None:
            return "not a text reply"
        if len((root.findtext("Content") or "").encode("utf-8")) > 2048:
            return "content over 2048 bytes"
    except Exception as exc:  # anything WeChat could not read
        return repr(exc)[:120]
    return ""
