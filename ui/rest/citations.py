"""Checking a citation: the passage in its section, and a PDF's page with the passage boxed.

``GET /api/documents/{doc_id}/chunks/{chunk_id}/context`` is what the web app's citation panel
shows; ``GET /api/documents/{doc_id}/pages/{page}.png`` the page image (``chunk_id`` and ``quote``
box a passage on it). Both sit under ``/api``, behind its key like every other route.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from ..services.citation_view import CitationNotFound, FileGone, NotAPdf, PageNotFound
from ..services.documents import DocumentNotFound
from .common import ServicesDep, not_found
from .models import CitationContextOut, ErrorOut

router = APIRouter(tags=["citations"])

MAX_QUOTE = 1000  # a citation's passage is at most a few hundred characters
Quote = Annotated[str, Query(max_length=MAX_QUOTE, description="答案引用的原文（在章节中标出）/ the quoted passage")]
_MISSING: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut}}


@router.get(
    "/documents/{doc_id}/chunks/{chunk_id}/context",
    response_model=CitationContextOut,
    summary="引文所在章节与页面 / a cited passage in its section, with its page",
    responses=_MISSING,
)
async def citation_context(
    doc_id: str, chunk_id: str, request: Request, services: ServicesDep, quote: Quote = ""
) -> CitationContextOut:
    try:  # a first look at a page renders it: off the event loop
        view = await run_in_threadpool(services.citations.context, chunk_id, quote, doc_id)
    except (DocumentNotFound, CitationNotFound) as exc:
        raise not_found(exc) from None
    data = view.as_dict()
    image = None
    if view.page is not None and view.is_pdf:
        query = urlencode({"chunk_id": chunk_id, "quote": quote})
        image = f"{request.app.url_path_for('page_image', doc_id=doc_id, page=str(view.page))}?{query}"
    return CitationContextOut(**data, page_image=image)


@router.get(
    "/documents/{doc_id}/pages/{page}.png",
    name="page_image",
    summary="PDF 页面图像（可框出引文）/ a PDF page as PNG, a passage boxed on it",
    responses={200: {"content": {"image/png": {}}}, **_MISSING},
    response_class=Response,
)
async def page_image(
    doc_id: str,
    page: int,
    services: ServicesDep,
    chunk_id: Annotated[str | None, Query(max_length=64, description="框出这段引文 / box this chunk's passage")] = None,
    quote: Quote = "",
) -> Response:
    if page < 1:
        raise HTTPException(404, f"该文档没有第 {page} 页 / page {page} does not exist")
    try:
        image = await run_in_threadpool(services.citations.page_image, doc_id, page, chunk_id, quote)
    except (DocumentNotFound, CitationNotFound, NotAPdf, PageNotFound, FileGone) as exc:
        raise not_found(exc) from None
    headers = {"Cache-Control": "private, max-age=3600", "X-Lantai-Located": "1" if image.located else "0"}
    return Response(image.png, media_type="image/png", headers=headers)
