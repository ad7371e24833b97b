"""The 单位 picker of the 问答, 指标 and 计划起草 tabs.

It lists the libraries the ready documents are by, the one with most documents first and picked unless staff
pick another; with one library it simply shows it. The list is read again when the page opens and whenever
one of the three tabs is opened (documents may have been added or removed on the 文档 tab meanwhile), and a
library picked in one tab is picked in the others: staff ask, look up figures and draft for one library.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import gradio as gr

from ..services.libraries import Libraries

LABEL = "单位"


def library_picker(elem_id: str, **layout: Any) -> gr.Dropdown:
    """An empty picker, filled when the page loads."""
    return gr.Dropdown([], label=LABEL, elem_id=elem_id, interactive=True, **layout)


def picker_update(libraries: Libraries, current: str | None) -> dict:
    """The picker's fresh list, keeping the library picked while it is still there."""
    listed = libraries.listed()
    value = current if current in listed else (listed[0] if listed else None)
    return gr.update(choices=listed, value=value)


class PickerHandlers:
    """What the pickers do. Handler names are the names of the page's API endpoints."""

    def __init__(self, libraries: Libraries, count: int):
        self.libraries = libraries
        self.count = count

    def list_libraries(self, current: str | None = None):
        """Every picker's list, with the library picked in the first (or the default)."""
        update = picker_update(self.libraries, current)
        return tuple(update for _ in range(self.count))

    def pick_library(self, picked: str | None):
        """The library picked in one tab, for the other tabs' pickers."""
        return tuple(picked for _ in range(self.count - 1))


def link_pickers(demo: gr.Blocks, libraries: Libraries, pickers: Sequence[gr.Dropdown]) -> None:
    """Fill every picker when the page opens; a library picked in one tab is picked in all of them."""
    on = PickerHandlers(libraries, len(pickers))
    demo.load(on.list_libraries, None, list(pickers))
    for picker in pickers:
        others = [p for p in pickers if p is not picker]
        picker.input(on.pick_library, [picker], others)


__all__ = ["LABEL", "PickerHandlers", "library_picker", "link_pickers", "picker_update"]
