"""What each worker of ``lantai serve --workers N`` serves: the REST API, ``/healthz`` and the WeChat endpoint.

uvicorn imports ``create`` by name in every worker process and calls it there;
the settings come from the environment (the command line put ``--data-dir``
there). Not the web UI: Gradio keeps each browser session and its event queue
in the process that opened it, and the workers of one port take connections
at random, so a page would lose its session.
"""

from __future__ import annotations

from fastapi import FastAPI

from .api import create_app
from .settings import Settings


def create() -> FastAPI:
    return create_app(Settings())


__all__ = ["create"]
