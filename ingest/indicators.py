"""The curated list of canonical indicators and the phrases documents use for them."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DEFAULT_FILE = Path(__file__).with_name("indicators.yaml")


@dataclass(frozen=True)
class Indicator:
    name: str
    aliases: tuple[str, ...]
    unit: str | None = None
    stock: bool = False


@dataclass
class IndicatorList:
    indicators: dict[str, Indicator]
    _by_alias: list[tuple[str, str]] = field(default_factory=list)  # (alias, name), longest first
    _canonical: dict[tuple[str, str], str | None] = field(default_factory=dict)  # phrases already resolved

    def __post_init__(self) -> None:
        pairs = {(a, ind.name) for ind in self.indicators.values() for a in (ind.name, *ind.aliases)}
        self._by_alias = sorted(pairs, key=lambda p: (-len(p[0]), p[0]))

    def canonical(self, phrase: str, unit: str | None = None) -> str | None:
        """The indicator a phrase names exactly, or the longest alias inside it.

        With ``unit``, only an indicator measured in a compatible unit is taken: a
        column "总流通人次（千人次）" is not the 册次 count an alias inside it names.
        """
        key = (phrase, unit or "")
        if key not in self._canonical:
            exact = next(
                (name for alias, name in self._by_alias if alias == phrase and (not unit or self._fits(name, unit))),
                None,
            )
            found = exact or (self.find(phrase, unit) or (None, None))[1]
            self._canonical[key] = found
        return self._canonical[key]

    def find(self, text: str, unit: str | None = None) -> tuple[str, str, int] | None:
        """(alias, canonical name, position) of the longest alias in ``text`` (the last one on ties).

        With ``unit``, indicators measured in a compatible unit are preferred:
        "…活动占比不低于50%" is the share, not the count of activities.
        """
        found = [(alias, name, text.rfind(alias)) for alias, name in self._by_alias if alias in text]
        if unit:  # a count of 期 is never a number of 人次, whatever the words say
            found = [f for f in found if self._fits(f[1], unit)]
        best: tuple[str, str, int] | None = None
        for alias, name, pos in found:
            if best is None or len(alias) > len(best[0]) or (len(alias) == len(best[0]) and pos > best[2]):
                best = (alias, name, pos)
        return best

    def _fits(self, name: str, unit: str) -> bool:
        ind = self.indicators.get(name)
        if ind is None or not ind.unit:
            return True
        return units_compatible(_base(ind.unit), _base(unit))

    def get(self, name: str) -> Indicator | None:
        return self.indicators.get(name)

    def is_stock(self, name: str) -> bool:
        ind = self.indicators.get(name)
        return bool(ind and ind.stock)


_COMPATIBLE = {
    frozenset(p)
    for p in (
        ("人", "名"),
        ("人", "位"),
        ("名", "位"),
        ("人", "人次"),
        ("名", "人次"),
        ("次", "人次"),
        ("册", "册次"),
        ("场", "场次"),
        ("个", "间"),
        ("个", "家"),
        ("间", "家"),
        ("个", "所"),
        ("个", "处"),
        ("次", "场次"),
        ("次", "场"),
        ("家", "所"),
        ("个", "座"),
        ("册", "本"),
    )
}


def _base(unit: str) -> str:
    return unit[1:] if len(unit) > 1 and unit[0] in "千万亿" else unit


def units_compatible(a: str, b: str) -> bool:
    return a == b or frozenset((a, b)) in _COMPATIBLE


def parse_indicators(data: dict[str, Any]) -> dict[str, Indicator]:
    out: dict[str, Indicator] = {}
    for name, spec in (data or {}).items():
        spec = spec or {}
        out[str(name)] = Indicator(
            name=str(name),
            aliases=tuple(str(a) for a in spec.get("aliases", [])),
            unit=spec.get("unit"),
            stock=bool(spec.get("stock", False)),
        )
    return out


def _read_yaml(path: Path) -> Any:
    # libyaml's safe loader when PyYAML was built with it: the pure-Python one took over 100 ms of a
    # serving process's start-up for the bundled list alone.
    return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@lru_cache(maxsize=8)
def load_indicators(extra: Path | None = None) -> IndicatorList:
    """The bundled list, extended by a deployment's own file when given."""
    indicators = parse_indicators(_read_yaml(DEFAULT_FILE))
    if extra is not None and Path(extra).exists():
        for name, ind in parse_indicators(_read_yaml(Path(extra))).items():
            if name in indicators:
                old = indicators[name]
                ind = Indicator(
                    name, tuple(dict.fromkeys(old.aliases + ind.aliases)), ind.unit or old.unit, ind.stock or old.stock
                )
            indicators[name] = ind
    return IndicatorList(indicators)
