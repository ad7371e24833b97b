"""The metrics table: every figure ingest read, with its source, in SQLite.

Figures live in the registry's database and are written in the same
transaction as their document's chunks, so they appear, change and vanish
with the document. Only figures of ``ready`` documents are ever returned.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any

from ingest import FigureKind, IndicatorList, load_indicators
from ingest.indicators import units_compatible

from .states import Visibility

# A figure's organisation: the library its sentence names as its subject (其中，某省图书馆…), else its document's.
_ORG = "COALESCE(NULLIF(f.org, ''), d.org)"
_SELECT = (
    f"SELECT f.id, f.doc_id, d.file_name, d.title, d.doc_type, {_ORG} AS org, f.chunk_id, f.indicator, f.phrase, f.value, "
    "f.unit, f.plain_value, f.base_unit, f.year, f.kind, f.scope, f.as_of, f.qualifier, f.change_pct, "
    "f.change_dir, f.change_text, f.derived, f.formula, f.char_start, f.char_end, f.stated, f.quote, "
    "f.check_note FROM figures f JOIN documents d ON d.id = f.doc_id WHERE d.status = 'ready'"
)
# A plan's targets are met when the actual reaches them, unless they cap something.
_CAP_WORDS = ("不超过", "控制在", "以内", "以下", "压缩")
_ACTUAL_KINDS = (FigureKind.ACTUAL, FigureKind.CUMULATIVE, FigureKind.AS_OF)
ACTUAL_KINDS = _ACTUAL_KINDS
# The scopes that mean the whole library (system), not one of its branches or service points.
WHOLE_SCOPES = ("", "全区", "本馆", "合计")


@dataclass
class MetricRow:
    id: int
    doc_id: str
    file_name: str
    title: str
    doc_type: str
    org: str
    chunk_id: str | None
    indicator: str
    phrase: str
    value: float
    unit: str
    plain_value: float
    base_unit: str
    year: int | None
    kind: str
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

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Conflict:
    indicator: str
    year: int | None
    scope: str
    rows: list[MetricRow]
    org: str = ""


@dataclass
class TargetStatus:
    indicator: str
    year: int
    status: str  # met | not_met | not_reported
    target: MetricRow
    actual: MetricRow | None


def _metric(r: sqlite3.Row) -> MetricRow:
    fields = dict(zip(r.keys(), r))
    fields["derived"] = bool(fields["derived"])
    return MetricRow(**fields)


# A read: its SQL and its parameters.
_ReadKey = tuple[str, tuple[object, ...]]


class _ReadCache:
    """Rows already read, kept while the registry's generation (bumped by every change to documents,
    their visibility or their figures) stays the same: one answer reads the table several times."""

    LIMIT = 512  # distinct reads kept per generation

    def __init__(self, generation: Callable[[], int]):
        self.generation = generation
        self._at: int | None = None
        self._rows: dict[_ReadKey, list[sqlite3.Row]] = {}

    def rows(self, key: _ReadKey, read: Callable[[], list[sqlite3.Row]]) -> list[sqlite3.Row]:
        now = self.generation()
        if now != self._at or len(self._rows) >= self.LIMIT:
            self._at, self._rows = now, {}
        found = self._rows.get(key)
        if found is None:
            found = self._rows[key] = read()
        return found


class MetricsStore:
    def __init__(
        self,
        conn: sqlite3.Connection,
        indicators: IndicatorList | None = None,
        visibility: str | None = None,
        excluded_docs: frozenset[str] = frozenset(),
        generation: Callable[[], int] | None = None,
        *,
        _cache: _ReadCache | None = None,
    ):
        """``generation`` (the registry's) lets reads be kept until the table changes."""
        self.conn = conn
        self.indicators = indicators or load_indicators()
        self.visibility = visibility  # "public": figures of public documents only
        self.excluded_docs = excluded_docs  # documents this view does not read (another place's reports)
        self._cache = _cache if _cache is not None else (_ReadCache(generation) if generation else None)

    def for_visibility(self, visibility: str | None) -> MetricsStore:
        """The same table seen by a channel that may only read documents of this visibility."""
        return MetricsStore(self.conn, self.indicators, visibility, self.excluded_docs, _cache=self._cache)

    def without(self, doc_ids: Iterable[str]) -> MetricsStore:
        """The same table without the figures of these documents."""
        return MetricsStore(
            self.conn, self.indicators, self.visibility, self.excluded_docs | frozenset(doc_ids), _cache=self._cache
        )

    def resolve(self, indicator: str) -> str:
        """A canonical indicator for a phrase a person typed (进馆人次 → 进馆人数); a figure name the table
        already holds as written (各类讲座参加人次) stays itself, never mapped to an alias inside it."""
        if self.conn.execute("SELECT 1 FROM figures WHERE indicator = ? LIMIT 1", (indicator,)).fetchone():
            return indicator
        return self.indicators.canonical(indicator) or indicator

    def _query(
        self, where: str = "", params: Iterable[object] = (), order: str = "f.year, f.indicator, f.id"
    ) -> list[MetricRow]:
        if self.visibility == Visibility.PUBLIC:
            where = "d.visibility = 'public'" + (f" AND {where}" if where else "")
        if self.excluded_docs:
            marks = ",".join("?" * len(self.excluded_docs))
            where = f"d.id NOT IN ({marks})" + (f" AND {where}" if where else "")
            params = (*sorted(self.excluded_docs), *params)
        sql = _SELECT + (f" AND {where}" if where else "") + f" ORDER BY {order}"
        args = tuple(params)
        if self._cache is None:
            rows = self._read(sql, args)
        else:
            rows = self._cache.rows((sql, args), lambda: self._read(sql, args))
        return [_metric(r) for r in rows]  # fresh rows each time: callers may change theirs

    def _read(self, sql: str, params: tuple[object, ...]) -> list[sqlite3.Row]:
        """Rows read by column name, on a cursor of their own (the shared connection keeps tuples)."""
        cursor = self.conn.cursor()
        cursor.row_factory = sqlite3.Row
        return cursor.execute(sql, params).fetchall()

    def orgs(self) -> list[str]:
        """The libraries figures are attributed to by their own sentences (其中，某图书馆…)."""
        rows = self.conn.execute(
            "SELECT DISTINCT f.org FROM figures f JOIN documents d ON d.id = f.doc_id WHERE d.status = 'ready' "
            "AND f.org != ''" + (" AND d.visibility = 'public'" if self.visibility == Visibility.PUBLIC else "")
        ).fetchall()
        return [r[0] for r in rows]

    def scopes(self, min_count: int = 2) -> list[str]:
        """Branches and service points the figures of readable documents name, each at least
        ``min_count`` times (a name seen once is noise)."""
        rows = self.conn.execute(
            "SELECT f.scope FROM figures f JOIN documents d ON d.id = f.doc_id WHERE d.status = 'ready' "
            "AND f.scope != ''"
            + (" AND d.visibility = 'public'" if self.visibility == "public" else "")
            + " GROUP BY f.scope HAVING COUNT(*) >= ?",
            (min_count,),
        ).fetchall()
        return [r[0] for r in rows]

    def all(
        self,
        indicator: str | None = None,
        year: int | None = None,
        scope: str | None = None,
        include_derived: bool = True,
        org: str | None = None,
    ) -> list[MetricRow]:
        clauses: list[str] = []
        params: list[str | int] = []
        if org:  # a document that names no organisation (a bare statistics table) is not excluded, and a
            # yearbook's row for the library (its scope) is the library's figure, whoever published the table
            # and a place's public libraries together (某市公共图书馆…统计报告) are the place asked about
            clauses.append(f"({_ORG} = ? OR {_ORG} = '' OR f.scope = ? OR {_ORG} = ?)")
            params += [org, org, f"{org}公共图书馆"]
        if indicator:
            clauses.append("f.indicator = ?")
            params.append(self.resolve(indicator))
        if year is not None:
            clauses.append("f.year = ?")
            params.append(year)
        if scope is not None:
            clauses.append("f.scope = ?")
            params.append(scope)
        if not include_derived:
            clauses.append("f.derived = 0")
        return self._query(" AND ".join(clauses), params)

    def lookup(
        self,
        indicator: str,
        year: int | None = None,
        scope: str | None = None,
        kinds: Iterable[str] | None = None,
        org: str | None = None,
    ) -> list[MetricRow]:
        """Figures of one indicator (and year, scope), stated ones before derived ones."""
        rows = self.all(indicator, year, scope, org=org)
        if kinds is not None:
            kinds = set(kinds)
            rows = [r for r in rows if r.kind in kinds]
        return sorted(rows, key=lambda r: (r.derived, r.qualifier is not None, r.year or 0))

    def series(
        self, indicator: str, scope: str | None = None, kinds: Iterable[str] = _ACTUAL_KINDS, org: str | None = None
    ) -> dict[int, list[MetricRow]]:
        """Values of an indicator by year (stated first), for trends across years."""
        by_year: dict[int, list[MetricRow]] = {}
        for r in self.lookup(indicator, scope=scope, kinds=kinds, org=org):
            if r.year is not None:
                by_year.setdefault(r.year, []).append(r)
        return dict(sorted(by_year.items()))

    def branch_total(self, indicator: str, year: int, org: str | None = None) -> tuple[Derived | None, list[MetricRow]]:
        """The sum over branches and service points, beside the whole-system figure it should equal."""
        rows = [r for r in self.lookup(indicator, year, org=org) if not r.derived]
        scoped = [r for r in rows if r.scope not in WHOLE_SCOPES]
        if not scoped:
            return None, []
        # One table's rows, at one granularity: the table whose own 合计 row is there, else the fullest one.
        by_doc: dict[str, list[MetricRow]] = {}
        for r in scoped:
            by_doc.setdefault(r.doc_id, []).append(r)
        with_total = [d for d in by_doc if any(r.doc_id == d and r.scope == "全区" for r in rows)]
        doc = with_total[0] if with_total else max(by_doc, key=lambda d: len(by_doc[d]))
        parts: dict[str, MetricRow] = {}
        for r in by_doc[doc]:
            parts.setdefault(r.scope, r)
        whole = [r for r in rows if r.scope in ("", "全区", "合计") and r.kind in _ACTUAL_KINDS]
        return total(list(parts.values())), whole

    def figures_in(self, chunk_id: str) -> list[MetricRow]:
        return self._query("f.chunk_id = ?", (chunk_id,), order="f.char_start")

    def indicators_known(self) -> list[str]:
        rows = self.conn.execute(
            "SELECT DISTINCT f.indicator FROM figures f JOIN documents d ON d.id = f.doc_id "
            "WHERE d.status = 'ready' ORDER BY f.indicator"
        ).fetchall()
        return [r[0] for r in rows]

    def conflicts(self, max_relative_gap: float = 0.5) -> list[Conflict]:
        """The same organisation, indicator, year and scope stated with different values in different documents.

        Only stated, exact figures take part (no derived or approximate ones),
        and values equal once 万 is applied (2.37万人 = 23700人) agree. A gap
        wider than ``max_relative_gap`` means two quantities that share a name
        (驿站 41 联系 vs 63 总数), not one quantity stated twice, and is left out.
        """
        rows = self._query("f.derived = 0 AND f.qualifier IS NULL AND f.kind IN ('actual','cumulative','asof')")
        groups: dict[tuple[str, str, int | None, str, str], list[MetricRow]] = {}
        for r in rows:
            groups.setdefault((r.org, r.indicator, r.year, _scope_key(r.scope), r.base_unit), []).append(r)
        out: list[Conflict] = []
        for (org, indicator, year, scope, _), members in groups.items():
            docs = {m.doc_id for m in members}
            if len(docs) < 2:
                continue
            distinct = _distinct_values(members)
            if len(distinct) < 2:
                continue
            low, high = min(distinct), max(distinct)
            if high == 0 or (high - low) / high > max_relative_gap:
                continue
            by_doc_value = {(m.doc_id, _rounded(m)) for m in members}
            if len({v for _, v in by_doc_value}) < 2:
                continue
            out.append(Conflict(indicator, year, scope, members, org))
        return sorted(out, key=lambda c: (c.indicator, c.year or 0))

    def target_status(self, indicator: str | None = None, year: int | None = None) -> list[TargetStatus]:
        """Each target linked to the actual a later report states for the same indicator and year."""
        out: list[TargetStatus] = []
        targets = [r for r in self.all(indicator, year, include_derived=False) if r.kind == FigureKind.TARGET]
        for target in targets:
            if target.year is None:
                continue
            actuals = [
                r
                for r in self.lookup(target.indicator, target.year, kinds=_ACTUAL_KINDS, org=target.org)
                if not r.derived and r.base_unit == target.base_unit and _scope_key(r.scope) == _scope_key(target.scope)
            ]
            if not actuals:
                out.append(TargetStatus(target.indicator, target.year, "not_reported", target, None))
                continue
            actual = actuals[0]
            capped = any(w in target.quote for w in _CAP_WORDS)
            met = actual.plain_value <= target.plain_value if capped else actual.plain_value >= target.plain_value
            out.append(TargetStatus(target.indicator, target.year, "met" if met else "not_met", target, actual))
        return out


@dataclass
class Derived:
    """A figure Lantai computed (推算), with the formula and the rows it came from."""

    indicator: str
    year: int | None
    value: float
    unit: str
    formula: str
    rows: list[MetricRow]


def total(rows: list[MetricRow]) -> Derived | None:
    """The sum of one indicator over several scopes (branches), in the first row's unit."""
    rows = [r for r in rows if not r.derived]
    if not rows or len({r.base_unit for r in rows}) != 1:
        return None
    scale = rows[0].plain_value / rows[0].value if rows[0].value else 1.0
    value = sum(r.plain_value for r in rows) / scale
    digits = max(len(r.stated.split(".")[1]) - len(r.unit) if "." in r.stated else 0 for r in rows)
    formula = " + ".join(r.stated for r in rows) + f" = {value:.{max(digits, 0)}f}{rows[0].unit}"
    return Derived(
        rows[0].indicator, rows[0].year, round(value, max(digits, 0)), rows[0].unit, f"推算：{formula}", rows
    )


def share(part: MetricRow, whole: MetricRow, decimals: int = 2) -> Derived | None:
    """What share of ``whole`` the ``part`` is, in %."""
    if not units_compatible(part.base_unit, whole.base_unit) or not whole.plain_value:
        return None  # 万人次 of a branch against 万次 of the system is fine; 间 against 万元 is not
    value = round(part.plain_value / whole.plain_value * 100, decimals)
    formula = f"推算：{part.stated} ÷ {whole.stated} = {value:.{decimals}f}%"
    return Derived(part.indicator, part.year, value, "%", formula, [part, whole])


def _scope_key(scope: str) -> str:
    return "" if scope in WHOLE_SCOPES else scope


def _rounded(r: MetricRow) -> float:
    return round(r.plain_value, 6)


def _distinct_values(members: list[MetricRow]) -> list[float]:
    """Values that differ by more than the rounding of the coarser statement."""
    values: list[tuple[float, float]] = []  # (value, tolerance)
    for m in members:
        decimals = len(m.stated.split(".")[1]) - len(m.unit) if "." in m.stated else 0
        scale = m.plain_value / m.value if m.value else 1.0
        tolerance = 0.5 * 10 ** -max(0, decimals) * scale
        if not any(abs(m.plain_value - v) <= max(t, tolerance) + 1e-9 for v, t in values):
            values.append((m.plain_value, tolerance))
    return [v for v, _ in values]
