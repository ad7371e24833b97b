"""Figure questions answered from the metrics table, never from free text.

A figure, a change, a trend, a target against its actual, a goal or a
comparison is a lookup. Values are quoted as the documents state them; any
number computed here is marked 推算 with its formula. A year the base has no
data for gets "未收录…", never a guess.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from index import MetricRow

from .evidence import key_terms
from .figure_lookup import FigureLookup
from .figure_rows import (
    ACTUAL_KINDS,
    MAIN_SCOPES,
    decimals_of,
    distinct_rows,
    figure_used,
    named_rows,
    org_label,
    pick_rows,
    run_length,
    value_text,
)
from .named_in_question import libraries_apart
from .query import Intent, Query
from .series_words import against_asked, year_step
from .statements import Draft
from .types import FigureUsed


class FigureAnswerer(FigureLookup):
    """Every figure question: one figure, a change, a trend, a target against its actual, a comparison."""

    # -- entry point -----------------------------------------------------------------------------
    def answer(self, query: Query) -> Draft | None:
        """Dispatch on intent; several indicators, libraries or branches are answered one by one."""
        if query.superlative and query.indicator:
            return self.extreme(query)
        method = {
            Intent.CHANGE: self.change,
            Intent.TREND: self.trend,
            Intent.PLAN_VS_ACTUAL: self.plan_vs_actual,
            Intent.GOAL: self.goal,
            Intent.COMPARISON: self.comparison,
        }.get(query.intent, self.figure)
        named = self.names(query)
        if named is None:
            return None  # not sure which figure is asked: the best evidence sentences answer
        if len(named) > 1:
            return self._several(named, method)
        query = named[0]
        variants = [query]
        readings = len(query.orgs) > 1 and libraries_apart(query.text, query.orgs) <= 1
        if len(query.orgs) > 1:
            variants = [replace(query, org=o) for o in query.orgs]
        elif len(query.scopes) > 1:
            variants = [replace(query, scope=sc) for sc in query.scopes]
        elif len(query.indicators) > 1 and query.intent in (Intent.FIGURE, Intent.COUNT, Intent.GOAL):
            variants = [replace(query, indicator=i) for i in query.indicators]
        drafts = []
        for v in variants:
            d = method(v) if v.indicator else None
            if d is None and method is not self.figure and v.indicator:
                d = self.figure(v)
            if d is not None:
                drafts.append(d)
                if readings and not d.refused:
                    break  # one library named, read two ways (某市馆): the first reading that answers stands
        if not drafts and query.intent == Intent.TREND and not getattr(query, "phrases", ()) and query.indicator:
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
        if len(variants) > 1 and query.intent == Intent.COMPARISON:
            self._compare_variants(merged, drafts, variants)
        return merged

    def _several(self, queries: list[Query], method) -> Draft | None:
        """Two figures asked at once: each answered, or said to be missing."""
        merged = Draft()
        for q in queries:
            d = method(q) or (self.figure(q) if method is not self.figure else None)
            if d is None:
                phrases = getattr(q, "phrases", ())
                merged.add(f"文档中没有{phrases[0] if phrases else q.indicator}的数据", [])
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
        orgs: list[str | None] = [*query.orgs] or [query.org]
        kinds = (
            ("target",) if query.wants_target and query.intent in (Intent.GOAL, Intent.FIGURE, Intent.COUNT) else None
        )
        return all(not pick_rows(self.metrics.lookup(query.indicator, org=o, kinds=kinds), query) for o in orgs)

    def extreme(self, query: Query) -> Draft | None:
        """哪个分馆进馆人次最多: the branch or service point with the highest (lowest) value."""
        years = query.years or self.years_with_data(query)[-1:]
        if not years:
            return None
        kind_word = "服务点" if "服务点" in query.text else ("驿站" if "驿站" in query.text else "分馆")
        rows: list[MetricRow] = []
        asked = query.indicators or ([query.indicator] if query.indicator else [])  # answer() asks with one
        for indicator in asked:  # "哪个分馆进馆人次最多": not 分馆数
            if kind_word in indicator:
                continue
            rows = [
                r
                for r in self.rows(replace(query, indicator=indicator), years[-1])
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
            f"{years[-1]}年{best.indicator}{word}的是{best.scope}，为{value_text(best)}", best.chunk_id, best.quote
        )
        draft.figures.append(figure_used(best))
        return draft

    def _compare_variants(self, merged: Draft, drafts: list[Draft], variants: list[Query]) -> None:
        firsts = [next((f for f in d.figures if not f.derived), None) for d in drafts]
        if len(firsts) != 2:
            return
        a, b = firsts
        if a is not None and b is not None and a.unit == b.unit and a.value != b.value:
            label_a = variants[0].org or variants[0].scope or ""
            label_b = variants[1].org or variants[1].scope or ""
            more = label_a if a.value > b.value else label_b
            merged.add(f"{more}更多", [])

    def change(self, query: Query) -> Draft | None:
        years = query.years or self.years_with_data(query)[-1:]
        draft = Draft()
        for year in years:
            rows = pick_rows(self.rows(query, year), query)
            if not rows:
                if self.missing_year(draft, query, year):
                    continue
                return None
            # the source that states the year's change speaks for it, against its own figure of the year before
            row = next((r for r in rows if r.change_pct is not None), rows[0])
            self.state(draft, query, [row], year, with_change=True)
            prior = [r for r in pick_rows(self.rows(query, year - 1), query) if not r.derived]
            prior.sort(key=lambda r: r.doc_id != row.doc_id)
            if prior:
                self._difference(draft, query, prior[0], row)
            elif row.change_pct is not None:
                derived = [r for r in self.rows(query, year - 1) if r.derived and r.formula and row.stated in r.formula]
                if derived:
                    d = derived[0]
                    draft.add(
                        f"据此推算{year - 1}年约为{d.stated}（{(d.formula or '').removeprefix('推算：')}）", d.chunk_id
                    )
                    draft.figures.append(figure_used(d))
        return draft if draft.statements else None

    def _difference(self, draft: Draft, query: Query, before: MetricRow, after: MetricRow) -> None:
        if before.base_unit != after.base_unit or before.plain_value == 0:
            return
        scale = after.plain_value / after.value if after.value else 1.0
        diff = (after.plain_value - before.plain_value) / scale
        pct = (after.plain_value - before.plain_value) / before.plain_value * 100
        word = "增加" if diff >= 0 else "减少"
        digits = max(decimals_of(before), decimals_of(after))
        formula = f"({after.stated} - {before.stated}) ÷ {before.stated}"
        draft.add(f"{before.year}年为{value_text(before)}", before.chunk_id, before.quote)
        draft.add(f"比{before.year}年{word}{abs(diff):.{digits}f}{after.unit}，变化{pct:+.2f}%（推算：{formula}）", [])
        draft.figures.append(figure_used(before))
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
        # the document that gives most of the years speaks for each of them: one source, one 口径
        spans = Counter(doc for doc in {(r.doc_id, r.year) for rows in series.values() for r in rows})
        covers = Counter(doc for doc, _ in spans)
        points: list[MetricRow] = []
        for year, rows in series.items():
            if query.years and len(query.years) > 1 and not min(query.years) <= year <= max(query.years):
                continue
            picked = [r for r in pick_rows(named_rows(rows, query), query) if not r.derived]
            if picked:  # sources that agree: the best quote; sources that differ: the one of most years
                agree = len(distinct_rows(picked)) == 1
                points.append(picked[0] if agree else max(picked, key=lambda r: (covers[r.doc_id], -picked.index(r))))
        if len(points) < 2:
            return None
        draft = Draft(intro="")
        org = org_label(query, points[-1])
        parts = "、".join(f"{p.year}年{value_text(p)}" for p in points)
        draft.add(f"{org}{points[0].indicator}：{parts}", [p.chunk_id for p in points])
        draft.figures.extend(figure_used(p) for p in points)
        against = against_asked(query.text, points)
        if against:
            draft.add(against, [])
        runs = run_length(points)
        first = points[-1 - runs] if runs < len(points) else points[0]
        falling = points[-1].plain_value < points[-2].plain_value
        if runs == len(points) - 1 and first.change_dir == ("down" if falling else "up"):
            runs += 1  # the earliest year's own stated change goes the same way
        if runs >= 2:
            word = "下降" if points[-1].plain_value < points[-2].plain_value else "增长"
            draft.add(f"截至{points[-1].year}年已连续{runs}年{word}", [])
        elif len(points) == 2:
            draft.add(year_step(points[0], points[1]), [])
        else:  # 2022年比2021年下降，2023年比2022年增长: each year's way, then that it went both ways
            recent = points[-5:]
            steps = "，".join(year_step(a, b) for a, b in zip(recent, recent[1:]))
            draft.add(f"{steps}，并非逐年同向变化", [])
        if len(points) >= 3 and runs < len(points) - 1:  # ups and downs: say where the series ends up overall
            overall = "下降" if points[-1].plain_value < points[0].plain_value else "增长"
            high = max(points, key=lambda p: p.plain_value)
            draft.add(
                f"期间有升有降，{points[-1].year}年比{points[0].year}年总体{overall}，"
                f"最高为{high.year}年的{value_text(high)}",
                [],
            )
        return draft

    def _series(self, query: Query) -> dict[int, list[MetricRow]]:
        """Values by year: of the indicator, or of the figure names the question was matched to (a name of
        the document's own is read as written, never mapped to an alias inside it)."""
        phrases = getattr(query, "phrases", ())
        if not phrases:
            # series() reads no indicator as every one, as all() does; its annotation says str
            return self.metrics.series(query.indicator, org=query.org)  # type: ignore[arg-type]
        by_year: dict[int, list[MetricRow]] = {}
        for r in self.metrics.all(org=query.org):
            if r.phrase in phrases and r.year is not None and r.kind in ACTUAL_KINDS:
                by_year.setdefault(r.year, []).append(r)
        return dict(sorted(by_year.items()))

    def plan_vs_actual(self, query: Query) -> Draft | None:
        years: list[int | None] = [*query.years] or [None]
        statuses = []
        for year in years:
            statuses += [
                s
                for s in self.metrics.target_status(query.indicator, year)
                if not query.org or s.target.org == query.org
            ]
        statuses = [s for s in statuses if s.target.scope in MAIN_SCOPES]
        if query.indicator is None:
            statuses = _on_subject(query.text, statuses)
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
                draft.figures.append(figure_used(s.target))
                continue
            assert s.actual is not None  # a met or missed target has its actual
            verdict = "已完成" if s.status == "met" else "未完成"
            draft.add(
                f"{s.year}年{s.indicator}目标{target}，实际{value_text(s.actual)}，{verdict}",
                [s.target.chunk_id, s.actual.chunk_id],
                s.actual.quote,
            )
            draft.figures += [figure_used(s.target), figure_used(s.actual)]
        if len(draft.statements) > 12:  # a whole year's targets: keep the ones that were judged
            judged = [st for st in draft.statements if "尚无实际" not in st.text]
            draft.statements = (judged or draft.statements)[:12]
        return draft

    def comparison(self, query: Query) -> Draft | None:
        if len(query.years) >= 2:
            rows = []
            for year in query.years[:3]:
                picked = pick_rows(self.rows(query, year), query)
                if not picked:
                    return None
                rows.append(picked[0])
            draft = Draft()
            for r in rows:
                draft.add(f"{org_label(query, r)}{r.year}年{r.indicator}为{value_text(r)}", r.chunk_id, r.quote)
                draft.figures.append(figure_used(r))
            self._compare_pair(draft, rows[0], rows[-1], f"{rows[-1].year}年比{rows[0].year}年")
            return draft
        return None

    def _compare_pair(self, draft: Draft, a: MetricRow, b: MetricRow, label: str) -> None:
        if a.base_unit != b.base_unit or a.plain_value == 0:
            return
        scale = b.plain_value / b.value if b.value else 1.0
        diff = (b.plain_value - a.plain_value) / scale
        digits = max(decimals_of(a), decimals_of(b))
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


# Words that only say a plan was set and judged: what is left names the target's subject.
_PLAN_WORDS = re.compile(r"目标|计划|任务|指标|完成|实现|达到|达成|情况")


def _on_subject(question: str, statuses: list) -> list:
    """Targets the question's own subject names (数字资源访问量的目标实现了吗): none when it names one no
    target has, all when it names none (2023年的目标都完成了吗)."""
    terms = [t for t in (_PLAN_WORDS.sub("", t) for t in key_terms(question)) if len(t) >= 2]
    if not terms:
        return statuses
    return [
        s
        for s in statuses
        if any(t in f"{s.indicator}{s.target.phrase}{s.actual.phrase if s.actual else ''}" for t in terms)
    ]
