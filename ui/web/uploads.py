"""Gradio's upload cache: the only files the page's inputs take, and where downloads are offered.

A mounted app is never "launched", so Gradio skips its own check and would
copy any server path (or fetch any URL) named in a request into its cache,
where it can be downloaded: ``accept_only_uploads`` makes every input take
only a file the page uploaded. Downloads are written into the same cache,
which Gradio empties after an hour and at shutdown (``CACHE_LIFETIME``).
"""

from __future__ import annotations

from pathlib import Path

import gradio as gr
from gradio import processing_utils
from gradio.utils import get_upload_folder

from .markup import POPUP_TITLES

UPLOAD_ONLY = "只能导入通过本页面上传的文件；其他路径或链接不予处理，本次未导入任何文件。"
GONE = "上传的文件已失效，请重新选择文件后再上传。"
# Gradio deletes the files this app put in its cache (uploads, downloads) after an hour, and all at shutdown.
CACHE_LIFETIME = (3600, 3600)


def in_upload_cache(path: object, cache_root: Path) -> bool:
    """True for an existing file that lies, after following links, inside Gradio's upload cache."""
    try:
        real = Path(str(path)).resolve(strict=True)
    except (OSError, RuntimeError, ValueError):
        return False
    return real.is_file() and real.is_relative_to(cache_root)


def accept_only_uploads(demo: gr.Blocks, cache_root: Path) -> None:
    """Every component an event reads from the browser takes only files the page uploaded.

    Gradio copies each file reference in a request (in any input: a file box, a
    chat message, even a dropdown's value) into its cache before our handlers
    run, and checks the path only in a launched app. The check is made here, at
    that copy, so a server file or a URL is refused before anything is copied.
    """
    inputs = {id(c): c for fn in demo.fns.values() for c in fn.inputs}
    for component in inputs.values():
        _guard_copies(component, cache_root)


def _guard_copies(component, cache_root: Path) -> None:
    copy_async = component.async_move_resource_to_block_cache
    copy_sync = component.move_resource_to_block_cache

    def checked(path):
        if path is not None and not in_upload_cache(path, cache_root):
            raise gr.Error(UPLOAD_ONLY, title=POPUP_TITLES["error"])
        return path

    async def guarded_async(path):
        return await copy_async(checked(path))

    def guarded(path):
        return copy_sync(checked(path))

    component.async_move_resource_to_block_cache = guarded_async
    component.move_resource_to_block_cache = guarded


def discard_cached(paths: list[Path], cache_root: Path) -> None:
    """Delete upload-cache copies once staged (or refused): nothing uploaded stays downloadable there."""
    for path in paths:
        if not in_upload_cache(path, cache_root):
            continue
        path.unlink(missing_ok=True)
        if path.parent.resolve() != cache_root:
            try:
                path.parent.rmdir()  # Gradio keeps each upload in a folder of its own
            except OSError:
                pass


class UploadCache:
    """Gradio's upload cache of this process."""

    def __init__(self, root: Path | None = None):
        self.root = Path(root or get_upload_folder()).resolve()

    def holds(self, path: object) -> bool:
        return in_upload_cache(path, self.root)

    def discard(self, paths: list[Path]) -> None:
        discard_cached(paths, self.root)

    def offer(self, name: str, content: bytes) -> str:
        """A file offered for download, written into the cache: Gradio serves it from there and
        deletes it after an hour and at shutdown (``CACHE_LIFETIME``), so nothing is left behind."""
        return processing_utils.save_bytes_to_cache(content, name, str(self.root))


__all__ = [
    "CACHE_LIFETIME",
    "GONE",
    "UPLOAD_ONLY",
    "UploadCache",
    "accept_only_uploads",
    "discard_cached",
    "in_upload_cache",
]
