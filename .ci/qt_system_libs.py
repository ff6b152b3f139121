#!/usr/bin/env python3
"""Check that the system libraries Qt needs are installed, before the long pip install.

pip brings Qt itself, but Qt loads libraries of the operating system that a fresh machine may
lack: without them the window aborts when it opens ("could not load the Qt platform plugin
xcb"). This script (standard library only, run by ``.ci/env`` with the system's Python) finds
the missing ones and, on Debian/Ubuntu, installs them with ``apt-get`` when it runs as root or
``sudo`` works without a password; otherwise it stops with one sentence naming the
``sudo apt-get install`` command. It prints nothing when everything is there.

The libraries of the xcb platform plugin (the window on an X11 or XWayland desktop) are checked
only when a display is going to be used: when ``QT_QPA_PLATFORM`` is unset or names xcb. The
tests and CI run with ``QT_QPA_PLATFORM=offscreen``: then only the few libraries every Qt
platform loads (``QT_LIBRARIES``, needed by the tests too) are checked.

Missing means:
  * a library file of the lists below that the dynamic loader cannot load, and, in xcb mode,
  * once PySide6 is installed, what ``ldd`` reports "not found" for the xcb plugin and the Qt
    library it loads (``libqxcb.so``, ``libQt6XcbQpa.so.6``).

Exit status: 0 when nothing is missing (or after installing it), 2 when something is missing
and was not installed (the sentence is on stderr).

For tests, the system can be simulated:
  INTENTLENS_QT_LIBS_PRESENT=FILE  the library files present, one a line (instead of loading them)
  INTENTLENS_QT_LIBS_LDD=FILE      the text ldd printed for the plugin (instead of running ldd)
  INTENTLENS_APT_GET=COMMAND       what to run instead of apt-get
  INTENTLENS_SYSTEM_LIBS=report    only report, never install (also for people who prefer that)
"""

from __future__ import annotations

import argparse
import ctypes
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

# Library file (soname) -> the Debian/Ubuntu package that provides it. Both lists together are
# exactly what `ldd` reports "not found" for PySide6's libqxcb.so and libQt6XcbQpa.so.6 (6.11) in
# a minimal Debian 12 (debootstrap --variant=minbase); libc, libstdc++, libgcc, zlib and libzstd
# are always there, ICU ships inside PySide6.

#: Loaded by Qt on every platform, offscreen included (libQt6Gui, libQt6Widgets, libQt6DBus).
QT_LIBRARIES: dict[str, str] = {
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libX11.so.6": "libx11-6",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
}

#: Loaded by the xcb platform plugin only (a window on a display).
XCB_LIBRARIES: dict[str, str] = {
    "libxcb.so.1": "libxcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
}

PACKAGES: dict[str, str] = {**QT_LIBRARIES, **XCB_LIBRARIES}


def display_platform_used(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether Qt will open its xcb platform: QT_QPA_PLATFORM unset or naming xcb (it may list
    several, ``wayland;xcb``, each with options after a colon)."""
    platform = environ.get("QT_QPA_PLATFORM", "").strip()
    return not platform or "xcb" in [p.split(":")[0].strip() for p in platform.split(";")]


def _plugin_files(venv: Path) -> list[Path]:
    """The xcb plugin and its Qt library in the environment, once PySide6 is installed."""
    found: list[Path] = []
    for qt in sorted(venv.glob("lib/python3*/site-packages/PySide6/Qt")):
        found += [qt / "plugins" / "platforms" / "libqxcb.so", qt / "lib" / "libQt6XcbQpa.so.6"]
    return [f for f in found if f.is_file()]


def not_found_in_ldd(text: str) -> list[str]:
    """The library files ldd's output says are "not found" (in order, once each)."""
    names: list[str] = []
    for line in text.splitlines():
        name, _, where = line.strip().partition("=>")
        name = name.strip()
        if where.strip().startswith("not found") and name and name not in names:
            names.append(name)
    return names


def _ldd_text(venv: Path) -> str:
    fake = os.environ.get("INTENTLENS_QT_LIBS_LDD")
    if fake:
        return Path(fake).read_text(encoding="utf-8")
    ldd = shutil.which("ldd")
    if ldd is None:
        return ""
    text = ""
    for lib in _plugin_files(venv):
        done = subprocess.run([ldd, str(lib)], capture_output=True, text=True, check=False)
        text += done.stdout
    return text


def _loadable(name: str) -> bool:
    """Whether the dynamic loader finds the library file (as Qt would: same search path)."""
    fake = os.environ.get("INTENTLENS_QT_LIBS_PRESENT")
    if fake:
        return name in Path(fake).read_text(encoding="utf-8").split()
    try:
        ctypes.CDLL(name)
    except OSError:
        return False
    return True


def missing_libraries(venv: Path, *, display: bool) -> list[str]:
    """Library files Qt needs (with a display: its xcb platform too) that this system lacks."""
    wanted = PACKAGES if display else QT_LIBRARIES
    missing = [name for name in wanted if not _loadable(name)]
    if display:
        missing += [n for n in not_found_in_ldd(_ldd_text(venv)) if n not in missing]
    return missing


def packages_for(libraries: list[str]) -> list[str]:
    """The Debian/Ubuntu packages that provide these library files (known ones, once each)."""
    packages: list[str] = []
    for name in libraries:
        package = PACKAGES.get(name)
        if package is not None and package not in packages:
            packages.append(package)
    return packages


def _apt_get() -> list[str] | None:
    """How to run apt-get here with the right to install: as root, or sudo without a password."""
    override = os.environ.get("INTENTLENS_APT_GET")
    if override:
        return shlex.split(override)
    apt = shutil.which("apt-get")
    if apt is None:
        return None
    if os.geteuid() == 0:
        return [apt]
    sudo = shutil.which("sudo")
    if sudo is not None:
        asked = subprocess.run(
            [sudo, "-n", "true"], capture_output=True, check=False, stdin=subprocess.DEVNULL
        )
        if asked.returncode == 0:
            return [sudo, "-n", apt]
    return None


def _install(apt: list[str], packages: list[str]) -> bool:
    """Install the packages; apt's output is shown only when it fails."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    command = [*apt, "install", "-y", "-q", "--no-install-recommends", *packages]
    print(
        "Installing the system libraries Qt needs: " + shlex.join(command),
        file=sys.stderr,
        flush=True,
    )

    def attempt(args: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            args,
            env=env,
            check=False,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
        )

    done = attempt(command)
    if done.returncode != 0:  # a fresh machine may have no package lists yet
        attempt([*apt, "update", "-q"])
        done = attempt(command)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-2000:] + done.stderr[-2000:])
    return done.returncode == 0


def sentence(missing: list[str], *, display: bool, apt: bool = True) -> str:
    """The one sentence that says what is missing and the command that installs it (without
    apt-get: the library files, for the system's own package manager)."""
    packages = packages_for(missing) if apt else []
    unknown = [n for n in missing if n not in PACKAGES or not apt]
    command = f"sudo apt-get install -y {' '.join(packages)}"
    if unknown and packages:
        how = f"run `{command}` and install the package that provides {', '.join(unknown)}"
    elif unknown and not apt:
        how = "install the packages that provide them"
    elif unknown:
        how = f"install the package that provides {', '.join(unknown)}"
    else:
        how = f"run `{command}`"
    what = "Qt's window needs" if display else "Qt needs"
    skip = (
        " (the tests alone need fewer: QT_QPA_PLATFORM=offscreen skips the window's libraries)"
        if display and any(n not in QT_LIBRARIES for n in missing)
        else ""
    )
    return (
        f"{what} system libraries this machine lacks ({', '.join(missing)}): {how}, then run "
        f"this command again{skip}."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument(
        "--venv",
        type=Path,
        default=Path(__file__).resolve().parents[1] / ".venv",
        help="the virtual environment whose xcb plugin is checked with ldd (once installed)",
    )
    args = parser.parse_args(argv)
    if not sys.platform.startswith("linux"):
        return 0  # macOS and Windows: Qt's wheels bring everything
    display = display_platform_used()
    missing = missing_libraries(args.venv, display=display)
    if not missing:
        return 0
    packages = packages_for(missing)
    allowed = os.environ.get("INTENTLENS_SYSTEM_LIBS", "install") != "report"
    apt = _apt_get() if allowed and packages else None
    if apt is not None and _install(apt, packages):
        missing = missing_libraries(args.venv, display=display)
        if not missing:
            return 0
    has_apt = bool(os.environ.get("INTENTLENS_APT_GET") or shutil.which("apt-get"))
    print(sentence(missing, display=display, apt=has_apt), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
