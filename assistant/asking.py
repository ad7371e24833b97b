"""What a question's wording asks for: a number, what was actually done, or something other than a number."""

from __future__ import annotations

import re

_NUMBER_QUESTION = re.compile(
    r"多少|几[个间家所名次场期篇条位项种天年人辆台座张册本件处套户]|多大|多高|多长|多久|哪天|哪一天|什么时候|何时"
)

# What a question asks for when it is not a quantity: a place, a list, a name, a reason, a way.
_NON_NUMBER_QUESTION = re.compile(r"哪里|哪儿|在哪|哪些|什么地方|什么内容|是谁|谁|为什么|为何|是什么")

# 实际…, 建成了吗, 是哪天开放的: what happened is asked (the date a building or branch opened, not planned)
_ACTUAL_QUESTION = re.compile(
    r"实际|真正|到底|评上|评为|获评|获得|建成了|开放了|完成了"
    r"|(?:哪天|哪一天|什么时候|何时|哪年|哪一年|哪个月|几月)[^，,？?]{0,4}"
    r"(?:建成|开放|开馆|开工|竣工|启用|揭牌|挂牌|投入使用|落成|完工|封顶)的[？?]?$"
)


def asks_actual(text: str) -> bool:
    """实际开展了多少: what was done is asked, not what was planned (a question naming both is a comparison)."""
    return bool(_ACTUAL_QUESTION.search(text)) and not re.search(r"计划|目标|打算|要求|比|差", text)


def asks_other_than_number(text: str) -> bool:
    """服务点设在哪里: the count of service points does not answer it."""
    return bool(_NON_NUMBER_QUESTION.search(text)) and not asks_number(text)


def asks_number(text: str) -> bool:
    return bool(_NUMBER_QUESTION.search(text))
