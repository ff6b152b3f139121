"""The PyInstaller spec (packaging/intentlens.spec) lists every file the frozen application
opens at run time, every module it imports by name, and leaves out nothing it imports.

The spec is run with stand-ins for PyInstaller's Analysis, PYZ, EXE and COLLECT, so these checks
take a moment and need no PyInstaller; CI builds and starts the real folder (.ci/package).
"""

from __future__ import annotations

import ast
import glob
import importlib.util
import tomllib
from pathlib import Path, PurePosixPath
from types import SimpleNamespace
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "intentlens.spec"
APP_SOURCES = ("engine", "storage", "gui", "cli.py", "main.py")


def run_spec(platform: str | None = None) -> dict[str, Any]:
    """The spec's calls, as keyword arguments by stand-in name (``platform`` pretends to be
    another operating system)."""
    calls: dict[str, Any] = {}

    def stand_in(name: str) -> Any:
        def record(*args: Any, **kwargs: Any) -> SimpleNamespace:
            calls[name] = {"args": args, **kwargs}
            return SimpleNamespace(pure=[], scripts=[], binaries=[], datas=[], zipped_data=[])

        return record

    namespace: dict[str, Any] = {
        "SPECPATH": str(SPEC.parent),
        **{name: stand_in(name) for name in ("Analysis", "PYZ", "EXE", "COLLECT")},
    }
    code = compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec")
    if platform is None:
        exec(code, namespace)
    else:
        import sys

        real = sys.platform
        sys.platform = platform
        try:
            exec(code, namespace)
        finally:
            sys.platform = real
    return calls


def frozen_files() -> set[str]:
    """Where each data file lands in the built folder, relative to it, as PyInstaller places
    them (a source glob's matches go into the destination folder under their own names)."""
    placed = set()
    for source, folder in run_spec()["Analysis"]["datas"]:
        matches = glob.glob(source)
        assert matches, f"the spec lists {source}, which matches no file"
        for match in matches:
            placed.add(str(PurePosixPath(folder) / Path(match).name))
    return placed


def relative(path: Path) -> str:
    return path.resolve().relative_to(ROOT).as_posix()


def runtime_files() -> set[str]:
    """The files the application opens by path, found from its own code and settings."""
    from gui.app import ICON, RESOURCES, TRANSLATIONS
    from storage import project

    needed = {relative(ROOT / RESOURCES / Path(*ICON))}
    # Qt picks the .qm for the locale from the folder: every shipped translation.
    needed |= {relative(p) for p in (ROOT / RESOURCES / Path(*TRANSLATIONS)).glob("*.qm")}
    # Alembic: its settings, the environment script and every migration in script_location.
    from alembic.config import Config

    scripts = Path(str(Config(str(project._ALEMBIC_INI)).get_main_option("script_location")))
    needed |= {relative(project._ALEMBIC_INI), relative(scripts / "env.py")}
    needed |= {relative(p) for p in project._VERSIONS.glob("*.py") if p.name != "__init__.py"}
    # What the wheel ships as package data the installed application reads too.
    with open(ROOT / "pyproject.toml", "rb") as f:
        setuptools = tomllib.load(f)["tool"]["setuptools"]
    tops = {name.split(".")[0] for name in setuptools["packages"]["find"]["include"]}
    packages = [init.parent for top in sorted(tops) for init in (ROOT / top).rglob("__init__.py")]
    for package, patterns in setuptools["package-data"].items():
        folders = packages if package == "*" else [ROOT / Path(*package.split("."))]
        for folder in folders:
            for pattern in patterns:
                needed |= {relative(p) for p in folder.glob(pattern)}
    return needed


def test_the_spec_lists_every_file_the_application_reads_at_run_time() -> None:
    needed = runtime_files()
    assert {"resources/icons/intentlens.svg", "resources/translations/intentlens_zh_CN.qm",
            "storage/alembic.ini", "storage/migrations/env.py",
            "storage/migrations/versions/0001_initial.py"} <= needed
    missing = needed - frozen_files()
    assert not missing, f"the built folder would lack {sorted(missing)}"


def test_the_spec_ships_no_test_or_translation_source() -> None:
    placed = frozen_files()
    assert not [p for p in placed if p.endswith(".ts") or p.startswith(("tests/", "resources/scr"))]


def test_every_application_module_is_collected() -> None:
    hidden = set(run_spec()["Analysis"]["hiddenimports"])
    modules = {
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for package in ("engine", "storage", "gui")
        for p in (ROOT / package).rglob("*.py")
        if "__pycache__" not in p.parts
    }
    # Imported by name only (PEP 562 lazy names): PyInstaller's analysis cannot see these.
    from engine import profiles

    assert set(profiles._LAZY.values()) <= modules
    missing = modules - hidden
    assert not missing, f"not collected: {sorted(missing)}"


def imported_packages() -> set[str]:
    """The top-level packages the application's code imports anywhere (also inside functions)."""
    names: set[str] = set()
    files = [f for s in APP_SOURCES for f in ((ROOT / s).rglob("*.py") if (ROOT / s).is_dir()
                                              else [ROOT / s])]
    for file in files:
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
    return names


def test_the_spec_excludes_nothing_the_application_imports() -> None:
    excluded = set(run_spec()["Analysis"]["excludes"])
    imported = imported_packages()
    assert {"torch", "sklearn", "statsforecast", "PySide6", "pyqtgraph"} <= imported
    assert not excluded & imported, f"excluded but imported: {sorted(excluded & imported)}"


@pytest.mark.parametrize(
    ("platform", "console", "icon"),
    [("linux", True, None), ("win32", False, "intentlens.ico"),
     ("darwin", False, "intentlens.icns")],
)
def test_one_program_per_operating_system(platform: str, console: bool, icon: str | None
                                          ) -> None:
    calls = run_spec(platform)
    exe, collect = calls["EXE"], calls["COLLECT"]
    assert exe["name"] == collect["name"] == "IntentLens"
    assert exe["exclude_binaries"] is True  # one folder, not one self-extracting file
    # Linux keeps the command line's output in the terminal; Windows and macOS open no console.
    assert exe["console"] is console
    assert (exe["icon"] and Path(exe["icon"]).name) == icon


def test_the_program_icons_are_drawn_from_the_svg(tmp_path: Path) -> None:
    loader = importlib.util.spec_from_file_location("intentlens_icon", ROOT / "packaging" /
                                                    "icon.py")
    assert loader is not None and loader.loader is not None
    icon = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(icon)
    written = icon.draw_icons(tmp_path)
    assert [p.name for p in written] == ["intentlens.ico", "intentlens.icns"]
    ico, icns = (p.read_bytes() for p in written)
    assert ico[:4] == b"\0\0\1\0" and int.from_bytes(ico[4:6], "little") == 1  # one picture
    assert ico[6] == 0  # 0 means 256 pixels wide
    assert icns[:4] == b"icns" and int.from_bytes(icns[4:8], "big") == len(icns)
    from PySide6.QtGui import QImage

    picture = QImage(str(written[0]))
    assert picture.width() == 256
    # The SVG's dark rounded square, not an empty picture.
    assert picture.pixelColor(128, 128).alpha() == 255
