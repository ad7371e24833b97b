"""The REST API: one ``APIRouter`` module per resource, assembled by ``create_app``.

``auth`` (the key policy and where the server may listen), ``models`` (the
bodies, for ``/docs``; a metrics row and a document are made by ``derived`` from
the dataclasses they expose), ``errors`` (Chinese first, English after " / "),
``questions``, ``documents``, ``jobs``, ``metrics``, ``plans``, ``safety_words``
(the WeChat word list, admins only), ``audit`` (the operations log, admins
only), ``health``;
``common`` reads the services from ``app.state``.
"""

from .app import create_app
from .auth import BindError, check_bind, is_loopback

__all__ = ["BindError", "check_bind", "create_app", "is_loopback"]
