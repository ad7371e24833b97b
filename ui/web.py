"""The web UI (Gradio): ask with citations, manage documents, browse the metrics table.

``build_ui(app_state)`` takes the state the REST API keeps (``app.state`` of
``ui.api.create_app``: ``kb``, ``assistant``, ``jobs``, ``settings``,
``uploads``), so the UI and the API share one knowledge base, one assistant and
one ingest queue. All text shown to people is Simplified Chinese.

Login is not done here: ``ui.server`` mounts these Blocks with Gradio's own
``auth=`` when ``LANTAI_UI_USERS`` is set (see ``parse_ui_users``).

Two rules hold for everything a browser sends or is shown:

- Files: an input takes only a file the page uploaded into Gradio's upload
  cache. A mounted app is never "launched", so Gradio skips its own check and
  would copy any server path (or fetch any URL) named in a request into its
  cache, where it can be downloaded (``accept_only_uploads``).
- Text from documents (answers, quotes, file names, sections, plan drafts, job
  messages) is shown as text: ``inert`` turns it into character references that
  form no HTML and no Markdown image, link or autolink; only our own markup is live.
"""

from __future__ import annotations

import hmac
import io
import json
import logging
import os
import re
import shutil
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd
from gradio import processing_utils
from gradio.utils import get_upload_folder

from index import VectorStoreUnreachable
from index.embed import EmbedderError

from .api import MAX_HISTORY, MAX_QUESTION, _unique, answer_pieces, safe_file_name
from .jobs import JOB_FINISHED, WritesRefused, write_lock
from .metrics_export import COLUMNS, row_values, to_csv, to_xlsx

log = logging.getLogger(__name__)

FEEDBACK_FILE = "feedback.jsonl"
VIS_ZH = {"internal": "仅内部", "public": "公开"}
VIS_CHOICES = [("仅内部（internal）", "internal"), ("公开（public，可对公众答复）", "public")]
DOC_STATUS_ZH = {"ready": "可检索", "indexing": "导入中或被中断"}
FILE_STATUS_ZH = {"queued": "排队中", "running": "导入中", "added": "新增", "updated": "已更新",
                  "unchanged": "未变化", "visibility_changed": "可见范围已改", "resumed": "已续完", "failed": "失败",
                  "cancelled": "已取消"}
JOB_STATE_ZH = {"queued": "排队中", "running": "导入中", "done": "已完成", "failed": "失败", "cancelled": "已取消"}
DOC_COLUMNS = ["文件", "类型", "年份", "分块数", "可见范围", "状态", "ID"]
FIGURE_COLUMNS = ["指标", "年份", "数值", "来源", "推算"]
METRIC_COLUMNS = [zh for key, zh in COLUMNS if key not in ("quote",)]
CONFLICT_COLUMNS = ["指标", "年份", "范围", "单位名称", "数值", "来源文件", "原文"]
ALL = "（全部）"
BUSY = "正在导入文档，请稍后再试。"
UPLOAD_ONLY = "只能导入通过本页面上传的文件；其他路径或链接不予处理，本次未导入任何文件。"
GONE = "上传的文件已失效，请重新选择文件后再上传。"
# Gradio deletes the files this app put in its cache (uploads, downloads) after an hour, and all at shutdown.
CACHE_LIFETIME = (3600, 3600)

CSS = """
.lt-badge {display:inline-block;padding:1px 8px;border-radius:10px;font-size:0.85em;margin-bottom:4px}
.lt-ok {background:#e6f4ea;color:#1e6b34}
.lt-warn {background:#fff4e0;color:#8a5300}
.lt-none {background:#eee;color:#555}
.lt-cite {margin:2px 0}
.lt-cite summary {cursor:pointer}
.lt-cite blockquote {margin:4px 0 6px 0;padding:4px 8px;border-left:3px solid #bbb;white-space:pre-wrap}
.lt-figs {border-collapse:collapse;font-size:0.9em;margin-top:6px}
.lt-figs th, .lt-figs td {border:1px solid #ccc;padding:2px 6px}
.lt-head {margin-top:8px}
"""

# The marks that build HTML or Markdown, as numeric character references: the text reads the same
# (and figures like 208.37 or 6.05% stay plain), but no tag, entity, image, link, autolink, emphasis,
# heading or formula delimiter can be formed from it, in HTML or in Markdown.
_INERT = str.maketrans({c: f"&#{ord(c)};" for c in "&<>\"'`*_[]()!#|~${}\\@"})
_AUTOLINK = re.compile(r"(://)|(www)\.", re.IGNORECASE)  # what Markdown turns into a link by itself
# In Markdown we write ourselves (the plan preview) only what links or fetches is disarmed.
_LINKS = str.maketrans({"<": "&lt;", "[": "&#91;", "]": "&#93;", "@": "&#64;"})


def inert(text: object) -> str:
    """Document-derived text for a chat message or a Markdown component: shown as written, never markup."""
    out = str(text if text is not None else "").translate(_INERT)
    out = _AUTOLINK.sub(lambda m: "&#58;//" if m.group(1) else m.group(2) + "&#46;", out)
    return out.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")


def unlinked(markdown_line: str) -> str:
    """A line of Markdown with its structure kept (headings, lists, tables, bold) but no raw HTML,
    image, link or autolink left in it."""
    return markdown_line.translate(_LINKS).replace("://", "&#58;//").replace("www.", "www&#46;")


def in_upload_cache(path: object, cache_root: Path) -> bool:
    """True for an existing file that lies, after following links, inside Gradio's upload cache."""
    try:
        real = Path(str(path)).resolve(strict=True)
    except (OSError, RuntimeError, ValueError):
        return False
    return real.is_file() and real.is_relative_to(cache_root)


def accept_only_uploads(demo: gr.Blocks, cache_root: Path) -> None:
    """Every component an event reads from the browser takes only files the page uploaded.

    Gradio copies each file reference in a request (in any input: a file box, a
    chat message, even a dropdown's value) into its cache before our handlers
    run, and checks the path only in a launched app. The check is made here, at
    that copy, so a server file or a URL is refused before anything is copied.
    """
    inputs = {id(c): c for fn in demo.fns.values() for c in fn.inputs}
    for component in inputs.values():
        _guard_copies(component, cache_root)


def _guard_copies(component, cache_root: Path) -> None:
    copy_async = component.async_move_resource_to_block_cache
    copy_sync = component.move_resource_to_block_cache

    def checked(path):
        if path is not None and not in_upload_cache(path, cache_root):
            raise gr.Error(UPLOAD_ONLY, title="提示")
        return path

    async def guarded_async(path):
        return await copy_async(checked(path))

    def guarded(path):
        return copy_sync(checked(path))

    component.async_move_resource_to_block_cache = guarded_async
    component.move_resource_to_block_cache = guarded


def discard_cached(paths: list[Path], cache_root: Path) -> None:
    """Delete upload-cache copies once staged (or refused): nothing uploaded stays downloadable there."""
    for path in paths:
        if not in_upload_cache(path, cache_root):
            continue
        path.unlink(missing_ok=True)
        if path.parent.resolve() != cache_root:
            try:
                path.parent.rmdir()  # Gradio keeps each upload in a folder of its own
            except OSError:
                pass


def parse_ui_users(value: str | None) -> list[tuple[str, str]]:
    """``LANTAI_UI_USERS`` ("user:password,user2:pw2") as (user, password) pairs; malformed items dropped."""
    users = []
    for item in (value or "").split(","):
        name, sep, password = item.strip().partition(":")
        if sep and name.strip() and password:
            users.append((name.strip(), password))
    return users


def make_auth(users: list[tuple[str, str]]):
    """A Gradio ``auth`` callable comparing passwords in constant time."""
    table = {u: p for u, p in users}

    def check(username: str, password: str) -> bool:
        expected = table.get((username or "").strip())
        return expected is not None and hmac.compare_digest((password or "").encode(), expected.encode())

    return check


def _warn(message: str) -> None:
    gr.Warning(message, title="提示")


# -- answers ------------------------------------------------------------------------------------------
def _fmt_value(value: float) -> str:
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
            f'{page}</summary><div>文件：{source}<br>章节：{section}'
            f'<br>页码：{int(c.page) if c.page else "—"}</div><blockquote>{inert(c.quote)}</blockquote></details>'
        )
    return "".join(parts)


def figures_html(answer) -> str:
    if not answer.figures:
        return ""
    rows = []
    for f in answer.figures:
        derived = "是" + (f"（{inert(f.formula)}）" if f.formula else "") if f.derived else ""
        value = inert(f.stated) if f.stated else f"{_fmt_value(f.value)}{inert(f.unit)}"
        rows.append(f"<tr><td>{inert(f.indicator)}</td><td>{inert(f.year or '')}</td><td>{value}</td>"
                    f"<td>{inert(f.source)}</td><td>{derived}</td></tr>")
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


def feedback_record(answer, rating: str, user: str | None = None) -> dict:
    return {
        "question": answer.question,
        "answer": answer.answer,
        "citations": [c.public() for c in answer.citations],
        "rating": rating,
        "time": datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds"),
        "user": user,
    }


# -- documents ------------------------------------------------------------------------------------
def documents_frame(kb) -> pd.DataFrame:
    rows = [[r.file_name, r.doc_type, "、".join(map(str, r.years)), r.chunk_count,
             VIS_ZH.get(r.visibility, r.visibility), DOC_STATUS_ZH.get(r.status, r.status), r.id]
            for r in kb.documents()]
    return pd.DataFrame(rows, columns=DOC_COLUMNS)


def document_choices(kb) -> list[tuple[str, str]]:
    return [(f"{r.file_name}（{VIS_ZH.get(r.visibility, r.visibility)}，{r.id[:8]}）", r.id) for r in kb.documents()]


def job_markdown(snap: dict | None) -> str:
    if snap is None:
        return "找不到导入任务。"
    state = JOB_STATE_ZH.get(snap["state"], snap["state"])
    lines = [f"**导入任务 {inert(snap['job_id'][:8])}：{inert(state)}** —— "
             f"文件 {snap['files_done']}/{snap['files_total']}，"
             f"分块 {snap['chunks_embedded']}/{snap['chunks_planned']} 已嵌入"]
    for f in snap["files"]:
        status = inert(FILE_STATUS_ZH.get(f["status"], f["status"]))
        mark = "✗" if f["status"] == "failed" else ("✓" if f["status"] in ("added", "updated", "unchanged", "visibility_changed", "resumed") else "…")
        line = f"- {mark} {inert(f['name'])}：{status}"
        if f.get("error"):
            line += f"（{inert(f['error'])}）"
        lines.append(line)
    if snap.get("error"):
        lines.append(f"\n**错误：** {inert(snap['error'])}")
    return "\n".join(lines)


# -- metrics --------------------------------------------------------------------------------------
def _filter_args(indicator, year, scope) -> dict:
    year_value = None
    if year not in (None, "", ALL):
        try:
            year_value = int(year)
        except (TypeError, ValueError):
            year_value = None
    return {"indicator": None if indicator in (None, "", ALL) else indicator, "year": year_value,
            "scope": None if scope in (None, "", ALL) else scope}


def metrics_frame(rows) -> pd.DataFrame:
    keys = [key for key, _ in COLUMNS if key != "quote"]
    data = [[row_values(r)[k] for k in keys] for r in rows]
    return pd.DataFrame(data, columns=METRIC_COLUMNS)


def empty_trend() -> pd.DataFrame:
    """Typed columns even when empty: the plot reads the axis types from them."""
    return pd.DataFrame({"年份": pd.Series(dtype=str), "数值": pd.Series(dtype=float),
                         "单位": pd.Series(dtype=str)})


def trend_frame(kb, indicator: str | None, scope: str | None) -> pd.DataFrame:
    """One value per year (stated before derived) of an indicator, for the trend chart."""
    columns = ["年份", "数值", "单位"]
    if not indicator:
        return empty_trend()
    series = kb.metrics.series(indicator, scope=scope)
    data = []
    for year, rows in series.items():
        first = rows[0]
        data.append([str(year), float(first.value), first.unit])  # a label: no 2,023.5 ticks
    frame = pd.DataFrame(data, columns=columns) if data else empty_trend()
    return frame.astype({"数值": float})


def conflicts_frame(kb) -> pd.DataFrame:
    data = []
    for c in kb.metrics.conflicts():
        for r in c.rows:
            data.append([c.indicator, c.year, c.scope or "全区", c.org, f"{r.stated or _fmt_value(r.value)}",
                         r.file_name, r.quote[:80]])
    return pd.DataFrame(data, columns=CONFLICT_COLUMNS)


# -- the UI ---------------------------------------------------------------------------------------
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


PLAN_MODES = {"自动": "auto", "按文档条目组合": "extractive", "大模型改写": "llm"}


def build_ui(app_state: Any) -> gr.Blocks:
    """The Chinese web UI over the API's knowledge base, assistant and ingest jobs."""
    kb = app_state.kb
    assistant = app_state.assistant
    jobs = app_state.jobs
    settings = app_state.settings
    uploads: Path = Path(getattr(app_state, "uploads", kb.data_dir / "uploads"))
    feedback_path = Path(kb.data_dir) / FEEDBACK_FILE
    feedback_lock = threading.Lock()
    cache_root = Path(get_upload_folder()).resolve()  # Gradio's upload cache: the only files inputs accept

    def _download_copy(source: Path | None, name: str, content: bytes | None = None) -> str:
        """A file offered for download, written into Gradio's cache: Gradio serves it from there and
        deletes it after an hour and at shutdown (``CACHE_LIFETIME``), so nothing is left behind."""
        data = content if content is not None else Path(source).read_bytes()
        return processing_utils.save_bytes_to_cache(data, name, str(cache_root))

    # -- ask ----------------------------------------------------------------------------------
    def ask(question: str, chat: list, history: list[str], records: dict):
        """Answer in the chat; in LLM mode the verified answer is streamed in pieces before the full card."""
        chat = list(chat or [])
        history = list(history or [])
        records = dict(records or {})
        question = (question or "").strip()
        if not question:
            _warn("请输入问题。")
            yield gr.update(), chat, history, records
            return
        if len(question) > MAX_QUESTION:
            _warn(f"问题不能超过 {MAX_QUESTION} 字。")
            yield gr.update(), chat, history, records
            return
        chat += [{"role": "user", "content": inert(question)}, {"role": "assistant", "content": "正在查找资料……"}]
        yield "", chat, history, records
        try:
            answer = assistant.ask(question, history=history[-MAX_HISTORY:] or None)
        except VectorStoreUnreachable as exc:
            log.error("Chroma server unreachable: %s", exc.detail)
            chat[-1] = {"role": "assistant", "content": exc.zh}
            yield "", chat, history, records
            return
        except EmbedderError as exc:  # its message is "中文 / English": staff read the Chinese half
            log.error("embedding service failed: %s", exc)
            chat[-1] = {"role": "assistant", "content": str(exc).split(" / ", 1)[0]}
            yield "", chat, history, records
            return
        except Exception:
            log.exception("ask failed")
            chat[-1] = {"role": "assistant", "content": "生成答案时出错，请稍后再试。"}
            yield "", chat, history, records
            return
        if answer.mode == "llm":  # only a verified answer is ever shown, so it streams after the check
            shown = ""
            for piece in answer_pieces(answer.answer):
                shown += piece
                chat[-1] = {"role": "assistant", "content": message_html(inert(shown))}
                yield "", chat, history, records
        chat[-1] = {"role": "assistant", "content": render_answer(answer)}
        records[str(len(chat) - 1)] = feedback_record(answer, "")
        history.append(question)
        yield "", chat, history, records

    def _save_feedback(record: dict, rating: str, request: gr.Request | None) -> None:
        entry = dict(record, rating=rating,
                     time=datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds"),
                     user=getattr(request, "username", None) if request else None)
        with feedback_lock:
            feedback_path.parent.mkdir(parents=True, exist_ok=True)
            with feedback_path.open("a", encoding="utf-8") as out:
                out.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def rate_last(rating: str):
        def handler(records: dict, request: gr.Request):
            if not records:
                _warn("还没有可以评价的回答。")
                return "还没有可以评价的回答。"
            last = max(records, key=int)
            _save_feedback(records[last], rating, request)
            word = "👍 有帮助" if rating == "up" else "👎 没帮助"
            return f"已记录对最近一条回答的反馈：{word}。谢谢！"
        return handler

    def on_like(records: dict, data: gr.LikeData, request: gr.Request):
        record = (records or {}).get(str(data.index if isinstance(data.index, int) else data.index[0]))
        if record is None:
            return gr.update()
        rating = "up" if data.liked else "down"
        _save_feedback(record, rating, request)
        return f"已记录反馈：{'👍 有帮助' if data.liked else '👎 没帮助'}。谢谢！"

    def download_feedback():
        if not feedback_path.exists():
            _warn("还没有任何反馈记录。")
            return gr.update(value=None, visible=False)
        with feedback_lock:
            return gr.update(value=_download_copy(feedback_path, "反馈记录.jsonl"), visible=True)

    def clear_chat():
        return [], [], {}, ""

    # -- documents ------------------------------------------------------------------------------
    def refresh_documents():
        return documents_frame(kb), gr.update(choices=document_choices(kb), value=None)

    def upload_refusal(paths: list[Path]) -> str | None:
        """Why these files are not taken, or None: each must be one the page uploaded, within the size cap."""
        for p in paths:
            if not in_upload_cache(p, cache_root):
                inside = Path(os.path.abspath(p)).is_relative_to(cache_root)
                return GONE if inside and not os.path.lexists(p) else UPLOAD_ONLY
        too_big = [inert(p.name) for p in paths if p.stat().st_size > settings.max_bytes]
        if too_big:
            mb = settings.max_bytes / 1024 / 1024
            return f"以下文件超过大小上限 {mb:g} MB，本次上传未导入任何文件：{'、'.join(too_big)}"
        return None

    def stage(paths: list[Path]) -> list[Path]:
        """Copy uploaded files into the app's uploads folder, all or none."""
        uploads.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".incoming-", dir=uploads))
        targets: list[Path] = []
        try:
            names: list[str] = []
            for p in paths:
                name = _unique(safe_file_name(p.name), set(names))
                shutil.copyfile(p, staging / name)
                names.append(name)
            for name in names:
                target = uploads / name
                os.replace(staging / name, target)
                targets.append(target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return targets

    def upload(files, visibility: str):
        paths = [Path(f if isinstance(f, str) else getattr(f, "name", f)) for f in (files or [])]
        if not paths:
            yield "请先选择要上传的文件。", gr.update(), gr.update(), gr.update()
            return
        if visibility not in VIS_ZH:
            visibility = "internal"
        try:
            refusal = upload_refusal(paths)
            if refusal:
                _warn(refusal)
                yield refusal, gr.update(), gr.update(), None
                return
            targets = stage(paths)
        finally:
            discard_cached(paths, cache_root)  # staged or refused: no upload stays downloadable in the cache
        try:
            job = jobs.submit(targets, visibility, owned=True)
        except RuntimeError as exc:
            yield f"无法开始导入：{inert(exc)}", gr.update(), gr.update(), gr.update()
            return
        while True:
            snap = jobs.snapshot(job.id)
            if snap is None or snap["state"] in JOB_FINISHED:
                break
            yield job_markdown(snap), gr.update(), gr.update(), gr.update()
            time.sleep(0.3)
        frame, choices = refresh_documents()
        yield job_markdown(snap), frame, choices, None

    def _locked(action):
        try:
            jobs.check_writable()
        except WritesRefused as exc:
            _warn(f"无法修改：{inert(exc)}")
            return False
        lock = write_lock(kb)
        if not lock.acquire(timeout=5.0):
            _warn(BUSY)
            return False
        try:
            action()
            return True
        finally:
            lock.release()

    def change_visibility(doc_id: str | None, visibility: str):
        record = next((r for r in kb.documents() if r.id == doc_id), None) if doc_id else None
        if record is None:
            message = f"找不到文档「{inert(doc_id)}」。" if doc_id else "请先选择一个文档。"
            _warn(message)
            return message, gr.update(), gr.update()
        if visibility not in VIS_ZH:
            visibility = "internal"
        if not _locked(lambda: kb.set_visibility(doc_id, visibility)):
            return BUSY, gr.update(), gr.update()
        frame, choices = refresh_documents()
        return f"已将「{inert(record.file_name)}」的可见范围改为：{VIS_ZH[visibility]}。", frame, choices

    def reindex_document(doc_id: str | None):
        record = next((r for r in kb.documents() if r.id == doc_id), None) if doc_id else None
        if record is None:
            message = f"找不到文档「{inert(doc_id)}」。" if doc_id else "请先选择一个文档。"
            _warn(message)
            return message
        if not Path(record.path).is_file():
            return f"原文件已不存在，无法重新索引「{inert(record.file_name)}」。"
        kb.registry.mark_stale(record.id)
        job = jobs.submit([Path(record.path)], record.visibility)
        return f"已开始重新索引「{inert(record.file_name)}」（任务 {job.id}），完成后点击“刷新列表”查看。"

    def upload_any(files, folder, visibility: str):
        """Files and a whole folder go in through the same upload."""
        yield from upload(list(files or []) + list(folder or []), visibility)

    def delete_document(doc_id: str | None, confirm: bool):
        record = next((r for r in kb.documents() if r.id == doc_id), None) if doc_id else None
        message = None
        if record is None:
            message = f"找不到文档「{inert(doc_id)}」。" if doc_id else "请先选择一个文档。"
        elif not confirm:
            message = "请先勾选“确认删除”，再点击删除。"
        if message:
            _warn(message)
            return message, gr.update(), gr.update(), gr.update()
        if not _locked(lambda: kb.remove(doc_id)):
            return BUSY, gr.update(), gr.update(), gr.update()
        path = Path(record.path)
        if (path.parent == uploads.resolve() and str(path) not in jobs.pending_paths()
                and not kb.find_documents(str(path))):
            path.unlink(missing_ok=True)  # the copy the UI or API saved
        frame, choices = refresh_documents()
        return f"已删除「{inert(record.file_name)}」。", frame, choices, False

    # -- metrics --------------------------------------------------------------------------------
    def metric_filter_choices():
        rows = kb.metrics.all()
        years = sorted({r.year for r in rows if r.year is not None})
        scopes = sorted({r.scope for r in rows if r.scope})
        indicators = kb.metrics.indicators_known()
        return (gr.update(choices=[ALL] + indicators), gr.update(choices=[ALL] + [str(y) for y in years]),
                gr.update(choices=[ALL] + scopes), {"__type__": "update", "choices": indicators})

    def query_metrics(indicator, year, scope):
        rows = kb.metrics.all(**_filter_args(indicator, year, scope))
        return metrics_frame(rows), f"共 {len(rows)} 条。"

    def trend(indicator, scope):
        args = _filter_args(indicator, None, scope)
        frame = trend_frame(kb, args["indicator"], args["scope"])
        unit = frame["单位"].iloc[0] if len(frame) else ""
        title = f"{args['indicator'] or '趋势'}" + (f"（{unit}）" if unit else "")
        return gr.update(value=frame, title=title, y_title=f"数值（{unit}）" if unit else "数值")

    def export(fmt: str):
        def handler(indicator, year, scope):
            rows = kb.metrics.all(**_filter_args(indicator, year, scope))
            if fmt == "csv":
                path = _download_copy(None, "指标表.csv", ("\ufeff" + to_csv(rows)).encode("utf-8"))
            else:
                buf = io.BytesIO()
                to_xlsx(rows, buf)
                path = _download_copy(None, "指标表.xlsx", buf.getvalue())
            return gr.update(value=path, visible=True)
        return handler

    # -- plan drafting --------------------------------------------------------------------------
    def plan_orgs():
        from assistant.plan import organisations
        from assistant.plan.sources import default_year

        orgs = organisations(kb)
        year = default_year(kb, orgs[0]) if orgs else None
        return gr.update(choices=orgs, value=orgs[0] if orgs else None), gr.update(value=year)

    def draft_plan_ui(year, org, mode_label, progress=gr.Progress()):
        from assistant.plan import PlanError

        from .drafting import checks_line, file_name, make_plan

        mode = PLAN_MODES.get(mode_label, "auto")
        try:
            year = int(year) if year else None  # an emptied number box sends 0: the default year
        except (TypeError, ValueError):
            year = -1
        progress(0.2, desc="正在读取上年总结、计划和指标…")
        try:
            result = make_plan(settings, kb, year, org or None, mode)
        except PlanError as exc:
            message = inert(str(exc).split(" / ")[0])
            _warn(message)
            return gr.update(), gr.update(), f"⚠ {message}", gr.update()
        progress(1.0, desc="完成")
        status = f"已起草《{inert(result.draft.title)}》。{checks_line(result.checks)}。请在下方编辑后下载。"
        return plan_preview(result.markdown), result.markdown, status, file_name(result.draft, "")[:-1]

    def plan_download(fmt: str):
        def handler(markdown: str, name: str):
            if not (markdown or "").strip():
                _warn("请先起草计划。")
                return gr.update(visible=False)
            name = safe_file_name(name or "工作计划（草稿）") or "plan"
            if fmt == "md":
                path = _download_copy(None, f"{name}.md", markdown.encode("utf-8"))
            else:
                from .drafting import plan_docx

                path = _download_copy(None, f"{name}.docx", plan_docx(markdown))
            return gr.update(value=path, visible=True)
        return handler

    # -- layout ---------------------------------------------------------------------------------
    with gr.Blocks(title="兰台 · 图书馆工作文档知识助手", delete_cache=CACHE_LIFETIME) as demo:
        gr.Markdown("## 兰台 · 图书馆工作文档知识助手\n答案均来自已导入的工作文档，附引用原文；数字经核对。")
        with gr.Tabs():
            with gr.Tab("问答", id="ask"):
                history = gr.State([])
                records = gr.State({})
                chatbot = gr.Chatbot(label="对话", height=520, elem_id="lt-chat", sanitize_html=True,
                                     latex_delimiters=[],  # document text is never typeset
                                     placeholder="请输入关于本馆工作文档的问题，例如：2024年进馆人数是多少？",
                                     buttons=["copy"])
                with gr.Row():
                    question = gr.Textbox(label="问题", placeholder="例如：本馆2024年进馆人数是多少？",
                                          scale=5, elem_id="lt-question", max_length=MAX_QUESTION,
                                          submit_btn=False)
                    ask_btn = gr.Button("提问", variant="primary", scale=1, elem_id="lt-ask")
                with gr.Row():
                    up_btn = gr.Button("👍 有帮助", size="sm", elem_id="lt-up")
                    down_btn = gr.Button("👎 没帮助", size="sm", elem_id="lt-down")
                    clear_btn = gr.Button("开始新对话", size="sm")
                    fb_btn = gr.Button("下载反馈记录", size="sm")
                feedback_note = gr.Markdown("", elem_id="lt-feedback-note")
                fb_file = gr.File(label="反馈记录（feedback.jsonl）", visible=False, interactive=False, height=60)

                ask_inputs = [question, chatbot, history, records]
                ask_outputs = [question, chatbot, history, records]
                ask_btn.click(ask, ask_inputs, ask_outputs, concurrency_limit=4)
                question.submit(ask, ask_inputs, ask_outputs, concurrency_limit=4)
                up_btn.click(rate_last("up"), [records], [feedback_note])
                down_btn.click(rate_last("down"), [records], [feedback_note])
                chatbot.like(on_like, [records], [feedback_note])
                clear_btn.click(clear_chat, None, [chatbot, history, records, feedback_note])
                fb_btn.click(download_feedback, None, [fb_file])

            with gr.Tab("文档", id="docs") as docs_tab:
                with gr.Row():
                    with gr.Column(scale=3):
                        files = gr.File(label="选择文件（可多选；PDF、Word、Excel、文本）", file_count="multiple",
                                        type="filepath", elem_id="lt-files")
                        folder = gr.File(label="或选择整个文件夹", file_count="directory", type="filepath",
                                         elem_id="lt-folder", height=90)
                    with gr.Column(scale=2):
                        visibility = gr.Radio(VIS_CHOICES, value="internal", label="可见范围")
                        upload_btn = gr.Button("上传并导入", variant="primary", elem_id="lt-upload")
                upload_status = gr.Markdown("", elem_id="lt-upload-status")
                docs_table = gr.Dataframe(value=documents_frame(kb), headers=DOC_COLUMNS, label="文档列表",
                                          interactive=False, wrap=True, elem_id="lt-docs")
                with gr.Row():
                    refresh_btn = gr.Button("刷新列表", size="sm")
                gr.Markdown("### 管理文档")
                with gr.Row():
                    doc_pick = gr.Dropdown(choices=document_choices(kb), label="文档（按 ID）", scale=3,
                                           allow_custom_value=True, elem_id="lt-doc-pick")
                    new_vis = gr.Radio(VIS_CHOICES, value="internal", label="新的可见范围", scale=2, elem_id="lt-new-vis")
                with gr.Row():
                    vis_btn = gr.Button("修改可见范围", elem_id="lt-set-vis")
                    confirm = gr.Checkbox(label="确认删除", value=False, elem_id="lt-confirm")
                    reindex_btn = gr.Button("重新索引", elem_id="lt-reindex")
                    del_btn = gr.Button("删除文档", variant="stop", elem_id="lt-delete")
                manage_status = gr.Markdown("", elem_id="lt-manage-status")

                upload_btn.click(upload_any, [files, folder, visibility], [upload_status, docs_table, doc_pick, files],
                                 concurrency_limit=1)
                refresh_btn.click(refresh_documents, None, [docs_table, doc_pick])
                docs_tab.select(refresh_documents, None, [docs_table, doc_pick])
                vis_btn.click(change_visibility, [doc_pick, new_vis], [manage_status, docs_table, doc_pick])
                del_btn.click(delete_document, [doc_pick, confirm], [manage_status, docs_table, doc_pick, confirm])
                reindex_btn.click(reindex_document, [doc_pick], [manage_status])

            with gr.Tab("指标", id="metrics") as metrics_tab:
                with gr.Row():
                    m_indicator = gr.Dropdown([ALL], value=ALL, label="指标", allow_custom_value=True)
                    m_year = gr.Dropdown([ALL], value=ALL, label="年份")
                    m_scope = gr.Dropdown([ALL], value=ALL, label="范围", allow_custom_value=True)
                    m_query = gr.Button("查询", variant="primary")
                m_count = gr.Markdown("")
                m_table = gr.Dataframe(headers=METRIC_COLUMNS, label="指标表", interactive=False, wrap=True,
                                       max_height=420)
                with gr.Row():
                    csv_btn = gr.Button("导出 CSV", size="sm")
                    xlsx_btn = gr.Button("导出 Excel（XLSX）", size="sm")
                m_file = gr.File(label="导出文件", interactive=False, visible=False, height=60, elem_id="lt-export")
                gr.Markdown("### 趋势")
                with gr.Row():
                    t_indicator = gr.Dropdown([], label="指标（按年份）", scale=3)
                    t_btn = gr.Button("画趋势图", scale=1)
                t_plot = gr.LinePlot(empty_trend(), x="年份", y="数值",
                                     title="趋势", x_title="年份", y_title="数值", height=320,
                                     elem_id="lt-trend")
                gr.Markdown("### 数值不一致（同一指标在不同文档中的说法不同）")
                c_note = gr.Markdown("", elem_id="lt-conflicts-note")
                c_table = gr.Dataframe(headers=CONFLICT_COLUMNS, interactive=False, wrap=True)

                filters = [m_indicator, m_year, m_scope]
                m_query.click(query_metrics, filters, [m_table, m_count])
                csv_btn.click(export("csv"), filters, [m_file])
                xlsx_btn.click(export("xlsx"), filters, [m_file])
                t_btn.click(trend, [t_indicator, m_scope], [t_plot])
                t_indicator.change(trend, [t_indicator, m_scope], [t_plot])

                def open_metrics(indicator, year, scope, trend_indicator):
                    ind, yr, sc, tind = metric_filter_choices()
                    table, count = query_metrics(indicator, year, scope)
                    known = tind["choices"]
                    if trend_indicator not in known:
                        trend_indicator = "进馆人数" if "进馆人数" in known else (known[0] if known else None)
                    tind["value"] = trend_indicator
                    conflicts = conflicts_frame(kb)
                    note = (f"发现 {len(kb.metrics.conflicts())} 处数值不一致，请核对原文。" if len(conflicts)
                            else "暂未发现数值不一致。")
                    return (ind, yr, sc, tind, table, count, conflicts, note,
                            trend(trend_indicator, scope))

                metrics_tab.select(open_metrics, [m_indicator, m_year, m_scope, t_indicator],
                                   [m_indicator, m_year, m_scope, t_indicator, m_table, m_count, c_table,
                                    c_note, t_plot])
            with gr.Tab("计划起草", id="plan") as plan_tab:
                gr.Markdown("根据最新的工作总结、上一年度计划、指标趋势和案例起草下一年度工作计划；"
                            "每条附出处，目标值为推算，请核定后使用。")
                with gr.Row():
                    p_year = gr.Number(value=None, precision=0, label="计划年度（留空为下一年度）", elem_id="lt-plan-year")
                    p_org = gr.Dropdown([], label="单位", allow_custom_value=True, elem_id="lt-plan-org")
                    p_mode = gr.Radio(list(PLAN_MODES), value="自动", label="起草方式")
                    p_btn = gr.Button("起草计划", variant="primary", elem_id="lt-plan-draft")
                p_status = gr.Markdown("", elem_id="lt-plan-status")
                p_name = gr.State("")
                with gr.Row():
                    with gr.Column():
                        p_edit = gr.Textbox(label="编辑（Markdown）", lines=28, max_lines=60, elem_id="lt-plan-edit")
                        p_refresh = gr.Button("更新预览", size="sm")
                    with gr.Column():
                        p_preview = gr.Markdown("", label="预览", elem_id="lt-plan-preview", height=640,
                                                latex_delimiters=[])
                with gr.Row():
                    p_md_btn = gr.Button("下载 Markdown", size="sm")
                    p_docx_btn = gr.Button("下载 Word（DOCX）", size="sm", elem_id="lt-plan-docx")
                p_file = gr.File(label="下载文件", interactive=False, visible=False, height=60, elem_id="lt-plan-file")

                plan_tab.select(plan_orgs, None, [p_org, p_year])
                p_btn.click(draft_plan_ui, [p_year, p_org, p_mode], [p_preview, p_edit, p_status, p_name],
                            concurrency_limit=2)
                p_refresh.click(plan_preview, [p_edit], [p_preview])
                p_md_btn.click(plan_download("md"), [p_edit, p_name], [p_file])
                p_docx_btn.click(plan_download("docx"), [p_edit, p_name], [p_file])
            from .safety_panel import add_safety_panel

            add_safety_panel(settings, lambda: getattr(getattr(app_state, "wechat", None), "gate", None))
    accept_only_uploads(demo, cache_root)
    return demo


__all__ = ["build_ui", "parse_ui_users", "make_auth", "render_answer", "CSS", "FEEDBACK_FILE"]
