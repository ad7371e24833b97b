"""What each worker of ``lantai serve --workers N`` serves: the REST API, ``/healthz`` and the WeChat endpoint.

uvicorn starts every worker process with ``worker_factory(settings)``, a
picklable call of ``create`` carrying the supervisor's settings, and calls it
there: each worker serves with the settings the command line read (``--data-dir``
included). Not the web UI: Gradio keeps each browser session and its event queue
in the process that opened it, and the workers of one port take connections
at random, so a page would lose its session.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable

from fastapi import FastAPI
from uvicorn.config import STARTUP_FAILURE

from index import DataDirBusy

from .offline import stay_offline
from .rest import create_app
from .settings import Settings

log = logging.getLogger("uvicorn.error")


def create(settings: Settings | None = None) -> FastAPI:
    """The app, or exit with uvicorn's start-up failure code: its supervisor then stops instead of
    starting the same misconfigured worker again and again."""
    stay_offline()
    try:
        return create_app(settings or Settings())
    except (ValueError, DataDirBusy) as exc:
        log.error("配置错误，工作进程无法启动 / configuration error, the worker cannot start: %s", exc)
        sys.exit(STARTUP_FAILURE)


def worker_factory(settings: Settings) -> Callable[[], FastAPI]:
    """``create`` with these settings, as uvicorn's app factory; the data dir made absolute, since a
    worker need not share the supervisor's working directory."""
    fixed = settings.model_copy(update={"data_dir": settings.data_dir.resolve()})
    return functools.partial(create, fixed)


__all__ = ["create", "worker_factory"]
