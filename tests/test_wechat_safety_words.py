"""The word list on its own: format, folding, the whitelist, and the benchmark script at a tiny size."""

from __future__ import annotations

import pytest

from ui.wechat.safety import parse_words
from ui.wechat.stafffile import StaffFileError


def test_categories_bare_words_and_comments():
    words = parse_words("# 注释\n色情\t裸聊\n\n赌球\n白名单\t反对赌球\n")
    assert words.pairs == [("色情", "裸聊"), ("其他", "赌球"), ("白名单", "反对赌球")]
    assert (words.blocked, words.allowed, words.categories) == (2, 1, ["其他", "色情"])


def test_full_width_case_and_spaces_are_folded():
    words = parse_words("广告引流\t加V信\n")
    assert [h.word for h in words.find("请 加ｖ 信")] == ["加V信"]
    assert words.find("加微信公众号") == []


def test_a_hit_inside_a_whitelisted_word_does_not_count_but_one_outside_does():
    words = parse_words("毒品\t毒品\n白名单\t远离毒品\n")
    assert words.find("远离毒品，从我做起") == []
    assert [h.category for h in words.find("远离毒品，不碰毒品")] == ["毒品"]


@pytest.mark.parametrize(
    "text, line", [("色情\t\n", 1), ("a\tb\tc\n", 1), ("好\n暴力\t" + "长" * 51 + "\n", 2), ("色情\t词\x07\n", 1)]
)
def test_bad_lines_are_named(text, line):
    with pytest.raises(StaffFileError, match=f"第 {line} 行"):
        parse_words(text)


def test_benchmark_script_runs_at_a_tiny_size(capsys):
    from eval import safety_bench

    assert safety_bench.main(["--words", "300", "--chars", "80", "--messages", "40"]) == 0
    out = capsys.readouterr().out
    assert "300 entries" in out and "80 characters" in out and "p95" in out
