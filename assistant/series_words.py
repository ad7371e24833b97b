"""How a series of yearly figures is put in words: which way one year went, and whether it always went one way."""

from __future__ import annotations

import re

from index import MetricRow

# 是不是一直往上走, 是否逐年下降: the question asks whether every year went one way
_ALWAYS = re.compile(r"一直|逐年|每年都|年年|连年|持续")
_DOWN_ASKED = re.compile(r"下降|减少|降低|往下|回落|少了")


def against_asked(question: str, points: list[MetricRow]) -> str:
    """并非逐年增长：2020年比2019年下降 — when the question asks whether a series always went one way and
    some year went the other."""
    if not _ALWAYS.search(question):
        return ""
    down = bool(_DOWN_ASKED.search(question))
    against = [
        b.year
        for a, b in zip(points, points[1:])
        if (b.plain_value > a.plain_value if down else b.plain_value < a.plain_value)
    ]
    if not against:
        return ""
    word, other = ("下降", "增长") if down else ("增长", "下降")
    years = "、".join(f"{y}年" for y in against)
    return f"并非逐年{word}：{years}比上一年{other}"


def year_step(before: MetricRow, after: MetricRow) -> str:
    """2023年比2022年增长: which way one year went against another."""
    if after.plain_value == before.plain_value:
        return f"{after.year}年与{before.year}年持平"
    return f"{after.year}年比{before.year}年{'下降' if after.plain_value < before.plain_value else '增长'}"
