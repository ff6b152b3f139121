"""The wheel ships what the installed application reads as package data (its icon and its
Chinese translation), and from an installed wheel, far from the source tree, the application
finds them through ``importlib.resources``.

The wheel is built from a copy of the project (so the build leaves nothing in the working tree)
with the virtual environment's setuptools: no network, a few seconds.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ICON = "resources/icons/intentlens.svg"
CHINESE = "resources/translations/intentlens_zh_CN.qm"
#: What the build reads; everything else (virtual environment, tests, caches) stays behind.
SOURCES = ("pyproject.toml", "README.md", "main.py", "cli.py")
PACKAGES = ("engine", "storage", "gui", "resources")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    src.mkdir()
    for name in SOURCES:
        shutil.copy2(ROOT / name, src / name)
    for name in PACKAGES:
        shutil.copytree(
            ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    out = work / "dist"
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"}
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-index",
         "--no-build-isolation", "-q", "-w", str(out)],
        check=True, cwd=work, env=env, timeout=120,
    )  # fmt: skip
    (built,) = out.glob("intentlens-*.whl")
    return built


def test_the_wheel_ships_the_icon_and_the_chinese_translation(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as whl:
        names = set(whl.namelist())
        assert {ICON, CHINESE, "resources/__init__.py"} <= names
        assert whl.read(ICON) == (ROOT / ICON).read_bytes()
        assert whl.read(CHINESE) == (ROOT / CHINESE).read_bytes()
    # The README's screenshots and the translation source are not the application's.
    assert not any(n.startswith("resources/screenshots/") or n.endswith(".ts") for n in names)


def test_the_wheel_ships_every_package(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as whl:
        names = set(whl.namelist())
    for name in PACKAGES:
        for init in (ROOT / name).rglob("__init__.py"):
            assert init.relative_to(ROOT).as_posix() in names, f"{init.parent} is not listed"


def test_an_installed_wheel_finds_its_icon_and_translation(
    wheel: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as whl:
        whl.extractall(site)
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from PySide6.QtCore import QCoreApplication, QLocale\n"
        "import gui.app as a\n"
        "site = Path(sys.argv[1]).resolve()\n"
        "assert Path(a.__file__).resolve().is_relative_to(site), a.__file__\n"
        "icon = a.resource_path('icons', 'intentlens.svg')\n"
        "assert icon.resolve().is_relative_to(site) and icon.is_file(), icon\n"
        "app = QCoreApplication([])\n"
        "t = a.load_translator(app, QLocale('zh_CN'))\n"
        "assert t is not None and Path(t.filePath()).resolve().is_relative_to(site)\n"
        "assert QCoreApplication.translate('MainWindow', 'Data') == '数据'\n"
        "print('ok')\n"
    )
    # The unpacked wheel comes first on the path, ahead of the editable install of the source.
    env = {**os.environ, "PYTHONPATH": str(site), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", code, str(site)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
