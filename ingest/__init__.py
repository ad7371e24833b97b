"""Ingest: files in, clean cited chunks out."""

from .chunk import ChunkSizes
from .errors import IngestError
from .loaders import SUPPORTED_SUFFIXES
from .pipeline import DEFAULT_MAX_BYTES, file_sha256, parse_file
from .types import Chunk, Document, Section

__all__ = [
    "Chunk",
    "ChunkSizes",
    "DEFAULT_MAX_BYTES",
    "Document",
    "IngestError",
    "SUPPORTED_SUFFIXES",
    "Section",
    "file_sha256",
    "parse_file",
]
