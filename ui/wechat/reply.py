"""An ``Answer`` as WeChat text: plain, short sources line, in pages that fit one message.

WeChat shows text replies as they are: markdown marks would show as ``**``
and ``#``, and citation marks ``[n]`` mean nothing without the passages. The
answer is read with markdown-it (headings, lists and tables become plain
lines), the marks are dropped and one line names the sources instead:
``来源：某区图书馆2024年工作总结 一（二）``.

One message carries at most ``max_bytes`` of UTF-8 (WeChat's limit for a text
reply is 2048 bytes; the default 2000 leaves room). A longer answer is cut at
a sentence end; the first page carries the sources line and every page but
the last ends with 「回复「更多」查看剩余内容」.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from markdown_it import MarkdownIt

from assistant import Answer

from ..services.reviewed import REVIEWED_LABEL
from .texts import MORE_HINT

_MD = MarkdownIt("commonmark", {"html": False}).enable("table").enable("strikethrough")
_CITATION = re.compile(r"\[\d+\]")
# CommonMark leaves "**加粗：**后文" unparsed (closing mark after CJK punctuation): drop leftover marks.
_LEFTOVER = re.compile(r"\*\*|__|~~|^#{1,6}\s+", re.M)
_NEAREST = re.compile(r"以下是最接近的段落，供参考。?")
_CN_NUM = "一二三四五六七八九十百零〇"
_TOP = re.compile(rf"^([{_CN_NUM}]+)、")
_SUB = re.compile(rf"^[（(]([{_CN_NUM}]+)[）)]")
_ARABIC = re.compile(r"^(\d+)[.、．]")
MAX_SOURCES = 3


# -- plain text -----------------------------------------------------------------------------------
def plain_text(text: str) -> str:
    """Markdown as plain lines: no marks, lists numbered or dotted, table rows as "列：值，列：值"."""
    tokens = _MD.parse(_CITATION.sub("", text))
    lines: list[str] = []
    lists: list[str] = []  # "ol" / "ul" for the open lists
    prefix = ""
    header: list[str] = []
    row: list[str] = []
    in_head = in_cell = False
    for tok in tokens:
        kind = tok.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            lists.append("ol" if kind.startswith("ordered") else "ul")
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open":
            prefix = f"{tok.info}{tok.markup} " if lists and lists[-1] == "ol" else "· "
        elif kind == "thead_open":
            in_head, header = True, []
        elif kind == "thead_close":
            in_head = False
        elif kind == "tr_open":
            row = []
        elif kind in ("th_open", "td_open", "th_close", "td_close"):
            in_cell = kind.endswith("_open")
        elif kind == "tr_close" and not in_head:
            cells = [f"{h}：{c}" if h and c else c for h, c in zip(header + [""] * len(row), row)]
            lines.append("· " + "，".join(c for c in cells if c))
        elif kind == "inline":
            words = _inline(tok)
            if in_cell:
                (header if in_head else row).append(words)
            elif words:
                lines.append(prefix + words)
                prefix = ""
        elif kind in ("fence", "code_block"):
            lines.extend(line for line in tok.content.splitlines() if line.strip())
    text = "\n".join(line.strip() for line in lines if line.strip())
    return _LEFTOVER.sub("", text).strip()


def _inline(tok) -> str:
    out = []
    for child in tok.children or []:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif child.type == "image":
            out.append(child.content)
    return "".join(out).strip()


# -- sources --------------------------------------------------------------------------------------
def section_number(heading_path: str) -> str:
    """ "一、主要工作 > （二）读者服务" → "一（二）": the outline numbers, which is how staff cite."""
    out = []
    for part in heading_path.split(">"):
        part = part.strip()
        for pattern, shape in ((_TOP, "{}"), (_SUB, "（{}）"), (_ARABIC, "{}.")):
            m = pattern.match(part)
            if m:
                out.append(shape.format(m.group(1)))
                break
    return "".join(out).rstrip(".")


def sources_line(answer: Answer, titles: Mapping[str, str], label: str = "来源") -> str:
    """What the answer cites, by document title: "来源：标题 一（二）、二（一） 第3页；标题2"."""
    cited: dict[str, tuple[list[str], list[int]]] = {}
    for c in answer.citations:
        title = titles.get(c.doc_id) or titles.get(c.source) or c.source.rsplit(".", 1)[0]
        sections, pages = cited.setdefault(title, ([], []))
        where = section_number(c.section)
        if where and where not in sections:
            sections.append(where)
        if c.page and c.source.lower().endswith(".pdf") and c.page not in pages:
            pages.append(c.page)
    if not cited:
        for f in answer.figures:  # a figure without a passage still names its document
            cited.setdefault(titles.get(f.source) or f.source.rsplit(".", 1)[0], ([], []))
    if not cited:
        return ""
    entries = []
    for title, (sections, pages) in cited.items():
        page = f"第{'、'.join(str(p) for p in sorted(pages))}页" if pages else ""
        entries.append(" ".join(x for x in (title, "、".join(sections), page) if x))
    more = "等" if len(entries) > MAX_SOURCES else ""
    return f"{label}：" + "；".join(entries[:MAX_SOURCES]) + more


# -- the whole reply ------------------------------------------------------------------------------
def answer_text(answer: Answer, titles: Mapping[str, str]) -> tuple[str, str]:
    """(body, sources line) of an answer; a refusal shows the nearest passage in a sentence."""
    body = plain_text(answer.answer)
    if answer.reviewed is not None:  # staff wrote it; the public is told so, not by whom
        body = f"（{REVIEWED_LABEL}）{body}"
    label = "来源"
    if answer.refused and answer.citations and _NEAREST.search(body):
        nearest = plain_text(answer.citations[0].quote).replace("\n", " ")
        nearest = nearest if len(nearest) <= 120 else nearest[:120].rstrip() + "…"
        body = _NEAREST.sub("", body).rstrip() + f"\n最接近的内容：{nearest}"
        answer = Answer(question=answer.question, answer="", citations=answer.citations[:1])
        label = "出处"
    return body, sources_line(answer, titles, label)


def paginate(body: str, sources: str, max_bytes: int) -> list[str]:
    """Pages of at most ``max_bytes`` UTF-8: the sources on the first, 「更多」 on all but the last."""
    whole = f"{body}\n{sources}" if sources else body
    if _size(whole) <= max_bytes:
        return [whole]
    hint = "\n" + MORE_HINT
    tail = (f"\n{sources}" if sources else "") + hint
    if _size(tail) > max_bytes // 2:  # a pathological sources line gives way to the answer
        tail, sources = hint, ""
    first, rest = cut(body, max_bytes - _size(tail))
    pages = [first + tail]
    while rest:
        if _size(rest) <= max_bytes:
            pages.append(rest)
            break
        page, rest = cut(rest, max_bytes - _size(hint))
        pages.append(page + hint)
    return pages


_BREAKS = ("\n", "。！？；", "，、：")
_NUMBERISH = re.compile(r"[0-9.%．]")


def cut(text: str, budget: int) -> tuple[str, str]:
    """The longest head of ``text`` within ``budget`` bytes that ends well, and the rest."""
    raw = text.encode("utf-8")[: max(1, budget)].decode("utf-8", errors="ignore")
    if len(raw) >= len(text):
        return text, ""
    at = len(raw)
    for marks in _BREAKS:  # a line end, else a sentence end, else a clause end, in the second half
        best = max(raw.rfind(m) for m in marks)
        if best >= len(raw) // 2:
            at = best + (0 if marks == "\n" else 1)
            break
    else:
        while at > 1 and _NUMBERISH.match(text[at - 1]) and _NUMBERISH.match(text[at]):
            at -= 1  # never split a number
        if at <= 1:  # nothing but one long number: cut it where it must be
            at = len(raw)
    return text[:at].rstrip(), text[at:].lstrip()


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def render_pages(answer: Answer, titles: Mapping[str, str], max_bytes: int) -> list[str]:
    body, sources = answer_text(answer, titles)
    return paginate(body or "文档中没有相关信息。", sources, max_bytes)


__all__ = ["answer_text", "cut", "paginate", "plain_text", "render_pages", "section_number", "sources_line"]
