"""What the documents a channel may read hold, and whom and where they are about.

The assistant asks these often within one answer (which libraries there are, which documents are
about somewhere else), so each is read once per registry generation and kept.
"""

from __future__ import annotations

import re
from collections import Counter

from index import KnowledgeBase, MetricsStore, SearchHit

from .aliases import indicator_aliases
from .evidence import library_mentioned, library_names, places_named
from .query import Query

# A report of the whole country is about somewhere else than any one library's place
_NATIONAL = re.compile(r"全国|我国|中国(?!共产党)")


class Holdings:
    """The readable documents of one visibility, and the figures table as that channel sees it."""

    def __init__(self, kb: KnowledgeBase, visibility: str | None, metrics: MetricsStore):
        self.kb = kb
        self.visibility = visibility
        self.metrics = metrics
        # documents about somewhere other than each set of places asked, per (generation, visibility)
        self._elsewhere: tuple[tuple[int, str | None], dict[tuple[str, ...], frozenset[str]]] | None = None

    def scopes(self) -> list[str]:
        """Branches and service points the metrics table knows by name (a name seen once is noise)."""
        memo = self._memo()
        if "scopes" not in memo:
            aliases = {alias for alias, _ in indicator_aliases(self.kb.metrics.indicators)}
            named = self.metrics.scopes(min_count=2)
            memo["scopes"] = [s for s in named if s not in ("全区", "本馆", "合计", "总馆") and s not in aliases]
        return list(memo["scopes"])

    def _memo(self) -> dict:
        """What this channel's documents hold, kept until the base changes (any change bumps the generation)."""
        key = (self.kb.registry.generation(), self.visibility)
        cached: tuple[tuple[int, str | None], dict] | None = getattr(self, "_memo_cache", None)
        if cached is None or cached[0] != key:
            cached = (key, {})
            self._memo_cache = cached
        return cached[1]

    def orgs(self) -> list[str]:
        memo = self._memo()
        if "orgs" not in memo:
            memo["orgs"] = sorted({d.org for d in self.visible_documents() if d.org})
        return list(memo["orgs"])

    def libraries(self) -> list[str]:
        """The libraries the documents are by, the one with most documents first (then by name)."""
        memo = self._memo()
        if "libraries" not in memo:
            counts = Counter(d.org for d in self.visible_documents() if d.org)
            memo["libraries"] = sorted(counts, key=lambda org: (-counts[org], org))
        return list(memo["libraries"])

    def named_orgs(self) -> list[str]:
        """The documents' libraries and those a report names as the subject of its figures."""
        memo = self._memo()
        if "named_orgs" not in memo:
            memo["named_orgs"] = sorted(set(self.orgs()) | set(self.metrics.orgs()))
        return list(memo["named_orgs"])

    def mention_texts(self) -> list[str]:
        """What the visible documents say, whole: their organisations, titles and text."""
        return list(self.document_texts().values())

    def document_texts(self) -> dict[str, str]:
        """Each visible document's organisation, title and text by id."""
        memo = self._memo()
        if "texts" not in memo:
            docs = self.visible_documents()
            bodies = self.kb.registry.document_texts(d.id for d in docs)
            memo["texts"] = {d.id: f"{d.org} {d.title} {bodies.get(d.id, '')}" for d in docs}
        texts: dict[str, str] = memo["texts"]
        return texts

    def named_in_others(self, org: str) -> bool:
        """Whether a document by another body names this library (a provincial report on its library)."""
        named_by_others = self._memo().setdefault("named_in_others", {})
        if org not in named_by_others:
            own = {d.id for d in self.visible_documents() if d.org == org}
            texts = self.document_texts().items()
            named_by_others[org] = any(names_org(org, text) for d, text in texts if d not in own)
        return bool(named_by_others[org])

    def visible_documents(self):
        return self.kb.visible_documents(self.visibility)

    def of_places(self, org: str, places: tuple[str, ...]) -> bool:
        """The library is of the places a question names (or it names none): its name or its own
        documents name one of them."""
        if not places:
            return True
        texts = self.document_texts()
        own = " ".join(texts.get(d.id, "") for d in self.visible_documents() if d.org == org)
        return any(p in org or p in own for p in places)

    def unknown_library(self, query: Query) -> str | None:
        """A library the question names that no visible document mentions, by any of its usual names."""
        texts = None
        known = self.named_orgs()
        for name in library_names(query.text):
            if "公共图书馆" in name.name:
                continue  # 某省公共图书馆: the place's public libraries as a whole, not one library
            if library_mentioned(name, known):
                continue  # a library the documents are by or about: no need to read every document
            texts = texts if texts is not None else self.mention_texts()
            if not library_mentioned(name, texts):
                return name.name
        return None

    def of_org(self, query: Query, hits: list[SearchHit]) -> list[SearchHit]:
        """The hits from documents of the library the question names (all hits when it names none)."""
        if not query.org:
            return hits
        orgs = {d.id: d.org for d in self.visible_documents()}
        return [
            h for h in hits if orgs.get(h.chunk.doc_id) == query.org or names_org(query.org, with_headings(h.chunk))
        ]

    def documents_elsewhere(self, query: Query) -> set[str]:
        """The documents about somewhere other than the places the question names, and, for a question
        about one library, the documents that name no library and show no sign of being its own."""
        places = places_named(query.text)
        out = set(self.elsewhere_than(places)) if places else set()
        if query.org and len(self.orgs()) >= 2:
            out |= self.not_of(query.org)
        return out

    def elsewhere_than(self, places: tuple[str, ...]) -> frozenset[str]:
        """The documents about somewhere other than ``places``, kept per registry generation: reading
        every document's text for the places took most of a figure answer's time at 1,500 documents."""
        key = (self.kb.registry.generation(), self.visibility)
        cached = self._elsewhere
        if cached is None or cached[0] != key or len(cached[1]) > 256:
            cached = self._elsewhere = (key, {})
        found = cached[1].get(places)
        if found is None:
            orgs = {d.id: d.org for d in self.visible_documents()}
            found = cached[1][places] = frozenset(
                d for d, text in self.document_texts().items() if _about_elsewhere(text, orgs.get(d), places)
            )
        return found

    def not_of(self, org: str) -> set[str]:
        """Documents by no named library (a bare table, a national report) that neither name this library
        or its place nor list any branch its own documents name: their figures are not its figures."""
        key = (self.kb.registry.generation(), self.visibility, org)
        cached = getattr(self, "_unowned", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        docs = self.visible_documents()
        texts = self.document_texts()
        own_text = " ".join(texts.get(d.id, "") for d in docs if d.org == org)
        names = library_names(org)
        marks = {f for n in names for f in (*n.forms(), n.place, n.short) if f} or {org}
        branches: dict[str, set[str]] = {}
        for row in self.metrics.all(include_derived=False):
            if row.scope and row.scope not in ("全区", "本馆", "合计", "总馆"):
                branches.setdefault(row.doc_id, set()).add(row.scope)
        out = set()
        for d in docs:
            if d.org:
                continue
            text = texts.get(d.id, "")
            if any(m in text for m in marks) or any(b in own_text for b in branches.get(d.id, ())):
                continue
            out.add(d.id)
        self._unowned = (key, out)
        return out


def _about_elsewhere(text: str, org: str | None, places: tuple[str, ...]) -> bool:
    """A document that names none of the places asked about is not about them when it says whose it
    is: a library's document, or a report on the whole nation (a national total is no province's
    figure). A bare table that names no one may be of any place and is kept."""
    if any(p in text for p in places):
        return False
    return bool(org) or bool(_NATIONAL.search(text[:300]))


def with_headings(chunk) -> str:
    return " ".join([*chunk.heading_path, chunk.text])


def names_org(org: str, text: str) -> bool:
    """Whether a text names the library by its full name or a usual form of it."""
    names = library_names(org)
    return library_mentioned(names[0], [text]) if names else org in text
