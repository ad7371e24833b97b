"""One figure looked up in the metrics table: the names the documents give it, the rows of the year asked,
and the statement of its value (with its change and basis), or 未收录 for a year the base lacks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Self

from index import KnowledgeBase, MetricRow

from .basis import stated_basis
from .evidence import places_named
from .figure_names import Name, best_names, narrowing_words, narrows, residual
from .figure_rows import (
    ACTUAL_KINDS,
    KIND_WORD,
    MAIN_SCOPES,
    change_text,
    clause_of,
    companion,
    distinct_rows,
    figure_used,
    in_scope,
    named_rows,
    org_label,
    pick_rows,
    value_text,
    words_up_to,
)
from .named_in_question import libraries_apart
from .query import Intent, Query
from .statements import Draft


@dataclass
class NamedQuery(Query):
    """A query tied to the figure names the documents use (the phrases that fit the question)."""

    phrases: tuple[str, ...] = ()


# The words of a trend question that ask how a figure moved, not which figure: 2016到2021年是连续增长的吗.
_TREND_WORDS = re.compile(
    r"(?:19|20)\d{2}\s*年?\s*(?:到|至|—|-|~|～)\s*(?:19|20)\d{2}\s*年?|连续|一直|逐年|每年|这几年|近几年|几年来|历年|"
    r"(?:这|近|最近)[两二三四五六七八九十]年(?:来|间|里)?|"
    r"(?:是)?(?:多了|增加了|上升了|多)还是(?:少了|减少了|下降了|少)|"
    r"是增是减|增还是减|往上走|往下走|"
    r"增长|增加|上升|下降|减少|回落|变化|趋势|走势|情况|怎么|怎样|如何|是不是|是否|的吗|吗|呢|在"
)

# Plain figure questions are matched name by name; other intents keep the indicator they name.
_NAME_MATCHED_INTENTS = (Intent.FIGURE, Intent.COUNT)


class FigureLookup:
    """The metrics table as one channel sees it, read figure by figure."""

    def __init__(self, kb: KnowledgeBase, visibility: str | None = None, metrics=None):
        self.kb = kb
        self.metrics = metrics if metrics is not None else kb.metrics.for_visibility(visibility)

    def without(self, doc_ids: set[str]) -> Self:
        """The same answerer, blind to these documents' figures."""
        return self if not doc_ids else type(self)(self.kb, metrics=self.metrics.without(doc_ids))

    # -- helpers ---------------------------------------------------------------------------------
    def rows(self, query: Query, year: int | None, kinds=ACTUAL_KINDS) -> list[MetricRow]:
        # lookup() reads no indicator as every one, as all() does; its annotation says str
        rows = self.metrics.lookup(query.indicator, year, kinds=kinds, org=query.org)  # type: ignore[arg-type]
        return named_rows(rows, query)

    def names(self, query: Query) -> list[Query] | None:
        """The question resolved against the figure names the documents use.

        One query per asked figure when the documents' names fit the question (its
        qualifiers included); otherwise [query] when the question names a known
        indicator (the indicator path answers), None when nothing is sure.
        """
        open_trend = (
            query.intent == Intent.TREND and not query.indicator
        )  # 报刊藏量 over the years: a name, not an alias
        if (
            (query.intent not in _NAME_MATCHED_INTENTS and not open_trend)
            or query.superlative
            or (len(query.orgs) > 1 and libraries_apart(query.text, query.orgs) > 1)
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
            rows = [r for r in rows if in_scope(r, query)]
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
        asked = _TREND_WORDS.sub(" ", query.text) if query.intent == Intent.TREND else query.text
        groups = best_names(asked, orgs, list(names))
        if groups is None:  # no name fits clearly: the indicator the question names answers, unless the
            # question asks for part of it (少儿书外借 of 外借册次): then the best evidence sentences do
            return [query] if query.indicator and not self._narrowed(asked, orgs, query.indicator) else None
        out: list[Query] = []
        for group in groups:
            indicator = group[0].indicator
            phrases = tuple(dict.fromkeys(n.phrase for n in group if n.indicator == indicator))
            out.append(
                NamedQuery(**{**query.__dict__, "indicator": indicator, "indicators": [indicator]}, phrases=phrases)
            )
        return out

    def _narrowed(self, asked: str, orgs: list[str], indicator: str) -> bool:
        known = self.metrics.indicators.get(indicator)
        name = Name(
            indicator, indicator, "", known.unit if known and known.unit else "", known.aliases if known else ()
        )
        return narrows(residual(asked, orgs), name)

    def years_with_data(self, query: Query, kinds=ACTUAL_KINDS) -> list[int]:
        """Years with a stated figure for the asked scope (or the whole library)."""
        rows = [r for r in self.rows(query, None, kinds) if r.year and not r.derived]
        return sorted({r.year for r in pick_rows(rows, query) if r.year})

    def missing_year(self, draft: Draft, query: Query, year: int, kinds=ACTUAL_KINDS) -> bool:
        """'未收录2025年的数据，最近的是2024年：…' — answered with the nearest year, flagged as no data."""
        years = self.years_with_data(query, kinds)
        if not years:
            return False
        if query.org is None and len({r.org for r in self.rows(query, None, kinds)}) > 1:
            return False  # no library named: another library's latest year says nothing of the one meant
        latest = max(years)
        rows = pick_rows(self.rows(query, latest, kinds), query)
        if not rows:
            return False
        row = rows[0]
        draft.refused = True
        draft.add(
            f"未收录{year}年的{query.indicator}数据，最近的是{latest}年：{org_label(query, row)}{latest}年"
            f"{query.indicator}{KIND_WORD.get(row.kind, '')}为{value_text(row)}",
            row.chunk_id,
            row.quote,
        )
        draft.figures.append(figure_used(row))
        return True

    def state(self, draft: Draft, query: Query, rows: list[MetricRow], year: int, with_change: bool) -> None:
        orgs = list(dict.fromkeys(r.org for r in rows))
        if len(orgs) > 1:  # no library named and several have the figure: one statement each
            for org in orgs:
                self.state(draft, query, [r for r in rows if r.org == org], year, with_change)
            return
        distinct = distinct_rows(rows)
        first = distinct[0]
        # Values far apart in other documents are two quantities sharing a name (全区 196.48万次 vs 驿站
        # 19.86万人次), not one figure stated twice; values in the same document are items of a list.
        distinct = [
            r
            for r in distinct
            if r.doc_id == first.doc_id
            or abs(r.plain_value - first.plain_value) <= 0.5 * max(abs(first.plain_value), 1e-9)
        ]
        # 少儿文献外借 is named as the document names it: the indicator's name would say all loans
        named = first.phrase if narrowing_words(first.phrase) - narrowing_words(first.indicator) else first.indicator
        label = f"{org_label(query, first)}{year}年{named}"
        if first.scope and first.scope not in MAIN_SCOPES:
            label = f"{first.scope}{year}年{named}"
        kind = KIND_WORD.get(first.kind, "")
        if len(distinct) == 1:
            change = change_text(first) if with_change else ""
            source = ""
            if first.kind == "target":  # a plan's wording carries what goes with the target (总数达到71间)
                clause = clause_of(first)
                source = f"（原文：{clause}）" if clause and clause != first.stated else ""
            if first.derived:  # worked back from a stated change: said so, with its formula
                formula = (first.formula or "").removeprefix("推算：")
                draft.add(f"{label}{kind}据此推算约为{first.stated}（推算：{formula}）", first.chunk_id, first.quote)
                draft.figures.append(figure_used(first))
                return
            own_words = words_up_to(first) if self._pieced_name(first) else ""
            if own_words:  # a name the document never writes as one (5个乡镇设立夜读点 less its 5): its words
                draft.add(f"{org_label(query, first)}{year}年，{own_words}{change}", first.chunk_id, first.quote)
            else:
                draft.add(
                    f"{label}{kind}为{value_text(first)}{companion(first)}{change}{source}",
                    first.chunk_id,
                    first.quote,
                )
            draft.figures.append(figure_used(first))
            return
        if len({r.doc_id for r in distinct}) == 1:  # "两个项目分别仍有509.22万元和242.12万元"
            values = "、".join(value_text(r) for r in distinct)
            draft.add(f"{label}{kind}分别为{values}", first.chunk_id, first.quote)
            draft.figures.extend(figure_used(r) for r in distinct)
            return
        draft.add(f"{label}{kind}在不同文档中的数值不一致", [])
        for r in distinct:
            title = r.title if r.title.startswith("《") else f"《{r.title or r.file_name}》"
            basis = self._basis(r)
            draft.add(f"{title}记为{value_text(r)}{f'（口径：{basis}）' if basis else ''}", r.chunk_id, r.quote)
            draft.figures.append(figure_used(r))

    def _pieced_name(self, row: MetricRow) -> bool:
        """A figure named by the document's words with a number or a word cut out: no name it writes."""
        return self.metrics.indicators.get(row.indicator) is None and row.phrase not in row.quote

    def _basis(self, row: MetricRow) -> str:
        """What the row's document says its figure covers (口径), from its sentence or its passage."""
        chunk = self.kb.registry.chunks([row.chunk_id]).get(row.chunk_id) if row.chunk_id else None
        known = self.kb.metrics.indicators.get(row.indicator)
        # a note may name the figure, or the library whose row it is (某馆数据为本馆口径，不含分馆)
        names = tuple(
            dict.fromkeys(n for n in (row.phrase, row.indicator, *(known.aliases if known else ()), row.org) if n)
        )
        passage = chunk.text if chunk else ""
        if chunk is not None:  # a table's notes (说明：…) may stand in the passage before or after its rows
            around = [c for c in self.kb.registry.chunks_of(row.doc_id) if abs(c.ordinal - chunk.ordinal) <= 1]
            passage = "\n".join(c.text for c in around) or passage
        return stated_basis(row.stated, row.quote, passage, names)

    # -- intents ---------------------------------------------------------------------------------
    def figure(self, query: Query, with_change: bool = True) -> Draft | None:
        kinds = ("target",) if query.wants_target and query.intent in (Intent.GOAL, Intent.FIGURE) else ACTUAL_KINDS
        years = query.years or self.years_with_data(query, kinds)[-1:]
        draft = Draft()
        for year in years:
            rows = pick_rows(self.rows(query, year, kinds), query)
            if rows:
                self.state(draft, query, rows, year, with_change)
            elif not self.missing_year(draft, query, year, kinds):
                return None
        return draft if draft.statements else None

    def goal(self, query: Query) -> Draft | None:
        goal_query = Query(**{**query.__dict__, "wants_target": True})
        return self.figure(goal_query, with_change=False)
