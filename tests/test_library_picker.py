"""A question that names no library is answered for the library picked (``--org``, the REST ``org``), and
says which library it is for; with none picked, a figure two libraries' documents answer differently asks
which library is meant. An unknown library is refused with the libraries there are. Real Chroma, SQLite,
embedder and HTTP on 127.0.0.1, over two fictional libraries' documents (``library_docs``)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from library_docs import VISITS_2024, WANGCHUAN, YUNLING, write_documents
from serving import serving
from typer.testing import CliRunner

from assistant.which_library import ASK_WHICH
from index import KnowledgeBase
from ui.cli import app
from ui.cli_errors import EXIT_UNKNOWN_LIBRARY
from ui.services.libraries import Libraries

QUESTION = "2024年进馆人数是多少？"


@pytest.fixture(scope="module")
def kb(tmp_path_factory, embedder):
    root = tmp_path_factory.mktemp("two-libraries")
    base = KnowledgeBase(root / "data", embedder)
    assert base.ingest(write_documents(root / "docs")).ok
    yield base
    base.close()


def cli(kb, *args: str):
    return CliRunner().invoke(app, [*args, "--data-dir", str(kb.data_dir)])


def cli_answer(kb, *args: str) -> dict:
    result = cli(kb, "ask", QUESTION, "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_the_library_with_most_documents_is_listed_first(kb):
    libraries = Libraries.of(kb)
    assert libraries.listed() == [YUNLING, WANGCHUAN]
    assert libraries.default() == YUNLING
    assert libraries.resolve("望川") == WANGCHUAN  # a usual short form names the library


@pytest.mark.parametrize("org", [YUNLING, WANGCHUAN])
def test_cli_answers_a_question_naming_no_library_for_the_org_given(kb, org):
    answer = cli_answer(kb, "--org", org)
    assert VISITS_2024[org] in answer["answer"] and answer["library"] == org
    other = next(o for o in VISITS_2024 if o != org)
    assert VISITS_2024[other] not in answer["answer"] and not answer["candidates"]


def test_cli_prints_which_library_the_answer_is_for(kb):
    result = cli(kb, "ask", QUESTION, "--org", "望川")
    assert result.exit_code == 0, result.output
    assert f"单位：{WANGCHUAN}" in result.output and VISITS_2024[WANGCHUAN] in result.output


def test_a_question_naming_a_library_keeps_it_whatever_is_picked(kb):
    result = cli(kb, "ask", "望川区图书馆2024年进馆人数是多少？", "--org", YUNLING, "--json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert VISITS_2024[WANGCHUAN] in answer["answer"] and answer["library"] == WANGCHUAN


def test_cli_without_org_asks_which_library_when_both_answer(kb):
    answer = cli_answer(kb)
    assert answer["answer"].startswith(ASK_WHICH)
    assert answer["candidates"] == [YUNLING, WANGCHUAN]
    assert not any(v in answer["answer"] for v in VISITS_2024.values())


def test_cli_without_org_answers_what_only_one_library_holds(kb):
    result = cli(kb, "ask", "2023年进馆人数是多少？", "--json")  # only 云岭 reports 2023 itself
    answer = json.loads(result.output)
    assert "11.20万人次" in answer["answer"] and answer["library"] == YUNLING and not answer["candidates"]


@pytest.mark.parametrize(
    "command",
    [
        ["ask", QUESTION],
        ["metrics", "--indicator", "进馆人数"],
        ["metrics", "trend", "--indicator", "进馆人数"],
    ],
)
def test_cli_unknown_org_exits_with_both_languages_and_the_known_libraries(kb, command):
    result = cli(kb, *command, "--org", "青石镇图书馆")
    assert result.exit_code == EXIT_UNKNOWN_LIBRARY, result.output
    assert "知识库中没有「青石镇图书馆」的文档" in result.output
    assert "no document is by or about '青石镇图书馆'" in result.output
    assert YUNLING in result.output and WANGCHUAN in result.output


def test_cli_metrics_of_one_library(kb):
    result = cli(kb, "metrics", "--indicator", "进馆人数", "--year", "2024", "--org", WANGCHUAN, "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows and {r["org"] for r in rows} == {WANGCHUAN}
    assert {r["stated"] for r in rows} == {VISITS_2024[WANGCHUAN]}


@pytest.fixture(scope="module")
def api(kb):
    from ui.api import create_app
    from ui.settings import Settings

    settings = Settings(_env_file=None, data_dir=kb.data_dir, llm_api_base=None, reranker_path=None)
    with serving(create_app(settings, kb=kb, api_keys=[])) as (url, _):
        yield url


def call(url: str, body: dict | None = None) -> tuple[int, dict | list]:
    data = json.dumps(body).encode("utf-8") if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_rest_without_org_asks_which_library(api):
    status, answer = call(api + "/api/ask", {"question": QUESTION})
    assert status == 200 and isinstance(answer, dict)
    assert answer["answer"].startswith(ASK_WHICH) and answer["candidates"] == [YUNLING, WANGCHUAN]
    assert YUNLING in answer["answer"] and WANGCHUAN in answer["answer"]


def test_rest_with_org_answers_for_it_and_names_it(api):
    status, answer = call(api + "/api/ask", {"question": QUESTION, "org": WANGCHUAN})
    assert status == 200 and isinstance(answer, dict)
    assert VISITS_2024[WANGCHUAN] in answer["answer"] and answer["library"] == WANGCHUAN
    assert {c["library"] for c in answer["citations"]} == {WANGCHUAN}


def test_rest_unknown_org_is_a_chinese_422_listing_the_libraries(api):
    for url, body in (
        (api + "/api/ask", {"question": QUESTION, "org": "青石镇图书馆"}),
        (api + "/api/ask/stream", {"question": QUESTION, "org": "青石镇图书馆"}),
        (api + "/api/metrics?" + urllib.parse.urlencode({"org": "青石镇图书馆"}), None),
    ):
        status, error = call(url, body)
        assert status == 422 and isinstance(error, dict), (url, error)
        assert error["detail"].startswith("知识库中没有「青石镇图书馆」的文档")
        assert error["libraries"] == [YUNLING, WANGCHUAN]


def test_rest_metrics_of_one_library(api):
    query = urllib.parse.urlencode({"indicator": "进馆人数", "year": 2024, "org": YUNLING})
    status, rows = call(api + "/api/metrics?" + query)
    assert status == 200 and isinstance(rows, list) and rows
    assert {r["stated"] for r in rows} == {VISITS_2024[YUNLING]}


def test_a_question_about_several_libraries_together_is_not_asked_which(kb):
    from assistant import Assistant

    answer = Assistant(kb).ask("两个馆2024年进馆人数加起来是多少？")
    assert ASK_WHICH not in answer.answer and not answer.candidates, answer.answer


@pytest.mark.parametrize(
    ("question", "more"),
    [
        ("榆光志愿服务队到2023年底注册了多少志愿者？", True),  # a team the passages that name it place
        ("2024年进馆人数是多少？", False),
        ("2024年进馆人数同比增长多少？", False),
        ("24年到馆人数多少", False),
        ("近三年进馆人数的变化情况", False),
    ],
)
def test_only_a_question_saying_no_more_than_its_figure_can_be_asked_which(question, more):
    from assistant.query import understand
    from assistant.which_library import names_more_than_the_figure
    from ingest import load_indicators

    query = understand(question, indicators=load_indicators(), reference_year=2025, orgs=[])
    assert names_more_than_the_figure(query) is more
