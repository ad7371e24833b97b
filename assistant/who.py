"""Questions that ask for a name, and sentences that give one.

叫什么名字, 是谁, 哪家单位 are answered by a person's or an organisation's name; 哪个省 by a place.
A sentence that mentions the 设计单位 without naming it, or the 馆长 without a name, does not
answer, however many of the question's words it holds: the answer is then a refusal with the
closest passages, not a confident non-answer.
"""

from __future__ import annotations

import re

import jieba.posseg as pseg

from .evidence import load_vocabulary

_ROLE_WORDS = "馆长|副馆长|主任|副主任|书记|作者|负责人|馆员|老师|同志|先生|女士|读者|志愿者"
# Asking for a person, an organisation, or a place of a given level.
_PERSON = re.compile(r"姓名|是谁|哪位|谁(?:负责|担任|主持|设计|建|捐)")
# 叫什么 asks for a person's name after a word for a person (那位读者叫什么), for a thing's name otherwise
# (推行的学习机制叫什么), which documents write in quotation marks or 《》.
_CALLED = re.compile(r"([\u4e00-\u9fff]{0,4}?)(?:的)?(?:名字)?叫(?:什么|啥)")
_PERSON_WORD = re.compile(rf"(?:{_ROLE_WORDS}|人|者|员|生|长|师|家|他|她)$")
_QUOTED = re.compile(r"[“「『\"《]([^”」』\"》]{2,20})[”」』\"》]")
_ORGANISATION = re.compile(r"哪家(?:单位|公司|机构|企业)?|哪个(?:单位|公司|机构|企业|部门)|什么(?:单位|公司|机构|企业)")
_PLACE = re.compile(r"哪个(?:省|市|县|区)|哪(?:省|市)")
# A person's name the segmenter may miss (张文静 read as 张 + 文静): a common surname and one or two
# characters, next to a title or role.
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
_ROLE = _ROLE_WORDS
_NAMED = re.compile(
    rf"(?:{_ROLE})[:：\s]?[{_SURNAMES}][\u4e00-\u9fff]{{1,2}}|[{_SURNAMES}][\u4e00-\u9fff]{{1,2}}(?:{_ROLE})"
)
# Words that end an organisation's name (不含 图书馆: every passage names one).
_ORG_END = re.compile(
    r"[\u4e00-\u9fff]{2,}(?:公司|集团|研究院|设计院|事务所|大学|学院|研究所|协会|学会|委员会|出版社|银行|中心)"
)


# 馆长任组长, 主任兼任: a role taken on (任, 兼, 为 before another role), not a surname.
_TAKES_ROLE = re.compile(rf"(?:任|兼|为)(?:{_ROLE}|组长|副组长|成员)")


def _a_name(found: str) -> bool:
    """A role beside a name (馆长张文静), not a role beside the role it takes on (馆长任组长)."""
    return not _TAKES_ROLE.search(found)


def asks_name(question: str) -> str | None:
    """ "person", "organisation", "place" or "title" (a thing's name) when the question asks for a name."""
    if _PERSON.search(question):
        return "person"
    called = _CALLED.search(question)
    if called:
        return "person" if _PERSON_WORD.search(called.group(1)) else "title"
    if _ORGANISATION.search(question):
        return "organisation"
    if _PLACE.search(question):
        return "place"
    return None


def gives_name(kind: str, texts: list[str], question: str) -> bool:
    """Some text names a person, an organisation or a place the question itself does not name."""
    load_vocabulary()
    for text in texts:
        for w in pseg.lcut(text):
            if w.word in question or len(w.word) < 2:
                continue
            if kind == "person" and w.flag == "nr":
                return True
            if kind == "organisation" and w.flag == "nt":
                return True
            if kind == "place" and w.flag == "ns":
                return True
        if kind == "organisation" and any(m.group(0) not in question for m in _ORG_END.finditer(text)):
            return True
        if kind == "person" and any(m.group(0) not in question and _a_name(m.group(0)) for m in _NAMED.finditer(text)):
            return True
        if kind == "title" and any(m.group(1) not in question for m in _QUOTED.finditer(text)):
            return True
    return False


__all__ = ["asks_name", "gives_name"]
