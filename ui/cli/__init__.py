"""The ``lantai`` command line: one module per group of commands, each calling the services.

``documents`` (ingest, docs, remove, vectors-to-server), ``search`` (search,
stats), ``questions`` (ask), ``plans`` (draft-plan), ``metrics`` (the metrics
table), ``usage`` (statistics of the questions asked), ``bench``, ``serve``; ``common`` holds the consoles, the shared
options and opening the knowledge base. Domain errors become clear bilingual
messages (``ui.cli_errors``), bad input exits non-zero.
"""

from __future__ import annotations

import typer

from ..cli_errors import LantaiGroup
from ..offline import stay_offline
from . import bench, documents, metrics, plans, questions, search, serve, usage

app = typer.Typer(
    cls=LantaiGroup,  # a data directory in use or a full disk: a clear message, not a traceback
    add_completion=False,
    no_args_is_help=True,
    help="兰台 Lantai — 图书馆工作文档知识助手 / a grounded assistant over a library's work documents.",
)


@app.callback()
def start() -> None:
    stay_offline()  # before any command imports a library that could reach a model hub


# The order commands are listed in by --help.
for module in (documents, search, questions, plans, metrics, usage, bench, serve):
    module.register(app)


def main() -> None:  # pragma: no cover - console entry
    app()


__all__ = ["app", "main"]
