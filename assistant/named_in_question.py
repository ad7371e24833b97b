"""What a question names: organisations by full or short name, the knowledge base's scopes, and indicators."""

from __future__ import annotations

import re

from ingest import IndicatorList
from ingest.outline import library_names

from .aliases import indicator_aliases, indicator_fits, matcher

# 全市公共图书馆, 市各公共图书馆: a place's libraries together, after the place's name
_AREA_LIBRARIES = re.compile(r"[省市县区]?(?:全[省市县区]|各级|各)?(?:的)?公共图书馆|[省市县区]?全[省市县区]")
# 全市公共图书馆 with no place named: the one city the documents report on as a whole
_ALL_OF_LEVEL = re.compile(r"全([省市县区])(?:各级|各)?公共图书馆")


def _ranked_mentions(text: str, orgs: list[str]) -> list[tuple[str, tuple]]:
    """Each organisation the text mentions with its best mention's key (start, -length, …), best first."""
    mentions = []  # (start, end, is not the full name, org)
    for org in orgs:
        if not org:
            continue
        forms = [org]
        for name in library_names(org):
            forms += [*name.forms(), name.place, *([name.short] if name.short else [])]
        forms.append(org[:2])
        for f in {f for f in forms if len(f) >= 2}:
            for m in re.finditer(re.escape(f), text):
                mentions.append((m.start(), m.end(), f != org, org))
    # A library the question names in full is that library: 泰州市图书馆 is no mention of 扬州市图书馆 by the
    # shorter form 州市图书馆
    named = [(m.start(), m.end(), n.place) for n in library_names(text) for m in re.finditer(re.escape(n.name), text)]
    places = {org: [n.short or n.place for n in library_names(org)] for org in orgs if org}
    mentions = [
        m
        for m in mentions
        if not any(
            a <= m[0] and m[1] <= b and places.get(m[3]) and not any(p in place for p in places[m[3]])
            for a, b, place in named
        )
    ]
    # A mention inside a longer one of another organisation is part of that name: 海淀区图书馆 said in full
    # is no mention of 海淀北部…图书馆 by its first two characters
    kept = [
        m
        for m in mentions
        if not any(
            o[3] != m[3] and o[0] <= m[0] and m[1] <= o[1] and (o[1] - o[0] > m[1] - m[0] or (m[2] and not o[2]))
            for o in mentions
        )
    ]  # and a library named in full is not another's short form at the same place (某县公共图书馆 → 某县图书馆)
    first: dict[str, tuple] = {}
    for start, end, short, org in kept:
        # the earliest; at one place the longest, the full name first, and a place named alone (云岭书房) its
        # library before the place's other bodies (a statistics bureau's bulletin), unless the place is named
        # for all its libraries together (某某全市公共图书馆): then the place's own reports speak for it
        area = bool(_AREA_LIBRARIES.match(text, end))
        if area and org.endswith("馆") and any(m[:2] == (start, end) and not m[3].endswith("馆") for m in kept):
            continue  # 某某全市公共图书馆 is not the one library of 某某
        # 某市馆 is the city's library before 某市公共图书馆 (a city's libraries together), unless 公共 is said;
        # a county's 公共图书馆 is its one library
        said = text[start:end]
        collective = bool(re.search(r"[市省州]公共图书馆$", org)) and said.endswith("馆") and "公共" not in said
        key = (start, -(end - start), short, not org.endswith("馆"), collective)
        if org not in first or key < first[org]:
            first[org] = key
    return sorted(first.items(), key=lambda item: (*item[1], item[0]))


def find_orgs(text: str, orgs: list[str]) -> list[str]:
    """Organisations a question names, in order: by full name, by a library's usual short forms
    (某某县图书馆 → 某某县馆, 某某图书馆, 某某), or by an organisation's first two characters; naming none
    but 全市公共图书馆, the one city among them."""
    found = [org for org, _ in _ranked_mentions(text, orgs)]
    level = _ALL_OF_LEVEL.search(text) if not found else None
    if level:
        cities = [o for o in orgs if o and o.endswith(level.group(1)) and not o.endswith("馆")]
        return cities if len(cities) == 1 else []
    return found


def libraries_apart(text: str, orgs: list[str]) -> int:
    """How many places of the text name these organisations: 某市馆 read as the city's library or as its
    public libraries together is one library asked about, with two readings; 甲馆和乙馆 are two."""
    return len({key[0] for org, key in _ranked_mentions(text, orgs) if org in orgs})


def find_scopes(text: str, scopes: list[str]) -> list[str]:
    found: list[tuple[int, str]] = []
    for scope in sorted(scopes, key=len, reverse=True):
        # 市级 is too short to be told from ordinary words, unless it stands before the library it qualifies
        named = len(scope) >= 3 or re.search(re.escape(scope) + r"(?:公共)?(?:图书)?馆", text)
        if scope and named and scope in text and not any(scope in s for _, s in found):
            found.append((text.find(scope), scope))
    return [s for _, s in sorted(found)]


def find_indicators(text: str, indicators: IndicatorList, unit_hint: str | None = None) -> list[str]:
    """Every indicator a question names, left to right; the phrase nearest the question word last."""
    names = [n for _, n in matcher(tuple(indicator_aliases(indicators))).names(text)]
    if unit_hint:
        fitting = [n for n in names if indicator_fits(indicators, n, unit_hint)]
        if not fitting:  # "活动…多少人次参与": the unit asked for names the indicator
            by_unit = indicators.find(text, unit_hint)
            fitting = [by_unit[1]] if by_unit else []
        names = fitting + [n for n in names if n not in fitting]
    return names
