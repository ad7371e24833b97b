"""The correction box of the 问答 tab: 👎 on an answer opens it, staff write the right answer and keep the
citations of the original they choose; saved, it becomes a reviewed answer (``ui.services.reviewed``)
that answers the same question, and its rephrasings, from then on."""

from __future__ import annotations

import gradio as gr

from ...services import Services
from ...services.reviewed import CorrectionError, Reviewer
from ..markup import inert
from ..roles import login_name

HELP = (
    "**纠正这条回答**：写下正确的答案，可保留原回答的引用。保存后，同样的问题（包括换一种说法的问法）"
    "将直接给出这条「馆员审核的答案」；年份、数字或馆名不同的问题不受影响。问题可改写成完整的问法。"
)


def citation_label(c: dict) -> str:
    page = f" · 第{c['page']}页" if c.get("page") else ""
    return f"[{c.get('n')}] {c.get('title') or c.get('source')} · {c.get('section') or '（正文开头）'}{page}"


class CorrectionBox:
    """The box's parts, and what opening and saving it do."""

    def __init__(self, services: Services):
        self.reviewed = services.reviewed
        self.pending = gr.State({})  # the rated answer's record being corrected
        with gr.Group(visible=False, elem_id="lt-correction") as self.box:
            gr.Markdown(HELP)
            self.question = gr.Textbox(label="问题", elem_id="lt-correction-question", max_lines=3)
            self.answer = gr.Textbox(label="正确的答案", lines=4, elem_id="lt-correction-answer")
            self.citations = gr.CheckboxGroup(label="保留原回答的引用", elem_id="lt-correction-cites")
            with gr.Row():
                self.save_btn = gr.Button("保存为审核答案", variant="primary", size="sm", elem_id="lt-correction-save")
                self.cancel_btn = gr.Button("取消", size="sm", elem_id="lt-correction-cancel")
        self.status = gr.Markdown("", elem_id="lt-correction-status")
        self.outputs = [self.box, self.pending, self.question, self.answer, self.citations, self.status]

    def open_for(self, record: dict | None):
        if not record:
            return gr.update(), {}, gr.update(), gr.update(), gr.update(), gr.update()
        cites = record.get("citations") or []
        return (
            gr.update(visible=True),
            record,
            record.get("question", ""),
            "" if record.get("refused") else record.get("answer", ""),  # a refusal is nothing to edit
            gr.update(choices=[(citation_label(c), c["n"]) for c in cites], value=[c["n"] for c in cites]),
            "",
        )

    def open_last(self, records: dict):
        """👎 below the chat: the latest answer."""
        return self.open_for(records[max(records, key=int)] if records else None)

    def open_liked(self, records: dict, data: gr.LikeData):
        """👎 on a message: that answer; 👍 leaves the box as it is."""
        if data.liked:
            return gr.update(), gr.update(), gr.update(), gr.update(), gr.update(), gr.update()
        index = data.index if isinstance(data.index, int) else data.index[0]
        return self.open_for((records or {}).get(str(index)))

    def save(self, record: dict, question: str, answer: str, chosen: list, request: gr.Request):
        if not record:
            return gr.update(), "请先对一条回答点 👎。"
        kept = [c for c in record.get("citations") or [] if c.get("n") in set(chosen or [])]
        try:
            reviewer = Reviewer(login_name(request) or "馆员")
            answer_id = self.reviewed.correct(question, answer, kept, reviewer, str(record.get("library") or ""))
        except CorrectionError as exc:
            return gr.update(), f"未保存：{exc}"
        return gr.update(visible=False), (
            f"已保存为馆员审核的答案（编号 {answer_id}）。再问「{inert(question.strip())}」或换一种说法提问，将直接给出这条答案。"
        )

    @staticmethod
    def cancel():
        return gr.update(visible=False), ""


def attach_correction_box(services: Services, records: gr.State, down_btn: gr.Button, chatbot: gr.Chatbot) -> None:
    """The box under the chat, opened by 👎 (the button or a message's own)."""
    box = CorrectionBox(services)
    down_btn.click(box.open_last, [records], box.outputs, api_name="correction_open")
    chatbot.like(box.open_liked, [records], box.outputs, api_name="correction_open_liked")
    box.save_btn.click(
        box.save,
        [box.pending, box.question, box.answer, box.citations],
        [box.box, box.status],
        api_name="correction_save",
    )
    box.cancel_btn.click(box.cancel, None, [box.box, box.status], api_name="correction_cancel")


__all__ = ["CorrectionBox", "attach_correction_box", "citation_label"]
