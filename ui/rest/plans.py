"""``/api/draft-plan``: next year's work plan drafted from the documents, and (edited) Markdown to Word."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response

from ..services.plans import DOCX_MEDIA, docx_download, edited_docx, markdown_download
from .common import ServicesDep, download_response
from .models import DraftPlanOut, DraftPlanRequest, PlanExportRequest

router = APIRouter(tags=["plan"])


@router.post(
    "/draft-plan",
    response_model=DraftPlanOut,
    summary="起草下一年度工作计划 / draft next year's work plan",
    responses={
        200: {
            "content": {"text/markdown": {}, DOCX_MEDIA: {}},
            "description": "format=json：结构化草稿；md：Markdown；docx：Word 文件",
        }
    },
)
def draft_plan(body: DraftPlanRequest, services: ServicesDep) -> Any:
    from assistant.plan import PlanError

    try:
        result = services.plans.draft(body.year, body.org, body.mode)
    except PlanError as exc:
        raise HTTPException(422, str(exc)) from exc
    if body.format == "json":
        return result.as_dict()
    return download_response(markdown_download(result) if body.format == "md" else docx_download(result))


@router.post(
    "/draft-plan/export",
    summary="把（编辑后的）计划 Markdown 导出为 Word / Markdown to .docx",
    response_class=Response,
    responses={200: {"content": {DOCX_MEDIA: {}}, "description": "Word 文件"}},
)
def export_plan(body: PlanExportRequest) -> Response:
    return download_response(edited_docx(body.markdown, body.file_name))
