"""Chinese word segmentation for the keyword index (jieba, search mode)."""

from __future__ import annotations

import hashlib
import logging
import re
from functools import lru_cache

import jieba

jieba.setLogLevel(logging.WARNING)

# Library statistics terms jieba's general dictionary splits badly.
_DOMAIN_WORDS = (
    "进馆人数",
    "到馆人次",
    "入馆人次",
    "文献流通量",
    "外借册次",
    "新增注册读者",
    "注册读者",
    "持证读者",
    "累计馆藏量",
    "馆藏总量",
    "新增文献",
    "读书驿站",
    "总分馆",
    "服务点",
    "分馆",
    "阅读推广",
    "官网访问量",
    "公众号",
    "视频号",
    "应付未付款",
    "覆盖率",
    "新馆",
    "城市书房",
    "借还",
    "通借通还",
    "自助图书馆",
    "同比增长",
    "同比下降",
    "负增长",
    "工作计划",
    "工作总结",
    "年鉴",
    "典型案例",
    "数字资源",
)
# Measures and holdings of a library the general dictionary tags as place names (满意度/ns, 馆藏/ns): nouns.
_MEASURES = ("满意度", "满意率", "知晓率", "利用率", "借阅率", "办证率", "馆藏")
# Verbs of a library's work the general dictionary tags as place names (新建/ns, a district's name): verbs.
_VERBS = ("新建",)
_STOP = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "是",
        "在",
        "有",
        "为",
        "对",
        "等",
        "将",
        "把",
        "被",
        "让",
        "向",
        "从",
        "这",
        "那",
        "也",
        "都",
        "就",
        "而",
        "或",
        "并",
        "其",
        "之",
        "以",
        "于",
        "中",
        "上",
        "下",
        "年",
        "多少",
        "几",
        "吗",
        "呢",
        "啊",
        "什么",
        "哪些",
        "哪",
        "怎么",
        "如何",
        "请问",
        "一下",
        "个",
    ]
)
_KEEP = re.compile(r"[\w.%]+", re.UNICODE)
# Tokens cached from an earlier run are valid only for the same words, stop words and jieba.
TOKENIZER_VERSION = hashlib.sha256(
    "\n".join(
        [*_DOMAIN_WORDS, *_MEASURES, *_VERBS, *sorted(_STOP), _KEEP.pattern, getattr(jieba, "__version__", "")]
    ).encode()
).hexdigest()[:16]


@lru_cache(maxsize=1)
def _ready() -> bool:
    for word in _DOMAIN_WORDS:
        jieba.add_word(word, freq=20000)
    for word in _MEASURES:
        jieba.add_word(word, freq=20000, tag="n")
    for word in _VERBS:
        jieba.add_word(word, freq=20000, tag="v")
    jieba.initialize()
    return True


def tokenize(text: str) -> list[str]:
    """Search-mode tokens, lower-cased, without punctuation and stop words."""
    _ready()
    tokens = []
    for tok in jieba.cut_for_search(text.lower()):
        tok = tok.strip()
        if tok and _KEEP.fullmatch(tok) and tok not in _STOP:
            tokens.append(tok)
    return tokens
