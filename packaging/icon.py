"""Draw the program file's icon from resources/icons/intentlens.svg: an .ico for Windows and an
.icns for macOS (PyInstaller takes no SVG). Uses Qt's own SVG renderer and image writers, so
the build needs nothing beyond the application's own packages.

``python packaging/icon.py FOLDER`` writes FOLDER/intentlens.ico and FOLDER/intentlens.icns.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

SVG = Path(__file__).resolve().parents[1] / "resources" / "icons" / "intentlens.svg"
#: The largest size each format's readers take from one picture.
SIZES = {"ico": 256, "icns": 512}


def draw_icons(folder: Path) -> list[Path]:
    """Write intentlens.ico and intentlens.icns into ``folder``; returns the files written."""
    app = QGuiApplication.instance() or QGuiApplication(["icon"])  # noqa: F841 - Qt needs one
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"Cannot read {SVG}.")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for suffix, size in SIZES.items():
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        path = folder / f"intentlens.{suffix}"
        if not image.save(str(path), suffix.upper()):
            raise SystemExit(f"Qt cannot write {path} (no {suffix} image plugin).")
        written.append(path)
    return written


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python packaging/icon.py FOLDER")
    for path in draw_icons(Path(sys.argv[1])):
        print(path)
