"""The operation a question's wording asks for: 一共 a sum, 相差 a difference, 占…比重 a share, 平均每 an average…"""

from __future__ import annotations

import re

from .durations import ASKS_DAYS
from .operands import UNIT_PATTERN

SUM_WORDS = re.compile(r"加起来|加在一起|合起来|一共|合计|总共|共计|总计|加上|总和|之和|共有|共(?=多少)")

_DIFF = re.compile(
    r"相差|差距|差多少|多出|高出|低了|(?<![至最])(?:多|少)了多少|(?:增加|减少|增长|下降|提高|降低|上升)了?多少"
    r"|比.{1,24}?(?:多|少|高|低)[\u4e00-\u9fff]{0,3}?(?:出|了)?(?:多少|几)"
)

_GAP = re.compile(r"还差|缺口|还有多少.{0,12}(?:没|未|尚未)|距离.{0,6}目标|离.{0,10}还差|离.{0,10}目标.{0,4}差")

_SHARE = re.compile(
    r"占.{0,24}?(?:的)?(?:比重|比例|百分之几|百分之多少|百分比|多少%|占比|几成)|占比"
    r"|相当于.{1,24}?的?(?:百分之几|百分之多少|多少%|几成)"
    r"|在.{1,20}?(?:里|中|当中|之中)占了?多少"
)

AVERAGE_WORDS = re.compile(r"平均.{0,4}每|每.{1,10}?平均|日均|月均|人均|每天平均|平均一天")

# 每家能分到多少册, 摊到每场多少人: 每 and a measure, then 多少, with no averaging word; only a count in that
# measure beside the figure asked is divided (never a stated per-day or per-item figure).
BARE_PER = re.compile(rf"每一?(?:{UNIT_PATTERN})[^，,。？?]{{0,8}}?(?:多少|几)")

# 每位员工平均办多少场 says what 平均每位员工办多少场 says: the averaging word moved before 每.
PER_FIRST = re.compile(r"每(一?[个位名家所间场次本册月天年周]?[\u4e00-\u9fff]{0,8}?)(?:平均|大约|大概)")

# 倒推, 据此推算, 按公报里的增幅…大概是多少: a year worked back from a stated change
_PRIOR = re.compile(r"倒推|反推|推算|据此|按.{0,12}?(?:增幅|降幅|增长率|增速|同比)")

# 新增图书里除去电子图书，其余的有多少: the whole less the part named after 除去 (the rest of a whole).
REMAINDER = re.compile(
    r"(?:除去|除了|除开|不算|不计|不含|不包括|扣除|去掉|刨去|刨除)(?P<part>[^，,？?]{1,30}?)"
    r"(?:的部分|部分|以外|之外|外)?[，,]?(?:其余|其他|剩下|剩余|余下|还有|另外|还剩)"
)

_TIMES = re.compile(r"(?:几|多少)倍")

_PER_CENT = r"(?:百分之几|百分之多少|多少%|多少个百分点|几个百分点|几%)"

_RATE = re.compile(rf"(?:增长|增加|提高|上升|下降|减少|降低)了?{_PER_CENT}|增长率|增幅|增长幅度|降幅|下降幅度|变化率")

_COMPLETION = re.compile(
    rf"完成率|达成率|完成了?(?:年度|全年)?(?:目标|计划|任务)?的?{_PER_CENT}|达到了?(?:年度)?目标的?{_PER_CENT}"
)

_CHANGE = re.compile(r"同比|增长率|变化|增幅|降幅")


def as_each(question: str) -> str:
    """平均一座书房 says 平均每座书房: one of a measure, averaged over, is each of it."""
    return re.sub(r"平均一(?=[个座家所间场位名本台辆条期项处])", "平均每", question)


def operation(question: str) -> str | None:
    """The operation a question asks for, read from its wording."""
    if ASKS_DAYS.search(question):
        return "days"
    if (
        _PRIOR.search(question)
        and re.search(r"\d+(?:\.\d+)?\s*%", question)
        and re.search(r"总数|总共|共有|多少", question)
    ):
        return "whole_from_share"
    if _PRIOR.search(question) and (_CHANGE.search(question) or re.search(r"上一年|去年|上年", question)):
        return "prior"
    if _COMPLETION.search(question):
        return "completion"
    if _RATE.search(question):
        return "rate"
    if _TIMES.search(question):
        return "times"
    if _SHARE.search(question):
        return "share"
    if AVERAGE_WORDS.search(question) or PER_FIRST.search(question) or BARE_PER.search(question):
        return "average"
    if REMAINDER.search(question):
        return "remainder"
    if _GAP.search(question):
        return "gap"
    if _DIFF.search(question):
        return "difference"
    if SUM_WORDS.search(question):
        return "sum"
    return None
