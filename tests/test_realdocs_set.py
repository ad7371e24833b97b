"""Integrity of the real-document QA set (eval/gold/realdocs_qa.jsonl) and its frozen split.

Fast: reads JSON and the plain-text documents only, no models. Checks that need the documents
themselves skip when ../shared is not beside the checkout.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
GOLD = REPO / "eval" / "gold" / "realdocs_qa.jsonl"
SPLIT = REPO / "eval" / "gold" / "realdocs_split.json"
SHARED = REPO.parent / "shared"
REALDOCS = SHARED / "realdocs"
SEED_NAME = "nanhai-library-2024-summary-2025-plan.txt"

CLASSES = {
    "figure",
    "figure_qualified",
    "two_figures",
    "figures_out_of_list",
    "table",
    "arithmetic",
    "name_or_date",
    "list",
    "yes_no",
    "trend",
    "plan_vs_actual",
    "followup",
    "org_named",
    "no_answer",
}
FIELDS = {"id", "kind", "question", "history", "expect", "expect_any", "sources", "refuse", "doc", "class", "no_answer"}
# Classes whose expected strings may legitimately be absent from the document text:
# computed values, and verdict / direction words.
COMPUTED = {"arithmetic"}
VERDICT_GROUPS = {"trend", "yes_no", "plan_vs_actual", "figure_qualified"}
COPY_RUN = 15  # consecutive CJK characters shared with a document = a copied sentence

_CJK = re.compile(r"[\u4e00-\u9fff]+")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def items() -> list[dict]:
    return [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def split() -> dict:
    return json.loads(SPLIT.read_text(encoding="utf-8"))


def doc_path(name: str) -> Path:
    return SHARED / "seed" / name if name == SEED_NAME else REALDOCS / name


@pytest.fixture(scope="module")
def texts(items) -> dict[str, str]:
    if not REALDOCS.is_dir() or not (SHARED / "seed" / SEED_NAME).exists():
        pytest.skip("the real documents are not beside the checkout (../shared)")
    return {name: doc_path(name).read_text(encoding="utf-8") for name in {i["doc"] for i in items}}


def test_size_fields_and_classes(items):
    assert len(items) >= 150
    ids = [i["id"] for i in items]
    assert len(ids) == len(set(ids))
    for i in items:
        assert set(i) >= FIELDS, i["id"]
        assert i["class"] in CLASSES, i["id"]
        assert i["refuse"] == i["no_answer"] == (i["class"] == "no_answer"), i["id"]
        if i["no_answer"]:
            assert not i["expect"] and not i["expect_any"] and not i["sources"], i["id"]
        else:
            assert i["expect"] or i["expect_any"], i["id"]
            assert i["sources"] == [i["doc"]], i["id"]
        assert all(len(e) <= 16 for e in i["expect"]), i["id"]
        if i["class"] == "arithmetic":
            assert i.get("note"), f"{i['id']}: arithmetic items state their formula in a note"
        if i["class"] == "followup":
            assert i["history"], i["id"]
    classes = Counter(i["class"] for i in items)
    assert set(classes) == CLASSES
    share = classes["no_answer"] / len(items)
    assert 0.10 <= share <= 0.20


def test_split_is_whole_documents(items, split):
    test, dev = set(split["test"]), set(split["dev"])
    assert not test & dev
    assert len(test) == 7 and len(test | dev) == 21
    assert {i["doc"] for i in items} <= test | dev
    for part in (test, dev):
        assert any(i["doc"] in part for i in items)


def test_docs_exist(items, split, texts):
    for name in {i["doc"] for i in items} | set(split["test"]) | set(split["dev"]):
        assert doc_path(name).is_file(), name


def test_expected_strings_occur_in_the_document(items, texts):
    for i in items:
        if i["no_answer"] or i["class"] in COMPUTED:
            continue
        text = squash(texts[i["doc"]])
        for e in i["expect"]:
            assert squash(e) in text, f"{i['id']}: {e!r} not in {i['doc']}"
        if i["class"] in VERDICT_GROUPS:
            continue
        for group in i["expect_any"]:
            assert any(squash(m) in text for m in group), f"{i['id']}: no member of {group} in {i['doc']}"


def _runs(text: str, n: int) -> set[str]:
    out = set()
    for run in _CJK.findall(text):
        out.update(run[k : k + n] for k in range(len(run) - n + 1))
    return out


def test_no_sentence_copied_from_a_document(items, texts):
    doc_runs = set()
    for text in texts.values():
        doc_runs |= _runs(squash(text), COPY_RUN)
    for i in items:
        for field in [i["question"], *i["history"], *i["expect"], *(m for g in i["expect_any"] for m in g)]:
            shared = _runs(squash(field), COPY_RUN) & doc_runs
            assert not shared, f"{i['id']}: copied run {sorted(shared)[0]!r}"
