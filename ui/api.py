"""The REST API (FastAPI): ask, documents, ingest jobs and the metrics table.

``create_app(settings)`` opens one knowledge base and one assistant for the
app and keeps them on ``app.state``; tests pass their own. Every route under
``/api`` needs ``Authorization: Bearer <key>`` once API keys are configured
(``Settings.api_keys``: ``LANTAI_API_KEYS`` in the environment or ``.env``,
comma-separated); ``/healthz`` never does. Request bodies are capped before any
route reads them (``ui.limits.BodyCap``). Messages meant
for staff are in Simplified Chinese, with English after " / ".

The answer object is ``Answer.to_dict()`` — the same contract as
``lantai ask --json`` — described here by Pydantic models for ``/docs``.
"""

from __future__ import annotations

import asyncio
import io
import ipaddress
import json
import logging
import os
import re
import shutil
import tempfile
import unicodedata
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, AsyncIterator, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, File, Form, HTTPException, Query, Request, UploadFile, status
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_serializer

from index import KnowledgeBase, MetricRow, VectorStoreUnreachable
from index.embed import EmbedderError
from index.health import consistency_problems

from .context import open_assistant, open_knowledge_base
from .access import LoginThrottle, check_key, client_address, parse_api_keys
from .jobs import SHARED_READERS, JobRegistry, WritesRefused, write_lock
from .shared_state import open_shared
from .limits import BodyCap
from .metrics_export import to_csv, to_xlsx
from .settings import Settings

log = logging.getLogger(__name__)

MAX_QUESTION = 2000
# Earlier questions of a conversation: each one is understood again on every request, so they are capped.
# The API accepts up to MAX_HISTORY_ITEMS of at most MAX_HISTORY_CHARS each (422 beyond); the API and the web
# chat read only the last MAX_HISTORY of them (as many turns as an LLM prompt keeps).
MAX_HISTORY = 4
MAX_HISTORY_ITEMS = 10
MAX_HISTORY_CHARS = 500
LOOPBACK_HOSTS = ("127.0.0.1", "::1", "localhost")
UPLOADS = "uploads"
# How long a removal or visibility change waits for a running ingest before answering 409.
WRITE_WAIT_SECONDS = 60.0

Visibility = Literal["internal", "public"]


# -- access -------------------------------------------------------------------------------------
def is_loopback(host: str) -> bool:
    host = (host or "").strip().strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class BindError(ValueError):
    """Serving beyond this machine without an API key."""


def check_bind(host: str, api_keys: str | list[str] | None) -> None:
    """Refuse to listen on a non-loopback address when no API key is configured.

    ``api_keys`` are the keys the server will require (a list, or the comma-
    separated ``LANTAI_API_KEYS`` string); none means anyone who can reach the
    port could read internal documents, so only 127.0.0.1, ::1 and localhost
    are allowed then.
    """
    if parse_api_keys(api_keys) or is_loopback(host):
        return
    raise BindError(
        f"未配置 API 密钥时只能监听本机地址（127.0.0.1、::1、localhost），不能监听 {host or '（空）'}；"
        "请在环境变量或 .env 中设置 LANTAI_API_KEYS（多个密钥用逗号分隔）后再对外提供服务。"
        f" / Refusing to listen on {host or '(empty)'} without an API key: set LANTAI_API_KEYS "
        "(comma-separated) or bind to 127.0.0.1, ::1 or localhost."
    )


_bearer = HTTPBearer(auto_error=False, description="LANTAI_API_KEYS 中的一个密钥 / one of the LANTAI_API_KEYS")


def _require_key(request: Request,
                 credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> None:
    keys: list[str] = request.app.state.api_keys
    if not keys:
        return
    if not check_key(request.headers.get("authorization"), keys, request.app.state.throttle,
                     client_address(request.scope)):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "缺少或无效的 API 密钥，请在请求头中提供 Authorization: Bearer <密钥> / missing or invalid API key",
            headers={"WWW-Authenticate": "Bearer"},
        )


# -- models ---------------------------------------------------------------------------------------
_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class DraftPlanRequest(BaseModel):
    year: int | None = Field(None, ge=2000, le=2100, description="计划年度；默认为已有文档之后的一年 / the plan's year")
    org: str | None = Field(None, max_length=100, description="单位；默认为最近有工作总结的单位 / the organisation")
    format: Literal["json", "md", "docx"] = Field("json", description="json（结构与 Markdown）| md | docx")
    mode: Literal["auto", "extractive", "llm"] = Field(
        "auto", description="auto：配置了大模型时改写为通顺文字，否则按文档条目组合 / auto uses the LLM when configured")


class PlanExportRequest(BaseModel):
    markdown: str = Field(..., min_length=1, max_length=500_000, description="计划的 Markdown（可为编辑后的版本）")
    file_name: str = Field("工作计划（草稿）", max_length=100, description="下载文件名（不含扩展名）")


class DraftPlanOut(BaseModel):
    title: str
    org: str
    year: int
    mode: str
    markdown: str
    sources: list[str]
    notes: list[str]
    checks: dict[str, int | float]
    problems: list[dict[str, Any]]
    carry_over: list[dict[str, Any]]
    deadlines: list[dict[str, Any]]
    sections: list[dict[str, Any]]
    references: list[dict[str, Any]]


class AskRequest(BaseModel):
    question: str = Field(..., min_length=1, max_length=MAX_QUESTION, description="问题 / the question",
                          examples=["2024年进馆人数是多少？"])
    history: list[Annotated[str, Field(max_length=MAX_HISTORY_CHARS)]] = Field(
        default_factory=list, max_length=MAX_HISTORY_ITEMS,
        description=(f"同一对话中之前的问题，按先后顺序；最多 {MAX_HISTORY_ITEMS} 条、每条不超过 {MAX_HISTORY_CHARS} 字，"
                     f"只参考最近 {MAX_HISTORY} 条 / earlier questions of the same conversation, oldest first: "
                     f"at most {MAX_HISTORY_ITEMS} of up to {MAX_HISTORY_CHARS} characters; the last {MAX_HISTORY} "
                     "are read"))

    @field_validator("question")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("问题不能为空 / the question is empty")
        return value


class CitationOut(BaseModel):
    n: int = Field(description="答案中的引用编号 [n] / the mark [n] in the answer")
    source: str = Field(description="来源文件名 / source file name")
    section: str = Field(description="章节路径 / heading path")
    page: int | None = Field(description="页码（PDF）/ page (PDFs)")
    quote: str = Field(description="引用原文 / the quoted passage")


class FigureOut(BaseModel):
    indicator: str
    year: int | None
    value: float
    unit: str
    source: str = Field(description="来源文件名 / source file name")
    derived: bool = Field(description="推算值 / computed from other figures")
    formula: str | None = Field(None, description="推算公式（仅推算值）/ the formula (derived values only)")

    @model_serializer(mode="wrap")
    def _contract(self, handler) -> dict:
        out = handler(self)
        if out.get("formula") is None:
            out.pop("formula", None)  # the contract leaves it out rather than null
        return out


class AnswerOut(BaseModel):
    """The answer contract (``Answer.to_dict()``), shared with ``lantai ask --json``."""

    question: str
    answer: str = Field(description="答案文字，[n] 为引用编号 / answer text with [n] citation marks")
    citations: list[CitationOut]
    figures: list[FigureOut] = Field(description="答案用到的指标数值 / figures the answer used")
    grounded: bool = Field(description="所有数字均已核实 / every number was verified")
    unverified_numbers: list[str]
    mode: str = Field(description="extractive | llm")
    latency_ms: float
    refused: bool = Field(description="文档中没有答案 / the documents hold no answer")
    intent: str


class DocumentOut(BaseModel):
    id: str
    file_name: str
    title: str
    doc_type: str = Field(description="文档类型，如 工作总结 / document type")
    org: str
    years: list[int]
    report_year: int | None
    plan_year: int | None
    as_of: str | None
    page_count: int | None
    size: int = Field(description="字节 / bytes")
    sha256: str
    chunk_count: int
    visibility: Visibility
    status: str = Field(description="ready（可检索）| indexing（导入中或被中断）")
    ingested_at: float | None = Field(description="Unix 时间 / Unix time")


class VisibilityUpdate(BaseModel):
    visibility: Visibility = Field(description="internal（仅内部）| public（可对公众答复）")


class UploadAccepted(BaseModel):
    job_id: str
    files: list[str] = Field(description="保存后的文件名 / the names the files were saved under")


class JobFileOut(BaseModel):
    name: str
    status: str = Field(description="queued | running | added | updated | unchanged | visibility_changed | "
                                    "resumed | failed | cancelled")
    error: str | None = Field(description="失败原因 / why it failed (Chinese)")
    error_en: str | None
    chunks_planned: int
    chunks_embedded: int


class JobOut(BaseModel):
    job_id: str
    state: Literal["queued", "running", "done", "failed", "cancelled"] = Field(
        description="done：已完成（个别文件可能失败，见 files）；failed：全部文件失败或导入出错；cancelled：已取消")
    visibility: Visibility
    files_total: int
    files_done: int
    files_failed: int
    chunks_planned: int
    chunks_embedded: int
    files: list[JobFileOut]
    created_at: float
    started_at: float | None
    finished_at: float | None
    error: str | None
    error_en: str | None


class MetricOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    doc_id: str
    file_name: str
    title: str
    doc_type: str
    org: str
    chunk_id: str | None
    indicator: str
    phrase: str = Field(description="原文中的指标说法 / the wording in the document")
    value: float
    unit: str
    plain_value: float = Field(description="换算后数值（万已展开）/ value in the base unit")
    base_unit: str
    year: int | None
    kind: str = Field(description="actual | target | cumulative | asof")
    scope: str
    as_of: str | None
    qualifier: str | None
    change_pct: float | None
    change_dir: str | None
    change_text: str | None
    derived: bool
    formula: str | None
    char_start: int
    char_end: int
    stated: str
    quote: str
    check_note: str | None


class ConflictOut(BaseModel):
    indicator: str
    year: int | None
    scope: str
    org: str
    figures: list[MetricOut]


class TargetOut(BaseModel):
    indicator: str
    year: int
    status: Literal["met", "not_met", "not_reported"]
    status_zh: str
    target: MetricOut
    actual: MetricOut | None


# One server-sent event of /api/ask/stream (OpenAPI before 3.2: the schema of a stream describes each event).
_SSE_EVENT = {"type": "object", "required": ["event", "data"], "properties": {
    "event": {"type": "string", "enum": ["delta", "answer", "error"]},
    "data": {"type": "string", "contentMediaType": "application/json"}}}


class Health(BaseModel):
    status: str
    documents: int
    problems: list[str] | None = Field(None, description="向量库与文档登记不一致时的问题（此时 503）"
                                                        " / how the vector store and the registry disagree (503)")


class ErrorOut(BaseModel):
    detail: str


_ERRORS = {
    401: {"model": ErrorOut, "description": "缺少或无效的 API 密钥 / missing or invalid API key"},
    422: {"model": ErrorOut, "description": "请求内容不符合要求 / invalid request"},
}
_TARGET_ZH = {"met": "已完成", "not_met": "未完成", "not_reported": "尚无实际数"}


# -- helpers --------------------------------------------------------------------------------------
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')


def safe_file_name(name: str | None, max_chars: int = 120) -> str:
    """A file name safe to store: no folders, control or reserved characters; Chinese kept.

    The name is what citations show, so it stays as close to the uploaded one as possible.
    """
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = _UNSAFE.sub("_", name).strip().lstrip(".").strip()
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    suffix = suffix[:16]
    stem = stem.strip()[: max(1, max_chars - len(suffix) - 1)].strip()
    if not stem or stem in (".", ".."):
        stem = "upload"
    return f"{stem}.{suffix}" if suffix else stem


def _unique(name: str, taken: set[str]) -> str:
    if name not in taken:
        return name
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    n = 2
    while True:
        candidate = f"{stem} ({n})" + (f".{suffix}" if suffix else "")
        if candidate not in taken:
            return candidate
        n += 1


def _zh_validation(errors: list[dict]) -> str:
    messages = []
    for e in errors:
        loc = [str(p) for p in e.get("loc", ()) if p not in ("body", "query", "path", "form")]
        where = ".".join(loc) or "请求"
        kind = e.get("type", "")
        ctx = e.get("ctx") or {}
        if kind == "value_error":
            msg = str(ctx.get("error") or e.get("msg", "")).removeprefix("Value error, ")
        elif kind == "missing":
            msg = f"缺少「{where}」/ '{where}' is required"
        elif kind == "string_too_short" and loc[:1] == ["question"]:
            msg = "问题不能为空 / the question is empty"
        elif kind == "string_too_long" and loc[:1] == ["question"]:
            msg = f"问题超过 {MAX_QUESTION} 字 / the question is longer than {MAX_QUESTION} characters"
        elif kind == "string_too_long" and loc[:1] == ["history"]:
            msg = (f"历史问题每条不能超过 {MAX_HISTORY_CHARS} 字 / an earlier question is longer than "
                   f"{MAX_HISTORY_CHARS} characters")
        elif kind == "too_long" and loc[:1] == ["history"]:
            msg = (f"历史问题最多 {MAX_HISTORY_ITEMS} 条（只参考最近 {MAX_HISTORY} 条），请只发送最近的几条 / "
                   f"at most {MAX_HISTORY_ITEMS} earlier questions (the last {MAX_HISTORY} are read)")
        elif kind == "too_long":
            msg = f"「{where}」条目过多（最多 {ctx.get('max_length')} 条）/ '{where}' has too many items"
        elif kind == "literal_error":
            msg = f"「{where}」只能是 {ctx.get('expected', '')} / '{where}' must be {ctx.get('expected', '')}"
        elif kind in ("int_parsing", "int_type"):
            msg = f"「{where}」必须是整数 / '{where}' must be an integer"
        elif kind in ("string_type", "list_type", "model_attributes_type", "dict_type"):
            msg = f"「{where}」的类型不对 / '{where}' has the wrong type"
        elif kind == "json_invalid":
            msg = "请求正文不是有效的 JSON / the request body is not valid JSON"
        else:
            msg = f"「{where}」不符合要求 / '{where}': {e.get('msg', '')}"
        if msg not in messages:
            messages.append(msg)
    return "；".join(messages) or "请求内容不符合要求 / invalid request"


def _document(record) -> DocumentOut:
    data = record.as_dict()
    data.pop("path", None)  # a server path is nobody's business
    return DocumentOut(**data)


def _metric(row: MetricRow) -> MetricOut:
    return MetricOut.model_validate(row)


def _sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


_NUMBER_CHAR = re.compile(r"[0-9.%]")


def answer_pieces(text: str, size: int = 24) -> list[str]:
    """The answer text in small pieces for streaming: clauses, long ones cut to ``size`` characters.

    Joined back together they are exactly ``text``. With an LLM configured the
    pieces can later come from the model as it writes; the events stay the same.
    """
    pieces: list[str] = []
    for clause in re.findall(r"[^，。！？；：\n]*[，。！？；：\n]?", text):
        while len(clause) > size:
            cut = size
            mark = clause.rfind("[", 0, cut)
            if mark > 0 and "]" not in clause[mark:cut]:  # never split a citation mark [n]
                cut = mark
            while cut > 1 and _NUMBER_CHAR.match(clause[cut - 1]) and _NUMBER_CHAR.match(clause[cut]):
                cut -= 1  # nor a number
            if cut <= 1:
                cut = size
            pieces.append(clause[:cut])
            clause = clause[cut:]
        if clause:
            pieces.append(clause)
    return pieces


MetricFilters = dict[str, Any]


def _metric_filters(
    indicator: Annotated[str | None, Query(description="指标（可用别名）/ indicator (aliases work)")] = None,
    year: Annotated[int | None, Query(description="年份 / year")] = None,
    scope: Annotated[str | None, Query(description="范围，如 某分馆 / scope, e.g. a branch")] = None,
    derived: Annotated[bool, Query(description="含推算值 / include derived values")] = True,
) -> MetricFilters:
    return {"indicator": indicator or None, "year": year, "scope": scope or None, "include_derived": derived}


def _content_disposition(file_name: str, fallback: str) -> str:
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name)}"


# -- the app --------------------------------------------------------------------------------------
def create_app(settings: Settings | None = None, kb: KnowledgeBase | None = None, assistant=None,
               api_keys: list[str] | str | None = None) -> FastAPI:
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
    keys = parse_api_keys(settings.api_keys if api_keys is None else api_keys)
    shared = open_shared(settings)  # Redis for what several workers share, or None: all in this process
    board = None
    if shared is not None:
        from .shared_state.jobs import RedisJobBoard

        board = RedisJobBoard(shared)
    from index.datalock import joined_group

    # One worker of several over an embedded vector store: reads only (see ``index.datalock``).
    jobs = JobRegistry(kb, board=board, refuse_writes=SHARED_READERS if joined_group(kb.data_dir) else None)
    wechat = None
    if settings.wechat_token:
        from .wechat import build_channel

        wechat = build_channel(settings, kb, shared=shared)  # a configuration mistake fails here, before serving

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if wechat is not None:
            await wechat[0].aclose()  # late answers still under way go out first
        await run_in_threadpool(jobs.shutdown, 60.0)
        if shared is not None:
            await shared.aclose()
            shared.close()
        if owns_kb:
            kb.close()

    app = FastAPI(
        title="兰台 Lantai API",
        description=(
            "图书馆工作文档知识助手：提问（答案附引用、数字经核实）、文档管理、导入任务、指标表。\n\n"
            "A grounded assistant over a library's work documents: ask, documents, ingest jobs, metrics. "
            "配置了 API 密钥时，/api 下的所有接口都需要 `Authorization: Bearer <密钥>`。"
        ),
        version="0.1.0",
        lifespan=lifespan,
    )
    app.add_middleware(BodyCap, settings=settings)
    app.state.settings = settings
    app.state.kb = kb
    app.state.assistant = assistant
    app.state.api_keys = keys
    app.state.throttle = LoginThrottle.from_settings(settings)
    app.state.jobs = jobs
    app.state.uploads = (kb.data_dir / UPLOADS).resolve()
    max_bytes = settings.max_bytes

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e.get("loc", ())), "type": e.get("type", ""), "msg": e.get("msg", "")}
                  for e in exc.errors()]
        return JSONResponse({"detail": _zh_validation(list(exc.errors())), "errors": errors},
                            status_code=422)

    @app.exception_handler(EmbedderError)
    async def _embedder_down(request: Request, exc: EmbedderError) -> JSONResponse:
        log.error("embedding service failed on %s %s: %s", request.method, request.url.path, exc)
        return JSONResponse({"detail": str(exc)}, status_code=503)

    @app.exception_handler(VectorStoreUnreachable)
    async def _vector_store_down(request: Request, exc: VectorStoreUnreachable) -> JSONResponse:
        log.error("Chroma server unreachable on %s %s: %s", request.method, request.url.path, exc.detail)
        return JSONResponse({"detail": exc.bilingual()}, status_code=503)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": "服务器内部错误，请稍后再试 / internal server error"}, status_code=500)

    @app.get("/healthz", response_model=Health, response_model_exclude_none=True, tags=["system"],
             summary="健康检查 / health check（无需密钥）", responses={503: {"model": Health}})
    def healthz() -> Any:
        ready = sum(1 for d in kb.documents() if d.status == "ready")
        problems = consistency_problems(kb)  # cheap: a sample of ids and one vector query
        if problems:
            return JSONResponse({"status": "degraded", "documents": ready, "problems": problems}, status_code=503)
        return Health(status="ok", documents=ready)

    api = APIRouter(prefix="/api", dependencies=[Depends(_require_key)], responses=_ERRORS)

    # -- ask ----------------------------------------------------------------------------------
    def _ask(body: AskRequest):
        recent = [h for h in body.history if h.strip()][-MAX_HISTORY:]
        return assistant.ask(body.question.strip(), history=recent or None)

    @api.post("/ask", response_model=AnswerOut, tags=["ask"], summary="提问 / ask a question")
    def ask(body: AskRequest) -> Any:
        return _ask(body).to_dict()

    @api.post(
        "/ask/stream", tags=["ask"], summary="提问（流式，SSE）/ ask, streamed as server-sent events",
        response_class=StreamingResponse,
        responses={200: {"content": {"text/event-stream": {"schema": _SSE_EVENT}},
                         "description": (
                             "事件 / events: `delta`（data: {\"text\": 片段}），依次拼接即为答案文字；"
                             "最后一个 `answer`（data: 完整答案对象，同 /api/ask）。出错时为 `error`（data: {\"detail\": …}）。")}},
    )
    async def ask_stream(body: AskRequest) -> StreamingResponse:
        async def events() -> AsyncIterator[str]:
            try:
                answer = await run_in_threadpool(_ask, body)
            except VectorStoreUnreachable as exc:
                log.error("Chroma server unreachable: %s", exc.detail)
                yield _sse("error", {"detail": exc.bilingual()})
                return
            except EmbedderError as exc:
                log.error("embedding service failed: %s", exc)
                yield _sse("error", {"detail": str(exc)})
                return
            except Exception:
                log.exception("ask failed")
                yield _sse("error", {"detail": "生成答案时出错，请稍后再试 / failed to answer"})
                return
            for piece in answer_pieces(answer.answer):
                yield _sse("delta", {"text": piece})
                await asyncio.sleep(0)
            yield _sse("answer", AnswerOut.model_validate(answer.to_dict()).model_dump())

        return StreamingResponse(events(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    # -- documents ----------------------------------------------------------------------------
    @api.get("/documents", response_model=list[DocumentOut], tags=["documents"], summary="文档列表 / list documents")
    def list_documents() -> list[DocumentOut]:
        return [_document(r) for r in kb.documents()]

    def _writable() -> None:
        try:
            jobs.check_writable()
        except WritesRefused as exc:
            raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None

    def _one(doc_id: str):
        for record in kb.find_documents(doc_id):
            if record.id == doc_id:
                return record
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"找不到文档「{doc_id}」/ no document with id '{doc_id}'")

    def _writing():
        _writable()
        lock = write_lock(kb)
        if not lock.acquire(timeout=WRITE_WAIT_SECONDS):
            raise HTTPException(status.HTTP_409_CONFLICT,
                                "正在导入文档，请稍后再试 / an ingest is running, try again later")
        return lock

    @api.post(
        "/documents", response_model=UploadAccepted, status_code=status.HTTP_202_ACCEPTED, tags=["documents"],
        summary="上传文档并在后台导入 / upload documents, ingested in the background",
        responses={413: {"model": ErrorOut, "description": "文件超过大小上限 / a file is too large"}},
    )
    def upload(
        files: Annotated[list[UploadFile], File(description="一个或多个文件 / one or more files")],
        visibility: Annotated[Visibility, Form(description="internal（仅内部）| public（可对公众答复）")] = "internal",
    ) -> UploadAccepted:
        if not files:
            raise HTTPException(422, "请至少选择一个文件 / no file was uploaded")
        _writable()
        if len(files) > settings.max_files_per_upload:
            most = settings.max_files_per_upload
            raise HTTPException(413, f"一次最多上传 {most} 个文件 / at most {most} files per upload")
        uploads: Path = app.state.uploads
        uploads.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".incoming-", dir=uploads))
        try:
            names: list[str] = []
            for upload_file in files:
                name = _unique(safe_file_name(upload_file.filename), set(names))
                written = 0
                with (staging / name).open("wb") as out:
                    while chunk := upload_file.file.read(1 << 20):
                        written += len(chunk)
                        if written > max_bytes:
                            mb = max_bytes / 1024 / 1024
                            raise HTTPException(
                                413,
                                f"文件「{name}」超过大小上限 {mb:g} MB，本次上传未保存任何文件"
                                f" / '{name}' exceeds the size limit of {mb:g} MB; nothing was saved",
                            )
                        out.write(chunk)
                names.append(name)
            paths = []
            for name in names:  # all files fit: move them in, replacing an earlier upload of the same name
                target = uploads / name
                os.replace(staging / name, target)
                paths.append(target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        job = jobs.submit(paths, visibility, owned=True)
        return UploadAccepted(job_id=job.id, files=names)

    @api.delete("/documents/{doc_id}", status_code=status.HTTP_204_NO_CONTENT, tags=["documents"],
                summary="删除文档（索引中所有内容）/ remove a document everywhere",
                responses={404: {"model": ErrorOut}, 409: {"model": ErrorOut}})
    def delete_document(doc_id: str) -> Response:
        lock = _writing()
        try:
            record = _one(doc_id)
            kb.remove(record.id)
        finally:
            lock.release()
        path = Path(record.path)
        uploads = app.state.uploads
        # The copy the API saved is deleted too, unless the same name was uploaded again meanwhile.
        if path.parent == uploads and str(path) not in jobs.pending_paths() and not kb.find_documents(str(path)):
            path.unlink(missing_ok=True)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    @api.post("/documents/{doc_id}/reindex", response_model=UploadAccepted, status_code=status.HTTP_202_ACCEPTED,
              tags=["documents"], summary="重新索引文档 / read a document again from its file",
              responses={404: {"model": ErrorOut}, 409: {"model": ErrorOut}})
    def reindex_document(doc_id: str) -> UploadAccepted:
        record = _one(doc_id)
        path = Path(record.path)
        if not path.is_file():
            raise HTTPException(status.HTTP_409_CONFLICT, f"原文件已不存在，无法重新索引：{record.file_name} / "
                                                          f"the source file no longer exists")
        lock = _writing()  # the ingest worker writes on the same registry: one writer at a time
        try:
            kb.registry.mark_stale(record.id)
        finally:
            lock.release()
        job = jobs.submit([path], record.visibility)
        return UploadAccepted(job_id=job.id, files=[record.file_name])

    @api.patch("/documents/{doc_id}", response_model=DocumentOut, tags=["documents"],
               summary="修改可见范围 / change who may see a document",
               responses={404: {"model": ErrorOut}, 409: {"model": ErrorOut}})
    def patch_document(doc_id: str, body: VisibilityUpdate) -> DocumentOut:
        lock = _writing()
        try:
            _one(doc_id)
            kb.set_visibility(doc_id, body.visibility)
            return _document(_one(doc_id))
        finally:
            lock.release()

    # -- jobs -----------------------------------------------------------------------------------
    @api.get("/jobs", response_model=list[JobOut], tags=["documents"], summary="最近的导入任务 / recent ingest jobs")
    def list_jobs() -> list[dict]:
        return jobs.snapshots()

    @api.post("/jobs/{job_id}/cancel", response_model=JobOut, tags=["documents"],
              summary="取消导入任务 / cancel an ingest job",
              responses={404: {"model": ErrorOut}, 409: {"model": ErrorOut}})
    def cancel_job(job_id: str) -> dict:
        """排队中的任务不再开始；进行中的任务在下一个文件或下一批分块前停下，正在写入的文档整篇移除。"""
        snap = jobs.snapshot(job_id)
        if snap is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"找不到导入任务「{job_id}」/ no job with id '{job_id}'")
        if snap["state"] in ("done", "failed"):
            raise HTTPException(status.HTTP_409_CONFLICT,
                                "导入任务已结束，无法取消 / the job has already finished and cannot be cancelled")
        return jobs.cancel(job_id)

    @api.get("/jobs/{job_id}", response_model=JobOut, tags=["documents"], summary="导入进度 / ingest progress",
             responses={404: {"model": ErrorOut}})
    def get_job(job_id: str) -> dict:
        snap = jobs.snapshot(job_id)
        if snap is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"找不到导入任务「{job_id}」/ no job with id '{job_id}'")
        return snap

    # -- metrics --------------------------------------------------------------------------------
    @api.get("/metrics", response_model=list[MetricOut], tags=["metrics"], summary="指标表 / the metrics table")
    def metrics(filters: Annotated[MetricFilters, Depends(_metric_filters)]) -> list[MetricOut]:
        return [_metric(r) for r in kb.metrics.all(**filters)]

    @api.get("/metrics/conflicts", response_model=list[ConflictOut], tags=["metrics"],
             summary="同一指标在不同文档中数值不一致 / figures stated differently in two documents")
    def conflicts() -> list[ConflictOut]:
        return [ConflictOut(indicator=c.indicator, year=c.year, scope=c.scope, org=c.org,
                            figures=[_metric(r) for r in c.rows]) for c in kb.metrics.conflicts()]

    @api.get("/metrics/targets", response_model=list[TargetOut], tags=["metrics"],
             summary="计划目标与实际完成情况 / plan targets against actuals")
    def targets(
        indicator: Annotated[str | None, Query(description="指标 / indicator")] = None,
        year: Annotated[int | None, Query(description="年份 / year")] = None,
    ) -> list[TargetOut]:
        return [TargetOut(indicator=t.indicator, year=t.year, status=t.status, status_zh=_TARGET_ZH[t.status],
                          target=_metric(t.target), actual=_metric(t.actual) if t.actual else None)
                for t in kb.metrics.target_status(indicator or None, year)]

    @api.get("/metrics/export", tags=["metrics"], summary="导出指标表 / download the metrics table",
             response_class=Response,
             responses={200: {"content": {"text/csv": {}, "application/vnd.openxmlformats-officedocument."
                                                           "spreadsheetml.sheet": {}},
                              "description": "CSV（UTF-8，带 BOM，Excel 可直接打开）或 Excel 文件"}})
    def export(
        filters: Annotated[MetricFilters, Depends(_metric_filters)],
        format: Annotated[Literal["csv", "xlsx"], Query(description="csv | xlsx")] = "csv",
    ) -> Response:
        rows = kb.metrics.all(**filters)
        if format == "csv":
            body = ("\ufeff" + to_csv(rows)).encode("utf-8")  # the BOM makes Excel read it as UTF-8
            media = "text/csv; charset=utf-8"
        else:
            buf = io.BytesIO()
            to_xlsx(rows, buf)  # openpyxl saves to a file object as well as a path
            body = buf.getvalue()
            media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return Response(body, media_type=media, headers={
            "Content-Disposition": _content_disposition(f"指标表.{format}", f"lantai-metrics.{format}")})

    # -- plan drafting ------------------------------------------------------------------------
    @api.post("/draft-plan", response_model=DraftPlanOut, tags=["plan"],
              summary="起草下一年度工作计划 / draft next year's work plan",
              responses={200: {"content": {"text/markdown": {}, "application/vnd.openxmlformats-officedocument."
                                                               "wordprocessingml.document": {}},
                               "description": "format=json：结构化草稿；md：Markdown；docx：Word 文件"}})
    def draft_plan_route(body: DraftPlanRequest) -> Any:
        from assistant.plan import PlanError

        from .drafting import file_name, make_plan, plan_docx

        try:
            result = make_plan(settings, kb, body.year, body.org, body.mode)
        except PlanError as exc:
            raise HTTPException(422, str(exc)) from exc
        if body.format == "json":
            return result.to_dict()
        if body.format == "md":
            return Response(result.markdown.encode("utf-8"), media_type="text/markdown; charset=utf-8", headers={
                "Content-Disposition": _content_disposition(file_name(result.draft, "md"), "lantai-plan.md")})
        return Response(plan_docx(result.markdown), media_type=_DOCX, headers={
            "Content-Disposition": _content_disposition(file_name(result.draft, "docx"), "lantai-plan.docx")})

    @api.post("/draft-plan/export", tags=["plan"], summary="把（编辑后的）计划 Markdown 导出为 Word / Markdown to .docx",
              response_class=Response,
              responses={200: {"content": {_DOCX: {}}, "description": "Word 文件"}})
    def export_plan(body: PlanExportRequest) -> Response:
        from .drafting import plan_docx, xml_safe

        name = safe_file_name(xml_safe(body.file_name)) or "plan"
        return Response(plan_docx(body.markdown), media_type=_DOCX, headers={
            "Content-Disposition": _content_disposition(f"{name}.docx", "lantai-plan.docx")})

    from .wechat.admin import safety_words_router

    api.include_router(safety_words_router(settings, lambda: getattr(app.state.wechat, "gate", None)))
    app.include_router(api)
    app.state.wechat = wechat[0] if wechat is not None else None
    if wechat is not None:
        from .wechat import wechat_router

        channel, protocol = wechat
        app.include_router(wechat_router(channel, protocol, settings.wechat_path, settings.wechat_max_body_bytes))
    return app


__all__ = ["BindError", "check_bind", "create_app", "is_loopback", "parse_api_keys", "safe_file_name",
           "answer_pieces", "MAX_QUESTION", "MAX_HISTORY", "MAX_HISTORY_ITEMS", "MAX_HISTORY_CHARS"]
