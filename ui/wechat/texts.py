"""What the WeChat channel says to users that is not an answer (Simplified Chinese)."""

from __future__ import annotations

MORE_COMMAND = "更多"
MORE_HINT = "回复「更多」查看剩余内容"

EXAMPLES = (
    "2024年进馆人数是多少？同比变化多少？",
    "2025年工作计划有哪些重点？",
    "读书驿站一共建了多少间？",
)

WHAT_I_DO = "我可以回答本馆公开工作文档中的问题，例如工作数据、年度目标和工作计划。"


def welcome(examples: tuple[str, ...] = EXAMPLES) -> str:
    lines = ["您好，欢迎关注！", WHAT_I_DO, "您可以这样问：", *[f"· {q}" for q in examples], "直接发送文字问题即可。"]
    return "\n".join(lines)


def unsupported(kind: str) -> str:
    what = {
        "image": "图片",
        "voice": "语音",
        "video": "视频",
        "shortvideo": "小视频",
        "location": "位置",
        "link": "链接",
        "file": "文件",
        "miniprogrampage": "小程序卡片",
    }.get(kind, "这类消息")
    return f"抱歉，暂时无法识别{what}。{WHAT_I_DO}请直接发送文字问题，例如：{EXAMPLES[0]}"


def rate_limited(limit: int, window: int) -> str:
    span = f"{window // 60}分钟" if window % 60 == 0 else f"{window}秒"
    per = "每分钟" if window == 60 else f"每{span}"
    return f"您发送得太快了，请稍后再问。（{per}最多{limit}条消息）"


def too_long(max_chars: int) -> str:
    return f"您的问题有点长，请精简到{max_chars}字以内再发送。"


EMPTY_QUESTION = f"请发送文字问题。{WHAT_I_DO}"
VOICE_WITHOUT_TRANSCRIPT = f"抱歉，暂时听不懂语音消息。请用文字发送问题，例如：{EXAMPLES[0]}"

# Answers kept for the user's next message (no customer-service message could carry them).
RESULT_COMMAND = "结果"
KEPT_NOTICE = "问题已收到，答案正在准备。稍后回复任意内容（或「结果」）即可查看答案。"
KEPT_NOT_READY = "答案还在准备中，请稍后回复任意内容（或「结果」）查看。"
NOTHING_KEPT = "目前没有待查看的答案。请直接发送您的问题。"
ASK_AGAIN = "（以上是您上一个问题的答案；刚才发送的新问题请再发送一次。）"

# The content-safety gate.
SAFETY_REFUSED_QUESTION = (
    "抱歉，您的消息中含有不适宜在公众号中讨论的内容，无法回答。欢迎换一种说法提问，或咨询本馆工作人员。"
)
SAFETY_REFUSED_ANSWER = "抱歉，这个问题的答案暂时不便在公众号中提供，请到馆或致电咨询本馆工作人员。"
SAFETY_UNAVAILABLE = "抱歉，内容审核服务暂时不可用，暂时无法回答，请稍后再试。"
NO_MORE = "没有更多内容了。请直接发送新的问题。"
FAILED = "抱歉，回答这个问题时出了点问题，请稍后再试。"

__all__ = [
    "ASK_AGAIN",
    "EMPTY_QUESTION",
    "EXAMPLES",
    "FAILED",
    "KEPT_NOTICE",
    "KEPT_NOT_READY",
    "MORE_COMMAND",
    "MORE_HINT",
    "NOTHING_KEPT",
    "NO_MORE",
    "RESULT_COMMAND",
    "SAFETY_REFUSED_ANSWER",
    "SAFETY_REFUSED_QUESTION",
    "SAFETY_UNAVAILABLE",
    "VOICE_WITHOUT_TRANSCRIPT",
    "WHAT_I_DO",
    "rate_limited",
    "too_long",
    "unsupported",
    "welcome",
]
