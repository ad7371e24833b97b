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
