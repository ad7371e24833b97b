"""The citation panel: what a click on [n] shows beside the chat, and the page script that opens it.

The panel shows one citation as ``ui.services.citation_view`` gives it: the document's title,
library, year and page (the file name as a detail), the passage marked inside its section's
text, and for a PDF the page image with the passage boxed — or why there is none. At desktop
width it is a column to the right of the chat; on a phone it covers the page until closed.

The links in an answer are plain ``<a href="#lt-cite-<turn>-<n>">``: the chat sanitises its
HTML, so no handler can live in a message. ``PANEL_SCRIPT`` (in the page's head) catches clicks
on them and passes ``turn:n:click`` to a hidden text box whose change event asks the server (a change, not an
input: Gradio reads only key strokes as input).
"""

from __future__ import annotations

import base64

from ..services.citation_view import CitationContext
from .markup import inert

CONTEXT_CHARS = 240  # the section's text shown on each side of the passage
PANEL_EMPTY = '<div class="lt-cite-empty">点击答案中的编号 [1]、[2]… 或引用来源，在这里核对原文、所在章节和页面。</div>'
PANEL_GONE = '<div class="lt-cite-empty">这条引文的文档已被删除或重新导入，请重新提问。</div>'

PANEL_CSS = """
#lt-cite-panel {position:sticky; top:8px; align-self:flex-start; max-height:calc(100vh - 16px); overflow-y:auto;
  flex-wrap:nowrap}
.lt-cite-empty {color:#666; font-size:0.9em; padding:8px}
.lt-cite-view .lt-cv-title {font-weight:600; font-size:1.05em}
.lt-cite-view .lt-cv-meta {font-size:0.85em; color:#444; margin:4px 0}
.lt-cite-view .lt-cv-file {font-size:0.8em; color:#888}
.lt-cite-view .lt-cv-text {border-left:3px solid #bbb; padding:4px 8px; margin:6px 0; line-height:1.6}
.lt-cite-view mark {background:#ffe58a; color:inherit; padding:0 1px}
.lt-cite-view .lt-cv-note {color:#8a5300; font-size:0.9em; margin:4px 0}
.lt-cite-view img {width:100%; height:auto; border:1px solid #ddd}
a.lt-cite-link {cursor:pointer; color:#1d4ed8; text-decoration:underline}
@media (max-width: 768px) {
  #lt-cite-panel:not(:has(.lt-cite-view)) {display:none}
  #lt-cite-panel:has(.lt-cite-view) {position:fixed; inset:0; z-index:1000; max-height:none; margin:0;
    background:var(--background-fill-primary, #fff); padding:8px 12px}
  #lt-cite-close {position:sticky; top:0; z-index:1}
}
@media (min-width: 769px) {
  #lt-cite-panel:not(:has(.lt-cite-view)) #lt-cite-close {display:none}
}
"""

PANEL_SCRIPT = """<script>
(() => {
  let clicks = 0;
  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest("a.lt-cite-link") : null;
    const found = link ? /#lt-cite-(\\d+)-(\\d+)$/.exec(link.getAttribute("href") || "") : null;
    const box = document.querySelector("#lt-cite-pick textarea, #lt-cite-pick input");
    if (!found || !box) return;
    event.preventDefault();
    event.stopPropagation();
    clicks += 1;  // the same citation twice is still a new input
    box.value = `${found[1]}:${found[2]}:${clicks}`;
    box.dispatchEvent(new Event("input", {bubbles: true}));  // updates the bound value: a change event
    const panel = document.getElementById("lt-cite-panel");
    if (panel && window.innerWidth > 768) panel.scrollIntoView({block: "nearest"});
  }, true);
})();
</script>"""


def _around(before: str, after: str) -> tuple[str, str]:
    """The section's text next to the passage, cut to ``CONTEXT_CHARS`` a side."""
    if len(before) > CONTEXT_CHARS:
        before = "……" + before[-CONTEXT_CHARS:]
    if len(after) > CONTEXT_CHARS:
        after = after[:CONTEXT_CHARS] + "……"
    return before, after


def _page_part(view: CitationContext) -> str:
    if view.image is None:
        return f'<div class="lt-cv-note">{inert(view.note)}</div>' if view.note else ""
    data = base64.b64encode(view.image.png).decode("ascii")
    note = f'<div class="lt-cv-note">{inert(view.note)}</div>' if view.note else ""
    located = "1" if view.located else "0"
    return (
        f'{note}<div class="lt-cv-page" data-located="{located}" data-zoom="{view.image.zoom:g}">'
        f'<img alt="第{int(view.image.page)}页" src="data:image/png;base64,{data}"></div>'
    )


def panel_html(view: CitationContext, n: int) -> str:
    """Citation ``n`` in the panel: the document as people know it, the passage in its section, the page."""
    title = inert(view.title)
    details = [f"单位：{inert(view.library or '—')}", f"年份：{f'{view.year}年' if view.year else '—'}"]
    if view.page is not None:
        details.append(f"第{int(view.page)}页")
    section = inert(view.section or "（正文开头）")
    before, after = _around(view.before, view.after)
    return (
        f'<div class="lt-cite-view" data-n="{int(n)}">'
        f'<div class="lt-cv-title">&#91;{int(n)}&#93; {title}</div>'
        f'<div class="lt-cv-meta">{" · ".join(details)}<br>章节：{section}<br>'
        f'<span class="lt-cv-file">文件：{inert(view.file_name)}</span></div>'
        f'<div class="lt-cv-text">{inert(before)}<mark>{inert(view.passage)}</mark>{inert(after)}</div>'
        f"{_page_part(view)}</div>"
    )


__all__ = ["PANEL_CSS", "PANEL_EMPTY", "PANEL_GONE", "PANEL_SCRIPT", "panel_html"]
