"""Small modules, short functions: no module over 400 lines, no function over 80, in every code package.

A module that grows past 400 lines holds more than one idea, and a function past 80 lines more than one
step; both are split along their seams instead. Each package is its own case, so a run shows which
packages hold what is still too long. ``eval/standins`` (the stand-in servers) is a case of its own,
apart from the rest of ``eval``.

Only data generated into a Python module may stay longer; such a module is named in ``GENERATED`` with
the command that writes it. Hand-written tables (``corpus/tables.py``) are code like any other.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80
# (package, sub-packages measured as cases of their own)
PACKAGES = {
    "ingest": (),
    "index": (),
    "assistant": (),
    "ui": (),
    "corpus": (),
    "eval": ("eval/standins",),
    "eval/standins": (),
    "tests": (),
}
# Modules whose length is generated data, not code: path relative to the repository -> the command that
# writes it. None today; the sample corpus's generated files (corpus/docs) are documents, not modules.
GENERATED: dict[str, str] = {}


def too_long(source: str, name: str) -> list[str]:
    """What in ``source`` (a module called ``name``) is over the limits: the module, then each function."""
    found = []
    lines = len(source.splitlines())
    if lines > MAX_MODULE_LINES:
        found.append(f"{name}: {lines} lines (over {MAX_MODULE_LINES})")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                found.append(f"{name}:{node.lineno} {node.name}(): {length} lines (over {MAX_FUNCTION_LINES})")
    return found


def modules_of(package: str) -> list[Path]:
    """The package's modules, leaving out the sub-packages measured as cases of their own."""
    own = [REPO / sub for sub in PACKAGES[package]]
    return sorted(
        path
        for path in (REPO / package).rglob("*.py")
        if not any(path.is_relative_to(sub) for sub in own) and "__pycache__" not in path.parts
    )


def test_the_check_sees_a_long_module_and_a_long_function() -> None:
    long_function = "def step():\n" + "    x = 1\n" * MAX_FUNCTION_LINES
    assert too_long(long_function, "m.py") == [f"m.py:1 step(): {MAX_FUNCTION_LINES + 1} lines (over 80)"]
    long_module = "x = 1\n" * (MAX_MODULE_LINES + 1)
    assert too_long(long_module, "m.py") == [f"m.py: {MAX_MODULE_LINES + 1} lines (over 400)"]
    at_the_limits = "def step():\n" + "    x = 1\n" * (MAX_FUNCTION_LINES - 1) + "y = 2\n" * 300
    assert too_long(at_the_limits, "m.py") == []


def test_every_generated_module_named_is_there_and_long() -> None:
    """The allow-list cannot rot: each entry exists and still needs the exception."""
    for name in GENERATED:
        path = REPO / name
        assert path.is_file(), name
        assert too_long(path.read_text(encoding="utf-8"), name), f"{name} is within the limits: take it off GENERATED"


@pytest.mark.parametrize("package", list(PACKAGES))
def test_no_module_or_function_is_too_long(package: str) -> None:
    assert (REPO / package).is_dir(), package
    found = []
    for path in modules_of(package):
        name = str(path.relative_to(REPO))
        if name not in GENERATED:
            found += too_long(path.read_text(encoding="utf-8"), name)
    assert found == [], "\n".join(found)
