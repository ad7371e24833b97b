"""A figure as read from a document, and the state one extraction carries."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from ..indicators import IndicatorList
from ..types import Document


class FigureKind(StrEnum):
    """What a figure states; the values are what the metrics table stores."""

    ACTUAL = "actual"
    TARGET = "target"
    CUMULATIVE = "cumulative"  # a stock: a total to date
    AS_OF = "asof"  # as of a date the sentence names (截至…)


class Direction(StrEnum):
    """Which way a stated change went."""

    UP = "up"
    DOWN = "down"


@dataclass
class Figure:
    indicator: str
    phrase: str
    value: float
    unit: str
    plain_value: float
    base_unit: str
    year: int | None
    kind: FigureKind
    scope: str = ""
    as_of: str | None = None
    qualifier: str | None = None
    change_pct: float | None = None
    change_dir: Direction | None = None
    change_text: str | None = None
    # 较2020年增加128个: (amount, up | down, the year compared with) — gives that year's value, 推算
    change_amount: tuple[float, Direction, int | None] | None = None
    change_base_year: int | None = None  # 同比2018年增长24%: the year a stated change is against
    times_of: tuple[float, int] | None = None  # 是2018年的2.6倍: (multiple, that year)
    derived: bool = False
    formula: str | None = None
    char_start: int = 0
    char_end: int = 0
    quote: str = ""
    chunk_id: str | None = None
    check: str | None = None  # a stated percentage checked against its counts
    stated: str = ""  # the number and unit exactly as written
    org: str = ""  # the library the sentence names as its subject when not the document's own

    def key(self) -> tuple[str, int | None, str, str]:
        return (self.indicator, self.year, self.scope, self.kind)


@dataclass
class _Context:
    doc: Document
    indicators: IndicatorList
    figures: list[Figure] = field(default_factory=list)
    table_unit: tuple[str | None, str] | None = None  # (table, unit) of the last row that stated its unit
