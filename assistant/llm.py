"""Chat models behind one small protocol.

The assistant talks to any OpenAI-compatible ``/v1/chat/completions``
endpoint -- Ollama, vLLM, llama.cpp server, LM Studio, DeepSeek, Qwen
(DashScope compatible mode), GLM -- through llama-index's ``OpenAILike``
(package ``llama-index-llms-openai-like``).

Retries: ``OpenAILike`` would retry twice over (its own tenacity decorator,
with 1-20 s waits, around the ``openai`` client's retries). Here the
``openai`` client is built by this module and carries the only retry logic
(connection errors, time-outs, 408/409/429/5xx, honouring ``Retry-After``),
and llama-index's layer is switched off (``max_retries=0`` on the llama-index
object). So one call sends at most ``1 + max_retries`` requests, and waits at
most about ``(1 + max_retries) * timeout`` plus a short back-off.

``timeout`` is the ``openai``/httpx time-out: connecting, and the longest
silence while reading (before the first byte, or between stream chunks).

Every failure surfaces as :class:`LLMError` with a Chinese and an English
message naming the endpoint; callers fall back to the extractive answer.
Nothing here sets llama-index's global ``Settings.llm``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Protocol, runtime_checkable
from urllib.parse import urlsplit, urlunsplit

ROLES = ("system", "user", "assistant")
DEFAULT_CONTEXT_WINDOW = 8192  # tokens; used only by llama-index's own prompt helpers

# Reasoning models served without a reasoning parser put their thinking inline.
_THINK_OPEN = "<think>"
_THINK_CLOSE = "</think>"
_THINK_BLOCK = re.compile(r"^\s*<think>.*?</think>\s*", re.DOTALL)


class LLMError(RuntimeError):
    """A chat model call failed; ``zh`` and ``en`` say why, ``str()`` gives both.

    ``kind`` is one of ``"connection"``, ``"timeout"``, ``"http"``,
    ``"malformed"``, ``"empty"``; ``status`` is the HTTP status for ``"http"``.
    """

    def __init__(self, zh: str, en: str, *, endpoint: str = "", kind: str = "", status: int | None = None):
        self.zh = zh
        self.en = en
        self.endpoint = endpoint
        self.kind = kind
        self.status = status
        super().__init__(f"{zh} / {en}")


@runtime_checkable
class ChatLLM(Protocol):
    name: str

    def complete(self, messages: list[dict]) -> str:
        """The whole answer to ``[{"role": "system"|"user"|"assistant", "content": str}, ...]``."""

    def stream(self, messages: list[dict]) -> Iterator[str]:
        """The answer as text deltas, in order."""


def with_api_version(api_base: str) -> str:
    """``http://host:port`` -> ``http://host:port/v1``; any URL with a path is kept as given."""
    parts = urlsplit(api_base.strip())
    if parts.path in ("", "/"):
        parts = parts._replace(path="/v1")
    return urlunsplit(parts).rstrip("/")


def strip_thinking(text: str) -> str:
    """Drop a leading ``<think>...</think>`` block (reasoning models without a reasoning parser)."""
    return _THINK_BLOCK.sub("", text, count=1)


class OpenAICompatibleLLM:
    """A chat model at an OpenAI-compatible endpoint, through llama-index ``OpenAILike``.

    ``api_base`` is the URL under which ``/chat/completions`` is posted, e.g.
    ``http://127.0.0.1:11434/v1`` (Ollama) or
    ``https://dashscope.aliyuncs.com/compatible-mode/v1``; a bare
    ``http://host:port`` gets ``/v1`` appended.
    """

    def __init__(
        self,
        api_base: str,
        model: str,
        api_key: str | None = None,
        *,
        temperature: float = 0.1,
        timeout: float = 30.0,
        max_retries: int = 1,
        max_tokens: int = 800,
        context_window: int = DEFAULT_CONTEXT_WINDOW,
    ):
        if not api_base or not model:
            raise ValueError("大模型服务需要 api_base 和 model / the chat model needs api_base and model")
        if timeout <= 0:
            raise ValueError(f"timeout 必须大于 0 / timeout must be positive, got {timeout}")
        if max_retries < 0:
            raise ValueError(f"max_retries 不能为负数 / max_retries must not be negative, got {max_retries}")
        import openai
        from llama_index.llms.openai_like import OpenAILike

        self._openai = openai
        self.api_base = with_api_version(api_base)
        self.model = model
        self.temperature = temperature
        self.timeout = float(timeout)
        self.max_retries = int(max_retries)
        self.max_tokens = max_tokens
        self.name = f"{model}@{self.api_base}"
        client = openai.OpenAI(
            base_url=self.api_base,
            api_key=api_key or "none",
            timeout=self.timeout,
            max_retries=self.max_retries,
        )
        self._llm = OpenAILike(
            model=model,
            api_base=self.api_base,
            api_key=api_key or "none",
            is_chat_model=True,
            is_function_calling_model=False,
            context_window=context_window,
            temperature=temperature,
            max_tokens=max_tokens,
            timeout=self.timeout,
            max_retries=0,  # llama-index's own retry layer off: the openai client above retries
            openai_client=client,
            reuse_client=True,
        )

    # ------------------------------------------------------------------ calls
    def complete(self, messages: list[dict]) -> str:
        chat_messages = self._to_chat_messages(messages)
        try:
            response = self._llm.chat(chat_messages)
            text = response.message.content
        except Exception as exc:  # every library failure becomes an LLMError
            raise self._error(exc) from exc
        if text is None:  # "content": null or "" (e.g. a reasoning model that ran out of tokens)
            raise self._empty()
        if not isinstance(text, str):
            raise self._malformed("回答格式不对", f"the reply text is a {type(text).__name__}, not a string")
        text = strip_thinking(text).strip()
        if not text:
            raise self._empty()
        return text

    def stream(self, messages: list[dict]) -> Iterator[str]:
        """Text deltas. Validation happens at once; the request is sent on the first ``next()``."""
        chat_messages = self._to_chat_messages(messages)
        return self._stream(chat_messages)

    def _stream(self, chat_messages: list) -> Iterator[str]:
        thinking = _ThinkFilter()
        produced = False
        try:
            for chunk in self._llm.stream_chat(chat_messages):
                delta = chunk.delta
                if delta is None:
                    continue
                if not isinstance(delta, str):
                    raise self._malformed("流式回答格式不对", f"a streamed delta is a {type(delta).__name__}")
                for piece in thinking.feed(delta):
                    if piece:
                        produced = produced or bool(piece.strip())
                        yield piece
            tail = thinking.flush()
            if tail:
                produced = produced or bool(tail.strip())
                yield tail
        except LLMError:
            raise
        except Exception as exc:
            raise self._error(exc, streaming=True) from exc
        if not produced:
            raise self._empty()

    # ---------------------------------------------------------------- helpers
    def _to_chat_messages(self, messages: list[dict]) -> list:
        from llama_index.core.llms import ChatMessage

        if not messages:
            raise ValueError("消息列表为空 / no messages to send")
        result = []
        for i, message in enumerate(messages):
            role = message.get("role") if isinstance(message, dict) else None
            content = message.get("content") if isinstance(message, dict) else None
            if role not in ROLES or not isinstance(content, str):
                raise ValueError(
                    f"第 {i + 1} 条消息格式不对（需要 role 为 system/user/assistant，content 为字符串）"
                    f" / message {i + 1} must be {{'role': 'system'|'user'|'assistant', 'content': str}}, "
                    f"got {message!r:.120}"
                )
            result.append(ChatMessage(role=role, content=content))
        return result

    def _error(self, exc: BaseException, *, streaming: bool = False) -> LLMError:
        openai = self._openai
        where = self.api_base
        tries = f"（共尝试 {self.max_retries + 1} 次）"
        tries_en = f" (after {self.max_retries + 1} attempt{'s' if self.max_retries else ''})"
        if isinstance(exc, openai.APITimeoutError):
            return LLMError(
                f"大模型服务 {where} 在 {self.timeout:g} 秒内没有回应{tries}",
                f"the chat model at {where} did not answer within {self.timeout:g} s{tries_en}",
                endpoint=where,
                kind="timeout",
            )
        if isinstance(exc, openai.APIConnectionError):
            return LLMError(
                f"无法连接大模型服务 {where}{tries}：{_cause(exc)}",
                f"cannot reach the chat model at {where}{tries_en}: {_cause(exc)}",
                endpoint=where,
                kind="connection",
            )
        if isinstance(exc, openai.APIStatusError):
            message = _status_message(exc)
            status = exc.status_code
            retried = self.max_retries > 0 and (status in (408, 409, 429) or status >= 500)
            zh_tries, en_tries = (tries, tries_en) if retried else ("", "")
            return LLMError(
                f"大模型服务 {where} 返回错误 HTTP {status}（模型 {self.model}）{zh_tries}：{message}",
                f"the chat model at {where} answered HTTP {status} for model {self.model}{en_tries}: {message}",
                endpoint=where,
                kind="http",
                status=exc.status_code,
            )
        if _is_timeout(exc):  # httpx time-outs raised while reading a stream
            return LLMError(
                f"大模型服务 {where} 回答中途超过 {self.timeout:g} 秒没有输出",
                f"the chat model at {where} went silent for over {self.timeout:g} s while answering",
                endpoint=where,
                kind="timeout",
            )
        if _is_transport_error(exc):  # httpx errors raised while reading a stream
            return LLMError(
                f"与大模型服务 {where} 的连接在回答中途断开：{_cause(exc)}",
                f"the connection to the chat model at {where} broke off mid-answer: {_cause(exc)}",
                endpoint=where,
                kind="connection",
            )
        what = "流式" if streaming else ""
        return self._malformed(
            f"{what}回答无法解析（{type(exc).__name__}: {_short(str(exc))}）",
            f"the {'streamed ' if streaming else ''}reply could not be read ({type(exc).__name__}: {_short(str(exc))})",
        )

    def _malformed(self, zh_detail: str, en_detail: str) -> LLMError:
        return LLMError(
            f"大模型服务 {self.api_base} 的回答格式不对：{zh_detail}",
            f"malformed reply from the chat model at {self.api_base}: {en_detail}",
            endpoint=self.api_base,
            kind="malformed",
        )

    def _empty(self) -> LLMError:
        return LLMError(
            f"大模型服务 {self.api_base}（模型 {self.model}）返回了空回答",
            f"the chat model at {self.api_base} (model {self.model}) returned an empty answer",
            endpoint=self.api_base,
            kind="empty",
        )

    def __repr__(self) -> str:
        return f"OpenAICompatibleLLM(api_base={self.api_base!r}, model={self.model!r})"


class _ThinkFilter:
    """Drops a leading ``<think>...</think>`` block from a stream of deltas."""

    def __init__(self) -> None:
        self._buffer = ""
        self._state = "start"  # start -> text, or start -> thinking -> after -> text

    def feed(self, delta: str) -> list[str]:
        if self._state == "text":
            return [delta]
        self._buffer += delta
        if self._state == "start":
            head = self._buffer.lstrip()
            if not head or _THINK_OPEN.startswith(head):
                return []  # could still become "<think>"
            if not head.startswith(_THINK_OPEN):
                return self._release(self._buffer)
            self._state = "thinking"
        if self._state == "thinking":
            end = self._buffer.find(_THINK_CLOSE)
            if end < 0:
                return []
            self._buffer = self._buffer[end + len(_THINK_CLOSE) :]
            self._state = "after"
        # after the thinking block: skip the whitespace before the answer
        rest = self._buffer.lstrip()
        if not rest:
            self._buffer = ""
            return []
        return self._release(rest)

    def _release(self, text: str) -> list[str]:
        self._state = "text"
        self._buffer = ""
        return [text]

    def flush(self) -> str:
        """What is still held back when the stream ends (an unfinished thinking block is dropped)."""
        out = self._buffer if self._state == "start" else ""
        self._buffer = ""
        return out


def _exception_chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _is_timeout(exc: BaseException) -> bool:
    import httpx

    return any(isinstance(e, (httpx.TimeoutException, TimeoutError)) for e in _exception_chain(exc))


def _is_transport_error(exc: BaseException) -> bool:
    import httpx

    return any(isinstance(e, (httpx.TransportError, ConnectionError)) for e in _exception_chain(exc))


def _cause(exc: BaseException) -> str:
    """The innermost useful message (httpx/socket), not the generic 'Connection error.'."""
    messages = [str(e).strip() for e in _exception_chain(exc) if str(e).strip()]
    detail = messages[-1] if messages else type(exc).__name__
    return _short(detail)


def _status_message(exc) -> str:
    """The server's own error text: ``{"error": {"message": ...}}`` (OpenAI) or ``{"error": "..."}`` (Ollama)."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return _short(inner["message"])
        if isinstance(inner, str):
            return _short(inner)
        if isinstance(body.get("message"), str):
            return _short(body["message"])
    if isinstance(body, str) and body.strip():
        return _short(body)
    return _short(getattr(exc, "message", "") or str(exc))


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def make_llm(api_base: str | None, model: str | None, api_key: str | None = None, **kw) -> ChatLLM | None:
    """The configured chat model, or ``None`` when none is configured.

    ``None`` (no ``api_base``) means the assistant answers extractively. An
    ``api_base`` without a ``model`` is a configuration mistake and raises.
    ``kw`` goes to :class:`OpenAICompatibleLLM` (``temperature``, ``timeout``,
    ``max_retries``, ``max_tokens``, ``context_window``).
    """
    api_base = (api_base or "").strip()
    model = (model or "").strip()
    if not api_base:
        return None
    if not model:
        raise ValueError(
            f"已配置大模型服务 {api_base}，但没有指定模型名称 / a chat endpoint is configured ({api_base}) but no model name"
        )
    return OpenAICompatibleLLM(api_base, model, api_key=api_key, **kw)
