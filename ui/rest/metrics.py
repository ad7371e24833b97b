"""``/api/metrics``: the figures read from the documents, their conflicts, targets, and downloads."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from ..services.metrics import TARGET_ZH, XLSX_MEDIA
from ..services.trends import notes
from .common import ServicesDep, download_response
from .models import ConflictOut, MetricOut, TargetOut, TrendOut, metric_out

router = APIRouter(tags=["metrics"])

MetricFilters = dict[str, Any]


def metric_filters(
    indicator: Annotated[str | None, Query(description="指标（可用别名）/ indicator (aliases work)")] = None,
    year: Annotated[int | None, Query(description="年份 / year")] = None,
    scope: Annotated[str | None, Query(description="范围，如 某分馆 / scope, e.g. a branch")] = None,
    derived: Annotated[bool, Query(description="含推算值 / include derived values")] = True,
    org: Annotated[str | None, Query(description="单位（图书馆）/ library")] = None,
) -> MetricFilters:
    return {
        "indicator": indicator or None,
        "year": year,
        "scope": scope or None,
        "include_derived": derived,
        "org": org or None,
    }


Filters = Annotated[MetricFilters, Depends(metric_filters)]


@router.get("/metrics", response_model=list[MetricOut], summary="指标表 / the metrics table")
def metrics(filters: Filters, services: ServicesDep) -> list[MetricOut]:
    return [metric_out(r) for r in services.metrics.rows(**filters)]


@router.get(
    "/metrics/conflicts",
    response_model=list[ConflictOut],
    summary="同一指标在不同文档中数值不一致 / figures stated differently in two documents",
)
def conflicts(services: ServicesDep) -> list[ConflictOut]:
    return [
        ConflictOut(
            indicator=c.indicator, year=c.year, scope=c.scope, org=c.org, figures=[metric_out(r) for r in c.rows]
        )
        for c in services.metrics.conflicts()
    ]


@router.get(
    "/metrics/targets", response_model=list[TargetOut], summary="计划目标与实际完成情况 / plan targets against actuals"
)
def targets(
    services: ServicesDep,
    indicator: Annotated[str | None, Query(description="指标 / indicator")] = None,
    year: Annotated[int | None, Query(description="年份 / year")] = None,
) -> list[TargetOut]:
    return [
        TargetOut(
            indicator=t.indicator,
            year=t.year,
            status=t.status,
            status_zh=TARGET_ZH[t.status],
            target=metric_out(t.target),
            actual=metric_out(t.actual) if t.actual else None,
        )
        for t in services.metrics.targets(indicator or None, year)
    ]


@router.get(
    "/metrics/trend",
    response_model=TrendOut,
    summary="趋势：每年一个数，与网页趋势图相同 / one value a year, as the web app's chart draws it",
)
def trend(
    services: ServicesDep,
    indicator: Annotated[str, Query(description="指标（可用别名）/ indicator (aliases work)")],
    org: Annotated[str | None, Query(description="图书馆，不填则每馆一条 / library; each one if omitted")] = None,
    scope: Annotated[str | None, Query(description="范围，不填为全区 / scope; the whole library if omitted")] = None,
) -> TrendOut:
    found = services.metrics.trend(indicator, org or None, scope or None)
    return TrendOut(**found.as_dict(), notes=notes(found))


@router.get(
    "/metrics/export",
    summary="导出指标表 / download the metrics table",
    response_class=Response,
    responses={
        200: {
            "content": {"text/csv": {}, XLSX_MEDIA: {}},
            "description": "CSV（UTF-8，带 BOM，Excel 可直接打开）或 Excel 文件",
        }
    },
)
def export(
    filters: Filters,
    services: ServicesDep,
    format: Annotated[Literal["csv", "xlsx"], Query(description="csv | xlsx")] = "csv",
) -> Response:
    return download_response(services.metrics.export(format, **filters))
