"""The libraries (单位) the documents are by: the list every surface offers, its default, and a library
named by a client (``--org``, the REST ``org``, the web picker) checked against it."""

from __future__ import annotations

from assistant.holdings import Holdings
from assistant.named_in_question import find_orgs
from index import KnowledgeBase

# The known libraries an error lists, at most: a provincial base may hold a hundred.
_LISTED_IN_ERROR = 20


class UnknownLibrary(ValueError):
    """A library no ready document is by or about."""

    def __init__(self, org: str, known: list[str]):
        self.org = org
        self.known = known
        super().__init__(self.bilingual())

    def _listed(self, sep: str) -> str:
        shown = sep.join(self.known[:_LISTED_IN_ERROR])
        return shown + (sep + "…" if len(self.known) > _LISTED_IN_ERROR else "")

    def zh(self) -> str:
        if not self.known:
            return f"知识库中没有「{self.org}」的文档，也还没有任何注明图书馆的文档。"
        return f"知识库中没有「{self.org}」的文档。可选的单位：{self._listed('、')}。"

    def en(self) -> str:
        if not self.known:
            return f"no document is by or about '{self.org}', and no document names its library yet"
        return f"no document is by or about '{self.org}'; known libraries: {self._listed(', ')}"

    def bilingual(self) -> str:
        return f"{self.zh()} / {self.en()}"


class Libraries:
    """The libraries of the documents staff read (every ready document, internal or public)."""

    def __init__(self, holdings: Holdings):
        self.holdings = holdings

    @classmethod
    def of(cls, kb: KnowledgeBase) -> Libraries:
        return cls(Holdings(kb, None, kb.metrics.for_visibility(None)))

    def listed(self) -> list[str]:
        """The libraries the ready documents are by, the one with most documents first: the picker's list."""
        return self.holdings.libraries()

    def default(self) -> str | None:
        listed = self.listed()
        return listed[0] if listed else None

    def resolve(self, org: str | None) -> str | None:
        """The library ``org`` names, in full: a library the documents are by or report on, by its full name
        or one usual short form of it (某某 → 某某区图书馆); None for none. Raises ``UnknownLibrary``."""
        org = (org or "").strip()
        if not org:
            return None
        known = self.holdings.named_orgs()
        if org in known:
            return org
        found = find_orgs(org, known)
        if len(found) == 1:
            return found[0]
        raise UnknownLibrary(org, self.listed())


__all__ = ["Libraries", "UnknownLibrary"]
