"""The REST API's import path: ``create_app`` and the bind check, built in ``ui.rest``."""

from .rest import BindError, check_bind, create_app, is_loopback

__all__ = ["BindError", "check_bind", "create_app", "is_loopback"]
