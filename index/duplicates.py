"""Duplicate awareness at ingest: is a new document a copy of one the base already holds?

A new file (one whose path the base does not hold as a document) is compared by its signature
(``index.near_duplicates``) with every ready or indexing document. When one is close enough:

- the new file was read by OCR and the stored one from a text layer, or both were read alike: the
  new file is a ``duplicate``: it is not indexed, and the registry keeps a row (its text, its
  signature, ``duplicate_of``) saying which document it copies;
- the new file has a text layer and the stored one was read by OCR: the text copy ``replaces`` it in
  place, under the stored document's id and visibility, and the scan's row becomes the duplicate.

A file the base already holds under its path (a re-issued version, same name) replaces itself as
before and is not compared. ``keep`` (``--keep-duplicates``) indexes a copy anyway.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum

from ingest import Document, read_by_ocr
from ingest.types import content_hash

from . import signatures
from .near_duplicates import THRESHOLD, long_enough, similarities
from .registry import DocumentRecord, Registry
from .replaced_rows import drop_rows
from .states import DocumentStatus


class Kind(StrEnum):
    NEW = "new"
    DUPLICATE = "duplicate"
    REPLACES = "replaces"


@dataclass(frozen=True)
class Verdict:
    kind: Kind
    match: DocumentRecord | None = None
    similarity: float = 0.0


def judge(registry: Registry, doc: Document, existing: DocumentRecord | None, minhash: bytes, keep: bool) -> Verdict:
    """What to do with ``doc``, whose path the base holds as ``existing`` (or not at all)."""
    if keep or (existing is not None and existing.status != DocumentStatus.DUPLICATE) or not long_enough(doc.text):
        return Verdict(Kind.NEW)
    statuses = (DocumentStatus.READY.value, DocumentStatus.INDEXING.value)
    rows = [
        s
        for s in signatures.stored(registry.conn, statuses, read_by_ocr, registry._tx)
        if s.path != doc.path and (existing is None or s.doc_id != existing.id)
    ]
    if not rows:
        return Verdict(Kind.NEW)
    scores = similarities(minhash, [s.minhash for s in rows])
    best = int(scores.argmax())
    match = registry.get(rows[best].doc_id) if scores[best] >= THRESHOLD else None
    if match is None:
        return Verdict(Kind.NEW)
    replaces = rows[best].read_by_ocr and not doc.read_by_ocr
    return Verdict(Kind.REPLACES if replaces else Kind.DUPLICATE, match, float(scores[best]))


def own_id(registry: Registry, doc: Document, existing: DocumentRecord | None) -> str:
    """The id ``doc`` is stored under: its document's id when the base holds its path, else the id its
    path gives, unless a text copy that replaced a scan from this path holds that id already."""
    if existing is not None and existing.status != DocumentStatus.DUPLICATE:
        return existing.id
    holder = registry.get(doc.doc_id)
    return doc.doc_id if holder is None or holder.path == doc.path else copy_id(doc.path)


def copy_id(path: str) -> str:
    return content_hash("copy", path, length=12)


def duplicate_row(doc: Document, doc_id: str, visibility: str, of: str) -> DocumentRecord:
    """The registry row of a file kept as a duplicate of document ``of``."""
    return DocumentRecord(
        id=doc_id,
        path=doc.path,
        file_name=doc.file_name,
        sha256=doc.sha256,
        size=doc.size,
        doc_type=doc.doc_type,
        title=doc.title,
        org=doc.org,
        years=doc.years,
        report_year=doc.report_year,
        plan_year=doc.plan_year,
        as_of=doc.as_of,
        page_count=doc.page_count,
        visibility=visibility,
        status=DocumentStatus.DUPLICATE,
        chunk_count=0,
        ingested_at=None,
        duplicate_of=of,
    )


def record_duplicate(
    registry: Registry, row: DocumentRecord, text: str, minhash: bytes, ocr: bool, pipeline: str
) -> None:
    """Store a duplicate's row (replacing any row of its id or path), its text and its signature."""
    values = row.as_dict()
    values["years"] = json.dumps(row.years)
    columns = list(values)
    with registry._tx() as c:
        drop_rows(c, row.id, row.path)
        c.execute(
            f"INSERT INTO documents ({', '.join(columns)}, text, pipeline) VALUES ({', '.join('?' * (len(columns) + 2))})",
            [*values.values(), text, pipeline],
        )
        signatures.write(c, row.id, minhash, ocr)
        registry._bump(c)


def duplicate_notice(name: str, original: DocumentRecord, ocr_copy: bool, similarity: float | None) -> tuple[str, str]:
    """What staff are told of a file not indexed as a copy (Chinese, English)."""
    share = f"（相似度 {similarity:.0%}）" if similarity is not None else ""
    share_en = f" (similarity {similarity:.0%})" if similarity is not None else ""
    why = "它是扫描件（OCR 识别），以文字版为准，" if ocr_copy else ""
    why_en = "it is a scan read by OCR and the text copy is preferred; " if ocr_copy else ""
    return (
        f"「{name}」与已导入的「{original.file_name}」是同一文档{share}，{why}未重复导入。"
        "如确需保留，请勾选“仍然导入重复文档”后重新上传（命令行加 --keep-duplicates）。",
        f"'{name}' is the same document as '{original.file_name}', already ingested{share_en}; {why_en}"
        "it was not indexed again (use --keep-duplicates to index it anyway).",
    )


def replaced_notice(name: str, scan: DocumentRecord) -> tuple[str, str]:
    """What staff are told when a text copy took the place of a scan (Chinese, English)."""
    return (
        f"「{name}」是已导入的扫描件「{scan.file_name}」的文字版，已替换扫描件（沿用原文档 ID 和可见范围）。",
        f"'{name}' is the text copy of the scan '{scan.file_name}' already ingested; it replaced the scan "
        "(same document id and visibility).",
    )
