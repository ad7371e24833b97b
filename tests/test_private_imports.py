"""No package reaches into another package's private names.

A leading underscore (``_parse``, ``index._cache``) marks what a package keeps to itself and may change
at will; another top-level package importing it ties the two together behind the layers' backs. Inside
one package, private names are shared freely. Tests are not held to this: they may check internals.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("ingest", "index", "assistant", "ui", "corpus", "eval")


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_imports(source: str, package: str) -> list[str]:
    """Each ``from other_package… import _name`` (or a private module on the way) in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            parts = node.module.split(".")
            if parts[0] not in PACKAGES or parts[0] == package:
                continue
            names = [a.name for a in node.names]
            if any(_private(p) for p in parts[1:]) or any(_private(n) for n in names):
                found.append(f"line {node.lineno}: from {node.module} import {', '.join(names)}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] in PACKAGES and parts[0] != package and any(_private(p) for p in parts[1:]):
                    found.append(f"line {node.lineno}: import {alias.name}")
    return found


def violations() -> dict[str, list[str]]:
    out = {}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            found = private_imports(path.read_text(encoding="utf-8"), package)
            if found:
                out[str(path.relative_to(REPO))] = found
    return out


def test_the_check_sees_a_private_import_across_packages_and_allows_one_inside() -> None:
    source = "from index.keywords import _tokens\nfrom assistant.query import _own\nimport ui._cache\n"
    assert private_imports(source, "assistant") == [
        "line 1: from index.keywords import _tokens",
        "line 3: import ui._cache",
    ]
    assert private_imports("from index import KnowledgeBase, __version__\n", "ui") == []


def test_no_package_imports_another_packages_private_names() -> None:
    assert violations() == {}
