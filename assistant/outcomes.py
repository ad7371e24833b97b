"""Whether a planned step happened: a plan's target read beside what later reports say of it.

A plan writes that a branch will be built and opened, a new building started, a database put
online; a later summary writes that the branch opened on a given day, or that the building work
was put off. Asked 是按计划建成的吗 or 开工了吗, a librarian reads both: the plan's sentence, and the
sentences on the same thing in reports of the plan's year or later. Such a target is an event, not
a number, so the metrics table cannot match it; the subject's own words do.

Lantai states the verdict only when a report of the plan's year says the step was done (按计划) or
says it was not (未…, 推迟, 顺延); otherwise both sentences are shown and the reader judges.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest import is_row_text
from ingest.outline import library_names

from .relevance import Relevance, units
from .statements import Draft

# The steps a plan names as events: building, opening, putting into service, finishing.
_EVENT = r"建成|建设完成|开工|动工|封顶|竣工|完工|落成|开放|开馆|启用|投用|投入使用|上线|揭牌|挂牌|运行|运营|交付|验收|搬迁|迁入|完成|实现|落实"
_EVENT_WORD = re.compile(_EVENT)
# Asking whether a planned step happened: 按计划…吗, 是否…建成, 开工了吗, 有没有上线.
_ASKS = re.compile(
    rf"(?:按计划|如期|按期|按时|计划中?的|计划要?|目标|规划).{{0,24}}(?:吗|了没|没有|是否|怎么样|如何)[？?]?$"
    rf"|是否.{{0,16}}(?:{_EVENT})|(?:{_EVENT})了(?:吗|没有?)|(?:{_EVENT})没有|有没有(?:{_EVENT})"
    rf"|(?:有没有|是否|是不是)(?:按计划|如期|按期|按时).{{0,24}}(?:{_EVENT})"
)
# A report's words that a step did not happen as planned.
_NOT_DONE = re.compile(r"未能?|尚未|没有|推迟|延期|延后|顺延|滞后|暂缓|搁置|仍在")
# A report's words that it was done: 已于4月建成, 已经上线, 超额完成.
_DONE = re.compile(
    r"已(?:于|经)|已(?:建成|完成|开放|开馆|上线|启用|投用|竣工|封顶|开工)|超额完成|提前完成|如期完成|按期完成"
    r"|实现了"
)
_FRAME = re.compile(
    rf"(?:19|20)\d{{2}}\s*年度?|按计划|如期|按期|按时|计划中?的?|计划要?|目标|规划|是否|有没有|了没有?|没有|吗|呢|"
    rf"是不是|情况|怎么样|如何|[那这该此][个间家所座项处]?|的|了|是|被|都|已经|已|{_EVENT}|[？?。，,！!\s]"
)
# A sentence on the subject holds this share of its words.
_ON_SUBJECT = 0.6


@dataclass
class _Said:
    text: str
    chunk_id: str
    year: int | None
    title: str
    event: bool


def asks_outcome(question: str) -> bool:
    """The question asks whether a planned step (建成, 开工, 上线…) happened."""
    return bool(_ASKS.search(question))


def subject(question: str) -> str:
    """What the step is about: the question without its library, years, plan and event words."""
    text = question
    for name in library_names(text):
        for form in sorted(name.forms(), key=len, reverse=True):
            text = text.replace(form, "")
    text = re.sub(r"(?:19|20)\d{2}\s*年(?:度|内|底|末)?", "", text)  # 2024年内: the year, then when in it
    return _FRAME.sub("", _WHEN.sub("", text))


# 上半年, 9月底前, 年内: when the plan aimed to finish, not what the step is about
_WHEN = re.compile(r"在|[上下]半年|年底|年末|年内|\d{1,2}\s*月(?:底|份|中旬|上旬|下旬)?|之?前|以前|以内")


def answer(question: str, hits, rarity, years: list[int] | None = None) -> Draft | None:
    """The plan's sentence and the later reports' sentences on its subject, or None when the passages
    hold no planned step on that subject."""
    topic = subject(question)
    if len(topic) < 2:
        return None
    relevance = Relevance(topic, rarity)
    if not relevance.total:
        return None
    plans, reports = _sentences(hits, relevance)
    if years:
        plans = [p for p in plans if p.year in years] or plans
    if not plans:
        return None
    plan = plans[0]  # best on the subject; a step named as an event ranks first
    if not any(w in plan.text or w in question for step in _STEPS for w in step):
        return None  # 招够了吗: a number to compare, not a step to report on
    later = [r for r in reports if r.year is None or plan.year is None or r.year >= plan.year]
    draft = Draft()
    draft.add(f"计划（{plan.title}）：{plan.text}", plan.chunk_id, plan.text)
    if not later:
        draft.add(f"之后的报告中没有找到{topic}的完成情况", [])
        return draft
    # the report of the earliest year that names the plan's kind of step, and when it happened, first
    later.sort(key=lambda r: (r.year or 0, not _same_step(plan.text, r.text), not _month_done(r.text), not r.event))
    shown = later[:2]
    verdict = _verdict(plan, shown[0], topic, question)
    if verdict:
        draft.intro = verdict
    for r in shown:
        when = f"{r.year}年的报告" if r.year else "报告"
        draft.add(f"{when}（{r.title}）：{r.text}", r.chunk_id, r.text)
    return draft


def _sentences(hits, relevance: Relevance) -> tuple[list[_Said], list[_Said]]:
    """Sentences on the subject, split into a plan's and a report's, best first, each once."""
    plans: list[tuple[float, int, _Said]] = []
    reports: list[tuple[float, int, _Said]] = []
    seen: set[str] = set()
    for rank, hit in enumerate(hits):
        chunk = hit.chunk
        title = (
            f"《{chunk.doc_title}》"
            if chunk.doc_title and not chunk.doc_title.startswith("《")
            else (chunk.doc_title or chunk.file_name)
        )
        for sent in units(chunk.text):
            if is_row_text(sent):
                continue  # a table row's 开放时间 is a column, not a step taken
            share = relevance.share(sent)
            key = re.sub(r"\s+", "", sent)
            if share < _ON_SUBJECT or key in seen:
                continue
            seen.add(key)
            said = _Said(sent, chunk.id, chunk.year, title, bool(_EVENT_WORD.search(sent)))
            target = plans if chunk.period_kind == "plan" else reports
            target.append((share + 0.2 * said.event, -rank, said))

    def order(xs: list) -> list:
        return [s for _, _, s in sorted(xs, key=lambda x: (x[0], x[1]), reverse=True)]

    return order(plans), [s for s in order(reports) if s.event or re.search(r"\d{1,2}\s*月", s.text)]


# Words for one kind of step: a plan's 建成 is met by a report's 落成 or 竣工, not by its 开放时间.
_STEPS = (
    ("建成", "建设完成", "落成", "竣工", "完工"),
    ("开放", "开馆", "启用", "投用", "投入使用", "运行", "运营", "揭牌", "挂牌"),
    ("上线", "启用"),
    ("开工", "动工"),
    ("封顶",),
    ("搬迁", "迁入"),
    ("交付", "验收"),
)


def _same_step(plan: str, report: str) -> bool:
    """The report names the kind of step the plan names (开放时间 is a column, not an opening)."""
    report = re.sub(r"(?:开放|运行|服务)时间", "", report)
    return any(any(w in plan for w in step) and any(w in report for w in step) for step in _STEPS)


def _verdict(plan: _Said, report: _Said, topic: str, asked: str = "") -> str:
    """按计划 when a report of the plan's year says the step was done; 未按计划 when one says it was not."""
    if plan.year is None or report.year is None:
        return ""
    done = bool(_DONE.search(report.text))
    # 顺延 in 顺延的那间驿站 names the thing asked about; it says nothing of whether it was built since.
    not_done = any(m.group(0) not in topic for m in _NOT_DONE.finditer(report.text))
    if not_done and not done:
        return f"未按计划完成：{plan.year}年计划的事项，报告写明未完成或推迟。"
    if report.year == plan.year and _same_step(plan.text, report.text) and not not_done:
        due, on = _deadline(plan.text, asked), _month_done(report.text)
        if due and on and on[0] > due:
            return f"未按计划完成：计划{due}月底前，实际为{on[0]}月{on[1]}，晚于计划。".replace("月月", "月")
        return f"已按计划完成：{plan.year}年的计划事项，当年的报告写明已办成。"
    return ""


def _deadline(plan: str, asked: str) -> int | None:
    """The month a plan's step was due by: 9月底前 → 9, 上半年 → 6, 年内 or 年底前 → 12. In a plan naming
    several steps (10月底前完成竣工验收，年内建成开放), the clause of the step asked about."""
    clauses = re.split(r"[，,；;。]", plan)
    steps = [w for step in _STEPS for w in step if w in asked]
    own = [c for c in clauses if any(w in c for w in steps)] or clauses
    for clause in own:
        m = re.search(r"(\d{1,2})\s*月(?:底|份|末)?(?:之?前|以前)", clause)
        if m:
            return int(m.group(1))
        if "上半年" in clause:
            return 6
        if re.search(r"年内|年底前|年末前", clause):
            return 12
    return None


def _month_done(report: str) -> tuple[int, str] | None:
    """The month (and day) a report says a step happened: 10月16日 → (10, "16日")."""
    m = re.search(r"(?<!\d)(\d{1,2})\s*月\s*(\d{1,2}\s*日)?", report)
    return (int(m.group(1)), (m.group(2) or "").replace(" ", "")) if m else None


__all__ = ["answer", "asks_outcome", "subject"]
