"""An optional cross-encoder reranker, loaded from a local model folder (e.g. bge-reranker)."""

from __future__ import annotations

from pathlib import Path

from index import SearchHit


class CrossEncoderReranker:
    """Re-orders retrieved passages by a cross-encoder's relevance score for the question."""

    def __init__(self, model_path: str, max_length: int = 512):
        if not Path(model_path).is_dir():
            raise ValueError(f"重排模型目录不存在 / reranker model folder not found: {model_path}")
        try:
            from sentence_transformers import CrossEncoder
        except ImportError as exc:  # the optional extra is not installed
            raise ImportError(
                "重排需要 sentence-transformers，请安装：pip install -e '.[st]' / "
                "the reranker needs sentence-transformers: pip install -e '.[st]'"
            ) from exc
        self.model = CrossEncoder(model_path, max_length=max_length, num_labels=1, local_files_only=True)

    def scores(self, question: str, hits: list[SearchHit]) -> list[float]:
        pairs = [(question, h.chunk.embed_text()) for h in hits]
        return [float(s) for s in self.model.predict(pairs, show_progress_bar=False)]

    def rerank(self, question: str, hits: list[SearchHit]) -> list[SearchHit]:
        if len(hits) < 2:
            return hits
        scored = sorted(zip(self.scores(question, hits), range(len(hits)), hits), key=lambda t: (-t[0], t[1]))
        return [h for _, _, h in scored]
