"""The closed sets the registry stores as text: a document's status and its visibility.

Their values are the strings in the SQLite tables and in JSON output; a member compares equal to its
string, so rows read back as plain text compare with them directly.
"""

from __future__ import annotations

from enum import StrEnum


class Visibility(StrEnum):
    """Who may read a document: staff only, or the public channels too."""

    INTERNAL = "internal"
    PUBLIC = "public"


class DocumentStatus(StrEnum):
    """``indexing`` until every vector of the document is written, then ``ready`` (visible to search);
    ``duplicate``: a near-copy of another document (``duplicate_of``), kept in the registry, never indexed."""

    INDEXING = "indexing"
    READY = "ready"
    DUPLICATE = "duplicate"
