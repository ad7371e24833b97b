"""Plain text and Markdown: UTF-8, or GB18030/GBK as Chinese offices still save them."""

from __future__ import annotations

import re
from pathlib import Path

from charset_normalizer import from_bytes

from ..errors import IngestError
from ..limits import ReadLimits
from ..types import Block
from .plaintable import find_tables

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
# A metadata line: a comment naming one field, as saved copies and exports put above the text.
_META_COMMENT = re.compile(r"^#\s*[A-Za-z][\w-]{0,30}\s*:\s")
_YAML_FENCE = "---"


def body_start(lines: list[str]) -> int:
    """Where the text proper begins: after a YAML front-matter block or a run of `# field: value`
    comment lines at the top of the file. Such lines describe the file (where it was saved from,
    its title), they are not what the document says."""
    at = 0
    while at < len(lines) and not lines[at].strip():
        at += 1
    if at < len(lines) and lines[at].strip() == _YAML_FENCE:
        for end in range(at + 1, min(len(lines), at + 200)):
            if lines[end].strip() == _YAML_FENCE:
                return end + 1
        return 0
    start = at
    while at < len(lines) and _META_COMMENT.match(lines[at].strip()):
        at += 1
    return at if at > start else 0


def decode_text(data: bytes, file_name: str) -> str:
    """Decode bytes as UTF-8 or a Chinese legacy encoding; refuse binary data."""
    if b"\x00" in data[:65536]:
        raise IngestError(file_name, "文件内容是二进制数据，不是文本", "content is binary, not text")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        best = from_bytes(data).best()
        if best is None:
            raise IngestError(file_name, "无法识别文本编码", "cannot detect the text encoding")
        text = str(best)
    controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\r\n\t\f")
    if controls > max(8, len(text[:65536]) // 100):
        raise IngestError(file_name, "文件内容是二进制数据，不是文本", "content is binary, not text")
    return text


# Neither UTF-8 nor GB18030 spends more than four bytes on a character.
_MAX_BYTES_PER_CHAR = 4


def _too_long(file_name: str, limits: ReadLimits) -> IngestError:
    return IngestError(
        file_name,
        f"文件文字超过 {limits.max_text_chars:,} 字上限",
        f"the file holds more than {limits.max_text_chars:,} characters of text",
    )


def read_text(path: Path, limits: ReadLimits) -> str:
    """The decoded text of a file, refused before reading when it must exceed the character cap."""
    with path.open("rb") as f:
        data = f.read(limits.max_text_chars * _MAX_BYTES_PER_CHAR + 1)
    if len(data) > limits.max_text_chars * _MAX_BYTES_PER_CHAR:
        raise _too_long(path.name, limits)
    text = decode_text(data, path.name)
    if len(text) > limits.max_text_chars:
        raise _too_long(path.name, limits)
    return text


def load_text(path: Path, limits: ReadLimits | None = None) -> list[Block]:
    """Each non-blank line is a paragraph; Markdown headings keep their level; tables give rows."""
    text = read_text(path, limits or ReadLimits())
    markdown = path.suffix.lower() in {".md", ".markdown"}
    blocks: list[Block] = []
    lines = text.splitlines()
    start = body_start(lines)
    lines = [""] * start + lines[start:]  # blanked, not cut: line numbers stay as the file has them
    tables = find_tables(lines)  # Markdown, tab- and space-aligned tables: rows read as table rows
    for at, line in enumerate(lines):
        if at in tables:
            row = tables[at]
            if row is not None:
                blocks.append(row)
            continue
        line = line.strip()
        if not line:
            # A blank line is a paragraph boundary; a run of them is still one.
            if not blocks or blocks[-1].text:
                blocks.append(Block(text="", kind="text"))
            continue
        m = _MD_HEADING.match(line) if markdown else None
        if m:
            blocks.append(Block(text=m.group(2).strip(), kind="heading", level=len(m.group(1))))
        else:
            blocks.append(Block(text=line, kind="text"))
    return blocks
