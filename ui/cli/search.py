"""``lantai search`` and ``stats``: hybrid search over the chunks, and the size of the knowledge base."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from index import SearchHit

from .common import AsJson, DataDir, console, fail, open_kb


def hit_json(h: SearchHit) -> dict:
    c = h.chunk
    return {
        "chunk_id": c.id,
        "doc_id": c.doc_id,
        "file": c.file_name,
        "title": h.doc_title,
        "heading_path": list(c.heading_path),
        "page_start": c.page_start,
        "page_end": c.page_end,
        "char_start": c.char_start,
        "char_end": c.char_end,
        "year": c.year,
        "period": c.period_kind,
        "text": c.text,
        "score": round(h.score, 6),
        "vector_rank": h.vector_rank,
        "vector_score": None if h.vector_score is None else round(h.vector_score, 4),
        "keyword_rank": h.keyword_rank,
        "keyword_score": None if h.keyword_score is None else round(h.keyword_score, 4),
    }


def search(
    query: str = typer.Argument(..., help="查询 / query"),
    k: int = typer.Option(5, "-k", help="返回条数 / number of results"),
    data_dir: Path | None = DataDir,
    as_json: bool = AsJson,
    mode: str = typer.Option("hybrid", "--mode", help="hybrid | vector | keyword"),
) -> None:
    """混合检索 / hybrid search (vector + BM25, fused by reciprocal rank)."""
    if not query.strip():
        fail("查询不能为空 / the query is empty")
    if mode not in ("hybrid", "vector", "keyword"):
        fail(f"--mode 只能是 hybrid、vector 或 keyword / unknown mode '{mode}'")
    hits = open_kb(data_dir).search(query, k=max(1, k), mode=mode)
    if as_json:
        print(json.dumps([hit_json(h) for h in hits], ensure_ascii=False, indent=1))
        return
    if not hits:
        console.print("没有找到相关内容 / nothing found")
        return
    for i, h in enumerate(hits, 1):
        c = h.chunk
        page = f" 第{c.page_start}页" if c.page_start else ""
        heading = " > ".join(c.heading_path) or "（正文开头）"
        console.print(
            f"[bold]{i}. {c.file_name}{page}[/bold] · {heading}\n"
            f"   分数 score {h.score:.4f} · 向量 vector #{h.vector_rank or '-'} "
            f"({h.vector_score if h.vector_score is None else round(h.vector_score, 3)}) · "
            f"关键词 BM25 #{h.keyword_rank or '-'}"
        )
        console.print("   " + c.text.replace("\n", " ")[:300], highlight=False)


def stats(data_dir: Path | None = DataDir, as_json: bool = AsJson) -> None:
    """知识库统计 / knowledge-base statistics."""
    info = open_kb(data_dir).stats()
    if as_json:
        print(json.dumps(info, ensure_ascii=False, indent=1))
        return
    for key, value in info.items():
        console.print(f"{key}: {value}")


def register(app: typer.Typer) -> None:
    app.command()(search)
    app.command()(stats)
