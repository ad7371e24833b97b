"""The HTML and Markdown the web page shows: an answer card, an ingest job, a plan preview."""

from __future__ import annotations

from ..job_model import FILE_INGESTED, FileStatus, JobState
from .markup import inert, unlinked

FIGURE_COLUMNS = ["指标", "年份", "数值", "来源", "推算"]
FILE_STATUS_ZH = {
    FileStatus.QUEUED: "排队中",
    FileStatus.RUNNING: "导入中",
    FileStatus.ADDED: "新增",
    FileStatus.UPDATED: "已更新",
    FileStatus.UNCHANGED: "未变化",
    FileStatus.VISIBILITY_CHANGED: "可见范围已改",
    FileStatus.RESUMED: "已续完",
    FileStatus.FAILED: "失败",
    FileStatus.CANCELLED: "已取消",
}
JOB_STATE_ZH = {
    JobState.QUEUED: "排队中",
    JobState.RUNNING: "导入中",
    JobState.DONE: "已完成",
    JobState.FAILED: "失败",
    JobState.CANCELLED: "已取消",
}


def fmt_value(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"


def badge_html(answer) -> str:
    if answer.refused:
        return '<span class="lt-badge lt-none">未找到答案</span>'
    if answer.grounded:
        return '<span class="lt-badge lt-ok">✓ 已核实</span>'
    nums = "、".join(inert(n) for n in answer.unverified_numbers[:8])
    return f'<span class="lt-badge lt-warn">⚠含未核实数字{("：" + nums) if nums else ""}</span>'


def citations_html(answer) -> str:
    parts = []
    for c in answer.citations:
        page = f" · 第{int(c.page)}页" if c.page else ""
        source, section = inert(c.source), inert(c.section or "（正文开头）")
        parts.append(
            f'<details class="lt-cite"><summary>[{int(c.n)}] {source} · {section}'
            f"{page}</summary><div>文件：{source}<br>章节：{section}"
            f"<br>页码：{int(c.page) if c.page else '—'}</div><blockquote>{inert(c.quote)}</blockquote></details>"
        )
    return "".join(parts)


def figures_html(answer) -> str:
    if not answer.figures:
        return ""
    rows = []
    for f in answer.figures:
        derived = "是" + (f"（{inert(f.formula)}）" if f.formula else "") if f.derived else ""
        value = inert(f.stated) if f.stated else f"{fmt_value(f.value)}{inert(f.unit)}"
        rows.append(
            f"<tr><td>{inert(f.indicator)}</td><td>{inert(f.year or '')}</td><td>{value}</td>"
            f"<td>{inert(f.source)}</td><td>{derived}</td></tr>"
        )
    head = "".join(f"<th>{c}</th>" for c in FIGURE_COLUMNS)
    return f'<table class="lt-figs"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def message_html(body: str) -> str:
    """A chat message as one HTML block on one line: Markdown leaves a block with no blank line in it alone,
    so nothing inside is read as Markdown."""
    return f'<div class="lt-msg">{body}</div>'


def render_answer(answer) -> str:
    """One assistant message: badge, text, citations that open, the figures used; document text as text."""
    out = [badge_html(answer), f'<div class="lt-text">{inert(answer.answer.strip())}</div>']
    cites = citations_html(answer)
    if cites:
        out += ['<div class="lt-head"><b>引用来源</b>（点击展开原文）</div>', cites]
    figs = figures_html(answer)
    if figs:
        out += ['<div class="lt-head"><b>用到的数据</b></div>', figs]
    return message_html("".join(out))


def job_markdown(snap: dict | None) -> str:
    if snap is None:
        return "找不到导入任务。"
    state = JOB_STATE_ZH.get(snap["state"], snap["state"])
    lines = [
        f"**导入任务 {inert(snap['job_id'][:8])}：{inert(state)}** —— "
        f"文件 {snap['files_done']}/{snap['files_total']}，"
        f"分块 {snap['chunks_embedded']}/{snap['chunks_planned']} 已嵌入"
    ]
    for f in snap["files"]:
        status = inert(FILE_STATUS_ZH.get(f["status"], f["status"]))
        mark = "✗" if f["status"] == FileStatus.FAILED else ("✓" if f["status"] in FILE_INGESTED else "…")
        line = f"- {mark} {inert(f['name'])}：{status}"
        if f.get("error"):
            line += f"（{inert(f['error'])}）"
        lines.append(line)
    if snap.get("error"):
        lines.append(f"\n**错误：** {inert(snap['error'])}")
    return "\n".join(lines)


def plan_preview(markdown: str) -> str:
    """The draft as the preview shows it: one line of the draft is one paragraph (as in the Word export),
    where Markdown would run lines without a blank between them together. Drafts quote documents, so no
    image, link or raw HTML in them is made live."""
    out = []
    for line in (markdown or "").splitlines():
        out.append(unlinked(line))
        if line.strip() and not line.lstrip().startswith("|"):
            out.append("")
    return "\n".join(out)


__all__ = [
    "badge_html",
    "citations_html",
    "figures_html",
    "fmt_value",
    "job_markdown",
    "message_html",
    "plan_preview",
    "render_answer",
]
