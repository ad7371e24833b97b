"""What every router of the REST API reads: the services on ``app.state``, and how a download is sent."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request, status
from fastapi.responses import Response

from ..services import Services
from ..services.documents import SourceGone, WriteBusy, WritesRefused
from ..services.metrics import Download


def get_services(request: Request) -> Services:
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]


def content_disposition(file_name: str, fallback: str) -> str:
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name)}"


def download_response(download: Download) -> Response:
    return Response(
        download.content,
        media_type=download.media_type,
        headers={"Content-Disposition": content_disposition(download.file_name, download.fallback_name)},
    )


def conflict(exc: WriteBusy | WritesRefused | SourceGone) -> HTTPException:
    """A change the server cannot make now (an ingest holds the lock) or at all (several workers, a file gone)."""
    return HTTPException(status.HTTP_409_CONFLICT, str(exc))


def not_found(exc: LookupError) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, str(exc))


__all__ = ["ServicesDep", "conflict", "content_disposition", "download_response", "get_services", "not_found"]
