"""Query expansion: words staff use that the documents say another way."""

from __future__ import annotations

# 党建 is what staff say; the documents write 党的领导, 党员, 党纪, 党支部.
SYNONYMS = {
    "党建": "党的领导 党员 党纪 党支部 理论武装",
    "买书": "文献购置经费 采购",
    "借阅": "借阅 流通 外借",
    "借出": "外借 借阅",
    "借书": "外借 借阅 借还",
    "半夜": "夜间 24小时",
    "夜里": "夜间 24小时",
    "深夜": "夜间 24小时",
    "晚上": "夜间 开放时间",
    "荣誉": "荣誉 获评 入选 被评为 获",
    "总思路": "总思路 思路",
}


def expand(text: str) -> str:
    extra = [words for key, words in SYNONYMS.items() if key in text]
    return f"{text} {' '.join(extra)}" if extra else text
