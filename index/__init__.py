"""Index: the knowledge base (registry, vectors, keywords) and embedders."""

from .base import KnowledgeBase, NoKnowledgeBase, require_knowledge_base
from .chroma_server import VectorStoreUnreachable
from .datalock import DataDirBusy
from .embed import Embedder, make_embedder
from .metrics import Conflict, MetricRow, MetricsStore, TargetStatus
from .registry import VISIBILITIES, DocumentRecord
from .search import FusionWeights, SearchFilters, SearchHit
from .writer import IngestProgress, IngestReport, collect_files

__all__ = [
    "Conflict",
    "DataDirBusy",
    "DocumentRecord",
    "MetricRow",
    "MetricsStore",
    "TargetStatus",
    "FusionWeights",
    "Embedder",
    "IngestProgress",
    "IngestReport",
    "KnowledgeBase",
    "NoKnowledgeBase",
    "SearchFilters",
    "SearchHit",
    "VISIBILITIES",
    "VectorStoreUnreachable",
    "collect_files",
    "make_embedder",
    "require_knowledge_base",
]
