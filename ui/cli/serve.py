"""``lantai serve``: the web app and the REST API in one process, or the API in several workers."""

from __future__ import annotations

import errno
import socket
from pathlib import Path

import typer

from ..settings import Settings
from .common import DataDir, console, fail, settings_for


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="监听地址 / address to listen on"),
    port: int = typer.Option(7860, "--port", help="端口 / port"),
    workers: int = typer.Option(
        1,
        "--workers",
        help="工作进程数；大于 1 时需要 LANTAI_REDIS_URL（共享公众号重试、分页、限流、access_token 与导入任务）"
        " / server processes on this port; more than 1 needs LANTAI_REDIS_URL (shared state)",
    ),
    data_dir: Path | None = DataDir,
) -> None:
    """启动网页界面和 REST API / serve the web UI at / and the REST API under /api."""
    from ..rest import BindError, check_bind

    if workers < 1:
        fail(f"工作进程数至少为 1，收到 {workers} / --workers must be at least 1, got {workers}")
    settings = settings_for(data_dir)  # keys and web users come from the environment or .env, like the rest
    try:
        check_bind(host, settings.api_keys)
        if workers == 1:  # several workers serve no web UI
            from ..server import check_ui_bind

            check_ui_bind(host, settings.ui_users)
    except BindError as exc:
        fail(str(exc), 2)
    if workers > 1:
        check_workers(settings, workers)
    # The port is taken here, before anything opens or is announced, and handed to uvicorn: a busy port is
    # said once, clearly, and no other program can take it while the knowledge base opens.
    listener = listening_socket(host, port)
    if workers > 1:
        serve_workers(settings, host, port, workers, listener)
        return
    from ..server import create_server_app

    try:
        server_app = create_server_app(settings)
    except ValueError as exc:
        fail(f"配置错误 / configuration error: {exc}")
    import uvicorn

    console.print(f"兰台已启动 / serving: http://{host}:{port}/ （API 文档 / API docs: /docs）")
    server = uvicorn.Server(uvicorn.Config(server_app, host=host, port=port, log_level="info"))
    server.run(sockets=[listener])
    if not server.started:
        fail("服务启动失败（原因见上方日志） / the server failed to start (see the log above)", 1)


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` as uvicorn binds one; a port in use (or not ours to take) ends the
    command with a bilingual message that says what to do."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a port left in TIME_WAIT is free
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            fail(
                f"端口 {port} 已被占用（{host}），兰台没有启动：可能另一个兰台或其他程序正在使用它。"
                f"请先停止那个程序，或用 --port 换一个端口，例如 lantai serve --port {port + 1}"
                f" / port {port} is already in use on {host}; Lantai did not start: another Lantai or another "
                f"program may be using it. Stop it, or choose another port with --port, e.g. "
                f"lantai serve --port {port + 1}",
                2,
            )
        fail(
            f"无法在 {host}:{port} 上监听（{exc.strerror}），兰台没有启动：请检查 --host 和 --port"
            f" / cannot listen on {host}:{port} ({exc.strerror}); Lantai did not start: check --host and --port",
            2,
        )
    sock.set_inheritable(True)  # several workers share it
    return sock


WORKER_HEALTHCHECK_SECONDS = 120


def check_workers(settings: Settings, workers: int) -> None:
    """What several workers need, checked before the port is taken or any worker starts: Redis (reachable)
    and, with WeChat on, its configuration (a mistake there would stop every worker)."""
    if not settings.redis_url:
        fail(
            f"--workers {workers} 需要先配置 LANTAI_REDIS_URL（如 redis://127.0.0.1:6379/0）：多个工作进程之间"
            "必须共享公众号消息去重与待发回复、「更多」分页、限流、access_token 和导入任务，否则同一条消息会被回答两次、"
            "各进程互相作废 access_token。不配置 Redis 时请用 --workers 1。"
            f" / --workers {workers} needs LANTAI_REDIS_URL (e.g. redis://127.0.0.1:6379/0): the workers must "
            "share WeChat's retry table and pending replies, 「更多」 pages, rate limits, the access_token and "
            "ingest jobs, or a message is answered twice and the workers invalidate each other's access_token. "
            "Without Redis, use --workers 1.",
            2,
        )
    from ..shared_state import open_shared

    try:
        shared = open_shared(settings)  # reachable before any worker starts (the URL is set: checked above)
        if shared is not None:
            shared.close()
        if settings.wechat_token:  # a mistake here would stop every worker: say it once, before starting them
            from ..wechat import wechat_protocol

            wechat_protocol(settings)
    except ValueError as exc:
        fail(f"配置错误 / configuration error: {exc}")


def serve_workers(settings: Settings, host: str, port: int, workers: int, listener: socket.socket) -> None:
    """``workers`` processes on one port (uvicorn's supervisor), sharing their state through Redis
    (``check_workers`` first)."""
    from index.datalock import lock_data_dir

    # This process holds the data directory for its workers; any other Lantai process is still refused.
    hold = lock_data_dir(settings.data_dir, workers=workers)
    import uvicorn

    from ..worker_app import worker_factory

    console.print(
        f"兰台已启动 / serving: http://{host}:{port}/api （{workers} 个工作进程 / workers；API 文档 / API docs: /docs）"
    )
    console.print(
        "多进程模式只提供 REST API 和公众号接口，不提供网页界面（网页会话只存在于打开它的进程中）；"
        "需要网页界面时请以 --workers 1 启动 / with several workers only the REST API and the WeChat "
        "endpoint are served, not the web UI (a web session lives in the one process that opened it); "
        "serve with --workers 1 for the web UI",
        highlight=False,
    )
    from uvicorn.config import STARTUP_FAILURE
    from uvicorn.supervisors import Multiprocess

    # A worker answers the supervisor's health check from a thread, which starves while the knowledge
    # base opens (Chroma holds the interpreter lock) on a busy machine: uvicorn's 5 s would kill every
    # starting worker over and over.
    # Each worker is handed these settings (the data dir may have come from --data-dir), not the environment.
    config = uvicorn.Config(
        worker_factory(settings),
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
    )
    try:
        # uvicorn.run's own supervisor, kept at hand to learn whether a worker failed to start.
        supervisor = Multiprocess(config, sockets=[listener])
        supervisor.run()
    finally:
        hold.release()
    if any(p.process.exitcode == STARTUP_FAILURE for p in supervisor.processes):
        fail(
            "工作进程启动失败，服务已停止（原因见上方日志） / a worker failed to start and the server stopped "
            "(see the log above)",
            1,
        )


def register(app: typer.Typer) -> None:
    app.command()(serve)
