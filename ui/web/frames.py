"""The tables and the trend chart of the web page, as pandas frames."""

from __future__ import annotations

import pandas as pd

from ..metrics_export import COLUMNS, row_values
from ..services.documents import VISIBILITY_ZH
from .render import fmt_value

VIS_ZH = VISIBILITY_ZH
DOC_STATUS_ZH = {"ready": "可检索", "indexing": "导入中或被中断", "duplicate": "重复，未导入"}
DOC_COLUMNS = ["文档", "单位", "类型", "年份", "分块数", "可见范围", "状态", "文件", "ID"]
METRIC_COLUMNS = [zh for key, zh in COLUMNS if key not in ("quote",)]
CONFLICT_COLUMNS = ["指标", "年份", "范围", "单位名称", "数值", "来源文件", "原文"]


def document_status(record, names: dict[str, str]) -> str:
    """A document's state as the list shows it; a duplicate names the document it copies."""
    status = DOC_STATUS_ZH.get(record.status, record.status)
    if record.status != "duplicate":
        return status
    original = names.get(record.duplicate_of or "")
    return f"{status}（与「{original}」相同）" if original else f"{status}（原文档已删除）"


def documents_frame(records) -> pd.DataFrame:
    names = {r.id: r.file_name for r in records}
    rows = [
        [
            r.title or r.file_name,
            r.org,
            r.doc_type,
            "、".join(map(str, r.years)),
            r.chunk_count,
            VIS_ZH.get(r.visibility, r.visibility),
            document_status(r, names),
            r.file_name,
            r.id,
        ]
        for r in records
    ]
    return pd.DataFrame(rows, columns=DOC_COLUMNS)


def document_choices(records) -> list[tuple[str, str]]:
    return [
        (f"{r.title or r.file_name}（{r.file_name}，{VIS_ZH.get(r.visibility, r.visibility)}，{r.id[:8]}）", r.id)
        for r in records
    ]


def metrics_frame(rows) -> pd.DataFrame:
    keys = [key for key, _ in COLUMNS if key != "quote"]
    data = [[row_values(r)[k] for k in keys] for r in rows]
    return pd.DataFrame(data, columns=METRIC_COLUMNS)


TREND_COLUMNS = ["年份", "数值", "单位", "图书馆"]


def empty_trend() -> pd.DataFrame:
    """Typed columns even when empty: the plot reads the axis types from them."""
    return pd.DataFrame({c: pd.Series(dtype=float if c == "数值" else str) for c in TREND_COLUMNS})


def trend_frame(trend) -> pd.DataFrame:
    """A trend's points for the chart: one row a year and library, the year as a label (no 2,023.5 ticks)."""
    data = [[str(p.year), float(p.value), p.unit, p.library] for p in trend.points]
    frame = pd.DataFrame(data, columns=TREND_COLUMNS) if data else empty_trend()
    return frame.astype({"数值": float})


def conflicts_frame(conflicts) -> pd.DataFrame:
    data = []
    for c in conflicts:
        for r in c.rows:
            data.append(
                [
                    c.indicator,
                    c.year,
                    c.scope or "全区",
                    c.org,
                    f"{r.stated or fmt_value(r.value)}",
                    r.file_name,
                    r.quote[:80],
                ]
            )
    return pd.DataFrame(data, columns=CONFLICT_COLUMNS)


__all__ = [
    "CONFLICT_COLUMNS",
    "DOC_COLUMNS",
    "METRIC_COLUMNS",
    "VIS_ZH",
    "conflicts_frame",
    "document_choices",
    "documents_frame",
    "TREND_COLUMNS",
    "empty_trend",
    "metrics_frame",
    "trend_frame",
]
