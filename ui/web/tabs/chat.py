"""The 问答 tab: multi-turn chat, every answer with its badge, citations and figures, and 👍/👎 feedback."""

from __future__ import annotations

import logging

import gradio as gr

from index import VectorStoreUnreachable
from index.embed import EmbedderError

from ...services import Services
from ...services.feedback import Rating, feedback_record
from ...services.questions import MAX_HISTORY, MAX_QUESTION, Asker, answer_pieces
from ..markup import inert, warn
from ..render import message_html, render_answer
from ..roles import login_name
from ..uploads import UploadCache
from .correction import attach_correction_box

log = logging.getLogger(__name__)

NO_ANSWER_YET = "还没有可以评价的回答。"


class ChatHandlers:
    """What the chat's buttons do. Handler names are the names of the page's API endpoints."""

    def __init__(self, services: Services, cache: UploadCache):
        self.questions = services.questions
        self.feedback = services.feedback
        self.cache = cache

    def ask(self, question: str, chat: list, history: list[str], records: dict, request: gr.Request):
        """Answer in the chat; in LLM mode the verified answer is streamed in pieces before the full card."""
        chat, history, records = list(chat or []), list(history or []), dict(records or {})
        question = (question or "").strip()
        if not question or len(question) > MAX_QUESTION:
            warn("请输入问题。" if not question else f"问题不能超过 {MAX_QUESTION} 字。")
            yield gr.update(), chat, history, records
            return
        chat += [{"role": "user", "content": inert(question)}, {"role": "assistant", "content": "正在查找资料……"}]
        yield "", chat, history, records
        answer, failure = self._answer(question, history, Asker("web", login_name(request)))
        if answer is None:
            chat[-1] = {"role": "assistant", "content": failure}
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

    def _answer(self, question: str, history: list[str], asker: Asker):
        """(answer, None), or (None, what the chat says instead)."""
        try:
            return self.questions.ask(question, history[-MAX_HISTORY:], asker), None
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

    def download_feedback(self):
        content = self.feedback.read()
        if content is None:
            warn("还没有任何反馈记录。")
            return gr.update(value=None, visible=False)
        return gr.update(value=self.cache.offer("反馈记录.jsonl", content), visible=True)

    @staticmethod
    def clear_chat():
        return [], [], {}, ""


def build_chat_tab(services: Services, cache: UploadCache) -> None:
    """The 问答 tab, inside the page's ``gr.Tabs``."""
    on = ChatHandlers(services, cache)
    with gr.Tab("问答", id="ask"):
        history = gr.State([])
        records = gr.State({})
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
            fb_btn = gr.Button("下载反馈记录", size="sm")
        feedback_note = gr.Markdown("", elem_id="lt-feedback-note")
        fb_file = gr.File(label="反馈记录（feedback.jsonl）", visible=False, interactive=False, height=60)
        attach_correction_box(services, records, down_btn, chatbot)

        ask_io = [question, chatbot, history, records]
        ask_btn.click(on.ask, ask_io, ask_io, concurrency_limit=4)
        question.submit(on.ask, ask_io, ask_io, concurrency_limit=4)
        up_btn.click(on.rate_last(Rating.UP), [records], [feedback_note])
        down_btn.click(on.rate_last(Rating.DOWN), [records], [feedback_note])
        chatbot.like(on.on_like, [records], [feedback_note])
        clear_btn.click(on.clear_chat, None, [chatbot, history, records, feedback_note])
        fb_btn.click(on.download_feedback, None, [fb_file])
