"""The 文档 tab: upload files or a folder with a visibility, follow the ingest, list, share, re-index, delete.

Everyone sees the list; only a 管理员 (``ui.web.roles``) sees the upload and
management controls, and every handler that changes something refuses anyone
else itself: the handlers are public ``/gradio_api/call/<name>`` endpoints.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import gradio as gr

from ingest import SCAN_HINT_ZH

from ...job_model import JOB_FINISHED
from ...services import Services
from ...services.audit import web_actor
from ...services.documents import DocumentNotFound, SourceGone, WriteBusy, WritesRefused
from ..frames import DOC_COLUMNS, VIS_ZH, document_choices, documents_frame
from ..markup import inert, warn
from ..render import job_markdown
from ..roles import NOT_ALLOWED, actor_name, may_administer
from ..uploads import GONE, UPLOAD_ONLY, UploadCache

VIS_CHOICES = [("仅内部（internal）", "internal"), ("公开（public，可对公众答复）", "public")]
BUSY = "正在导入文档，请稍后再试。"
STAFF_NOTE = "当前账号为**馆员**：可以查看文档列表；上传、删除、重新索引和修改可见范围需要管理员账号。"
UPLOAD_HINT = f"提示：{SCAN_HINT_ZH}；导入时下方显示识别到第几页和预计剩余时间。"
# How long a change from the page waits for a running ingest before saying it is busy.
WRITE_WAIT_SECONDS = 5.0


def _missing(doc_id: str | None) -> str:
    return f"找不到文档「{inert(doc_id)}」。" if doc_id else "请先选择一个文档。"


class DocumentHandlers:
    """What the tab's buttons do. Handler names are the names of the page's API endpoints."""

    def __init__(self, services: Services, cache: UploadCache):
        self.settings = services.settings
        self.documents = services.documents
        self.jobs = services.jobs
        self.cache = cache

    def _refuses(self, request: gr.Request | None) -> bool:
        """True (and a notice) when the caller may not change documents."""
        if may_administer(self.settings, request):
            return False
        warn(NOT_ALLOWED)
        return True

    def show_for_role(self, request: gr.Request):
        """The upload and management controls for a 管理员, a note for a 馆员."""
        admin = may_administer(self.settings, request)
        return gr.update(visible=admin), gr.update(visible=admin), gr.update(visible=not admin)

    def refresh_documents(self):
        records = self.documents.records()
        return documents_frame(records), gr.update(choices=document_choices(records), value=None)

    def _refusal(self, paths: list[Path]) -> str | None:
        """Why these files are not taken, or None: each must be one the page uploaded, within the size cap."""
        for p in paths:
            if not self.cache.holds(p):
                inside = Path(os.path.abspath(p)).is_relative_to(self.cache.root)
                return GONE if inside and not os.path.lexists(p) else UPLOAD_ONLY
        too_big = [inert(p.name) for p in self.documents.oversized(paths)]
        if too_big:
            mb = self.documents.max_bytes / 1024 / 1024
            return f"以下文件超过大小上限 {mb:g} MB，本次上传未导入任何文件：{'、'.join(too_big)}"
        return None

    def upload(self, files, visibility: str, keep_duplicates: bool, request: gr.Request | None):
        paths = [Path(f if isinstance(f, str) else getattr(f, "name", f)) for f in (files or [])]
        if self._refuses(request):
            self.cache.discard(paths)
            yield NOT_ALLOWED, gr.update(), gr.update(), None
            return
        if not paths:
            yield "请先选择要上传的文件。", gr.update(), gr.update(), gr.update()
            return
        if visibility not in VIS_ZH:
            visibility = "internal"
        try:
            refusal = self._refusal(paths)
            if refusal:
                warn(refusal)
                yield refusal, gr.update(), gr.update(), None
                return
            targets = self.documents.stage_copies(paths)
        finally:
            self.cache.discard(paths)  # staged or refused: no upload stays downloadable in the cache
        try:
            by = web_actor(actor_name(request))
            job = self.documents.ingest_saved(targets, visibility, bool(keep_duplicates), by=by)
        except RuntimeError as exc:
            yield f"无法开始导入：{inert(exc)}", gr.update(), gr.update(), gr.update()
            return
        while True:
            snap = self.jobs.snapshot(job.id)
            if snap is None or snap["state"] in JOB_FINISHED:
                break
            yield job_markdown(snap), gr.update(), gr.update(), gr.update()
            time.sleep(0.3)
        frame, choices = self.refresh_documents()
        yield job_markdown(snap), frame, choices, None

    def upload_any(self, files, folder, visibility: str, keep_duplicates: bool, request: gr.Request):
        """Files and a whole folder go in through the same upload."""
        yield from self.upload(list(files or []) + list(folder or []), visibility, keep_duplicates, request)

    @staticmethod
    def _refused(exc: Exception) -> None:
        warn(f"无法修改：{inert(exc)}" if isinstance(exc, WritesRefused) else BUSY)

    def change_visibility(self, doc_id: str | None, visibility: str, request: gr.Request):
        if self._refuses(request):
            return NOT_ALLOWED, gr.update(), gr.update()
        record = self.documents.find(doc_id)
        if record is None:
            warn(_missing(doc_id))
            return _missing(doc_id), gr.update(), gr.update()
        if visibility not in VIS_ZH:
            visibility = "internal"
        try:
            by = web_actor(actor_name(request))
            self.documents.set_visibility(record.id, visibility, wait=WRITE_WAIT_SECONDS, by=by)
        except DocumentNotFound:  # removed meanwhile
            return _missing(doc_id), gr.update(), gr.update()
        except (WriteBusy, WritesRefused) as exc:
            self._refused(exc)
            return BUSY, gr.update(), gr.update()
        frame, choices = self.refresh_documents()
        return f"已将「{inert(record.file_name)}」的可见范围改为：{VIS_ZH[visibility]}。", frame, choices

    def reindex_document(self, doc_id: str | None, request: gr.Request):
        if self._refuses(request):
            return NOT_ALLOWED
        record = self.documents.find(doc_id)
        if record is None:
            warn(_missing(doc_id))
            return _missing(doc_id)
        try:
            job, _ = self.documents.reindex(record.id, wait=WRITE_WAIT_SECONDS, by=web_actor(actor_name(request)))
        except DocumentNotFound:  # removed meanwhile
            return _missing(doc_id)
        except SourceGone:
            return f"原文件已不存在，无法重新索引「{inert(record.file_name)}」。"
        except (WriteBusy, WritesRefused) as exc:
            self._refused(exc)
            return BUSY
        return f"已开始重新索引「{inert(record.file_name)}」（任务 {job.id}），完成后点击“刷新列表”查看。"

    def delete_document(self, doc_id: str | None, confirm: bool, request: gr.Request):
        if self._refuses(request):
            return NOT_ALLOWED, gr.update(), gr.update(), gr.update()
        record = self.documents.find(doc_id)
        if record is None or not confirm:
            message = _missing(doc_id) if record is None else "请先勾选“确认删除”，再点击删除。"
            warn(message)
            return message, gr.update(), gr.update(), gr.update()
        try:
            self.documents.remove(record.id, wait=WRITE_WAIT_SECONDS, by=web_actor(actor_name(request)))
        except DocumentNotFound:  # removed meanwhile
            return _missing(doc_id), gr.update(), gr.update(), gr.update()
        except (WriteBusy, WritesRefused) as exc:
            self._refused(exc)
            return BUSY, gr.update(), gr.update(), gr.update()
        frame, choices = self.refresh_documents()
        return f"已删除「{inert(record.file_name)}」。", frame, choices, False


def _upload_controls():
    """Files, a folder, the visibility and the upload button (inside a row)."""
    with gr.Column(scale=3):
        files = gr.File(
            label="选择文件（可多选；PDF、Word、Excel、文本）",
            file_count="multiple",
            type="filepath",
            elem_id="lt-files",
        )
        folder = gr.File(
            label="或选择整个文件夹", file_count="directory", type="filepath", elem_id="lt-folder", height=90
        )
    with gr.Column(scale=2):
        visibility = gr.Radio(VIS_CHOICES, value="internal", label="可见范围")
        keep_duplicates = gr.Checkbox(
            label="仍然导入重复文档",
            value=False,
            info="默认不导入与已有文档内容相同的文件（如同一报告的扫描件），并在下方说明",
            elem_id="lt-keep-duplicates",
        )
        upload_btn = gr.Button("上传并导入", variant="primary", elem_id="lt-upload")
        gr.Markdown(UPLOAD_HINT, elem_id="lt-scan-hint")
    return files, folder, visibility, keep_duplicates, upload_btn


def _manage_controls(records):
    """Pick a document, then change its visibility, re-index or delete it."""
    gr.Markdown("### 管理文档")
    with gr.Row():
        doc_pick = gr.Dropdown(
            choices=document_choices(records),
            label="文档（按 ID）",
            scale=3,
            allow_custom_value=True,
            elem_id="lt-doc-pick",
        )
        new_vis = gr.Radio(VIS_CHOICES, value="internal", label="新的可见范围", scale=2, elem_id="lt-new-vis")
    with gr.Row():
        vis_btn = gr.Button("修改可见范围", elem_id="lt-set-vis")
        confirm = gr.Checkbox(label="确认删除", value=False, elem_id="lt-confirm")
        reindex_btn = gr.Button("重新索引", elem_id="lt-reindex")
        del_btn = gr.Button("删除文档", variant="stop", elem_id="lt-delete")
    manage_status = gr.Markdown("", elem_id="lt-manage-status")
    return doc_pick, new_vis, vis_btn, confirm, reindex_btn, del_btn, manage_status


def build_documents_tab(services: Services, cache: UploadCache) -> None:
    """The 文档 tab, inside the page's ``gr.Tabs``."""
    on = DocumentHandlers(services, cache)
    records = services.documents.records()
    with gr.Tab("文档", id="docs") as docs_tab:
        staff_note = gr.Markdown(STAFF_NOTE, visible=False, elem_id="lt-docs-staff-note")
        with gr.Row(elem_id="lt-upload-area") as upload_area:
            files, folder, visibility, keep_duplicates, upload_btn = _upload_controls()
        upload_status = gr.Markdown("", elem_id="lt-upload-status")
        docs_table = gr.Dataframe(
            value=documents_frame(records),
            headers=DOC_COLUMNS,
            label="文档列表",
            interactive=False,
            wrap=True,
            elem_id="lt-docs",
        )
        with gr.Row():
            refresh_btn = gr.Button("刷新列表", size="sm")
        with gr.Column(elem_id="lt-manage") as manage_area:
            doc_pick, new_vis, vis_btn, confirm, reindex_btn, del_btn, manage_status = _manage_controls(records)

        upload_btn.click(
            on.upload_any,
            [files, folder, visibility, keep_duplicates],
            [upload_status, docs_table, doc_pick, files],
            concurrency_limit=1,
        )
        refresh_btn.click(on.refresh_documents, None, [docs_table, doc_pick])
        docs_tab.select(on.refresh_documents, None, [docs_table, doc_pick])
        vis_btn.click(on.change_visibility, [doc_pick, new_vis], [manage_status, docs_table, doc_pick])
        del_btn.click(on.delete_document, [doc_pick, confirm], [manage_status, docs_table, doc_pick, confirm])
        reindex_btn.click(on.reindex_document, [doc_pick], [manage_status])
        # On page load (no trigger, no input): the controls for a 管理员, a note for a 馆员.
        gr.on(None, on.show_for_role, None, [upload_area, manage_area, staff_note], api_name="documents_role")
