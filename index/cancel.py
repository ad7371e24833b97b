"""Stopping an ingest early: asked between files and between embedding batches.

A caller passes a ``threading.Event`` (set it to stop) or any callable that
returns true once the ingest should stop. The knowledge base never stops in
the middle of a transaction: it checks only at points where what is stored is
either finished or can be removed whole.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

Cancel = threading.Event | Callable[[], bool] | None


class IngestCancelled(Exception):
    """Raised inside an ingest when its cancel signal was seen; the ingest catches it."""


def cancel_check(cancel: Cancel) -> Callable[[], bool]:
    """A no-argument function telling whether to stop now."""
    if cancel is None:
        return lambda: False
    if isinstance(cancel, threading.Event):
        return cancel.is_set
    if callable(cancel):
        return lambda: bool(cancel())
    raise TypeError("cancel must be a threading.Event or a callable")


__all__ = ["Cancel", "IngestCancelled", "cancel_check"]
