"""A real knowledge base (Chroma, SQLite, the embedder) over documents a test writes out itself."""

from __future__ import annotations

from assistant import Assistant
from index import KnowledgeBase


def assistant_over(tmp_path_factory, embedder, documents: dict[str, str]):
    """(kb, assistant) over the documents, each a file name and its text; the caller closes the kb."""
    folder = tmp_path_factory.mktemp("docs")
    for name, text in documents.items():
        (folder / name).write_text(text, encoding="utf-8")
    kb = KnowledgeBase(tmp_path_factory.mktemp("data"), embedder)
    assert kb.ingest(sorted(folder.glob("*.txt"))).ok
    return kb, Assistant(kb)


def checked_computation(answer) -> str:
    """The answer's text, once it is shown to be computed (推算, a derived figure with its formula), cited,
    and every number in it verified."""
    from assistant.verify import verify

    assert not answer.refused, answer.answer
    assert "推算" in answer.answer, answer.answer
    derived = [f for f in answer.figures if f.derived]
    assert derived and all(f.formula for f in derived)
    assert answer.citations
    assert not answer.unverified_numbers, answer.unverified_numbers
    assert verify(answer.answer, answer.citations, answer.figures, [c.quote for c in answer.citations]).ok
    return answer.answer
