"""``/api/jobs``: the progress of ingest jobs, and cancelling one."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status

from ..job_model import JobState
from .common import ServicesDep
from .models import ErrorOut, JobOut

router = APIRouter(tags=["documents"])


def _no_job(job_id: str) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, f"找不到导入任务「{job_id}」/ no job with id '{job_id}'")


@router.get("/jobs", response_model=list[JobOut], summary="最近的导入任务 / recent ingest jobs")
def list_jobs(services: ServicesDep) -> list[dict]:
    return services.jobs.snapshots()


@router.post(
    "/jobs/{job_id}/cancel",
    response_model=JobOut,
    summary="取消导入任务 / cancel an ingest job",
    responses={404: {"model": ErrorOut}, 409: {"model": ErrorOut}},
)
def cancel_job(job_id: str, services: ServicesDep) -> dict:
    """排队中的任务不再开始；进行中的任务在下一个文件或下一批分块前停下，正在写入的文档整篇移除。"""
    snap = services.jobs.snapshot(job_id)
    if snap is None:
        raise _no_job(job_id)
    if snap["state"] in (JobState.DONE, JobState.FAILED):
        raise HTTPException(
            status.HTTP_409_CONFLICT, "导入任务已结束，无法取消 / the job has already finished and cannot be cancelled"
        )
    cancelled = services.jobs.cancel(job_id)
    if cancelled is None:  # forgotten between the two reads (the registry keeps a bounded number of jobs)
        raise _no_job(job_id)
    return cancelled


@router.get(
    "/jobs/{job_id}", response_model=JobOut, summary="导入进度 / ingest progress", responses={404: {"model": ErrorOut}}
)
def get_job(job_id: str, services: ServicesDep) -> dict:
    snap = services.jobs.snapshot(job_id)
    if snap is None:
        raise _no_job(job_id)
    return snap
