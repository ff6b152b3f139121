"""Starting the desktop application: settings, the project, the window, error reporting."""

from __future__ import annotations

import atexit
import os
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from importlib.resources import as_file, files
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import QCoreApplication, QLocale, QThreadPool, QTranslator
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog, QWidget

from engine.words import set_translator
from gui.settings import demo_project_path, load_settings
from gui.worker import Worker

#: The package that ships the icon and the translations as package data (``resources/``).
RESOURCES = "resources"
ICON = ("icons", "intentlens.svg")
TRANSLATIONS = ("translations",)

# Real paths handed to Qt stay valid until the process ends. An installed wheel's files are
# used where they lie; only a zipped install gets temporary copies (of a folder: Python 3.12+).
_resource_files = ExitStack()
atexit.register(_resource_files.close)


def resource_path(*parts: str) -> Path:
    """A real file-system path to a packaged resource (Qt reads paths, not package data),
    found through ``importlib.resources`` so it works from the source tree and an installed
    wheel alike."""
    item = files(RESOURCES)
    for part in parts:
        item = item / part
    return _resource_files.enter_context(as_file(item))


def app_icon() -> QIcon:
    """The application icon (window and taskbar)."""
    return QIcon(str(resource_path(*ICON)))


def load_translator(parent: QCoreApplication, locale: QLocale | None = None) -> QTranslator | None:
    """Install the translation for ``locale`` (default: the system's) if one ships; returns it
    (owned by ``parent``), or None when the application stays in English."""
    translator = QTranslator()
    folder = resource_path(*TRANSLATIONS)
    if not translator.load(locale or QLocale(), "intentlens", "_", str(folder)):
        return None
    translator.setParent(parent)
    parent.installTranslator(translator)
    # The engine's sentences (verdicts, card words, refusals) through the same translations.
    set_translator(lambda text: QCoreApplication.translate("engine", text))
    return translator


def install_excepthook(parent: Callable[[], QWidget | None]) -> None:
    """Unexpected errors reach the user as a sentence, with the details one click away."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        details = "".join(traceback.format_exception(kind, exc, tb))
        sys.stderr.write(details)
        if QApplication.instance() is None:
            return
        box = QMessageBox(parent())
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle("IntentLens")
        box.setText(
            "Something went wrong, but your project is safe: every change is saved in one "
            f"step or not at all.\n\n{exc}"
        )
        box.setDetailedText(details)
        box.exec()

    sys.excepthook = hook


def create_demo_with_progress(path: Path, parent: QWidget | None = None) -> bool:
    """Create the demo project on the worker while a progress dialog shows it is busy."""
    from engine.demo_project import create_demo_project

    dialog = QProgressDialog(
        "Preparing the demo project (a made-up shop with 2,000 customers)…", "", 0, 0, parent
    )
    dialog.setCancelButton(None)
    dialog.setWindowTitle("IntentLens")
    dialog.setMinimumDuration(0)
    outcome: dict[str, Any] = {}

    def work(_stop: Callable[[], bool]) -> Iterator[object]:
        yield create_demo_project(path)

    worker = Worker(work)
    worker.signals.progressed.connect(lambda r: outcome.setdefault("report", r))
    worker.signals.failed.connect(lambda e: outcome.setdefault("error", e))
    worker.signals.finished.connect(dialog.accept)
    worker.start()
    dialog.exec()
    QThreadPool.globalInstance().waitForDone()
    if "error" in outcome:
        QMessageBox.warning(parent, "IntentLens", f"The demo project could not be made: {outcome['error']}")
        return False
    return True


def run_gui(project: str | None = None, screenshots: str | None = None) -> int:
    """Open the main window on a project (the last one, or the demo on first start)."""
    if screenshots:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("IntentLens")
    app.setOrganizationName("IntentLens")
    app.setWindowIcon(app_icon())
    load_translator(app)
    from gui.main_window import MainWindow

    settings = load_settings()
    window = MainWindow(settings, remember=screenshots is None)
    install_excepthook(lambda: window)

    target: str | None = project or (None if screenshots else settings.last_project)
    if target is not None and not Path(target).exists() and "://" not in target:
        target = None
    if target is None:
        if screenshots:
            folder = Path(tempfile.mkdtemp(prefix="intentlens-shots-"))
            demo = folder / "demo.intentlens"
            from engine.demo_project import create_demo_project

            create_demo_project(demo)
        else:
            demo = demo_project_path()
            if not demo.exists() and not create_demo_with_progress(demo):
                return 1
        target = str(demo)
    if not window.open_project(target) and screenshots:
        return 1
    if screenshots:
        from gui.screenshots import render_all

        render_all(window, Path(screenshots))
        return 0
    window.show()
    return int(app.exec())
