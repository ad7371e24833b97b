"""Everyday words staff use for what reports name otherwise: 来了多少读者 is 接待读者, 开了多少天门 is 开馆天数."""

from __future__ import annotations

import re

# (said, written): a question's words as a report writes them
_PLAIN = (
    # 一共来了多少读者, 开馆那天来了多少人: people who came are the readers received (接待读者, 到馆人次)
    (re.compile(r"来了?(多少|几)(?:位|个|名)?(?:读者|人次|人)"), r"接待了\1读者"),
    # 开了多少天门, 开门多少天: the days open (开馆天数)
    (re.compile(r"开了?(多少|几)天门|开门(多少|几)天"), r"开馆\1\2天"),
)


def as_reports_say(text: str) -> str:
    """'苕阳市图24年一共来了多少读者？' → '苕阳市图24年一共接待了多少读者？'."""
    for said, written in _PLAIN:
        text = said.sub(written, text)
    return text


__all__ = ["as_reports_say"]
