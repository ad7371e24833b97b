"""Plain text and Markdown: UTF-8, or GB18030/GBK as Chinese offices still save them."""

from __future__ import annotations

import re
from pathlib import Path

from charset_normalizer import from_bytes

from ..errors import IngestError
from ..types import Block

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")


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


def load_text(path: Path) -> list[Block]:
    """Each non-blank line is a paragraph; Markdown headings keep their level."""
    text = decode_text(path.read_bytes(), path.name)
    markdown = path.suffix.lower() in {".md", ".markdown"}
    blocks: list[Block] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            blocks.append(Block(text="", kind="text"))  # blank line: a paragraph boundary
            continue
        m = _MD_HEADING.match(line) if markdown else None
        if m:
            blocks.append(Block(text=m.group(2).strip(), kind="heading", level=len(m.group(1))))
        else:
            blocks.append(Block(text=line, kind="text"))
    return blocks
