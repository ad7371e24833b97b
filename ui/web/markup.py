"""What the web page shows of a document's text: written as text, never as markup.

Text from documents (answers, quotes, file names, sections, plan drafts, job
messages) is shown as text: ``inert`` turns it into character references that
form no HTML and no Markdown image, link or autolink; only our own markup is
live. All text shown to people is Simplified Chinese.
"""

from __future__ import annotations

import re

import gradio as gr

CSS = """
.lt-badge {display:inline-block;padding:1px 8px;border-radius:10px;font-size:0.85em;margin-bottom:4px}
.lt-ok {background:#e6f4ea;color:#1e6b34}
.lt-warn {background:#fff4e0;color:#8a5300}
.lt-none {background:#eee;color:#555}
.lt-reviewed {background:#e8effa;color:#1f4b8f}
.lt-cite {margin:2px 0}
.lt-cite summary {cursor:pointer}
.lt-cite blockquote {margin:4px 0 6px 0;padding:4px 8px;border-left:3px solid #bbb;white-space:pre-wrap}
.lt-figs {border-collapse:collapse;font-size:0.9em;margin-top:6px}
.lt-figs th, .lt-figs td {border:1px solid #ccc;padding:2px 6px;white-space:nowrap}
.lt-head {margin-top:8px}
.lt-checked {font-size:0.8em;color:#666;margin:0 0 4px 0}
.lt-library {font-size:0.9em;color:#1f3a5f;margin:4px 0}
.lt-unverified {color:#8a5300}
.lt-scroll {max-width:100%;overflow-x:auto}
.lt-figs-fold {margin-top:8px}
.lt-figs-fold summary {cursor:pointer}
.lt-msg {max-width:100%;overflow-wrap:anywhere}
"""
# Gradio 6 titles a pop-up with its kind in English (Warning, Info, Error, Success) and ignores the ``title``
# of gr.Warning / gr.Info / gr.Error: the English word is hidden and a Chinese title shown in its place.
POPUP_TITLES = {"warning": "提示", "info": "消息", "error": "错误", "success": "完成"}
CSS += (
    ".toast-title {font-size:0 !important}\n"
    ".toast-title::before, .toast-title .toast-count {font-size:var(--text-lg)}\n"
    + "".join(f'.toast-title.{kind}::before {{content:"{title}"}}\n' for kind, title in POPUP_TITLES.items())
)

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


def warn(message: str) -> None:
    """A notice in the corner of the page."""
    gr.Warning(message, title=POPUP_TITLES["warning"])


__all__ = ["CSS", "POPUP_TITLES", "inert", "unlinked", "warn"]
