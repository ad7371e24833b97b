"""The HTML and Markdown the web page shows: an answer card, an ingest job, a plan preview."""

from __future__ import annotations

from ..job_model import FILE_INGESTED, FileStatus, JobState
from ..services.questions import UNVERIFIED_MARK, library_line
from ..services.reviewed import REVIEWED_LABEL
from .markup import inert, unlinked

FIGURE_COLUMNS = ["指标", "年份", "数值", "来源", "推算"]
FILE_STATUS_ZH = {
    FileStatus.QUEUED: "排队中",
    FileStatus.RUNNING: "导入中",
    FileStatus.ADDED: "新增",
    FileStatus.UPDATED: "已更新",
    FileStatus.UNCHANGED: "未变化",
    FileStatus.VISIBILITY_CHANGED: "可见范围已改",
    FileStatus.DUPLICATE: "重复，未导入",
    FileStatus.REPLACED: "已替换扫描件",
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
    """The badge, with what was checked as its hover text and as a caption beneath it (phones do not hover);
    a ⚠ badge says why."""
    if answer.refused:
        return '<span class="lt-badge lt-none">未找到答案</span>'
    checked = getattr(answer, "checked", "")
    if getattr(answer, "reviewed", None) is not None:  # staff wrote it: who and when, in place of the checks
        return (
            f'<span class="lt-badge lt-reviewed">{REVIEWED_LABEL}</span><div class="lt-checked">{inert(checked)}</div>'
        )
    warnings = list(getattr(answer, "warnings", []))
    if answer.grounded:
        badge, kind = "✓ 已核实", "lt-ok"
    elif answer.unverified_numbers:
        nums = "、".join(answer.unverified_numbers[:8])
        badge, kind = f"⚠含未核实数字：{nums}", "lt-warn"
    else:
        badge, kind = "⚠未核实：" + (warnings[0] if warnings else "引文与问题不符"), "lt-warn"
    note = "；".join([checked, *warnings] if checked else warnings)
    title = f' title="{inert(note)}"' if note else ""
    caption = f'<div class="lt-checked">{inert(note)}</div>' if note else ""
    return f'<span class="lt-badge {kind}"{title}>{inert(badge)}</span>{caption}'


def cited_document(c) -> str:
    """A cited document as people know it: its title and library; the file name is a detail."""
    title = getattr(c, "title", "") or c.source
    library = getattr(c, "library", "")
    return f"{inert(title)}（{inert(library)}）" if library and library not in title else inert(title)


def cite_link(turn: int | None, n: int, text: str) -> str:
    """A citation mark that opens citation ``n`` of the answer at chat position ``turn`` in the side panel
    (the page's script reads the link's address); without a turn, the text alone."""
    if turn is None:
        return text
    return f'<a class="lt-cite-link" href="#lt-cite-{int(turn)}-{int(n)}" title="在侧栏核对原文">{text}</a>'


def citations_html(answer, turn: int | None = None) -> str:
    parts = []
    for c in answer.citations:
        page = f" · 第{int(c.page)}页" if c.page else ""
        section = inert(c.section or "（正文开头）")
        library = getattr(c, "library", "")
        check = cite_link(turn, c.n, "在侧栏核对原文与页面 ›")
        parts.append(
            f'<details class="lt-cite"><summary>{cite_link(turn, c.n, f"&#91;{int(c.n)}&#93;")} '
            f"{cited_document(c)} · {section}"
            f'{page}</summary><div class="lt-cite-meta">文档：{inert(getattr(c, "title", "") or c.source)}'
            f"<br>单位：{inert(library or '—')}<br>章节：{section}"
            f"<br>页码：{int(c.page) if c.page else '—'}<br>文件：{inert(c.source)}</div>"
            f"<blockquote>{inert(c.quote)}</blockquote>{check if turn is not None else ''}</details>"
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
    table = f'<table class="lt-figs"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    return f'<div class="lt-scroll">{table}</div>'  # a phone scrolls the table, never the page


def message_html(body: str) -> str:
    """A chat message as one HTML block on one line: Markdown leaves a block with no blank line in it alone,
    so nothing inside is read as Markdown."""
    return f'<div class="lt-msg">{body}</div>'


def answer_text_html(text: str, marks: dict[int, str] | None = None) -> str:
    """The answer's text as text, each ⚠未核实 mark (after a whole number and its unit) set apart and each
    citation mark [n] in ``marks`` replaced by its markup."""
    mark = inert(UNVERIFIED_MARK)
    out = inert(text.strip()).replace(mark, f'<span class="lt-unverified">{mark}</span>')
    for n, markup in (marks or {}).items():
        out = out.replace(f"&#91;{n}&#93;", markup)
    return out


def render_answer(answer, turn: int | None = None) -> str:
    """One assistant message: the answer first, the library it is for (单位：…), its badge and citations that
    open, then the figures used, folded; document text as text. With the answer's place in the chat
    (``turn``), each citation mark and entry links to the side panel."""
    if getattr(answer, "candidates", None):  # it asks which library is meant: no badge, nothing cited
        return message_html(f'<div class="lt-text">{answer_text_html(answer.answer)}</div>')
    marks = {c.n: cite_link(turn, c.n, f"&#91;{int(c.n)}&#93;") for c in answer.citations} if turn is not None else {}
    line = library_line(answer)
    out = [f'<div class="lt-text">{answer_text_html(answer.answer, marks)}</div>']
    out += [f'<div class="lt-library">{inert(line)}</div>'] if line else []
    out.append(badge_html(answer))
    cites = citations_html(answer, turn)
    if cites:
        how = "点击展开原文，点击编号在侧栏核对" if turn is not None else "点击展开原文"
        out += [f'<div class="lt-head"><b>引用来源</b>（{how}）</div>', cites]
    figs = figures_html(answer)
    if figs:
        out.append(
            f'<details class="lt-figs-fold"><summary><b>用到的数据</b>（{len(answer.figures)}项，点击展开）</summary>{figs}</details>'
        )
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
        mark = "⚠" if f["status"] == FileStatus.DUPLICATE else mark
        line = f"- {mark} {inert(f['name'])}：{status}"
        if f.get("error"):
            line += f"（{inert(f['error'])}）"
        if f.get("notice"):
            line += f"（{inert(f['notice'])}）"
        if f.get("progress") and f["status"] == FileStatus.RUNNING:
            line += f" —— {inert(f['progress'])}"
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
    "answer_text_html",
    "badge_html",
    "cited_document",
    "cite_link",
    "citations_html",
    "figures_html",
    "fmt_value",
    "job_markdown",
    "message_html",
    "plan_preview",
    "render_answer",
]
