"""The 计划起草 tab: draft next year's plan, edit its Markdown with a live preview, download Markdown or Word."""

from __future__ import annotations

import gradio as gr

from ...services import Services
from ...services.files import safe_file_name
from ...services.plans import PlanMode, checks_line, clean_file_name, file_name, plan_clean_docx, plan_docx
from ..library_picker import library_picker, picker_update
from ..markup import inert, warn
from ..render import plan_preview
from ..uploads import UploadCache

PLAN_MODES = {"自动": PlanMode.AUTO, "按文档条目组合": PlanMode.EXTRACTIVE, "大模型改写": PlanMode.LLM}


class PlanHandlers:
    """What the tab's controls do. Handler names are the names of the page's API endpoints."""

    def __init__(self, services: Services, cache: UploadCache):
        self.plans = services.plans
        self.libraries = services.libraries
        self.cache = cache

    def plan_orgs(self, current: str | None = None):
        """Opening the tab: the 单位 picker's fresh list, and the plan year of the library picked."""
        picker = picker_update(self.libraries, current)
        return picker, self.plan_year(picker["value"])

    def plan_year(self, org: str | None):
        """The year after the latest one the library's summaries and plans cover (none: drafting says why)."""
        from assistant.plan import PlanError

        try:
            return gr.update(value=self.plans.default_year(org) if org else None)
        except PlanError:
            return gr.update(value=None)

    def draft_plan_ui(self, year, org, mode_label, progress=gr.Progress()):
        from assistant.plan import PlanError

        mode = PLAN_MODES.get(mode_label, PlanMode.AUTO)
        try:
            year = int(year) if year else None  # an emptied number box sends 0: the default year
        except (TypeError, ValueError):
            year = -1
        progress(0.2, desc="正在读取上年总结、计划和指标…")
        try:
            result = self.plans.draft(year, org or None, mode)
        except PlanError as exc:
            message = inert(str(exc).split(" / ")[0])
            warn(message)
            return gr.update(), gr.update(), f"⚠ {message}", gr.update(), gr.update()
        progress(1.0, desc="完成")
        status = f"已起草《{inert(result.draft.title)}》。{checks_line(result.checks)}。请在下方编辑后下载。"
        # The previous draft's file is withdrawn: a download offered now is always this draft's.
        gone = gr.update(value=None, visible=False)
        return plan_preview(result.markdown), result.markdown, status, file_name(result.draft, "")[:-1], gone

    def plan_download(self, fmt: str):
        def handler(markdown: str, name: str):
            if not (markdown or "").strip():
                warn("请先起草计划。")
                return gr.update(visible=False)
            name = safe_file_name(name or "工作计划（草稿）") or "plan"
            if fmt == "clean":
                offered = clean_file_name(f"{name}.docx"), plan_clean_docx(markdown)
            else:
                offered = f"{name}.{fmt}", markdown.encode("utf-8") if fmt == "md" else plan_docx(markdown)
            return gr.update(value=self.cache.offer(*offered), visible=True)

        return handler


def build_drafting_tab(services: Services, cache: UploadCache) -> gr.Dropdown:
    """The 计划起草 tab, inside the page's ``gr.Tabs``; its 单位 picker is returned to be linked with the others."""
    on = PlanHandlers(services, cache)
    with gr.Tab("计划起草", id="plan") as plan_tab:
        gr.Markdown(
            "根据最新的工作总结、上一年度计划、指标趋势和案例起草下一年度工作计划；"
            "每条附出处，目标值除注明“计划已提出”的外为推算，请核定后使用；“下载清稿”得到无批注、文末列资料来源的 Word 稿。"
        )
        with gr.Row():
            p_year = gr.Number(value=None, precision=0, label="计划年度（留空为下一年度）", elem_id="lt-plan-year")
            p_org = library_picker("lt-plan-org")
            p_mode = gr.Radio(list(PLAN_MODES), value="自动", label="起草方式")
            p_btn = gr.Button("起草计划", variant="primary", elem_id="lt-plan-draft")
        p_status = gr.Markdown("", elem_id="lt-plan-status")
        p_name = gr.State("")
        with gr.Row():
            with gr.Column():
                p_edit = gr.Textbox(label="编辑（Markdown）", lines=28, max_lines=60, elem_id="lt-plan-edit")
                p_refresh = gr.Button("更新预览", size="sm")
            with gr.Column():
                p_preview = gr.Markdown("", label="预览", elem_id="lt-plan-preview", height=640, latex_delimiters=[])
        with gr.Row():
            p_md_btn = gr.Button("下载 Markdown", size="sm")
            p_docx_btn = gr.Button("下载 Word（DOCX）", size="sm", elem_id="lt-plan-docx")
            p_clean_btn = gr.Button("下载清稿（Word，无批注）", size="sm", elem_id="lt-plan-clean")
        p_file = gr.File(label="下载文件", interactive=False, visible=False, height=60, elem_id="lt-plan-file")

        plan_tab.select(on.plan_orgs, [p_org], [p_org, p_year])
        p_org.change(on.plan_year, [p_org], [p_year])
        p_btn.click(
            on.draft_plan_ui,
            [p_year, p_org, p_mode],
            [p_preview, p_edit, p_status, p_name, p_file],
            concurrency_limit=2,
        )
        p_refresh.click(plan_preview, [p_edit], [p_preview])
        p_md_btn.click(on.plan_download("md"), [p_edit, p_name], [p_file])
        p_docx_btn.click(on.plan_download("docx"), [p_edit, p_name], [p_file])
        p_clean_btn.click(on.plan_download("clean"), [p_edit, p_name], [p_file])
    return p_org
