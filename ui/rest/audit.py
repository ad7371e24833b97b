"""``GET /api/audit``: the operations log (操作记录), newest first, for admin keys only.

Included into the ``/api`` router, so the API key check comes first; then the key
must be one of ``LANTAI_ADMIN_KEYS`` (``ui.rest.auth.require_admin``).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from .auth import require_admin
from .common import ServicesDep

router = APIRouter(
    tags=["audit"],
    dependencies=[Depends(require_admin)],
    responses={403: {"description": "不是管理员密钥 / not an admin key"}},
)


class AuditEntryOut(BaseModel):
    time: str = Field(description="本地时间（含时区）/ local time with its offset")
    user: str = Field(description="网页登录名、本机用户、API 或 命令行 / who acted")
    surface: str = Field(description="网页 | API | 命令行")
    action: str = Field(description="上传 | 删除 | 设为公开 | 设为不公开 | 重新索引 | 保存词表 | 导出反馈")
    target: str = Field(description="文件或文档（ID）/ the file or document")


@router.get("/audit", response_model=list[AuditEntryOut], summary="操作记录（最新在前）/ the operations log")
def get_audit(
    services: ServicesDep,
    user: str | None = Query(None, max_length=200, description="只看此人的操作 / only this user's actions"),
    limit: int = Query(200, ge=1, le=10_000, description="最多返回多少条"),
) -> list[dict[str, str]]:
    return [entry.as_dict() for entry in services.audit.entries(user, limit)]
