"""Every indicator a text names, found in one pass over the text.

An indicator list has a few hundred aliases. Looking each alias up again after
every occurrence found costs aliases x occurrences x length, which a long text
full of indicator names turns into seconds of CPU. A trie over the aliases,
built once per alias list, finds every occurrence in one walk (each position
followed at most as far as the longest alias); the choice among overlapping
occurrences is then made without touching the text again.

The aliases come from the indicator list (``indicator_aliases``), with whether an
indicator may be counted in a unit a question asks for (``indicator_fits``).
"""

from __future__ import annotations

from functools import lru_cache

from ingest import IndicatorList
from ingest.indicators import units_compatible

_END = ""  # trie key marking "an alias ends here"; no alias is empty, so it never clashes with a character


class AliasMatcher:
    """All occurrences of a fixed set of ``(alias, name)`` pairs in a text."""

    def __init__(self, pairs: tuple[tuple[str, str], ...]):
        self._root: dict = {}
        for order, (alias, name) in enumerate(pairs):
            if not alias:
                continue
            node = self._root
            for ch in alias:
                node = node.setdefault(ch, {})
            node.setdefault(_END, []).append((order, alias, name))

    def occurrences(self, text: str) -> list[tuple[int, int, str, str]]:
        """``(position, order, alias, name)`` for every occurrence, overlapping ones included."""
        out = []
        root = self._root
        for start in range(len(text)):
            node = root.get(text[start])
            i = start + 1
            while node is not None:
                for order, alias, name in node.get(_END, ()):
                    out.append((start, order, alias, name))
                if i >= len(text):
                    break
                node = node.get(text[i])
                i += 1
        return out

    def names(self, text: str) -> list[tuple[int, str]]:
        """``(position, name)`` of each indicator named, one per name, left to right.

        Occurrences are taken longest first, the later one first among equals, and
        one overlapping an occurrence already taken is passed over: "新增注册读者"
        names one indicator, not also the "注册读者" inside it.
        """
        taken = [False] * len(text)
        first: dict[str, int] = {}
        ranked = sorted(self.occurrences(text), key=lambda o: (-len(o[2]), -o[0], o[1]))
        for pos, _, alias, name in ranked:
            span = range(pos, pos + len(alias))
            if any(taken[i] for i in span):
                continue
            for i in span:
                taken[i] = True
            first.setdefault(name, pos)
        return sorted(((pos, name) for name, pos in first.items()))


@lru_cache(maxsize=8)
def matcher(pairs: tuple[tuple[str, str], ...]) -> AliasMatcher:
    """One matcher per alias list, built on first use."""
    return AliasMatcher(pairs)


def indicator_aliases(indicators: IndicatorList) -> list[tuple[str, str]]:
    """(alias, indicator) for every name an indicator goes by, longest alias first."""
    pairs = {(a, ind.name) for ind in indicators.indicators.values() for a in (ind.name, *ind.aliases)}
    return sorted(pairs, key=lambda p: (-len(p[0]), p[0]))


def indicator_fits(indicators: IndicatorList, name: str, unit: str) -> bool:
    """Whether an indicator may be measured in ``unit`` (千人次 fits 人次); one unknown or unitless fits all."""
    ind = indicators.get(name)
    if ind is None or not ind.unit:
        return True
    return units_compatible(_unit_base(ind.unit), _unit_base(unit))


def _unit_base(unit: str) -> str:
    """The unit without its magnitude (万元 → 元), as the indicator list compares units."""
    return unit[1:] if len(unit) > 1 and unit[0] in "千万亿" else unit
