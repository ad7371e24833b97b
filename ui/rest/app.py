"""``create_app``: the REST API assembled from its routers over one set of services.

The app opens one knowledge base and one assistant (tests pass their own),
builds the services every surface uses (``ui.services``) and keeps them on
``app.state``, where the routers read them. Request bodies are capped before
any route reads them (``ui.limits.BodyCap``). Messages meant for staff are in
Simplified Chinese, with English after " / ".
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI
from fastapi.concurrency import run_in_threadpool

from index import KnowledgeBase

from ..access import LoginThrottle, parse_api_keys
from ..context import open_assistant, open_knowledge_base
from ..job_model import SHARED_READERS
from ..jobs import JobRegistry
from ..limits import BodyCap
from ..services import build_services
from ..settings import Settings
from ..shared_state import open_shared
from . import audit, citations, curation, documents, health, jobs, metrics, plans, questions, safety_words
from .auth import require_key
from .errors import install_error_handlers
from .models import ERRORS

DESCRIPTION = (
    "图书馆工作文档知识助手：提问（答案附引用、数字经核实）、文档管理、导入任务、指标表。\n\n"
    "A grounded assistant over a library's work documents: ask, documents, ingest jobs, metrics. "
    "配置了 API 密钥时，/api 下的所有接口都需要 `Authorization: Bearer <密钥>`。"
)


def _job_registry(kb: KnowledgeBase, shared) -> JobRegistry:
    board = None
    if shared is not None:
        from ..shared_state.jobs import RedisJobBoard

        board = RedisJobBoard(shared)
    from index.datalock import joined_group

    # One worker of several over an embedded vector store: reads only (see ``index.datalock``). Over a
    # Chroma server every worker may write, one at a time (``KnowledgeBase.write_lock``).
    embedded = kb.vectors.server_url is None
    return JobRegistry(
        kb, board=board, refuse_writes=SHARED_READERS if joined_group(kb.data_dir) and embedded else None
    )


def _api_router() -> APIRouter:
    api = APIRouter(prefix="/api", dependencies=[Depends(require_key)], responses=ERRORS)
    for module in (questions, documents, citations, jobs, metrics, plans, safety_words, audit, curation):
        api.include_router(module.router)
    return api


def create_app(
    settings: Settings | None = None,
    kb: KnowledgeBase | None = None,
    assistant=None,
    api_keys: list[str] | str | None = None,
) -> FastAPI:
    """The API over one knowledge base and one assistant, opened here unless passed in.

    ``api_keys`` default to ``settings.api_keys`` (``LANTAI_API_KEYS``, comma-separated,
    from the environment or ``.env``); an empty list means no key is required
    (serve only on loopback then: see ``check_bind``).
    With ``LANTAI_WECHAT_TOKEN`` set, the WeChat service-account endpoint is
    served at ``settings.wechat_path`` (``ui.wechat``), answering from public
    documents only; without it that path does not exist (404).
    """
    settings = settings or Settings()
    owns_kb = kb is None
    kb = kb or open_knowledge_base(settings)
    if owns_kb:
        kb.warm_up()  # the vector index loads beside the first answers
    if assistant is None:
        assistant = open_assistant(settings, kb)
    shared = open_shared(settings)  # Redis for what several workers share, or None: all in this process
    job_registry = _job_registry(kb, shared)
    wechat = None
    if settings.wechat_token:
        from ..wechat import build_channel

        wechat = build_channel(settings, kb, shared=shared)  # a configuration mistake fails here, before serving

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if wechat is not None:
            await wechat[0].aclose()  # late answers still under way go out first
        await run_in_threadpool(job_registry.shutdown, 60.0)
        if shared is not None:
            await shared.aclose()
            shared.close()
        if owns_kb:
            kb.close()

    app = FastAPI(title="兰台 Lantai API", description=DESCRIPTION, version="0.1.0", lifespan=lifespan)
    app.add_middleware(BodyCap, settings=settings)
    services = build_services(settings, kb, assistant, job_registry)
    app.state.services = services
    app.state.settings = settings
    app.state.kb = kb
    app.state.assistant = assistant
    app.state.jobs = job_registry
    app.state.uploads = services.documents.uploads
    app.state.api_keys = parse_api_keys(settings.api_keys if api_keys is None else api_keys)
    app.state.throttle = LoginThrottle.from_settings(settings)
    app.state.wechat = wechat[0] if wechat is not None else None
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(_api_router())
    if wechat is not None:
        from ..wechat import wechat_router

        channel, protocol = wechat
        app.include_router(wechat_router(channel, protocol, settings.wechat_path, settings.wechat_max_body_bytes))
    return app


__all__ = ["create_app"]
