"""Reaching a Chroma server (`chroma run`) instead of Chroma embedded in this process.

Embedded Chroma allows one process per directory, so a deployment with several
worker processes keeps its vectors on one Chroma server that every worker talks
to. One server may hold many knowledge bases: each data directory gets a random
id the first time it meets a server (kept in ``<data_dir>/chroma/server-id``),
and its collection on the server is named after that id, so two bases never
share vectors even when their embedders and file names are the same.

Losing the server is told plainly (``VectorStoreUnreachable``) and never costs
anything stored: a document whose vectors could not be written stays invisible
in the registry and is finished by the next ingest.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import urlsplit

import chromadb
import httpx
from chromadb.api import ClientAPI
from chromadb.config import Settings as ChromaSettings

SERVER_ID_FILE = "server-id"
# Chroma's own client waits forever on a server that accepts connections but never answers.
DEFAULT_TIMEOUT = 30.0


class VectorStoreUnreachable(ConnectionError):
    """The Chroma server does not answer; nothing stored was lost."""

    def __init__(self, url: str, detail: str = ""):
        self.url = url
        self.detail = detail
        # Spaces around the address end it where a chat window turns it into a link.
        self.zh = (
            f"无法连接向量库服务器（Chroma，地址 {url} ）。本次操作未完成，已保存的内容没有丢失。"
            "请确认向量库服务器已启动（chroma run）且地址正确，然后重试。"
        )
        self.en = (
            f"cannot reach the Chroma server at {url}; this operation did not complete and nothing "
            "stored was lost. Check that the server is running (chroma run) and the address is right, "
            "then try again."
        )
        super().__init__(self.bilingual() + (f" ({detail})" if detail else ""))

    def bilingual(self) -> str:
        return f"{self.zh} / {self.en}"


def is_unreachable(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or anything it was raised from) says the server could not be reached."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, (VectorStoreUnreachable, httpx.TransportError, ConnectionError)):
            return True
        if "could not connect to a chroma server" in str(exc).lower():
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def server_address(url: str) -> tuple[str, int, bool]:
    """(host, port, tls) of ``http://host:port`` or ``https://host[:port]``; a bad URL is a bilingual ValueError."""
    parts = urlsplit(url.strip())
    try:
        port = parts.port
    except ValueError:
        port = -1
    if parts.scheme not in ("http", "https") or not parts.hostname or port == -1 or parts.path not in ("", "/"):
        raise ValueError(
            f"向量库服务器地址无效：{url!r}，应为 http://主机:端口，例如 http://127.0.0.1:8000"
            f" / invalid Chroma server URL {url!r}: expected http://host:port, e.g. http://127.0.0.1:8000"
        )
    tls = parts.scheme == "https"
    return parts.hostname, port or (443 if tls else 8000), tls


def connect(url: str, timeout: float = DEFAULT_TIMEOUT) -> ClientAPI:
    """A Chroma ``HttpClient`` for ``url``, checked alive (Chroma asks the server as it opens)."""
    host, port, tls = server_address(url)
    try:
        client = chromadb.HttpClient(host=host, port=port, ssl=tls, settings=ChromaSettings(anonymized_telemetry=False))
    except Exception as exc:
        if is_unreachable(exc):
            raise VectorStoreUnreachable(url, str(exc)) from exc
        raise
    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):  # Chroma builds it with no time-out at all
        session.timeout = httpx.Timeout(timeout, connect=min(timeout, 5.0))
    return client


def server_id(directory: Path) -> str:
    """This data directory's id on Chroma servers: made once, then read back."""
    path = directory / SERVER_ID_FILE
    if path.is_file():
        known = path.read_text(encoding="utf-8").strip()
        if known.isalnum():
            return known
    directory.mkdir(parents=True, exist_ok=True)
    made = secrets.token_hex(8)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(made + "\n", encoding="utf-8")
    tmp.replace(path)
    return made


__all__ = ["VectorStoreUnreachable", "connect", "is_unreachable", "server_address", "server_id", "DEFAULT_TIMEOUT"]
