"""The README's Layout section names what is in the repository.

The rule, kept small enough to follow: every top-level package has its own entry (a line starting
``name/``); every sub-package is named ``sub/`` in its package's entry; every module of the four
layers (ingest, index, assistant, ui — their top level, not their sub-packages) is named in its
layer's entry. Modules of corpus, eval and tests, and inside sub-packages, are described by their
package's docstring instead: they come and go too often for a list.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LAYERS = ("ingest", "index", "assistant", "ui")


def layout_entries(readme: str) -> dict[str, str]:
    """Package name → the text of its entry in the Layout code block (continuation lines included)."""
    section = readme.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    block = section.split("```", 2)[1]
    entries: dict[str, str] = {}
    name = None
    for line in block.splitlines():
        head = re.match(r"(\w+)/\s", line)
        if head:
            name = head.group(1)
            entries[name] = line[head.end() :]
        elif name and line.strip():
            entries[name] += " " + line.strip()
    return entries


def top_level_packages() -> list[str]:
    packages = [p.name for p in REPO.iterdir() if (p / "__init__.py").exists()]
    return sorted(packages + ["tests"])


def missing_from_layout(readme: str) -> list[str]:
    entries = layout_entries(readme)
    missing = []
    for package in top_level_packages():
        if package not in entries:
            missing.append(f"{package}/ (no entry)")
            continue
        text = entries[package]
        for sub in sorted(p for p in (REPO / package).iterdir() if (p / "__init__.py").exists()):
            if f"{sub.name}/" not in text:
                missing.append(f"{package}/{sub.name}/")
        if package in LAYERS:
            for module in sorted((REPO / package).glob("*.py")):
                if module.stem != "__init__" and not re.search(rf"(?<![\w/]){module.stem}(?![\w/])", text):
                    missing.append(f"{package}/{module.name}")
    return missing


def test_the_layout_lists_every_package_sub_package_and_layer_module() -> None:
    assert missing_from_layout((REPO / "README.md").read_text(encoding="utf-8")) == []


def test_a_module_left_out_of_the_layout_is_reported() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert set(top_level_packages()) >= {"ingest", "index", "assistant", "ui", "corpus", "eval", "tests"}
    without_chunk = readme.replace(" · chunk ·", " ·", 1)
    assert missing_from_layout(without_chunk) == ["ingest/chunk.py"]
    without_wechat = readme.replace("wechat/ (", "(", 1)
    assert missing_from_layout(without_wechat) == ["ui/wechat/"]
