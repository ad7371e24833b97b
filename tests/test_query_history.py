"""Question understanding stays cheap however long the text or the conversation.

Indicator names are found in one pass over the text (the alias list is not looked
up again per occurrence), and a follow-up borrows only from the last few turns.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.aliases import indicator_aliases
from assistant.named_in_question import find_indicators
from assistant.query import HISTORY_TURNS, understand
from ingest import IndicatorList, load_indicators

INDICATORS = load_indicators()
ALIASES = sorted({alias for alias, _ in indicator_aliases(INDICATORS)})


class CountingIndicators(IndicatorList):
    """The real indicator list, counting how often it is asked to search a text."""

    calls = 0

    def find(self, text, unit=None):
        type(self).calls += 1
        return super().find(text, unit)


def _masked_rescan(text: str, indicators: IndicatorList) -> list[str]:
    """The reference behaviour: take the longest alias (the last on ties), mask it, search again."""
    remaining, found = text, []
    while (hit := indicators.find(remaining)) is not None:
        alias, name, pos = hit
        if name not in {n for _, n in found}:
            found.append((pos, name))
        remaining = remaining[:pos] + "□" * len(alias) + remaining[pos + len(alias) :]
    return [n for _, n in sorted(found)]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(ALIASES),
            st.sampled_from(["的", "，", "了", "年", "2024", "多少", "新增"]),
            st.text(alphabet="读者馆藏进人数次册借阅", max_size=4),
        ),
        max_size=12,
    )
)
def test_one_pass_finds_the_same_indicators_as_the_longest_first_rescan(pieces):
    text = "".join(pieces)
    assert find_indicators(text, INDICATORS) == _masked_rescan(text, INDICATORS)


def test_alias_search_does_not_grow_with_the_number_of_names_in_the_text():
    counting = CountingIndicators(dict(INDICATORS.indicators))
    text = "，".join(ALIASES[i % len(ALIASES)] for i in range(600))
    CountingIndicators.calls = 0
    names = find_indicators(text, counting)
    assert len(names) > 50
    assert CountingIndicators.calls == 0  # one walk over the text, not one alias-list search per name found


def test_a_follow_up_borrows_only_from_the_last_few_turns():
    named = "青川区图书馆2024年进馆人数是多少？"
    filler = ["那呢？"] * HISTORY_TURNS
    recent = understand(
        "那前年呢？", indicators=INDICATORS, reference_year=2025, orgs=["青川区图书馆"], history=[named, *filler[1:]]
    )
    assert recent.indicator == "进馆人数"  # within reach: still carried over
    old = understand(
        "那前年呢？", indicators=INDICATORS, reference_year=2025, orgs=["青川区图书馆"], history=[named, *filler]
    )
    assert old.indicator is None and old.org is None  # one turn further back is not considered


def test_a_very_long_history_is_neither_walked_nor_recursed_through():
    history = ["2024年进馆人数是多少？"] + ["那呢？"] * 3000
    query = understand("那前年呢？", indicators=INDICATORS, reference_year=2025, orgs=[], history=history)
    assert query.follow_up and query.indicator is None


def test_a_quantity_of_four_digits_is_not_a_year():
    from assistant.query import _YEAR

    assert [m.group(1) for m in _YEAR.finditer("建筑面积2000平方米的分馆是哪个？")] == []
    assert [m.group(1) for m in _YEAR.finditer("1990册新书和2023年的进馆人数")] == ["2023"]
