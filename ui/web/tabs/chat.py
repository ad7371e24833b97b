"""The 问答 tab: multi-turn chat, every answer with its badge, citations and figures, and 👍/👎 feedback."""

from __future__ import annotations

import logging

import gradio as gr

from index import VectorStoreUnreachable
from index.embed import EmbedderError

from ...services import Services
from ...services.audit import web_actor
from ...services.feedback import Rating, feedback_record
from ...services.libraries import UnknownLibrary
from ...services.questions import MAX_HISTORY, MAX_QUESTION, Asker, answer_pieces
from ..citation_panel import PANEL_EMPTY, PANEL_GONE, panel_html
from ..library_picker import library_picker, picker_update
from ..markup import inert, warn
from ..render import message_html, render_answer
from ..roles import NOT_ALLOWED, actor_name, login_name, may_administer
from ..uploads import UploadCache
from .correction import attach_correction_box

log = logging.getLogger(__name__)

NO_ANSWER_YET = "还没有可以评价的回答。"


class ChatHandlers:
    """What the chat's buttons do. Handler names are the names of the page's API endpoints."""

    def __init__(self, services: Services, cache: UploadCache):
        self.settings = services.settings
        self.questions = services.questions
        self.libraries = services.libraries
        self.feedback = services.feedback
        self.citations = services.citations
        self.cache = cache

    def chat_libraries(self, current: str | None):
        return picker_update(self.libraries, current)

    def ask(
        self,
        question: str,
        chat: list,
        history: list[str],
        records: dict,
        cited: dict,
        org: str | None,
        request: gr.Request,
    ):
        """Answer in the chat for the picked library (``org``), unless the question names another; in LLM mode
        the verified answer is streamed in pieces before the full card. ``cited`` keeps each answer's
        citations by its place in the chat, for the side panel. The question is logged with who asked it."""
        chat, history, records = list(chat or []), list(history or []), dict(records or {})
        cited = dict(cited or {})
        question = (question or "").strip()
        if not question or len(question) > MAX_QUESTION:
            warn("请输入问题。" if not question else f"问题不能超过 {MAX_QUESTION} 字。")
            yield gr.update(), chat, history, records, cited
            return
        chat += [{"role": "user", "content": inert(question)}, {"role": "assistant", "content": "正在查找资料……"}]
        yield "", chat, history, records, cited
        answer, failure = self._answer(question, history, org, Asker("web", login_name(request)))
        if answer is None:
            chat[-1] = {"role": "assistant", "content": failure}
            yield "", chat, history, records, cited
            return
        if answer.mode == "llm":  # only a verified answer is ever shown, so it streams after the check
            shown = ""
            for piece in answer_pieces(answer.answer):
                shown += piece
                chat[-1] = {"role": "assistant", "content": message_html(inert(shown))}
                yield "", chat, history, records, cited
        turn = len(chat) - 1
        chat[-1] = {"role": "assistant", "content": render_answer(answer, turn)}
        records[str(turn)] = feedback_record(answer, "")
        cited[str(turn)] = {str(c.n): {"chunk_id": c.chunk_id, "quote": c.quote} for c in answer.citations}
        history.append(question)
        yield "", chat, history, records, cited

    def open_citation(self, pick: str, cited: dict):
        """The side panel for the citation a link names (``turn:n:click``), looked up in this session's answers:
        the browser names a citation, never a document."""
        turn, n = (pick or "").split(":")[:2] if (pick or "").count(":") >= 1 else ("", "")
        citation = (cited or {}).get(turn, {}).get(n)
        if citation is None:
            return PANEL_EMPTY
        try:
            view = self.citations.context(citation["chunk_id"], citation["quote"])
        except LookupError:  # removed, or read again into other chunks, since the answer
            return PANEL_GONE
        except Exception:
            log.exception("citation panel failed")
            return '<div class="lt-cite-empty">显示原文时出错，请稍后再试。</div>'
        return panel_html(view, int(n))

    def _answer(self, question: str, history: list[str], org: str | None, asker: Asker):
        """(answer, None), or (None, what the chat says instead)."""
        try:
            return self.questions.ask(question, history[-MAX_HISTORY:], org or None, asker), None
        except UnknownLibrary as exc:  # removed since the picker was filled
            return None, inert(exc.zh())
        except VectorStoreUnreachable as exc:
            log.error("Chroma server unreachable: %s", exc.detail)
            return None, exc.zh
        except EmbedderError as exc:  # its message is "中文 / English": staff read the Chinese half
            log.error("embedding service failed: %s", exc)
            return None, str(exc).split(" / ", 1)[0]
        except Exception:
            log.exception("ask failed")
            return None, "生成答案时出错，请稍后再试。"

    def _save(self, record: dict, rating: Rating, request: gr.Request | None) -> None:
        self.feedback.save(record, rating, getattr(request, "username", None) if request else None)

    def rate_last(self, rating: Rating):
        def handler(records: dict, request: gr.Request):
            if not records:
                warn(NO_ANSWER_YET)
                return NO_ANSWER_YET
            last = max(records, key=int)
            self._save(records[last], rating, request)
            word = "👍 有帮助" if rating == Rating.UP else "👎 没帮助"
            return f"已记录对最近一条回答的反馈：{word}。谢谢！"

        return handler

    def on_like(self, records: dict, data: gr.LikeData, request: gr.Request):
        record = (records or {}).get(str(data.index if isinstance(data.index, int) else data.index[0]))
        if record is None:
            return gr.update()
        self._save(record, Rating.UP if data.liked else Rating.DOWN, request)
        return f"已记录反馈：{'👍 有帮助' if data.liked else '👎 没帮助'}。谢谢！"

    def download_feedback(self, request: gr.Request):
        if not may_administer(self.settings, request):  # staff's questions, for admins to export
            warn(NOT_ALLOWED)
            return gr.update(value=None, visible=False)
        content = self.feedback.export(web_actor(actor_name(request)))
        if content is None:
            warn("还没有任何反馈记录。")
            return gr.update(value=None, visible=False)
        return gr.update(value=self.cache.offer("反馈记录.jsonl", content), visible=True)

    def show_for_role(self, request: gr.Request):
        """The feedback download is for admins."""
        return gr.update(visible=may_administer(self.settings, request))

    @staticmethod
    def close_citation():
        return PANEL_EMPTY

    @staticmethod
    def clear_chat():
        return [], [], {}, "", {}, PANEL_EMPTY


def build_chat_tab(services: Services, cache: UploadCache) -> gr.Dropdown:
    """The 问答 tab, inside the page's ``gr.Tabs``: the chat, and the citation panel to its right (on a phone
    it covers the page until closed); its 单位 picker is returned to be linked with the others."""
    on = ChatHandlers(services, cache)
    with gr.Tab("问答", id="ask") as chat_tab, gr.Row(equal_height=False):
        history = gr.State([])
        records = gr.State({})
        cited = gr.State({})
        with gr.Column(scale=3, min_width=360):
            org = library_picker("lt-chat-org")
            chatbot = gr.Chatbot(
                label="对话",
                height=520,
                elem_id="lt-chat",
                sanitize_html=True,
                latex_delimiters=[],  # document text is never typeset
                placeholder="请输入关于本馆工作文档的问题，例如：2024年进馆人数是多少？",
                buttons=["copy"],
            )
            with gr.Row():
                question = gr.Textbox(
                    label="问题",
                    placeholder="例如：本馆2024年进馆人数是多少？",
                    scale=5,
                    elem_id="lt-question",
                    max_length=MAX_QUESTION,
                    submit_btn=False,
                )
                ask_btn = gr.Button("提问", variant="primary", scale=1, elem_id="lt-ask")
            with gr.Row():
                up_btn = gr.Button("👍 有帮助", size="sm", elem_id="lt-up")
                down_btn = gr.Button("👎 没帮助", size="sm", elem_id="lt-down")
                clear_btn = gr.Button("开始新对话", size="sm")
                fb_btn = gr.Button("下载反馈记录", size="sm", elem_id="lt-feedback-export")
            feedback_note = gr.Markdown("", elem_id="lt-feedback-note")
            fb_file = gr.File(label="反馈记录（feedback.jsonl）", visible=False, interactive=False, height=60)
            attach_correction_box(services, records, down_btn, chatbot)
        with gr.Column(scale=2, min_width=300, elem_id="lt-cite-panel"):
            close_btn = gr.Button("关闭", size="sm", elem_id="lt-cite-close")
            panel = gr.HTML(PANEL_EMPTY, elem_id="lt-cite-view")
        pick = gr.Textbox(visible="hidden", elem_id="lt-cite-pick")  # set by the page's script (citation_panel)

        ask_io = [question, chatbot, history, records, cited]
        ask_btn.click(on.ask, [*ask_io, org], ask_io, concurrency_limit=4)
        question.submit(on.ask, [*ask_io, org], ask_io, concurrency_limit=4)
        chat_tab.select(on.chat_libraries, [org], [org])
        pick.change(on.open_citation, [pick, cited], [panel], concurrency_limit=4)
        close_btn.click(on.close_citation, None, [panel])
        up_btn.click(on.rate_last(Rating.UP), [records], [feedback_note])
        down_btn.click(on.rate_last(Rating.DOWN), [records], [feedback_note])
        chatbot.like(on.on_like, [records], [feedback_note])
        clear_btn.click(on.clear_chat, None, [chatbot, history, records, feedback_note, cited, panel])
        fb_btn.click(on.download_feedback, None, [fb_file])
        gr.on(None, on.show_for_role, None, [fb_btn], api_name="feedback_export_role")  # on page load
    return org
