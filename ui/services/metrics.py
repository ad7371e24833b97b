"""The metrics table as the surfaces offer it: filtered rows, conflicts, targets, trends, downloads."""

from __future__ import annotations

import io
from dataclasses import dataclass

from index import KnowledgeBase

from ..metrics_export import to_csv, to_xlsx
from .libraries import Libraries
from .trends import Trend, trend

XLSX_MEDIA = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TARGET_ZH = {"met": "已完成", "not_met": "未完成", "not_reported": "尚无实际数"}


@dataclass(frozen=True)
class Download:
    content: bytes
    media_type: str
    file_name: str  # what staff see (Chinese)
    fallback_name: str  # ASCII, for clients that cannot read the Chinese one


def export(rows, fmt: str) -> Download:
    """The rows as a CSV (UTF-8 with a BOM, so Excel reads it) or an .xlsx download."""
    if fmt == "csv":
        return Download(
            ("\ufeff" + to_csv(rows)).encode("utf-8"), "text/csv; charset=utf-8", "指标表.csv", "lantai-metrics.csv"
        )
    buf = io.BytesIO()
    to_xlsx(rows, buf)  # openpyxl saves to a file object as well as a path
    return Download(buf.getvalue(), XLSX_MEDIA, "指标表.xlsx", "lantai-metrics.xlsx")


class Metrics:
    """The figures read from one knowledge base's documents."""

    def __init__(self, kb: KnowledgeBase, libraries: Libraries | None = None):
        self.kb = kb
        self._libraries = libraries

    @property
    def known_libraries(self) -> Libraries:
        """The libraries a filter may name (shared with the other services on a server)."""
        if self._libraries is None:
            self._libraries = Libraries.of(self.kb)
        return self._libraries

    @property
    def store(self):
        return self.kb.metrics

    def rows(
        self,
        indicator: str | None = None,
        year: int | None = None,
        scope: str | None = None,
        include_derived: bool = True,
        org: str | None = None,
    ):
        """The figures, filtered; those of ``org`` are its own and those of documents that name no library
        unless nothing ties them to it (another library's table of its branches is not its figures)."""
        library = self.known_libraries.resolve(org)
        store = self.store.without(self.known_libraries.holdings.not_of(library)) if library else self.store
        return store.all(indicator, year, scope, include_derived=include_derived, org=library)

    def export(self, fmt: str, **filters) -> Download:
        return export(self.rows(**filters), fmt)

    def conflicts(self):
        return self.store.conflicts()

    def targets(self, indicator: str | None = None, year: int | None = None):
        return self.store.target_status(indicator, year)

    def trend(self, indicator: str, library: str | None = None, scope: str | None = None) -> Trend:
        """One value a year of the library (each library when None) in the scope (the whole library when
        None or 全区): the figures the chart, ``lantai metrics trend`` and ``/api/metrics/trend`` show."""
        return trend(self.store, indicator, self.known_libraries.resolve(library), scope)

    def libraries(self) -> list[str]:
        """The libraries the figures belong to."""
        return sorted({r.org for r in self.rows() if r.org})

    def indicators_known(self) -> list[str]:
        return self.store.indicators_known()


__all__ = ["Download", "Metrics", "TARGET_ZH", "XLSX_MEDIA", "export"]
