"""Reviewed answers, the review queue and the statistics of the question log over REST, for admins.

``GET /api/reviewed-answers`` lists reviewed answers (``?withdrawn=true`` with the withdrawn ones),
``PUT /api/reviewed-answers/{id}`` gives one new text, ``DELETE /api/reviewed-answers/{id}`` withdraws
it; ``GET /api/review-queue`` lists refused and 👎 questions not yet reviewed, newest first;
``GET /api/usage`` returns the statistics and ``GET /api/usage/export`` the Excel workbook. All need an
admin key (``LANTAI_ADMIN_KEYS``, ``ui.rest.auth.require_admin``): the log holds who asked what.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.responses import Response
from pydantic import BaseModel, Field

from ..services.metrics import XLSX_MEDIA
from ..services.reviewed import CorrectionError, Reviewer
from ..services.usage import review_queue, usage_stats, usage_workbook
from .auth import require_admin
from .common import ServicesDep, download_response

router = APIRouter(
    tags=["curation"],
    dependencies=[Depends(require_admin)],
    responses={403: {"description": "不是管理员密钥 / not an admin key"}},
)
REVIEWER = Reviewer("管理员（接口）")


class ReviewedOut(BaseModel):
    id: int
    question: str
    answer: str
    citations: list[dict[str, Any]]
    reviewer: str
    reviewed_at: str
    in_force: bool = Field(description="false：已撤回 / withdrawn")


class ReviewedEdit(BaseModel):
    answer: str = Field(..., min_length=1, max_length=20_000, description="新的答案文字 / the new answer")


class QueueItemOut(BaseModel):
    question: str
    last_asked: str
    times: int
    reasons: list[str] = Field(description="未找到答案 | 👎 没帮助")
    who: str | None


@router.get("/reviewed-answers", response_model=list[ReviewedOut], summary="馆员审核的答案 / reviewed answers")
def list_reviewed(
    services: ServicesDep, withdrawn: bool = Query(False, description="包括已撤回的 / with withdrawn ones")
) -> list[dict]:
    return services.reviewed.listing(in_force=not withdrawn)


def _reviewed(services, answer_id: int) -> dict:
    found = [r for r in services.reviewed.listing(in_force=False) if r["id"] == answer_id]
    if not found:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"没有编号为 {answer_id} 的审核答案 / no such reviewed answer")
    return found[0]


@router.put("/reviewed-answers/{answer_id}", response_model=ReviewedOut, summary="修改审核答案 / edit one")
def edit_reviewed(answer_id: int, body: ReviewedEdit, services: ServicesDep) -> dict:
    _reviewed(services, answer_id)
    try:
        edited = services.reviewed.edit(answer_id, body.answer, REVIEWER)
    except CorrectionError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, str(exc)) from None
    if not edited:
        raise HTTPException(status.HTTP_409_CONFLICT, "该答案已撤回，不能修改 / withdrawn answers cannot be edited")
    return _reviewed(services, answer_id)


@router.delete("/reviewed-answers/{answer_id}", response_model=ReviewedOut, summary="撤回审核答案 / withdraw one")
def withdraw_reviewed(answer_id: int, services: ServicesDep) -> dict:
    _reviewed(services, answer_id)
    services.reviewed.withdraw(answer_id, REVIEWER)
    return _reviewed(services, answer_id)


@router.get("/review-queue", response_model=list[QueueItemOut], summary="待审核的问题 / questions to review")
def queue(services: ServicesDep, limit: int = Query(200, ge=1, le=10_000)) -> list[dict]:
    return review_queue(services.curation, limit)


@router.get("/usage", summary="提问统计 / statistics of the questions asked")
def usage(services: ServicesDep, top: int = Query(10, ge=1, le=10_000)) -> dict:
    return usage_stats(services.curation, top).as_dict()


@router.get(
    "/usage/export",
    summary="导出提问统计（Excel）/ the statistics as a workbook",
    response_class=Response,
    responses={200: {"content": {XLSX_MEDIA: {}}, "description": "Excel 文件"}},
)
def export_usage(services: ServicesDep) -> Response:
    return download_response(usage_workbook(services.curation))
