"""The keyword index keeps tokens by chunk id: a rebuild reuses them and gives the same ranking.

Builds are published whole: another process maps the newest one, never a half-written one.
"""

from __future__ import annotations

import sqlite3

from index import keywords as keywords_module
from index.keywords import CURRENT_FILE, TOKENS_FILE, KeywordIndex

ITEMS = [
    ("a", "全年新建读书驿站11间，读书驿站总数达到63间"),
    ("b", "文献流通量79.65万册次，同比下降7.63%"),
    ("c", "青川讲坛举办讲座32期，阅读打卡覆盖中小学27所"),
]


def _cached_ids(directory) -> set[str]:
    with sqlite3.connect(directory / TOKENS_FILE) as conn:
        return {r[0] for r in conn.execute("SELECT id FROM tokens")}


def test_rebuild_after_reopening_reuses_tokens_and_ranks_as_from_scratch(tmp_path, monkeypatch):
    cached = KeywordIndex(tmp_path / "cached")
    cached.rebuild(ITEMS, 1)
    cached.close()
    assert _cached_ids(tmp_path / "cached") == {"a", "b", "c"}
    reopened = KeywordIndex(tmp_path / "cached")
    assert reopened.generation == 1 and reopened.search("讲座", 1)[0][0] == "c"
    segmented: list[str] = []
    real = keywords_module.tokenize
    monkeypatch.setattr(keywords_module, "tokenize", lambda text: segmented.append(text) or real(text))
    more = ITEMS + [("d", "读书驿站运营评估办法出台")]
    reopened.rebuild(more, 2)
    assert segmented == ["读书驿站运营评估办法出台"]  # only the new chunk was segmented
    monkeypatch.setattr(keywords_module, "tokenize", real)
    fresh = KeywordIndex(tmp_path / "fresh")
    fresh.rebuild(more, 2)
    for query in ("读书驿站", "文献流通量", "讲座"):
        assert reopened.search(query, 4) == fresh.search(query, 4)
    assert reopened.search("运营评估", 1)[0][0] == "d"
    assert abs(reopened.rarity("讲座") - fresh.rarity("讲座")) < 1e-12
    assert reopened.rarity("讲座") > reopened.rarity("读书驿站")


def test_tokens_of_another_tokenizer_are_not_trusted(tmp_path):
    index = KeywordIndex(tmp_path / "kw")
    index.rebuild(ITEMS, 1)
    index.close()
    with sqlite3.connect(tmp_path / "kw" / TOKENS_FILE) as conn:
        conn.execute("UPDATE meta SET value = 'an older one' WHERE key = 'tokenizer'")
        conn.execute("UPDATE tokens SET tokens = '完全 无关' WHERE id = 'b'")  # what an older tokenizer said
    reopened = KeywordIndex(tmp_path / "kw")
    reopened.rebuild(ITEMS, 2)
    assert reopened.search("文献流通量", 1)[0][0] == "b"
    assert reopened.search("无关", 3) == []


def test_a_damaged_token_file_only_costs_a_full_segmentation(tmp_path):
    index = KeywordIndex(tmp_path / "kw")
    index.rebuild(ITEMS, 1)
    index.close()
    (tmp_path / "kw" / TOKENS_FILE).write_bytes(b"{not a database" * 100)
    for suffix in ("-wal", "-shm"):
        (tmp_path / "kw" / (TOKENS_FILE + suffix)).unlink(missing_ok=True)
    reopened = KeywordIndex(tmp_path / "kw")
    reopened.rebuild(ITEMS, 2)
    assert reopened.search("讲座", 1)[0][0] == "c"


def test_a_reader_maps_the_newest_published_build_and_old_builds_are_pruned(tmp_path):
    writer = KeywordIndex(tmp_path / "kw")
    writer.rebuild(ITEMS[:2], 1)
    reader = KeywordIndex(tmp_path / "kw")
    assert reader.generation == 1 and reader.search("讲座", 3) == []
    assert not reader.load_published()  # nothing newer yet
    # A half-written build (a writer still saving it) is invisible: CURRENT does not name it.
    (tmp_path / "kw" / ".v-9-1-deadbeef.tmp").mkdir()
    writer.rebuild(ITEMS, 2)
    writer.rebuild(ITEMS + [("d", "读书驿站运营评估办法出台")], 3)
    assert reader.load_published() and reader.generation == 3
    assert reader.search("讲座", 1)[0][0] == "c" and reader.search("运营评估", 1)[0][0] == "d"
    builds = sorted(p.name for p in (tmp_path / "kw").iterdir() if p.name.startswith("v-"))
    published = (tmp_path / "kw" / CURRENT_FILE).read_text()
    assert published in builds and len(builds) == 2  # the published build and the one before


def test_an_index_of_the_earlier_layout_keeps_its_tokens(tmp_path):
    import json

    from index.tokenize import TOKENIZER_VERSION, tokenize

    directory = tmp_path / "kw"
    directory.mkdir()
    (directory / "lantai-tokens.json").write_text(
        json.dumps({"tokenizer": TOKENIZER_VERSION, "tokens": {i: tokenize(t) for i, t in ITEMS}}, ensure_ascii=False),
        encoding="utf-8",
    )
    (directory / "lantai.json").write_text(json.dumps({"ids": ["a", "b", "c"], "generation": 4}), encoding="utf-8")
    index = KeywordIndex(directory)
    assert index.generation == -1  # the old build is not used: the next refresh rebuilds it
    assert _cached_ids(directory) == {"a", "b", "c"}
    assert not (directory / "lantai-tokens.json").exists()
