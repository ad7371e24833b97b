"""Years as staff say them: 2023年, 24年 (not 建馆60年, a count of years), 去年, 下一年, 近三年, 2022到2024年.

Relative years are resolved against a reference year, or, in a follow-up, against the year the turn
before asked about.
"""

from __future__ import annotations

import re

# NN年 naming a year: not a count of years (历时24年, 24年来, 已有60年历史), not part of a longer number
_SHORT_YEAR = re.compile(
    r"(?<![\d.])(?<!近)(?<!历时)(?<!已有)(?<!过去)(?<!连续)(?<!满)(?<!建馆)(?<!开馆)(?<!成立)(?<!第)(?<!用了)(?<!建成)(?<!有)(?<!约)(?<!逾)"
    r"(\d{2})(?=\s*年(?!来|间|里|多|左右|以上|以来|之久|的时间|历史|前|后))"
)


# A year is 2023 or 2023年, never a quantity: 2000平方米, 1990册 and 2000.5 are not years.
_YEAR = re.compile(
    r"(?<![\d.])(20\d{2}|19\d{2})(?:\s*年|(?![\d.%]|\s*[万千百个间家所名人次册件场种项条篇份元平米台处座本张位期]))"
)
_RELATIVE = (
    (re.compile(r"大前年"), -3),
    (re.compile(r"前年"), -2),
    (re.compile(r"去年|上年度(?!同期)"), -1),
    (re.compile(r"今年|本年度"), 0),
    (re.compile(r"明年|来年"), 1),
    (re.compile(r"后年"), 2),
)
# Years named from the year being talked about, not from today: in a follow-up they count from
# the previous turn's year ("2019年…？" "那下一年呢？" is 2020), otherwise from the reference year.
_ANAPHORIC = (
    (re.compile(r"上一年|前一年"), -1),
    (re.compile(r"当年|同年|那一年"), 0),
    (re.compile(r"下一年|后一年|次年|第二年|后来"), 1),
)
_FROM_TODAY_ALONE = re.compile(r"上一年|下一年|当年")  # with no turn before, counted from the reference year
_RECENT = re.compile(r"近([两二三四五六七八九十\d])年|(?:过去|最近|这)([两二三四五\d])年")
_CN_DIGITS = {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


_RANGE = re.compile(r"(20\d{2})\s*年?\s*(?:到|至|—|-|~|～)\s*(20\d{2})")


def resolve_years(text: str, reference_year: int | None, anchor: list[int] | None = None) -> tuple[list[int], bool]:
    """Absolute years as written, and relative ones resolved against the reference year
    (上一年/下一年/后来 against ``anchor``, the years of the turn before, when there are some)."""
    years = [int(y) for y in _YEAR.findall(text)]
    relative = False
    # 比上一年增长了多少: the year before is what the year asked is compared with, not the year asked
    text = re.sub(r"(?:比|较|同)(?:上一年|上年|去年|前一年|前年)", "", text)
    for pattern, offset in _ANAPHORIC:
        said = pattern.search(text)
        if said:
            if anchor:
                years.append((max(anchor) if offset > 0 else min(anchor)) + offset)
            elif reference_year is not None and _FROM_TODAY_ALONE.fullmatch(said.group(0)):
                years.append(reference_year + offset)
                relative = True
    for a, b in _RANGE.findall(text):
        if int(a) < int(b) <= int(a) + 20:
            years.extend(range(int(a), int(b) + 1))
    if reference_year is not None:
        recent = _RECENT.search(text)
        if recent:
            raw = recent.group(1) or recent.group(2)
            n = int(raw) if raw.isdigit() else _CN_DIGITS.get(raw, 3)
            years.extend(range(reference_year - n, reference_year))
            relative = True
        for pattern, offset in _RELATIVE:
            if pattern.search(text):
                years.append(reference_year + offset)
                relative = True
    return sorted(dict.fromkeys(years)), relative


def full_years(text: str, reference_year: int | None = None) -> str:
    """'茭塘县馆24年借出去多少书' → '茭塘县馆2024年借出去多少书'; a year not yet come a century back."""
    latest = (reference_year or 2000) + 5

    def widened(m: re.Match[str]) -> str:
        year = 2000 + int(m.group(1))
        return str(year if year <= latest else year - 100)

    return _SHORT_YEAR.sub(widened, text)


__all__ = ["full_years", "resolve_years"]
