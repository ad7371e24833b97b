"""``/healthz``: open to all, 503 when the vector store and the registry disagree."""

from __future__ import annotations

import os
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from index.health import consistency_problems

from .common import ServicesDep
from .models import Health

router = APIRouter(tags=["system"])


@router.get(
    "/healthz",
    response_model=Health,
    response_model_exclude_none=True,
    summary="健康检查 / health check（无需密钥）",
    responses={503: {"model": Health}},
)
def healthz(services: ServicesDep) -> Any:
    kb = services.kb
    ready = sum(1 for d in kb.documents() if d.status == "ready")
    problems = consistency_problems(kb)  # cheap: a sample of ids and one vector query
    if problems:
        return JSONResponse(
            {"status": "degraded", "documents": ready, "worker": os.getpid(), "problems": problems}, status_code=503
        )
    return Health(status="ok", documents=ready, worker=os.getpid())
