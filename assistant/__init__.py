"""Assistant: questions answered from the knowledge base, every number checked."""

from .answer import NO_INFO, UNVERIFIED_MARK, Assistant, AssistantConfig
from .query import Query, understand
from .types import Answer, Citation, FigureUsed, ReviewedBy

__all__ = [
    "Answer",
    "Assistant",
    "AssistantConfig",
    "Citation",
    "FigureUsed",
    "NO_INFO",
    "Query",
    "ReviewedBy",
    "understand",
    "UNVERIFIED_MARK",
]
