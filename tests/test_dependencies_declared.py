"""Every third-party module the code imports comes from a distribution pyproject.toml declares.

A module that is only present because another package pulled it in disappears the day that package
drops it; declaring it (with a lower bound) is what keeps a fresh install working.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("ingest", "index", "assistant", "ui", "corpus", "eval", "tests")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared_distributions() -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    return {_normal(re.match(r"[A-Za-z0-9._-]+", r).group(0)) for r in requirements}


def imported_modules() -> dict[str, set[str]]:
    """Top-level third-party module → the files importing it."""
    local = set(PACKAGES) | {p.stem for p in (REPO / "tests").glob("*.py")}
    found: dict[str, set[str]] = {}
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top in sys.stdlib_module_names or top in local or top == "__future__":
                        continue
                    found.setdefault(top, set()).add(str(path.relative_to(REPO)))
    return found


def test_every_third_party_import_is_declared() -> None:
    declared = declared_distributions()
    providers = packages_distributions()
    imports = imported_modules()
    assert "numpy" in imports and "numpy" in declared  # the scan sees imports and reads the declarations
    undeclared = {
        module: sorted(files)
        for module, files in imports.items()
        if not any(_normal(d) in declared for d in providers.get(module, []))
    }
    assert undeclared == {}, f"imported but not declared in pyproject.toml: {undeclared}"
