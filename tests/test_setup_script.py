"""The set-up script's check of the system libraries Qt needs (.ci/qt_system_libs.py, run by
.ci/env before the long pip install), on a simulated system: a fake list of the library files
present, a fake ldd output, a fake apt-get."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SCRIPT = REPO_ROOT / ".ci" / "qt_system_libs.py"

sys.path.insert(0, str(SCRIPT.parent))
try:
    import qt_system_libs
finally:
    sys.path.remove(str(SCRIPT.parent))

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the check is for Linux (Qt's xcb platform)"
)

ALL = list(qt_system_libs.PACKAGES)
LDD_ALL_FOUND = "".join(f"\t{name} => /lib/x86_64-linux-gnu/{name} (0x00007f00)\n" for name in ALL)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A simulated Linux system with every library present and a display (QT_QPA_PLATFORM
    unset), where the check only reports (never installs)."""
    present = tmp_path / "present.txt"
    present.write_text("\n".join(ALL) + "\n", encoding="utf-8")
    ldd = tmp_path / "ldd.txt"
    ldd.write_text(LDD_ALL_FOUND, encoding="utf-8")
    environ = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    environ.update(
        INTENTLENS_QT_LIBS_PRESENT=str(present),
        INTENTLENS_QT_LIBS_LDD=str(ldd),
        INTENTLENS_SYSTEM_LIBS="report",
    )
    return environ


def remove(env: dict[str, str], *names: str) -> None:
    """Take library files off the simulated system."""
    present = Path(env["INTENTLENS_QT_LIBS_PRESENT"])
    kept = [n for n in present.read_text(encoding="utf-8").split() if n not in names]
    present.write_text("\n".join(kept) + "\n", encoding="utf-8")


def check(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--venv", str(tmp_path / "no-venv")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_says_nothing_when_every_library_is_present(env, tmp_path):  # type: ignore[no-untyped-def]
    done = check(env, tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_names_the_missing_libraries_and_the_command_in_one_sentence(env, tmp_path):  # type: ignore[no-untyped-def]
    remove(env, "libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1")
    done = check(env, tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    message = done.stderr.strip()
    assert "\n" not in message and message.endswith(".")
    assert "(libxcb-cursor.so.0, libxcb-icccm.so.4, libxcb-keysyms.so.1)" in message
    assert "`sudo apt-get install -y libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1`" in message


def test_what_ldd_does_not_find_is_named_too(env, tmp_path):  # type: ignore[no-untyped-def]
    """Once PySide6 is installed, ldd on the plugin is the last word, even for a library the
    list does not know."""
    Path(env["INTENTLENS_QT_LIBS_LDD"]).write_text(
        LDD_ALL_FOUND.replace(
            "libxcb-render-util.so.0 => /lib/x86_64-linux-gnu/libxcb-render-util.so.0",
            "libxcb-render-util.so.0 => not found",
        )
        + "\tlibxcb-new-thing.so.3 => not found\n",
        encoding="utf-8",
    )
    done = check(env, tmp_path)
    assert done.returncode == 2
    assert "(libxcb-render-util.so.0, libxcb-new-thing.so.3)" in done.stderr
    assert "`sudo apt-get install -y libxcb-render-util0`" in done.stderr
    assert "the package that provides libxcb-new-thing.so.3" in done.stderr


def test_without_apt_get_it_names_the_library_files(env, tmp_path):  # type: ignore[no-untyped-def]
    remove(env, "libxcb-cursor.so.0")
    env["PATH"] = str(tmp_path)  # no apt-get (nor sudo) here
    done = check(env, tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith(
        "Qt's window needs system libraries this machine lacks (libxcb-cursor.so.0): install "
        "the packages that provide them, then run this command again"
    )
    assert "apt-get" not in done.stderr


def test_offscreen_needs_no_window_library(env, tmp_path):  # type: ignore[no-untyped-def]
    """CI and the tests run offscreen: a machine without the xcb libraries is fine for them."""
    remove(env, *qt_system_libs.XCB_LIBRARIES)
    env["QT_QPA_PLATFORM"] = "offscreen"
    done = check(env, tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_offscreen_still_needs_what_every_qt_platform_loads(env, tmp_path):  # type: ignore[no-untyped-def]
    remove(env, "libGL.so.1", "libxcb-cursor.so.0")
    env["QT_QPA_PLATFORM"] = "offscreen"
    done = check(env, tmp_path)
    assert done.returncode == 2
    assert "(libGL.so.1)" in done.stderr
    assert "`sudo apt-get install -y libgl1`" in done.stderr


@pytest.mark.parametrize(
    ("platform", "display"),
    [("", True), ("xcb", True), ("wayland;xcb", True), ("xcb:nomitshm", True),
     ("offscreen", False), ("minimal", False), ("wayland", False)],
)
def test_which_platforms_use_the_xcb_libraries(platform: str, display: bool) -> None:
    environ = {"QT_QPA_PLATFORM": platform} if platform else {}
    assert qt_system_libs.display_platform_used(environ) is display


def fake_apt(tmp_path: Path, env: dict[str, str], *, works: bool) -> Path:
    """A stand-in for apt-get that logs its arguments and, if it works, puts every library
    on the simulated system."""
    log = tmp_path / "apt.log"
    script = tmp_path / "fake_apt.py"
    script.write_text(
        "import shutil, sys\n"
        f"open({str(log)!r}, 'a').write(' '.join(sys.argv[1:]) + '\\n')\n"
        f"if {works!r} and sys.argv[1] == 'install':\n"
        f"    open({env['INTENTLENS_QT_LIBS_PRESENT']!r}, 'w').write({chr(10).join(ALL)!r})\n"
        f"sys.exit(0 if {works!r} else 100)\n",
        encoding="utf-8",
    )
    env["INTENTLENS_APT_GET"] = f"{sys.executable} {script}"
    env["INTENTLENS_SYSTEM_LIBS"] = "install"
    return log


def test_installs_the_missing_packages_when_it_may(env, tmp_path):  # type: ignore[no-untyped-def]
    remove(env, "libxcb-cursor.so.0", "libxkbcommon-x11.so.0")
    log = fake_apt(tmp_path, env, works=True)
    done = check(env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert log.read_text().splitlines() == [
        "install -y -q --no-install-recommends libxcb-cursor0 libxkbcommon-x11-0"
    ]
    assert "Installing the system libraries Qt needs" in done.stderr


def test_a_failed_install_ends_with_the_command_to_run(env, tmp_path):  # type: ignore[no-untyped-def]
    """No package lists yet is the usual reason: it updates them and tries once more."""
    remove(env, "libxcb-cursor.so.0")
    log = fake_apt(tmp_path, env, works=False)
    done = check(env, tmp_path)
    assert done.returncode == 2
    assert [line.split()[0] for line in log.read_text().splitlines()] == [
        "install", "update", "install"
    ]
    assert done.stderr.strip().splitlines()[-1].startswith(
        "Qt's window needs system libraries this machine lacks (libxcb-cursor.so.0): run "
        "`sudo apt-get install -y libxcb-cursor0`"
    )


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_the_set_up_script_stops_before_creating_the_environment(env, tmp_path):  # type: ignore[no-untyped-def]
    """.ci/env runs the check first: a machine that lacks a library gets the sentence at once,
    not after the long pip install."""
    copy = tmp_path / "repo"
    (copy / ".ci").mkdir(parents=True)
    for name in ("env", "qt_system_libs.py"):
        shutil.copy(REPO_ROOT / ".ci" / name, copy / ".ci" / name)
    remove(env, "libxcb-cursor.so.0")
    env["PYTHON"] = sys.executable
    done = subprocess.run(
        ["bash", str(copy / ".ci" / "env")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "`sudo apt-get install -y libxcb-cursor0`" in done.stderr
    assert not (copy / ".venv").exists()
