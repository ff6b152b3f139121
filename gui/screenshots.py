"""Render every page (and the import wizard with a file loaded) to PNG, offscreen.

Used for the README's pictures and as the smoke test that the whole window builds.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication

from gui.import_wizard import ImportWizard
from gui.main_window import MainWindow


def _settle(rounds: int = 5) -> None:
    for _ in range(rounds):
        QThreadPool.globalInstance().waitForDone(60_000)
        QApplication.processEvents()


def render_all(window: MainWindow, folder: Path) -> list[Path]:
    """Write one PNG per page plus the import wizard's steps; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    window.resize(1280, 860)
    window.show()
    _settle()
    written: list[Path] = []
    for i in range(window.pages.count()):
        window.nav.setCurrentRow(i)
        page = window.pages.widget(i)
        if hasattr(page, "prepare_screenshot"):
            page.prepare_screenshot()
        _settle()
        name = window.nav.item(i).text().lower().replace(" ", "_")
        path = folder / f"{i + 1:02d}_{name}.png"
        window.grab().save(str(path))
        written.append(path)

    from engine.demo import write_demo_csv

    with tempfile.TemporaryDirectory(prefix="intentlens-shot-") as tmp:
        sample = Path(tmp) / "shop-export.csv"
        write_demo_csv(sample, customers=60, seed=3)
        if window.project is not None:
            # The wizard itself, never the question the demo project asks before an import.
            wizard = ImportWizard(window.project, window)
            wizard.load_file(str(sample))
            wizard.show()
            wizard.resize(1000, 720)
            _settle()
            path = folder / "import_wizard.png"
            wizard.grab().save(str(path))
            written.append(path)
            wizard.close()
    return written
