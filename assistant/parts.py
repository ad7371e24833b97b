"""Questions that ask two things at once, answered part by part.

"办了多少张借阅证？馆藏图书一共多少？" asks two figures; "计划开展几次？有没有写实际完成了多少？"
asks a target and then an outcome. Each part is answered on its own (a later part reads the
earlier ones as the turn before it, so 它/那/实际 keep their subject), and the answers are joined
with their citations numbered once.
"""

from __future__ import annotations

import re

from .citing import renumbered
from .types import Answer, AnswerMode, Citation

_PART_END = re.compile(r"(?<=[？?；;])")
_ASKS = re.compile(r"多少|几|吗|呢|什么|哪|是否|有没有|是不是|如何|怎么|怎样|谁")


def split_question(text: str) -> list[str]:
    """The parts of a question that each ask something; one part when it asks one thing."""
    parts = [p.strip() for p in _PART_END.split(text.strip()) if p.strip()]
    asking = [p for p in parts if len(re.sub(r"\W", "", p)) >= 3 and _ASKS.search(p)]
    return asking if len(asking) >= 2 and len(asking) == len(parts) else [text]


def merge(question: str, answers: list[Answer]) -> Answer:
    """One answer from the answers to each part: texts in order, each cited passage numbered once."""
    numbers: dict[str, int] = {}
    citations: list[Citation] = []
    texts: list[str] = []
    for answer in answers:
        local: dict[int, int] = {}
        for c in answer.citations:
            key = c.chunk_id or f"{c.source}#{c.quote[:40]}"
            if key not in numbers:
                numbers[key] = len(numbers) + 1
                citations.append(renumbered(c, numbers[key]))
            local[c.n] = numbers[key]
        text = re.sub(r"\[(\d+)\]", lambda m: f"[{local.get(int(m.group(1)), m.group(1))}]", answer.answer)  # noqa: B023
        if answer.refused and local and not re.search(r"\[\d+\]", text):
            # a refusal offers its closest passages: their numbers go with it, after the others'
            marks = "".join(f"[{n}]" for n in sorted(set(local.values())))
            text = text[:-1] + marks + "。" if text.endswith("。") else text + marks
        texts.append(text)
    unverified = list(dict.fromkeys(n for a in answers for n in a.unverified_numbers))
    lines = [line for text in texts for line in text.split("\n")]
    return Answer(
        question=question,
        answer="\n".join(dict.fromkeys(lines)),  # the same closest passage offered after two parts: once
        citations=citations,
        figures=[f for a in answers for f in a.figures],
        grounded=all(a.grounded for a in answers),
        unverified_numbers=unverified,
        warnings=list(dict.fromkeys(w for a in answers for w in a.warnings)),
        checked="；".join(dict.fromkeys(a.checked for a in answers if a.checked)),
        mode=answers[0].mode if len({a.mode for a in answers}) == 1 else AnswerMode.EXTRACTIVE,
        refused=all(a.refused for a in answers),
        intent="+".join(dict.fromkeys(a.intent for a in answers)),
    )


__all__ = ["merge", "split_question"]
