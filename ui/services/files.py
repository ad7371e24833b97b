"""Uploaded files on their way into the uploads folder: clean names, staged side by side, moved in together.

Every surface that takes files (the REST upload, the web page) stages them
here, so a batch goes in whole or not at all and a name is cleaned the same
way wherever it came from.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import unicodedata
from pathlib import Path
from typing import BinaryIO

UPLOADS = "uploads"

_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')


def safe_file_name(name: str | None, max_chars: int = 120) -> str:
    """A file name safe to store: no folders, control or reserved characters; Chinese kept.

    The name is what citations show, so it stays as close to the uploaded one as possible.
    """
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = _UNSAFE.sub("_", name).strip().lstrip(".").strip()
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    suffix = suffix[:16]
    stem = stem.strip()[: max(1, max_chars - len(suffix) - 1)].strip()
    if not stem or stem in (".", ".."):
        stem = "upload"
    return f"{stem}.{suffix}" if suffix else stem


def unique_name(name: str, taken: set[str]) -> str:
    """``name``, or ``name (2)``, ``name (3)``… — the first one not in ``taken``."""
    if name not in taken:
        return name
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    n = 2
    while True:
        candidate = f"{stem} ({n})" + (f".{suffix}" if suffix else "")
        if candidate not in taken:
            return candidate
        n += 1


class FileTooLarge(ValueError):
    """An uploaded file is over the size cap; nothing of its batch was kept."""

    def __init__(self, name: str, max_bytes: int):
        mb = max_bytes / 1024 / 1024
        super().__init__(
            f"文件「{name}」超过大小上限 {mb:g} MB，本次上传未保存任何文件"
            f" / '{name}' exceeds the size limit of {mb:g} MB; nothing was saved"
        )
        self.name = name


class Staging:
    """A hidden folder inside the uploads folder where one batch is written before it is moved in.

    Use as a context manager: ``add`` a file under a cleaned, unique name, then ``commit`` moves
    the batch in (replacing earlier uploads of the same names); leaving the block removes whatever
    was not committed.
    """

    def __init__(self, uploads: Path):
        self.uploads = Path(uploads)
        self.names: list[str] = []
        self._dir: Path | None = None

    def __enter__(self) -> Staging:
        self.uploads.mkdir(parents=True, exist_ok=True)
        self._dir = Path(tempfile.mkdtemp(prefix=".incoming-", dir=self.uploads))
        return self

    def __exit__(self, *exc) -> None:
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)

    @property
    def folder(self) -> Path:
        """The private folder files are staged in (made on entering the ``with`` block)."""
        if self._dir is None:
            raise RuntimeError("Staging is used in a with-block")
        return self._dir

    def _reserve(self, original_name: str | None) -> Path:
        name = unique_name(safe_file_name(original_name), set(self.names))
        self.names.append(name)
        return self.folder / name

    def copy(self, source: Path) -> None:
        """Stage a copy of a file on disk under its own (cleaned) name."""
        shutil.copyfile(source, self._reserve(Path(source).name))

    def write(self, original_name: str | None, stream: BinaryIO, max_bytes: int) -> None:
        """Stage a stream, refusing it (``FileTooLarge``) once it passes ``max_bytes``."""
        target = self._reserve(original_name)
        written = 0
        with target.open("wb") as out:
            while chunk := stream.read(1 << 20):
                written += len(chunk)
                if written > max_bytes:
                    raise FileTooLarge(target.name, max_bytes)
                out.write(chunk)

    def commit(self) -> list[Path]:
        """Move every staged file into the uploads folder; their final paths."""
        targets = []
        for name in self.names:
            target = self.uploads / name
            os.replace(self.folder / name, target)
            targets.append(target)
        return targets
