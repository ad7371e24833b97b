"""The 审核 tab, for admins: the queue of refused and 👎 questions not yet reviewed (newest first), an answer
written for one of them, and the reviewed answers in force — edited or withdrawn.

Every handler asks ``may_administer`` itself (each is also an API endpoint); the work is done by
``ui.services.reviewed`` and ``ui.services.usage``.
"""

from __future__ import annotations

import gradio as gr
import pandas as pd

from ...services import Services
from ...services.reviewed import CorrectionError, Reviewer
from ...services.usage import review_queue
from ..roles import NOT_ALLOWED, actor_name, may_administer

QUEUE_COLUMNS = ["最近提问", "问题", "次数", "原因", "提问人"]
REVIEWED_COLUMNS = ["编号", "问题", "答案", "引用", "审核人", "审核时间"]


def queue_frame(items: list[dict]) -> pd.DataFrame:
    rows = [
        [i["last_asked"][:16].replace("T", " "), i["question"], i["times"], "、".join(i["reasons"]), i["who"]]
        for i in items
    ]
    return pd.DataFrame(rows, columns=QUEUE_COLUMNS)


def reviewed_frame(items: list[dict]) -> pd.DataFrame:
    rows = [
        [
            r["id"],
            r["question"],
            r["answer"],
            "；".join(f"[{c['n']}] {c.get('title') or c.get('source')}" for c in r["citations"]),
            r["reviewer"],
            r["reviewed_at"][:16].replace("T", " "),
        ]
        for r in items
    ]
    return pd.DataFrame(rows, columns=REVIEWED_COLUMNS)


class ReviewHandlers:
    def __init__(self, services: Services):
        self.settings = services.settings
        self.store = services.curation
        self.reviewed = services.reviewed

    def load(self, request: gr.Request):
        if not may_administer(self.settings, request):
            return NOT_ALLOWED, None, None, gr.update(choices=[]), gr.update(choices=[])
        queue = review_queue(self.store)
        reviewed = self.reviewed.listing()
        return (
            f"待审核的问题 {len(queue)} 个；生效的审核答案 {len(reviewed)} 条。",
            queue_frame(queue),
            reviewed_frame(reviewed),
            gr.update(choices=[i["question"] for i in queue], value=None),
            gr.update(choices=[(f"{r['id']}：{r['question']}", r["id"]) for r in reviewed], value=None),
        )

    def answer_queued(self, question: str, answer: str, request: gr.Request):
        if not may_administer(self.settings, request):
            return NOT_ALLOWED
        try:
            answer_id = self.reviewed.correct(question or "", answer, [], self._reviewer(request))
        except CorrectionError as exc:
            return f"未保存：{exc}"
        return f"已保存为馆员审核的答案（编号 {answer_id}）。"

    def pick(self, answer_id, request: gr.Request):
        if not may_administer(self.settings, request) or answer_id is None:
            return ""
        return next((r["answer"] for r in self.reviewed.listing() if r["id"] == answer_id), "")

    def edit(self, answer_id, answer: str, request: gr.Request):
        if not may_administer(self.settings, request):
            return NOT_ALLOWED
        if answer_id is None:
            return "请先选择一条审核答案。"
        try:
            edited = self.reviewed.edit(int(answer_id), answer, self._reviewer(request))
        except CorrectionError as exc:
            return f"未保存：{exc}"
        return f"已修改审核答案（编号 {answer_id}）。" if edited else "这条答案已撤回，不能修改。"

    def withdraw(self, answer_id, request: gr.Request):
        if not may_administer(self.settings, request):
            return NOT_ALLOWED
        if answer_id is None:
            return "请先选择一条审核答案。"
        done = self.reviewed.withdraw(int(answer_id), self._reviewer(request))
        return f"已撤回审核答案（编号 {answer_id}），此后该问题由助手重新作答。" if done else "这条答案已经撤回。"

    @staticmethod
    def _reviewer(request: gr.Request) -> Reviewer:
        return Reviewer(actor_name(request))


def build_review_tab(services: Services) -> None:
    """The 审核 tab; call inside ``gr.Tabs()``."""
    on = ReviewHandlers(services)
    with gr.Tab("审核", id="review") as tab:
        status = gr.Markdown("", elem_id="lt-review-status")
        queue = gr.Dataframe(
            label="待审核的问题（未找到答案或被点 👎，最近在前）",
            interactive=False,
            wrap=True,
            max_height=320,
            elem_id="lt-review-queue",
        )
        with gr.Accordion("为待审核的问题写答案", open=False):
            q_pick = gr.Dropdown(label="问题", choices=[], allow_custom_value=True, elem_id="lt-review-question")
            q_answer = gr.Textbox(label="答案", lines=3, elem_id="lt-review-answer")
            q_save = gr.Button("保存为审核答案", variant="primary", size="sm", elem_id="lt-review-save")
        reviewed = gr.Dataframe(
            label="生效的审核答案", interactive=False, wrap=True, max_height=320, elem_id="lt-review-answers"
        )
        with gr.Accordion("修改或撤回审核答案", open=False):
            r_pick = gr.Dropdown(label="审核答案", choices=[], elem_id="lt-review-pick")
            r_answer = gr.Textbox(label="答案", lines=3, elem_id="lt-review-edit")
            with gr.Row():
                r_save = gr.Button("保存修改", size="sm", elem_id="lt-review-edit-save")
                r_withdraw = gr.Button("撤回", variant="stop", size="sm", elem_id="lt-review-withdraw")
        refresh = gr.Button("刷新", size="sm", elem_id="lt-review-refresh")
        outputs = [status, queue, reviewed, q_pick, r_pick]
        tab.select(on.load, None, outputs, api_name="review_load")
        refresh.click(on.load, None, outputs, api_name="review_refresh")
        q_save.click(on.answer_queued, [q_pick, q_answer], [status], api_name="review_answer").then(
            on.load, None, outputs
        )
        r_pick.change(on.pick, [r_pick], [r_answer], api_name="review_pick")
        r_save.click(on.edit, [r_pick, r_answer], [status], api_name="review_edit")
        r_withdraw.click(on.withdraw, [r_pick], [status], api_name="review_withdraw").then(on.load, None, outputs)


__all__ = ["build_review_tab", "queue_frame", "reviewed_frame"]
