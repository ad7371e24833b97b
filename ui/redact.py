"""Server paths stay on the server: messages shown to clients name files, never where they live."""

from __future__ import annotations

import re

# An absolute directory prefix ("/srv/lantai/data/uploads/"), not part of a URL ("http://host/a/").
_DIRECTORIES = re.compile(r"(?<![\w:/.~-])/(?:[^/\s'\"“”‘’「」<>]+/)+")


def redact_paths(text: str | None) -> str | None:
    """``text`` with every absolute directory prefix removed, so only file names remain."""
    if not text:
        return text
    return _DIRECTORIES.sub("", text)


__all__ = ["redact_paths"]
