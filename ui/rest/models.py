"""The request and response bodies of the REST API, described for ``/docs``.

The answer object is ``Answer.as_dict()`` — the same contract as
``lantai ask --json``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_serializer

from index import DocumentRecord, MetricRow

from ..services.questions import MAX_HISTORY, MAX_HISTORY_CHARS, MAX_HISTORY_ITEMS, MAX_QUESTION
from .derived import model_of_dataclass

Visibility = Literal["internal", "public"]


class DraftPlanRequest(BaseModel):
    year: int | None = Field(None, ge=2000, le=2100, description="计划年度；默认为已有文档之后的一年 / the plan's year")
    org: str | None = Field(None, max_length=100, description="单位；默认为最近有工作总结的单位 / the organisation")
    format: Literal["json", "md", "docx"] = Field("json", description="json（结构与 Markdown）| md | docx")
    mode: Literal["auto", "extractive", "llm"] = Field(
        "auto", description="auto：配置了大模型时改写为通顺文字，否则按文档条目组合 / auto uses the LLM when configured"
    )


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
    question: str = Field(
        ...,
        min_length=1,
        max_length=MAX_QUESTION,
        description="问题 / the question",
        examples=["2024年进馆人数是多少？"],
    )
    history: list[Annotated[str, Field(max_length=MAX_HISTORY_CHARS)]] = Field(
        default_factory=list,
        max_length=MAX_HISTORY_ITEMS,
        description=(
            f"同一对话中之前的问题，按先后顺序；最多 {MAX_HISTORY_ITEMS} 条、每条不超过 {MAX_HISTORY_CHARS} 字，"
            f"只参考最近 {MAX_HISTORY} 条 / earlier questions of the same conversation, oldest first: "
            f"at most {MAX_HISTORY_ITEMS} of up to {MAX_HISTORY_CHARS} characters; the last {MAX_HISTORY} "
            "are read"
        ),
    )

    org: str | None = Field(
        None,
        max_length=200,
        description=(
            "单位：问题没写明图书馆时按此馆回答；不填且多家图书馆的资料都能回答时，会反问是哪一家 / the library a "
            "question naming none is about; without it, a question several libraries' documents answer asks which"
        ),
        examples=["某某区图书馆"],
    )

    @field_validator("question")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("问题不能为空 / the question is empty")
        return value


class CitationOut(BaseModel):
    n: int = Field(description="答案中的引用编号 [n] / the mark [n] in the answer")
    source: str = Field(description="来源文件名 / source file name")
    title: str = Field("", description="文档标题（导入时识别）/ the document's detected title")
    library: str = Field("", description="文档所属图书馆（导入时识别）/ the document's detected library")
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


class ReviewedByOut(BaseModel):
    id: int
    reviewer: str
    reviewed_at: str


class AnswerOut(BaseModel):
    """The answer contract (``Answer.as_dict()``), shared with ``lantai ask --json``."""

    question: str
    answer: str = Field(description="答案文字，[n] 为引用编号 / answer text with [n] citation marks")
    citations: list[CitationOut]
    figures: list[FigureOut] = Field(description="答案用到的指标数值 / figures the answer used")
    grounded: bool = Field(description="所有数字均已核实 / every number was verified")
    unverified_numbers: list[str]
    warnings: list[str] = Field(default_factory=list, description="未标 ✓ 的原因 / why the answer is not marked ✓")
    checked: str = Field("", description="核对了什么 / what was checked")
    mode: str = Field(description="extractive | llm")
    latency_ms: float
    refused: bool = Field(description="文档中没有答案 / the documents hold no answer")
    intent: str
    library: str = Field("", description="答案所针对的图书馆（单位）/ the library the answer is for")
    candidates: list[str] = Field(
        default_factory=list,
        description="反问“是哪一家”时可选的图书馆 / the libraries to choose from, when the answer asks which one",
    )
    reviewed: ReviewedByOut | None = Field(
        None, description="馆员审核的答案：编号、审核人、审核时间 / a staff-reviewed answer: id, reviewer, when"
    )


# A document as the registry records it, less its path on the server (nobody's business).
DOCUMENT_OUT_DESCRIPTIONS = {
    "doc_type": "文档类型，如 工作总结 / document type",
    "size": "字节 / bytes",
    "status": "ready（可检索）| indexing（导入中或被中断）| duplicate（与 duplicate_of 为同一文档，未导入）",
    "duplicate_of": "重复文档所重复的文档 ID / the document a duplicate copies",
    "ingested_at": "Unix 时间 / Unix time",
}
if TYPE_CHECKING:  # made at run time: to a type checker, a model like any other
    DocumentOut = BaseModel
else:
    DocumentOut = model_of_dataclass(
        DocumentRecord,
        "DocumentOut",
        exclude=("path",),
        types={"visibility": Visibility},
        descriptions=DOCUMENT_OUT_DESCRIPTIONS,
    )


class VisibilityUpdate(BaseModel):
    visibility: Visibility = Field(description="internal（仅内部）| public（可对公众答复）")


class UploadAccepted(BaseModel):
    job_id: str
    files: list[str] = Field(description="保存后的文件名 / the names the files were saved under")


class JobFileOut(BaseModel):
    name: str
    status: str = Field(
        description="queued | running | added | updated | unchanged | visibility_changed | duplicate | replaced | "
        "resumed | failed | cancelled"
    )
    error: str | None = Field(description="失败原因 / why it failed (Chinese)")
    error_en: str | None
    notice: str | None = Field(None, description="重复文档未导入或替换了扫描件的说明 / a duplicate or a replacement")
    notice_en: str | None = None
    chunks_planned: int
    chunks_embedded: int
    ocr_page: int = Field(0, description="正在识别的扫描页（从 1 起）/ the scanned page OCR is reading")
    ocr_pages: int = Field(0, description="需要识别的扫描页数 / scanned pages to read")
    ocr_seconds_left: float | None = Field(
        None, description="预计还需秒数（按已识别页的平均用时）/ estimated seconds left, from the mean so far"
    )
    progress: str | None = Field(
        None, description="进行中的说明，如「正在识别扫描件：第 3/12 页，预计还需约 40 秒」/ where reading stands"
    )
    progress_en: str | None = None


class JobOut(BaseModel):
    job_id: str
    state: Literal["queued", "running", "done", "failed", "cancelled"] = Field(
        description="done：已完成（个别文件可能失败，见 files）；failed：全部文件失败或导入出错；cancelled：已取消"
    )
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


# One row of the metrics table, every field of ``MetricRow``.
METRIC_OUT_DESCRIPTIONS = {
    "phrase": "原文中的指标说法 / the wording in the document",
    "plain_value": "换算后数值（万已展开）/ value in the base unit",
    "kind": "actual | target | cumulative | asof",
}
if TYPE_CHECKING:
    MetricOut = BaseModel
else:
    MetricOut = model_of_dataclass(
        MetricRow,
        "MetricOut",
        descriptions=METRIC_OUT_DESCRIPTIONS,
        config=ConfigDict(from_attributes=True),
    )


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


class TrendPointOut(BaseModel):
    library: str
    year: int
    value: float = Field(description="趋势单位下的数值 / the value in the trend's unit")
    unit: str
    stated: str = Field(description="原文写法 / as the document states it")
    scope: str
    figure_id: int = Field(description="指标表中该数字的 id / the figure's id in the metrics table")
    file_name: str
    quote: str


class TrendLeftOut(BaseModel):
    reason: str
    library: str
    year: int | None
    stated: str
    scope: str
    figure_id: int
    file_name: str


class TrendOut(BaseModel):
    indicator: str
    scope: str
    library: str | None
    unit: str
    points: list[TrendPointOut]
    left_out: list[TrendLeftOut]
    notes: list[str] = Field(description="未画出的数字及原因 / what the trend leaves out, and why")


# One server-sent event of /api/ask/stream (OpenAPI before 3.2: the schema of a stream describes each event).
SSE_EVENT = {
    "type": "object",
    "required": ["event", "data"],
    "properties": {
        "event": {"type": "string", "enum": ["delta", "answer", "error"]},
        "data": {"type": "string", "contentMediaType": "application/json"},
    },
}


class Health(BaseModel):
    status: str
    documents: int
    worker: int = Field(description="答复的工作进程号 / the id of the worker process that answered (several workers)")
    problems: list[str] | None = Field(
        None,
        description="向量库与文档登记不一致时的问题（此时 503） / how the vector store and the registry disagree (503)",
    )


class CitationContextOut(BaseModel):
    """A cited passage in its section (``ui.services.citation_view.CitationContext``)."""

    doc_id: str
    chunk_id: str
    title: str = Field(description="文档标题 / the document's detected title")
    library: str = Field(description="文档所属单位 / the library the document is about")
    file_name: str
    year: int | None
    section: str = Field(description="章节路径 / heading path")
    before: str = Field(description="同一章节中引文之前的文字 / the section's text before the passage")
    passage: str = Field(description="引文 / the cited passage")
    after: str = Field(description="同一章节中引文之后的文字 / and after it")
    page: int | None = Field(description="页面图像所示页码（从 1 起）/ the page its image shows")
    is_pdf: bool
    located: bool = Field(description="已在页面上框出引文 / the passage is boxed on the page")
    boxes: list[list[float]] = Field(description="引文在页面上的矩形 [x0, y0, x1, y1]（PDF 点，左上为原点）")
    note: str = Field(description="没有图像或没有框时的说明 / why there is no image or no box")
    page_image: str | None = Field(description="页面图像地址 / the page image's URL, with the passage boxed")


class ErrorOut(BaseModel):
    detail: str


ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "缺少或无效的 API 密钥 / missing or invalid API key"},
    422: {"model": ErrorOut, "description": "请求内容不符合要求 / invalid request"},
}


def document_out(record) -> DocumentOut:
    data = record.as_dict()
    data.pop("path", None)  # a server path is nobody's business
    return DocumentOut(**data)


def metric_out(row: MetricRow) -> MetricOut:
    return MetricOut.model_validate(row)
