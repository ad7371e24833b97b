"""``/api/documents``: list, upload (ingested in the background), re-index, change visibility, remove."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, UploadFile, status
from fastapi.responses import Response

from ..services.audit import API_ACTOR
from ..services.documents import DocumentNotFound, SourceGone, WriteBusy, WritesRefused
from ..services.files import FileTooLarge
from .common import ServicesDep, conflict, not_found
from .models import DocumentOut, ErrorOut, UploadAccepted, Visibility, VisibilityUpdate, document_out

router = APIRouter(tags=["documents"])

_MISSING_OR_BUSY: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut}, 409: {"model": ErrorOut}}


@router.get("/documents", response_model=list[DocumentOut], summary="文档列表 / list documents")
def list_documents(services: ServicesDep) -> list[DocumentOut]:
    return [document_out(r) for r in services.documents.records()]


@router.post(
    "/documents",
    response_model=UploadAccepted,
    status_code=status.HTTP_202_ACCEPTED,
    summary="上传文档并在后台导入 / upload documents, ingested in the background",
    responses={413: {"model": ErrorOut, "description": "文件超过大小上限 / a file is too large"}},
)
def upload(
    services: ServicesDep,
    files: Annotated[list[UploadFile], File(description="一个或多个文件 / one or more files")],
    visibility: Annotated[Visibility, Form(description="internal（仅内部）| public（可对公众答复）")] = "internal",
    keep_duplicates: Annotated[
        bool,
        Form(
            description="与已有文档内容相同也照常导入（默认不导入，任务中说明）/ index copies of documents already there"
        ),
    ] = False,
) -> UploadAccepted:
    if not files:
        raise HTTPException(422, "请至少选择一个文件 / no file was uploaded")
    documents = services.documents
    try:
        documents.check_writable()
    except WritesRefused as exc:
        raise conflict(exc) from None
    most = services.settings.max_files_per_upload
    if len(files) > most:
        raise HTTPException(413, f"一次最多上传 {most} 个文件 / at most {most} files per upload")
    try:
        job, names = documents.upload_streams(
            [(f.filename, f.file) for f in files], visibility, keep_duplicates, by=API_ACTOR
        )
    except FileTooLarge as exc:
        raise HTTPException(413, str(exc)) from None
    return UploadAccepted(job_id=job.id, files=names)


@router.delete(
    "/documents/{doc_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="删除文档（索引中所有内容）/ remove a document everywhere",
    responses=_MISSING_OR_BUSY,
)
def delete_document(doc_id: str, services: ServicesDep) -> Response:
    try:
        services.documents.remove(doc_id, by=API_ACTOR)
    except DocumentNotFound as exc:
        raise not_found(exc) from None
    except (WriteBusy, WritesRefused) as exc:
        raise conflict(exc) from None
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/documents/{doc_id}/reindex",
    response_model=UploadAccepted,
    status_code=status.HTTP_202_ACCEPTED,
    summary="重新索引文档 / read a document again from its file",
    responses=_MISSING_OR_BUSY,
)
def reindex_document(doc_id: str, services: ServicesDep) -> UploadAccepted:
    try:
        job, record = services.documents.reindex(doc_id, by=API_ACTOR)
    except DocumentNotFound as exc:
        raise not_found(exc) from None
    except (SourceGone, WriteBusy, WritesRefused) as exc:
        raise conflict(exc) from None
    return UploadAccepted(job_id=job.id, files=[record.file_name])


@router.patch(
    "/documents/{doc_id}",
    response_model=DocumentOut,
    summary="修改可见范围 / change who may see a document",
    responses=_MISSING_OR_BUSY,
)
def patch_document(doc_id: str, body: VisibilityUpdate, services: ServicesDep) -> DocumentOut:
    try:
        return document_out(services.documents.set_visibility(doc_id, body.visibility, by=API_ACTOR))
    except DocumentNotFound as exc:
        raise not_found(exc) from None
    except (WriteBusy, WritesRefused) as exc:
        raise conflict(exc) from None
