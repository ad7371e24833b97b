"""Build the parts every surface needs from the settings, once."""

from __future__ import annotations

from index import KnowledgeBase, make_embedder, require_knowledge_base
from ingest import ChunkSizes, ReadLimits, load_indicators
from ingest.limits import MB, SQUARE_METRE_PT2

from .offline import stay_offline
from .settings import Settings


def read_limits(settings: Settings) -> ReadLimits:
    """The caps on reading one file, in the units the settings use (MB, square metres)."""
    return ReadLimits(
        max_inflated_bytes=int(settings.max_inflated_mb * MB),
        max_zip_members=settings.max_zip_members,
        max_pages=settings.max_pages,
        max_page_area=settings.max_page_m2 * SQUARE_METRE_PT2,
        max_page_pixels=settings.max_page_pixels,
        max_ocr_pages=settings.max_ocr_pages,
        max_sheet_rows=settings.max_sheet_rows,
        max_sheet_cells=settings.max_sheet_cells,
        max_text_chars=settings.max_text_chars,
    )


def open_knowledge_base(settings: Settings, create: bool = True) -> KnowledgeBase:
    """The knowledge base in ``settings.data_dir``. Without ``create``, a directory that holds none is an error
    (``NoKnowledgeBase``) and nothing is created: a command that only reads never starts an empty base."""
    if not create:
        require_knowledge_base(settings.data_dir)
    stay_offline()  # before an embedder's libraries are imported
    embedder = make_embedder(
        settings.embedder,
        model_path=settings.embed_model_path,
        api_base=settings.embed_api_base,
        api_key=settings.embed_api_key,
        model=settings.embed_model,
        batch_size=settings.embed_batch_size,
        concurrency=settings.embed_concurrency,
        timeout=settings.embed_timeout,
        max_retries=settings.embed_max_retries,
    )
    sizes = ChunkSizes(settings.chunk_min_chars, settings.chunk_max_chars, settings.chunk_overlap_chars)
    if settings.indicators_file is not None and not settings.indicators_file.exists():
        raise ValueError(f"indicators file not found / 指标别名文件不存在: {settings.indicators_file}")
    indicators = load_indicators(settings.indicators_file)
    return KnowledgeBase(
        settings.data_dir,
        embedder,
        max_bytes=settings.max_bytes,
        chunk_sizes=sizes,
        indicators=indicators,
        read_limits=read_limits(settings),
        chroma_url=settings.chroma_url,
        chroma_timeout=settings.chroma_timeout,
    )


def open_assistant(settings: Settings, kb: KnowledgeBase | None = None, visibility: str | None = None):
    """The assistant over a knowledge base, with the LLM and reranker the settings name."""
    from assistant import Assistant, AssistantConfig
    from assistant.llm import make_llm

    kb = kb or open_knowledge_base(settings)
    llm = make_llm(settings.llm_api_base, settings.llm_model, settings.llm_api_key, timeout=settings.llm_timeout)
    reranker = None
    if settings.reranker_path:
        from assistant.rerank import CrossEncoderReranker

        reranker = CrossEncoderReranker(settings.reranker_path)
    config = AssistantConfig(reference_year=settings.reference_year, visibility=visibility)
    return Assistant(kb, config, llm=llm, reranker=reranker)
