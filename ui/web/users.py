"""Web logins from the settings: ``LANTAI_UI_USERS`` ("user:password,user2:pw2:admin").

An entry may end with its role: ``:admin`` / ``:管理员`` or ``:staff`` / ``:馆员``.
Passwords may hold ':' themselves, so only a known role word after the last ':'
of an entry with at least two of them is a role; ``user:admin`` is the user
``user`` with the password ``admin``.
"""

from __future__ import annotations

import hmac
from enum import StrEnum
from typing import NamedTuple


class Role(StrEnum):
    ADMIN = "admin"  # 管理员: documents, feedback export, the word list, the operations log
    STAFF = "staff"  # 馆员: ask, draft, metrics


ROLE_ZH = {Role.ADMIN: "管理员", Role.STAFF: "馆员"}
ROLE_WORDS = {"admin": Role.ADMIN, "管理员": Role.ADMIN, "staff": Role.STAFF, "馆员": Role.STAFF}


class WebUser(NamedTuple):
    name: str
    password: str
    role: Role | None = None  # None: 馆员, unless listed in LANTAI_ADMIN_USERS


def parse_ui_user(item: str) -> WebUser | None:
    """One ``user:password[:role]`` entry, or None when it is malformed."""
    name, sep, rest = item.strip().partition(":")
    password, role_sep, word = rest.rpartition(":")
    role = ROLE_WORDS.get(word.strip().lower()) if role_sep and password else None
    if role is None:
        password = rest
    if sep and name.strip() and password:
        return WebUser(name.strip(), password, role)
    return None


def parse_ui_users(value: str | None) -> list[WebUser]:
    """``LANTAI_UI_USERS`` as users with their password and role, if given; malformed items dropped."""
    return [user for item in (value or "").split(",") if (user := parse_ui_user(item)) is not None]


def make_auth(users: list[WebUser]):
    """A Gradio ``auth`` callable comparing passwords in constant time."""
    table = {user.name: user.password for user in users}

    def check(username: str, password: str) -> bool:
        expected = table.get((username or "").strip())
        return expected is not None and hmac.compare_digest((password or "").encode(), expected.encode())

    return check


__all__ = ["ROLE_WORDS", "ROLE_ZH", "Role", "WebUser", "make_auth", "parse_ui_user", "parse_ui_users"]
