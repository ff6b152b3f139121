"""The rules import-linter cannot state: it takes packages only, and ``main.py`` and ``cli.py``
are top-level modules. (That engine, storage and gui never import them is a contract in
pyproject.toml.) ``main`` only dispatches, to the command line or the desktop application;
nothing imports ``main``."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _imported(path: Path) -> set[str]:
    """Top-level names of every module a file imports, at any depth (lazy imports too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_main_only_dispatches_to_cli_and_gui() -> None:
    own = _imported(ROOT / "main.py") - set(sys.stdlib_module_names)
    assert own <= {"cli", "gui"}, f"main.py imports {sorted(own - {'cli', 'gui'})} itself"


def test_nothing_imports_main() -> None:
    files = [ROOT / "cli.py"]
    for package in ("engine", "storage", "gui"):
        files += sorted((ROOT / package).rglob("*.py"))
    importers = [str(f.relative_to(ROOT)) for f in files if "main" in _imported(f)]
    assert not importers
