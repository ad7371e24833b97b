"""The word list over REST, for admins only: ``GET``/``PUT /api/wechat/safety-words``; and the gate's
hits: ``GET /api/wechat/safety-hits``.

``load_word_list`` and ``save_word_list`` are what the web app's panel calls too.

Included into the ``/api`` router, so the API key check comes first (401
without a valid key once keys are set); then the key must be one of
``LANTAI_ADMIN_KEYS`` (403 otherwise, and 403 for everyone while none is set):
the word list decides what a public account says, a staff key reading
documents is not enough.

``PUT`` takes the whole list as text (the file's format, ``safety``), parses
it first — a bad line is a 422 naming it and nothing stored changes — then
replaces the file in one step and rebuilds the automaton of the running
channel. The bundled example list is read-only: ``PUT`` asks for
``LANTAI_SAFETY_WORDS`` (409) instead of writing inside the package.
"""

from __future__ import annotations

import threading
from typing import Callable

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from pydantic import BaseModel, Field

from ..access import bearer, matches, parse_api_keys
from ..settings import Settings
from .gate import ContentGate
from .safety import WordList, parse_words
from .safety_log import SafetyLog
from .stafffile import StaffFileError, write_atomically

MAX_LIST_CHARS = 4_000_000


class WordListIn(BaseModel):
    text: str = Field(..., max_length=MAX_LIST_CHARS,
                      description="整个词表：每行「类别[Tab]词语」或只写词语；「白名单[Tab]词语」为例外 / the whole list")


class WordListOut(BaseModel):
    file: str
    editable: bool = Field(description="False：正在使用内置示例词表，需先设置 LANTAI_SAFETY_WORDS / the bundled list")
    text: str
    entries: int = Field(description="敏感词条数（不含白名单）/ blocked words")
    whitelist: int
    categories: list[str]


class HitOut(BaseModel):
    time: str = Field(description="UTC")
    user: str = Field(description="openid 的哈希 / the openid, hashed")
    where: str = Field(description="question | answer")
    source: str = Field(description="words（敏感词表）| moderation（外部审核）")
    categories: list[str]
    words: list[str] | None = Field(None, description="命中的词，仅在 LANTAI_WECHAT_LOG_BODIES=true 时记录")
    text: str | None = Field(None, description="消息原文，仅在 LANTAI_WECHAT_LOG_BODIES=true 时记录")


def _require_admin(request: Request) -> None:
    settings: Settings = request.app.state.settings
    admins = parse_api_keys(settings.admin_keys)
    token = bearer(request.headers.get("authorization"))
    if token is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "需要管理员密钥 / an admin key is required",
                            headers={"WWW-Authenticate": "Bearer"})
    if not admins or not matches(token, admins):
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            "只有管理员（LANTAI_ADMIN_KEYS 中的密钥）可以查看和修改敏感词表 / admins only")


class ReadOnlyList(Exception):
    """The bundled example list is in use: it is not written to."""

    message = ("正在使用内置示例词表：请先设置 LANTAI_SAFETY_WORDS 指向一个可写的文件 / "
               "set LANTAI_SAFETY_WORDS to a writable file first")


_SAVING = threading.Lock()


def load_word_list(settings: Settings) -> tuple[str, WordList]:
    """The list's text and what it parses to; ``StaffFileError`` when the file was edited into a bad state."""
    from . import safety_words_file

    try:
        text = safety_words_file(settings).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        text = ""
    return text, parse_words(text)


def save_word_list(settings: Settings, text: str, gate: ContentGate | None) -> tuple[str, WordList]:
    """Parse ``text`` (``StaffFileError`` naming the bad line: nothing written), replace the file in one step
    and rebuild the running gate's automaton. ``ReadOnlyList`` for the bundled list, ``OSError`` when the
    file cannot be written (the old one stays)."""
    if settings.safety_words is None:
        raise ReadOnlyList(ReadOnlyList.message)
    words = parse_words(text)
    text = text if text.endswith("\n") or not text else text + "\n"
    with _SAVING:
        write_atomically(settings.safety_words, text)
        if gate is not None and gate.words_file == settings.safety_words:
            gate.reload()
    return text, words


def safety_words_router(settings: Settings, gate: Callable[[], ContentGate | None]) -> APIRouter:
    from . import safety_words_file

    router = APIRouter(prefix="/wechat", tags=["wechat"], dependencies=[Depends(_require_admin)],
                       responses={403: {"description": "不是管理员密钥 / not an admin key"}})

    def out(words: WordList, text: str) -> WordListOut:
        return WordListOut(file=str(safety_words_file(settings)), editable=settings.safety_words is not None,
                           text=text, entries=words.blocked, whitelist=words.allowed, categories=words.categories)

    @router.get("/safety-words", response_model=WordListOut, summary="公众号敏感词表 / the WeChat word list")
    def get_words() -> WordListOut:
        try:
            text, words = load_word_list(settings)
        except StaffFileError as exc:  # edited by hand into a bad state
            raise HTTPException(409, f"词表文件有误，请修正后重新保存：{exc}") from None
        return out(words, text)

    @router.get("/safety-hits", response_model=list[HitOut],
                summary="公众号内容安全命中记录（最新在前）/ the gate's hits, newest first")
    def get_hits(limit: int = Query(100, ge=1, le=10_000, description="最多返回多少条")) -> list[HitOut]:
        from . import safety_log_file

        hits = SafetyLog(safety_log_file(settings)).read(last=limit)
        return [HitOut.model_validate(h) for h in reversed(hits) if _well_formed(h)]

    @router.put("/safety-words", response_model=WordListOut,
                summary="保存公众号敏感词表（整体替换）/ replace the WeChat word list")
    def put_words(body: WordListIn) -> WordListOut:
        try:
            text, words = save_word_list(settings, body.text, gate())
        except ReadOnlyList as exc:
            raise HTTPException(409, str(exc)) from None
        except StaffFileError as exc:
            raise HTTPException(422, str(exc)) from None
        except OSError as exc:
            raise HTTPException(500, f"词表保存失败，原词表未改动：{exc.strerror or exc} / not saved") from None
        return out(words, text)

    return router


def _well_formed(hit: dict) -> bool:
    try:
        HitOut.model_validate(hit)
    except ValueError:
        return False
    return True


__all__ = ["ReadOnlyList", "load_word_list", "safety_words_router", "save_word_list"]
