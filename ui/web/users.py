"""Web logins from the settings: ``LANTAI_UI_USERS`` ("user:password,user2:pw2")."""

from __future__ import annotations

import hmac


def parse_ui_users(value: str | None) -> list[tuple[str, str]]:
    """``LANTAI_UI_USERS`` ("user:password,user2:pw2") as (user, password) pairs; malformed items dropped."""
    users = []
    for item in (value or "").split(","):
        name, sep, password = item.strip().partition(":")
        if sep and name.strip() and password:
            users.append((name.strip(), password))
    return users


def make_auth(users: list[tuple[str, str]]):
    """A Gradio ``auth`` callable comparing passwords in constant time."""
    table = dict(users)

    def check(username: str, password: str) -> bool:
        expected = table.get((username or "").strip())
        return expected is not None and hmac.compare_digest((password or "").encode(), expected.encode())

    return check


__all__ = ["make_auth", "parse_ui_users"]
