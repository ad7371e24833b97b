"""The keyword index keeps tokens by chunk id: a rebuild reuses them and gives the same ranking."""

from __future__ import annotations

import json

from index.keywords import TOKENS_FILE, KeywordIndex

ITEMS = [
    ("a", "全年新建读书驿站11间，读书驿站总数达到63间"),
    ("b", "文献流通量79.65万册次，同比下降7.63%"),
    ("c", "青川讲坛举办讲座32期，阅读打卡覆盖中小学27所"),
]


def test_rebuild_after_reopening_reuses_tokens_and_ranks_as_from_scratch(tmp_path):
    cached = KeywordIndex(tmp_path / "cached")
    cached.rebuild(ITEMS, 1)
    saved = json.loads((tmp_path / "cached" / TOKENS_FILE).read_text(encoding="utf-8"))
    assert set(saved["tokens"]) == {"a", "b", "c"}
    reopened = KeywordIndex(tmp_path / "cached")
    more = ITEMS + [("d", "读书驿站运营评估办法出台")]
    reopened.rebuild(more, 2)
    fresh = KeywordIndex(tmp_path / "fresh")
    fresh.rebuild(more, 2)
    for query in ("读书驿站", "文献流通量", "讲座"):
        assert reopened.search(query, 4) == fresh.search(query, 4)
    assert reopened.search("运营评估", 1)[0][0] == "d"


def test_tokens_of_another_tokenizer_are_not_trusted(tmp_path):
    index = KeywordIndex(tmp_path / "kw")
    index.rebuild(ITEMS, 1)
    path = tmp_path / "kw" / TOKENS_FILE
    saved = json.loads(path.read_text(encoding="utf-8"))
    saved["tokenizer"] = "an older one"
    saved["tokens"]["b"] = ["完全", "无关"]  # what an older tokenizer might have said
    path.write_text(json.dumps(saved, ensure_ascii=False), encoding="utf-8")
    reopened = KeywordIndex(tmp_path / "kw")
    reopened.rebuild(ITEMS, 2)
    assert reopened.search("文献流通量", 1)[0][0] == "b"
    assert reopened.search("无关", 3) == []


def test_a_damaged_token_file_only_costs_a_full_segmentation(tmp_path):
    index = KeywordIndex(tmp_path / "kw")
    index.rebuild(ITEMS, 1)
    (tmp_path / "kw" / TOKENS_FILE).write_text("{not json", encoding="utf-8")
    reopened = KeywordIndex(tmp_path / "kw")
    reopened.rebuild(ITEMS, 2)
    assert reopened.search("讲座", 1)[0][0] == "c"
