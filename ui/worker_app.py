"""What each worker of ``lantai serve --workers N`` serves: the REST API, ``/healthz`` and the WeChat endpoint.

uvicorn imports ``create`` by name in every worker process and calls it there;
the settings come from the environment (the command line put ``--data-dir``
there). Not the web UI: Gradio keeps each browser session and its event queue
in the process that opened it, and the workers of one port take connections
at random, so a page would lose its session.
"""

from __future__ import annotations

import logging
import sys

from fastapi import FastAPI
from uvicorn.config import STARTUP_FAILURE

from index import DataDirBusy

from .rest import create_app
from .settings import Settings

log = logging.getLogger("uvicorn.error")


def create() -> FastAPI:
    """The app, or exit with uvicorn's start-up failure code: its supervisor then stops instead of
    starting the same misconfigured worker again and again."""
    try:
        return create_app(Settings())
    except (ValueError, DataDirBusy) as exc:
        log.error("配置错误，工作进程无法启动 / configuration error, the worker cannot start: %s", exc)
        sys.exit(STARTUP_FAILURE)


__all__ = ["create"]
