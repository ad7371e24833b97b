"""Web roles from the settings, and the operations log on a real SQLite file."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from pydantic import SecretStr

from ui.services.audit import API_ACTOR, Action, AuditLog, web_actor
from ui.settings import Settings
from ui.web.roles import actor_name, is_admin, may_administer, role_of
from ui.web.users import Role, WebUser, parse_ui_users


@pytest.mark.parametrize(
    "entry, user",
    [
        ("amy:pw", WebUser("amy", "pw", None)),
        ("amy:pw:admin", WebUser("amy", "pw", Role.ADMIN)),
        ("amy:pw:staff", WebUser("amy", "pw", Role.STAFF)),
        ("王馆长:密码:管理员", WebUser("王馆长", "密码", Role.ADMIN)),
        ("李:pw:馆员", WebUser("李", "pw", Role.STAFF)),
        (" amy : pw:ADMIN ", WebUser("amy", " pw", Role.ADMIN)),
        # A password may hold ':'; only a role word after the last one is a role.
        ("amy:a:b:c", WebUser("amy", "a:b:c", None)),
        ("amy:a:b:admin", WebUser("amy", "a:b", Role.ADMIN)),
        ("amy:admin", WebUser("amy", "admin", None)),
        ("amy:pw:administrator", WebUser("amy", "pw:administrator", None)),
        ("amy::admin", WebUser("amy", ":admin", None)),
    ],
)
def test_an_entry_may_end_in_its_role(entry, user):
    assert parse_ui_users(entry) == [user]


def test_malformed_entries_are_dropped():
    assert parse_ui_users("nopassword, :pw, amy:, bob:pw:staff,") == [WebUser("bob", "pw", Role.STAFF)]


def _settings(users: str, admins: str | None = None) -> Settings:
    return Settings(_env_file=None, ui_users=SecretStr(users), admin_users=admins)


def _as(name: str | None):
    return SimpleNamespace(username=name)


def test_a_role_comes_from_the_entry_then_the_admin_list_else_staff():
    settings = _settings("a:pw:admin,s:pw:staff,listed:pw,plain:pw,pinned:pw:staff", admins="listed,pinned")
    assert role_of(settings, _as("a")) == Role.ADMIN
    assert role_of(settings, _as("s")) == Role.STAFF
    assert role_of(settings, _as("listed")) == Role.ADMIN  # LANTAI_ADMIN_USERS keeps working
    assert role_of(settings, _as("plain")) == Role.STAFF
    assert role_of(settings, _as("pinned")) == Role.STAFF  # the entry's own role wins
    assert role_of(settings, _as("API 密钥")) == Role.STAFF  # a key holder: the REST API is theirs
    assert is_admin(settings, _as("a")) and may_administer(settings, _as("a"))
    assert not is_admin(settings, _as("plain")) and not may_administer(settings, _as("plain"))


def test_without_any_login_the_local_user_manages_documents_but_not_the_word_list():
    settings = Settings(_env_file=None)
    assert role_of(settings, _as(None)) is None and role_of(settings, None) is None
    assert may_administer(settings, _as(None)) and not is_admin(settings, _as(None))
    assert actor_name(_as(None)) == "本机用户" and actor_name(_as("amy")) == "amy"


def test_the_operations_log_keeps_who_when_what_newest_first(tmp_path):
    log = AuditLog(tmp_path)
    assert log.entries() == [] and log.users() == []
    log.record(web_actor("王馆长"), Action.UPLOAD, "2024年工作总结.pdf（仅内部）")
    log.record(API_ACTOR, Action.MAKE_PUBLIC, "2024年工作总结.pdf（doc-1）")
    log.record(web_actor("王馆长"), Action.REMOVE, "2023年工作总结.txt（doc-2）")
    again = AuditLog(tmp_path)  # what another process reads from the same file
    latest = again.entries()
    assert [(e.user, e.surface, e.action) for e in latest] == [
        ("王馆长", "网页", "删除"),
        ("API", "API", "设为公开"),
        ("王馆长", "网页", "上传"),
    ]
    assert latest[0].target == "2023年工作总结.txt（doc-2）" and latest[0].time[:2] == "20"
    assert [e.action for e in again.entries(user="王馆长")] == ["删除", "上传"]
    assert [e.action for e in again.entries(limit=1)] == ["删除"]
    assert again.users() == ["API", "王馆长"]
