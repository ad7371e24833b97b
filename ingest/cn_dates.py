"""Dates written in Chinese numerals, in digits: 二〇二三年十二月三十一日 → 2023年12月31日.

Official documents often write their years this way. A year must read the same however it was
typed, or a passage of 二〇二三年 is not found for 2023年, its figures get no year, and a question about
that year is refused. Only a four-character year (一九九八, 二〇二三) is read, and a month and day
only right after such a year: 一年, 十二月 alone and 第十二届 stay as they are.
"""

from __future__ import annotations

import re

_DIGIT = {
    "〇": "0",
    "○": "0",
    "零": "0",
    "一": "1",
    "二": "2",
    "三": "3",
    "四": "4",
    "五": "5",
    "六": "6",
    "七": "7",
    "八": "8",
    "九": "9",
}
_DIGITS = "".join(_DIGIT)
_SMALL = "(?:[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])"
_DATE = re.compile(
    rf"(?<![{_DIGITS}十\d])(?P<year>[一二][{_DIGITS}]{{3}})\s*年"
    rf"(?:\s*(?P<month>{_SMALL})\s*月(?:\s*(?P<day>{_SMALL})\s*(?P<day_mark>[日号]))?)?"
)


def _small(numeral: str) -> int:
    """一 … 三十一: the numbers a month or a day can be."""
    if "十" not in numeral:
        return int(_DIGIT[numeral])
    tens, _, ones = numeral.partition("十")
    return (int(_DIGIT[tens]) if tens else 1) * 10 + (int(_DIGIT[ones]) if ones else 0)


def with_arabic_dates(text: str) -> str:
    """The text with dates in Chinese numerals written in digits; every other numeral left alone."""

    def digits(m: re.Match[str]) -> str:
        out = "".join(_DIGIT[c] for c in m.group("year")) + "年"
        month = m.group("month")
        if month and 1 <= _small(month) <= 12:
            out += f"{_small(month)}月"
            day = m.group("day")
            if day and 1 <= _small(day) <= 31:
                out += f"{_small(day)}{m.group('day_mark')}"
            elif day:
                out += m.group(0)[m.group(0).index("月") + 1 :]
        elif month:
            out += m.group(0)[m.group(0).index("年") + 1 :]
        return out

    return _DATE.sub(digits, text)


__all__ = ["with_arabic_dates"]
