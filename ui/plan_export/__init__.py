"""A drafted work plan (工作计划) as a Word document in Chinese official-document style.

The plan drafter writes Markdown; people in the library print and file Word documents laid out
the way GB/T 9704 (党政机关公文格式) prescribes. This module turns the drafter's Markdown, or a
user's hand-edited copy of it, into such a .docx:

- ``# 标题`` is the title (方正小标宋简体 二号, centred); ``##``/``###``/``####`` are real Word headings
  "Heading 1/2/3" (黑体 / 楷体_GB2312 / 仿宋_GB2312 bold, 三号) so Word's navigation pane and
  table of contents work;
- body text is 仿宋_GB2312 三号, first line indented two characters, lines exactly 28 pt apart, on
  A4 with the standard margins, page numbers "— 1 —" in the footer;
- ``**bold**`` becomes bold, citation marks such as ``[3]`` or ``[1][4]`` become superscript, pipe
  tables become Word tables, ``>`` lines become small notes, and the ``参考来源`` section becomes a
  list of small paragraphs.

Anything it does not recognise becomes an ordinary body paragraph: an edited plan must always
export, never fail.
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path

from docx import Document

from .content import add_blocks
from .markdown import Block, parse_plan_markdown, plan_title
from .package import finish_package, set_core_properties
from .styles import setup_page, setup_settings, setup_styles

__all__ = ["markdown_to_docx", "write_docx", "docx_filename", "parse_plan_markdown", "Block"]


def markdown_to_docx(markdown: str, *, title: str | None = None, created: datetime | None = None) -> bytes:
    """The plan as .docx bytes.

    title overrides the document property (default: the ``#`` heading, else the first heading);
    created fixes the creation/modification time (default: now). With the same markdown and
    created the bytes are identical, which makes exports comparable and cacheable.
    """
    blocks = parse_plan_markdown(markdown)
    doc = Document()
    setup_settings(doc)
    setup_styles(doc)
    setup_page(doc)
    # The template starts with no paragraphs; an empty plan still yields a valid one-page file.
    add_blocks(doc, blocks)
    if not blocks:
        doc.add_paragraph(style=doc.styles["Normal"])
    set_core_properties(doc, title or plan_title(blocks), created)
    buf = io.BytesIO()
    doc.save(buf)
    return finish_package(buf.getvalue())


def write_docx(markdown: str, path: str | Path, *, title: str | None = None, created: datetime | None = None) -> Path:
    """Write the plan to path (parent directories created) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(markdown_to_docx(markdown, title=title, created=created))
    return path


def docx_filename(markdown: str) -> str:
    """A download name from the plan's title, safe on Windows, e.g. "本馆2026年工作计划（草稿）.docx"."""
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "", plan_title(parse_plan_markdown(markdown))).strip(" .")
    return f"{name[:80] or '工作计划'}.docx"
