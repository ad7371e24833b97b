"""Figure questions answered from the metrics table, never from free text.

A figure, a change, a trend, a target against its actual, a goal or a
comparison is a lookup. Values are quoted as the documents state them; any
number computed here is marked 推算 with its formula. A year the base has no
data for gets "未收录…", never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from index import KnowledgeBase, MetricRow

from .basis import stated_basis
from .evidence import places_named
from .figure_names import Name, best_names
from .query import Query
from .statements import Draft
from .types import FigureUsed

_ACTUAL = ("actual", "cumulative", "asof")
# The scopes that mean the whole library or area, not one part of it.
MAIN_SCOPES = ("", "全区", "本馆", "合计")
_KIND_WORD = {"target": "目标"}


@dataclass
class NamedQuery(Query):
    """A query tied to the figure names the documents use (the phrases that fit the question)."""

    phrases: tuple[str, ...] = ()


def _named_rows(rows: list[MetricRow], query: Query) -> list[MetricRow]:
    phrases = getattr(query, "phrases", ())
    return [r for r in rows if r.phrase in phrases] if phrases else rows


# The words of a trend question that ask how a figure moved, not which figure: 2016到2021年是连续增长的吗.
_TREND_WORDS = re.compile(
    r"(?:19|20)\d{2}\s*年?\s*(?:到|至|—|-|~|～)\s*(?:19|20)\d{2}\s*年?|连续|一直|逐年|每年|"
    r"增长|增加|上升|下降|减少|回落|变化|趋势|走势|情况|怎么|怎样|如何|是不是|是否|的吗|吗|呢|在"
)
# Plain figure questions are matched name by name; other intents keep the indicator they name.
_NAME_MATCHED_INTENTS = ("figure", "count")


def _used(row: MetricRow) -> FigureUsed:
    return FigureUsed(
        row.indicator, row.year, row.value, row.unit, row.file_name, row.derived, row.formula, row.stated, row.kind
    )


def _pick(rows: list[MetricRow], query: Query) -> list[MetricRow]:
    """The rows that answer: the asked scope (or the whole system), stated before derived, exact first."""
    if query.scope:
        rows = [r for r in rows if r.scope == query.scope]
    else:  # a question about the whole library is never answered with one branch's figure
        rows = [r for r in rows if r.scope in MAIN_SCOPES]
    stated = [r for r in rows if not r.derived]
    rows = stated or rows
    exact = [r for r in rows if r.qualifier is None]
    rows = exact or rows
    prose = [r for r in rows if r.doc_type != "统计报告"]  # a sentence reads better as a quote than a table row
    rows = prose or rows
    return sorted(rows, key=_source_rank)


def _source_rank(row: MetricRow) -> int:
    """A target is best read in the plan that set it; an actual in the year's own summary."""
    if row.kind == "target":
        return 0 if row.doc_type == "工作计划" else 1 + _SOURCE_RANK.get(row.doc_type, 9)
    return _SOURCE_RANK.get(row.doc_type, 9)


# Which document speaks first for a figure: the year's own summary, then yearbooks and tables, then cases.
_SOURCE_RANK = {"工作总结": 0, "总结暨计划": 0, "工作计划": 1, "年鉴": 2, "统计报告": 3, "案例": 4}


def _distinct(rows: list[MetricRow]) -> list[MetricRow]:
    """One row per distinct value (2.37万人 and 23700人 are one value)."""
    out: list[MetricRow] = []
    for r in rows:
        if not any(abs(r.plain_value - o.plain_value) <= 1e-6 * max(1.0, abs(o.plain_value)) for o in out):
            out.append(r)
    return out


def _org_label(query: Query, row: MetricRow) -> str:
    return row.org or query.org or ""


def _value_text(row: MetricRow) -> str:
    return f"{row.qualifier if row.qualifier in ('近', '超', '约', '不少于', '不低于', '远超') else ''}{row.stated}" + (
        "余" if row.qualifier in ("余",) and "余" not in row.stated else ""
    )


# A second quantity glued to a figure counts the same things another way: 12种100余册 (titles, volumes).
_COMPANION = re.compile(
    r"(\d[\d.,]*\s*(?:万|亿)?\s*(?:余|多)?\s*(?:册次|册|件|种|人次|人|场次|场|个|次|万元|元))(?![\d\u4e00-\u9fff]{0,1}[年月日])"
)


def _companion(row: MetricRow) -> str:
    """The quantity written right after the figure, with nothing between (12种100余册 → （100余册）)."""
    pos = row.quote.find(row.stated)
    if pos < 0:
        return ""
    m = _COMPANION.match(row.quote, pos + len(row.stated))
    return f"（{m.group(1)}）" if m else ""


def _change_text(row: MetricRow) -> str:
    if row.change_pct is None:
        return ""
    word = "增长" if row.change_dir == "up" else "下降"
    written = re.search(r"\d+(?:\.\d+)?%", row.change_text or "")
    return f"，同比{word}{written.group(0) if written else f'{row.change_pct:g}%'}"


class FigureAnswerer:
    def __init__(self, kb: KnowledgeBase, visibility: str | None = None, metrics=None):
        self.kb = kb
        self.metrics = metrics if metrics is not None else kb.metrics.for_visibility(visibility)

    def without(self, doc_ids: set[str]) -> FigureAnswerer:
        """The same answerer, blind to these documents' figures."""
        return self if not doc_ids else FigureAnswerer(self.kb, metrics=self.metrics.without(doc_ids))

    # -- helpers ---------------------------------------------------------------------------------
    def _rows(self, query: Query, year: int | None, kinds=_ACTUAL) -> list[MetricRow]:
        return _named_rows(self.metrics.lookup(query.indicator, year, kinds=kinds, org=query.org), query)

    def _names(self, query: Query) -> list[Query] | None:
        """The question resolved against the figure names the documents use.

        One query per asked figure when the documents' names fit the question (its
        qualifiers included); otherwise [query] when the question names a known
        indicator (the indicator path answers), None when nothing is sure.
        """
        open_trend = query.intent == "trend" and not query.indicator  # 报刊藏量 over the years: a name, not an alias
        if (
            (query.intent not in _NAME_MATCHED_INTENTS and not open_trend)
            or query.superlative
            or len(query.orgs) > 1
            or len(query.scopes) > 1
            or query.follow_up
        ):
            return [query] if query.indicator else None
        if query.years:  # read only the years asked: the whole table grows with every document
            # a year known only by a stated change (比2013年增加…) has its figures worked back (推算)
            rows = [
                r
                for year in sorted(set(query.years))
                for r in self.metrics.all(year=year, org=query.org, include_derived=True)
            ]
        else:
            rows = self.metrics.all(org=query.org, include_derived=False)
        if query.scope:
            rows = [r for r in rows if r.scope == query.scope]
        if query.org:  # the library's own documents speak for it before unattributed ones
            rows = [r for r in rows if r.org == query.org] or rows
        if not rows:
            return [query] if query.indicator else None
        names: dict[Name, None] = {}
        for r in rows:
            known = self.metrics.indicators.get(r.indicator)
            names.setdefault(Name(r.indicator, r.phrase, r.scope, r.unit, known.aliases if known else ()))
        # Who is asked about names no figure: libraries, and places (某省, 某市) the question names.
        orgs = [
            o for o in {r.org for r in rows} | set(query.orgs) | {query.org or ""} | set(places_named(query.text)) if o
        ]
        asked = _TREND_WORDS.sub(" ", query.text) if query.intent == "trend" else query.text
        groups = best_names(asked, orgs, list(names))
        if groups is None:  # no name fits clearly: the indicator the question names, if any, answers
            return [query] if query.indicator else None
        out: list[Query] = []
        for group in groups:
            indicator = group[0].indicator
            phrases = tuple(dict.fromkeys(n.phrase for n in group if n.indicator == indicator))
            out.append(
                NamedQuery(**{**query.__dict__, "indicator": indicator, "indicators": [indicator]}, phrases=phrases)
            )
        return out

    def _years_with_data(self, query: Query, kinds=_ACTUAL) -> list[int]:
        """Years with a stated figure for the asked scope (or the whole library)."""
        rows = [r for r in self._rows(query, None, kinds) if r.year and not r.derived]
        return sorted({r.year for r in _pick(rows, query)})

    def _missing_year(self, draft: Draft, query: Query, year: int, kinds=_ACTUAL) -> bool:
        """'未收录2025年的数据，最近的是2024年：…' — answered with the nearest year, flagged as no data."""
        years = self._years_with_data(query, kinds)
        if not years:
            return False
        if query.org is None and len({r.org for r in self._rows(query, None, kinds)}) > 1:
            return False  # no library named: another library's latest year says nothing of the one meant
        latest = max(years)
        rows = _pick(self._rows(query, latest, kinds), query)
        if not rows:
            return False
        row = rows[0]
        draft.refused = True
        draft.add(
            f"未收录{year}年的{query.indicator}数据，最近的是{latest}年：{_org_label(query, row)}{latest}年"
            f"{query.indicator}{_KIND_WORD.get(row.kind, '')}为{_value_text(row)}",
            row.chunk_id,
            row.quote,
        )
        draft.figures.append(_used(row))
        return True

    def _state(self, draft: Draft, query: Query, rows: list[MetricRow], year: int, with_change: bool) -> None:
        orgs = list(dict.fromkeys(r.org for r in rows))
        if len(orgs) > 1:  # no library named and several have the figure: one statement each
            for org in orgs:
                self._state(draft, query, [r for r in rows if r.org == org], year, with_change)
            return
        distinct = _distinct(rows)
        first = distinct[0]
        # Values far apart in other documents are two quantities sharing a name (全区 196.48万次 vs 驿站
        # 19.86万人次), not one figure stated twice; values in the same document are items of a list.
        distinct = [
            r
            for r in distinct
            if r.doc_id == first.doc_id
            or abs(r.plain_value - first.plain_value) <= 0.5 * max(abs(first.plain_value), 1e-9)
        ]
        label = f"{_org_label(query, first)}{year}年{first.indicator}"
        if first.scope and first.scope not in MAIN_SCOPES:
            label = f"{first.scope}{year}年{first.indicator}"
        kind = _KIND_WORD.get(first.kind, "")
        if len(distinct) == 1:
            change = _change_text(first) if with_change else ""
            source = ""
            if first.kind == "target":  # a plan's wording carries what goes with the target (总数达到71间)
                clause = _clause_of(first)
                source = f"（原文：{clause}）" if clause and clause != first.stated else ""
            if first.derived:  # worked back from a stated change: said so, with its formula
                formula = (first.formula or "").removeprefix("推算：")
                draft.add(f"{label}{kind}据此推算约为{first.stated}（推算：{formula}）", first.chunk_id, first.quote)
                draft.figures.append(_used(first))
                return
            draft.add(
                f"{label}{kind}为{_value_text(first)}{_companion(first)}{change}{source}", first.chunk_id, first.quote
            )
            draft.figures.append(_used(first))
            return
        if len({r.doc_id for r in distinct}) == 1:  # "两个项目分别仍有509.22万元和242.12万元"
            values = "、".join(_value_text(r) for r in distinct)
            draft.add(f"{label}{kind}分别为{values}", first.chunk_id, first.quote)
            draft.figures.extend(_used(r) for r in distinct)
            return
        draft.add(f"{label}{kind}在不同文档中的数值不一致", [])
        for r in distinct:
            title = r.title if r.title.startswith("《") else f"《{r.title or r.file_name}》"
            basis = self._basis(r)
            draft.add(f"{title}记为{_value_text(r)}{f'（口径：{basis}）' if basis else ''}", r.chunk_id, r.quote)
            draft.figures.append(_used(r))

    def _basis(self, row: MetricRow) -> str:
        """What the row's document says its figure covers (口径), from its sentence or its passage."""
        chunk = self.kb.registry.chunks([row.chunk_id]).get(row.chunk_id) if row.chunk_id else None
        known = self.kb.metrics.indicators.get(row.indicator)
        names = tuple(dict.fromkeys(n for n in (row.phrase, row.indicator, *(known.aliases if known else ())) if n))
        return stated_basis(row.stated, row.quote, chunk.text if chunk else "", names)

    # -- entry point -----------------------------------------------------------------------------
    def answer(self, query: Query) -> Draft | None:
        """Dispatch on intent; several indicators, libraries or branches are answered one by one."""
        if query.superlative and query.indicator:
            return self.extreme(query)
        method = {
            "change": self.change,
            "trend": self.trend,
            "plan_vs_actual": self.plan_vs_actual,
            "goal": self.goal,
            "comparison": self.comparison,
        }.get(query.intent, self.figure)
        named = self._names(query)
        if named is None:
            return None  # not sure which figure is asked: the best evidence sentences answer
        if len(named) > 1:
            return self._several(named, method)
        query = named[0]
        variants = [query]
        if len(query.orgs) > 1:
            variants = [replace(query, org=o) for o in query.orgs]
        elif len(query.scopes) > 1:
            variants = [replace(query, scope=sc) for sc in query.scopes]
        elif len(query.indicators) > 1 and query.intent in ("figure", "count", "goal"):
            variants = [replace(query, indicator=i) for i in query.indicators]
        drafts = []
        for v in variants:
            d = method(v) if v.indicator else None
            if d is None and method is not self.figure and v.indicator:
                d = self.figure(v)
            if d is not None:
                drafts.append(d)
        if not drafts and query.intent == "trend" and not getattr(query, "phrases", ()) and query.indicator:
            # 讲座 is an alias, but the table names its own figure (组织各类讲座次数): match by name instead
            return self.answer(replace(query, indicator=None, indicators=[]))
        if not drafts:
            return None
        merged = Draft()
        for d in drafts:
            merged.statements += d.statements
            merged.figures += d.figures
            merged.as_list = merged.as_list or d.as_list
            merged.intro = merged.intro or d.intro
        merged.refused = all(d.refused for d in drafts)
        if len(variants) > 1 and query.intent == "comparison":
            self._compare_variants(merged, drafts, variants)
        return merged

    def _several(self, queries: list[Query], method) -> Draft | None:
        """Two figures asked at once: each answered, or said to be missing."""
        merged = Draft()
        for q in queries:
            d = method(q) or (self.figure(q) if method is not self.figure else None)
            if d is None:
                merged.add(f"文档中没有{q.phrases[0] if getattr(q, 'phrases', ()) else q.indicator}的数据", [])
                continue
            merged.statements += d.statements
            merged.figures += d.figures
        if not merged.figures:
            return None
        return merged

    def no_data(self, query: Query) -> bool:
        """The indicator is known but this library reports nothing for it: refuse rather than guess."""
        if not query.indicator:
            return False
        orgs = query.orgs or [query.org]
        kinds = ("target",) if query.wants_target and query.intent in ("goal", "figure", "count") else None
        return all(not _pick(self.metrics.lookup(query.indicator, org=o, kinds=kinds), query) for o in orgs)

    def extreme(self, query: Query) -> Draft | None:
        """哪个分馆进馆人次最多: the branch or service point with the highest (lowest) value."""
        years = query.years or self._years_with_data(query)[-1:]
        if not years:
            return None
        kind_word = "服务点" if "服务点" in query.text else ("驿站" if "驿站" in query.text else "分馆")
        rows: list[MetricRow] = []
        for indicator in query.indicators or [query.indicator]:  # "哪个分馆进馆人次最多": not 分馆数
            if kind_word in indicator:
                continue
            rows = [
                r
                for r in self._rows(replace(query, indicator=indicator), years[-1])
                if not r.derived
                and r.scope.endswith(kind_word)
                and len(r.scope) > len(kind_word)
                and r.scope not in MAIN_SCOPES
            ]
            if rows:
                break
        if not rows:
            return None
        best = (max if query.superlative == "max" else min)(rows, key=lambda r: r.plain_value)
        word = "最多" if query.superlative == "max" else "最少"
        draft = Draft()
        draft.add(
            f"{years[-1]}年{best.indicator}{word}的是{best.scope}，为{_value_text(best)}", best.chunk_id, best.quote
        )
        draft.figures.append(_used(best))
        return draft

    def _compare_variants(self, merged: Draft, drafts: list[Draft], variants: list[Query]) -> None:
        firsts = [next((f for f in d.figures if not f.derived), None) for d in drafts]
        if len(firsts) == 2 and all(firsts) and firsts[0].unit == firsts[1].unit and firsts[0].value != firsts[1].value:
            a, b = firsts
            label_a = variants[0].org or variants[0].scope or ""
            label_b = variants[1].org or variants[1].scope or ""
            more = label_a if a.value > b.value else label_b
            merged.add(f"{more}更多", [])

    # -- intents ---------------------------------------------------------------------------------
    def figure(self, query: Query, with_change: bool = True) -> Draft | None:
        kinds = ("target",) if query.wants_target and query.intent in ("goal", "figure") else _ACTUAL
        years = query.years or self._years_with_data(query, kinds)[-1:]
        draft = Draft()
        for year in years:
            rows = _pick(self._rows(query, year, kinds), query)
            if rows:
                self._state(draft, query, rows, year, with_change)
            elif not self._missing_year(draft, query, year, kinds):
                return None
        return draft if draft.statements else None

    def goal(self, query: Query) -> Draft | None:
        goal_query = Query(**{**query.__dict__, "wants_target": True})
        return self.figure(goal_query, with_change=False)

    def change(self, query: Query) -> Draft | None:
        years = query.years or self._years_with_data(query)[-1:]
        draft = Draft()
        for year in years:
            rows = _pick(self._rows(query, year), query)
            if not rows:
                if self._missing_year(draft, query, year):
                    continue
                return None
            row = rows[0]
            self._state(draft, query, [row], year, with_change=True)
            prior = [r for r in _pick(self._rows(query, year - 1), query) if not r.derived]
            if prior:
                self._difference(draft, query, prior[0], row)
            elif row.change_pct is not None:
                derived = [
                    r for r in self._rows(query, year - 1) if r.derived and r.formula and row.stated in r.formula
                ]
                if derived:
                    d = derived[0]
                    draft.add(f"据此推算{year - 1}年约为{d.stated}（{d.formula.removeprefix('推算：')}）", d.chunk_id)
                    draft.figures.append(_used(d))
        return draft if draft.statements else None

    def _difference(self, draft: Draft, query: Query, before: MetricRow, after: MetricRow) -> None:
        if before.base_unit != after.base_unit or before.plain_value == 0:
            return
        scale = after.plain_value / after.value if after.value else 1.0
        diff = (after.plain_value - before.plain_value) / scale
        pct = (after.plain_value - before.plain_value) / before.plain_value * 100
        word = "增加" if diff >= 0 else "减少"
        digits = max(_decimals(before), _decimals(after))
        formula = f"({after.stated} - {before.stated}) ÷ {before.stated}"
        draft.add(f"{before.year}年为{_value_text(before)}", before.chunk_id, before.quote)
        draft.add(f"比{before.year}年{word}{abs(diff):.{digits}f}{after.unit}，变化{pct:+.2f}%（推算：{formula}）", [])
        draft.figures.append(_used(before))
        draft.figures.append(
            FigureUsed(
                after.indicator,
                after.year,
                round(abs(diff), digits),
                after.unit,
                after.file_name,
                True,
                f"推算：{after.stated} - {before.stated}",
                f"{abs(diff):.{digits}f}{after.unit}",
            )
        )
        draft.figures.append(
            FigureUsed(
                after.indicator,
                after.year,
                round(pct, 2),
                "%",
                after.file_name,
                True,
                f"推算：{formula}",
                f"{pct:+.2f}%",
            )
        )

    def trend(self, query: Query) -> Draft | None:
        series = self._series(query)
        points: list[MetricRow] = []
        for year, rows in series.items():
            if query.years and len(query.years) > 1 and not min(query.years) <= year <= max(query.years):
                continue
            picked = [r for r in _pick(_named_rows(rows, query), query) if not r.derived]
            if picked:
                points.append(picked[0])
        if len(points) < 2:
            return None
        draft = Draft(intro="")
        org = _org_label(query, points[-1])
        parts = "、".join(f"{p.year}年{_value_text(p)}" for p in points)
        draft.add(f"{org}{points[0].indicator}：{parts}", [p.chunk_id for p in points])
        draft.figures.extend(_used(p) for p in points)
        runs = _run_length(points)
        first = points[-1 - runs] if runs < len(points) else points[0]
        falling = points[-1].plain_value < points[-2].plain_value
        if runs == len(points) - 1 and first.change_dir == ("down" if falling else "up"):
            runs += 1  # the earliest year's own stated change goes the same way
        if runs >= 2:
            word = "下降" if points[-1].plain_value < points[-2].plain_value else "增长"
            draft.add(f"截至{points[-1].year}年已连续{runs}年{word}", [])
        else:
            word = "下降" if points[-1].plain_value < points[-2].plain_value else "增长"
            draft.add(f"{points[-1].year}年比上年{word}，并非连续多年同向变化", [])
        if len(points) >= 3 and runs < len(points) - 1:  # ups and downs: say where the series ends up overall
            overall = "下降" if points[-1].plain_value < points[0].plain_value else "增长"
            high = max(points, key=lambda p: p.plain_value)
            draft.add(
                f"期间有升有降，{points[-1].year}年比{points[0].year}年总体{overall}，"
                f"最高为{high.year}年的{_value_text(high)}",
                [],
            )
        return draft

    def _series(self, query: Query) -> dict[int, list[MetricRow]]:
        """Values by year: of the indicator, or of the figure names the question was matched to (a name of
        the document's own is read as written, never mapped to an alias inside it)."""
        phrases = getattr(query, "phrases", ())
        if not phrases:
            return self.metrics.series(query.indicator, org=query.org)
        by_year: dict[int, list[MetricRow]] = {}
        for r in self.metrics.all(org=query.org):
            if r.phrase in phrases and r.year is not None and r.kind in _ACTUAL:
                by_year.setdefault(r.year, []).append(r)
        return dict(sorted(by_year.items()))

    def plan_vs_actual(self, query: Query) -> Draft | None:
        years = query.years or [None]
        statuses = []
        for year in years:
            statuses += [
                s
                for s in self.metrics.target_status(query.indicator, year)
                if not query.org or s.target.org == query.org
            ]
        statuses = [s for s in statuses if s.target.scope in MAIN_SCOPES]
        if not statuses:
            return None
        seen: set[tuple] = set()
        draft = Draft(as_list=len(statuses) > 1)
        for s in statuses:
            key = (s.indicator, s.year, s.target.plain_value)
            if key in seen:
                continue
            seen.add(key)
            target = f"{s.target.qualifier if s.target.qualifier in ('不少于', '不低于') else ''}{s.target.stated}"
            if s.status == "not_reported":
                draft.add(f"{s.year}年{s.indicator}目标{target}，尚无实际完成数据", s.target.chunk_id, s.target.quote)
                draft.figures.append(_used(s.target))
                continue
            verdict = "已完成" if s.status == "met" else "未完成"
            draft.add(
                f"{s.year}年{s.indicator}目标{target}，实际{_value_text(s.actual)}，{verdict}",
                [s.target.chunk_id, s.actual.chunk_id],
                s.actual.quote,
            )
            draft.figures += [_used(s.target), _used(s.actual)]
        if len(draft.statements) > 12:  # a whole year's targets: keep the ones that were judged
            judged = [st for st in draft.statements if "尚无实际" not in st.text]
            draft.statements = (judged or draft.statements)[:12]
        return draft

    def comparison(self, query: Query) -> Draft | None:
        if len(query.years) >= 2:
            rows = []
            for year in query.years[:3]:
                picked = _pick(self._rows(query, year), query)
                if not picked:
                    return None
                rows.append(picked[0])
            draft = Draft()
            for r in rows:
                draft.add(f"{_org_label(query, r)}{r.year}年{r.indicator}为{_value_text(r)}", r.chunk_id, r.quote)
                draft.figures.append(_used(r))
            self._compare_pair(draft, rows[0], rows[-1], f"{rows[-1].year}年比{rows[0].year}年")
            return draft
        return None

    def _compare_pair(self, draft: Draft, a: MetricRow, b: MetricRow, label: str) -> None:
        if a.base_unit != b.base_unit or a.plain_value == 0:
            return
        scale = b.plain_value / b.value if b.value else 1.0
        diff = (b.plain_value - a.plain_value) / scale
        digits = max(_decimals(a), _decimals(b))
        pct = (b.plain_value - a.plain_value) / a.plain_value * 100
        word = "增加" if diff >= 0 else "减少"
        draft.add(f"{label}{word}{abs(diff):.{digits}f}{b.unit}（{pct:+.2f}%，推算）", [])
        draft.figures.append(
            FigureUsed(
                b.indicator,
                b.year,
                round(abs(diff), digits),
                b.unit,
                b.file_name,
                True,
                f"推算：{b.stated} - {a.stated}",
                f"{abs(diff):.{digits}f}{b.unit}",
            )
        )
        draft.figures.append(
            FigureUsed(
                b.indicator,
                b.year,
                round(pct, 2),
                "%",
                b.file_name,
                True,
                f"推算：({b.stated} - {a.stated}) ÷ {a.stated}",
                f"{pct:+.2f}%",
            )
        )


def _clause_of(row: MetricRow) -> str:
    """The sentence part (up to ；/。) that states a figure."""
    pos = row.quote.find(row.stated)
    if pos < 0:
        return ""
    start = max(row.quote.rfind(p, 0, pos) for p in "。；;") + 1
    ends = [e for e in (row.quote.find(p, pos) for p in "。；;") if e >= 0]
    return row.quote[start : min(ends) if ends else len(row.quote)].strip()[:80]


def _decimals(row: MetricRow) -> int:
    number = row.stated[: len(row.stated) - len(row.unit)] if row.stated.endswith(row.unit) else row.stated
    return len(number.split(".")[1]) if "." in number else 0


def _run_length(points: list[MetricRow]) -> int:
    """How many consecutive years the latest direction has held."""
    if len(points) < 2:
        return 0
    down = points[-1].plain_value < points[-2].plain_value
    runs = 0
    for a, b in zip(reversed(points[:-1]), reversed(points[1:])):
        if (b.plain_value < a.plain_value) == down and b.plain_value != a.plain_value and b.year == a.year + 1:
            runs += 1
        else:
            break
    return runs
