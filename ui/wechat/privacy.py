"""Openids never stand in logs as they are: a short hash names the user and cannot be turned back."""

from __future__ import annotations

import hashlib


def openid_hash(openid: str) -> str:
    """The first 16 hex digits of the openid's SHA-256: the same user hashes alike, across log lines."""
    return hashlib.sha256(openid.encode("utf-8")).hexdigest()[:16]


__all__ = ["openid_hash"]
