"""The word list over REST, for admins only: ``GET``/``PUT /api/wechat/safety-words``; and the gate's
hits: ``GET /api/wechat/safety-hits``.

Included into the ``/api`` router, so the API key check comes first (401
without a valid key once keys are set); then the key must be one of
``LANTAI_ADMIN_KEYS`` (403 otherwise, and 403 for everyone while none is set):
the word list decides what a public account says, a staff key reading
documents is not enough.

``PUT`` takes the whole list as text (the file's format, ``ui.wechat.safety``),
parses it first — a bad line is a 422 naming it and nothing stored changes —
then replaces the file in one step and rebuilds the automaton of the running
channel. The bundled example list is read-only: ``PUT`` asks for
``LANTAI_SAFETY_WORDS`` (409) instead of writing inside the package.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field

from ..services.audit import API_ACTOR
from ..services.safety_words import (
    ReadOnlyList,
    StaffFileError,
    load_word_list,
    recent_hits,
    save_word_list,
    word_list_file,
)
from ..settings import Settings
from ..wechat.safety import WordList
from .auth import require_admin

MAX_LIST_CHARS = 4_000_000


class WordListIn(BaseModel):
    text: str = Field(
        ...,
        max_length=MAX_LIST_CHARS,
        description="整个词表：每行「类别[Tab]词语」或只写词语；「白名单[Tab]词语」为例外 / the whole list",
    )


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


router = APIRouter(
    prefix="/wechat",
    tags=["wechat"],
    dependencies=[Depends(require_admin)],
    responses={403: {"description": "不是管理员密钥 / not an admin key"}},
)


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _gate(request: Request):
    """The running channel's content gate, or None (no WeChat channel, or no gate)."""
    return getattr(request.app.state.wechat, "gate", None)


def _out(settings: Settings, words: WordList, text: str) -> WordListOut:
    return WordListOut(
        file=str(word_list_file(settings)),
        editable=settings.safety_words is not None,
        text=text,
        entries=words.blocked,
        whitelist=words.allowed,
        categories=words.categories,
    )


@router.get("/safety-words", response_model=WordListOut, summary="公众号敏感词表 / the WeChat word list")
def get_words(request: Request) -> WordListOut:
    settings = _settings(request)
    try:
        text, words = load_word_list(settings)
    except StaffFileError as exc:  # edited by hand into a bad state
        raise HTTPException(409, f"词表文件有误，请修正后重新保存：{exc}") from None
    return _out(settings, words, text)


@router.get(
    "/safety-hits",
    response_model=list[HitOut],
    summary="公众号内容安全命中记录（最新在前）/ the gate's hits, newest first",
)
def get_hits(request: Request, limit: int = Query(100, ge=1, le=10_000, description="最多返回多少条")) -> list[HitOut]:
    hits = recent_hits(_settings(request), limit)
    return [HitOut.model_validate(h) for h in reversed(hits) if _well_formed(h)]


@router.put(
    "/safety-words", response_model=WordListOut, summary="保存公众号敏感词表（整体替换）/ replace the WeChat word list"
)
def put_words(body: WordListIn, request: Request) -> WordListOut:
    settings = _settings(request)
    try:
        audit = request.app.state.services.audit
        text, words = save_word_list(settings, body.text, _gate(request), audit=audit, by=API_ACTOR)
    except ReadOnlyList as exc:
        raise HTTPException(409, str(exc)) from None
    except StaffFileError as exc:
        raise HTTPException(422, str(exc)) from None
    except OSError as exc:
        raise HTTPException(500, f"词表保存失败，原词表未改动：{exc.strerror or exc} / not saved") from None
    return _out(settings, words, text)


def _well_formed(hit: dict) -> bool:
    try:
        HitOut.model_validate(hit)
    except ValueError:
        return False
    return True
