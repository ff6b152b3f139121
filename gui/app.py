"""Starting the desktop application: settings, the project, the window, error reporting."""

from __future__ import annotations

import atexit
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from importlib.resources import as_file, files
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QEventLoop,
    QLibraryInfo,
    QLocale,
    QObject,
    Qt,
    QThreadPool,
    QTimer,
    QTranslator,
)
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMessageBox,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from engine.words import set_translator
from gui.settings import LANGUAGES, Settings, demo_project_path, load_settings
from gui.worker import Worker, quick_turns, quiet_collector

if TYPE_CHECKING:
    from gui.main_window import MainWindow

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


def load_qt_translator(parent: QCoreApplication, locale: QLocale | None = None
                       ) -> QTranslator | None:
    """Install Qt's own translation for ``locale`` (``qtbase_zh_CN.qm`` from the Qt that
    PySide6 ships), so standard dialogs (file pickers, message box buttons) speak it too;
    returns it (owned by ``parent``), or None when Qt has none for it."""
    translator = QTranslator()
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not translator.load(locale or QLocale(), "qtbase", "_", folder):
        return None
    translator.setParent(parent)
    parent.installTranslator(translator)
    return translator


def interface_locale(language: str, system: QLocale | None = None) -> QLocale:
    """The locale IntentLens speaks and writes figures in for a Settings ``language``
    (gui.settings.LANGUAGES): the system's for "system"; else that language in the system's
    country where the pair exists (English in Germany writes 1.234,50), else the language's
    own (Simplified Chinese is always China's)."""
    system = system or QLocale.system()
    if language == "en":
        return QLocale(QLocale.Language.English, system.territory())
    if language == "zh_CN":
        return QLocale(QLocale.Language.Chinese, QLocale.Script.SimplifiedChineseScript,
                       system.territory())
    # The system's language with that language's own forms: Qt's system locale takes its
    # language from LANGUAGE but its date forms from LC_TIME, so LANGUAGE=zh_CN with LANG=C
    # wrote "1 06 2025" under a Chinese window.
    return QLocale(system.language(), system.script(), system.territory())


_running_language = "system"


def running_language() -> str:
    """The Settings language this run started with (a change applies at the next start)."""
    return _running_language


def apply_language(app: QCoreApplication, language: str, system: QLocale | None = None
                   ) -> list[QTranslator]:
    """What the application does at start for the Settings ``language``: make its locale the
    default (figures and dates follow it, gui.formats) and install Qt's and IntentLens's
    translations for it. Returns the translators installed (none for English)."""
    global _running_language
    if language not in LANGUAGES:
        language = "system"
    _running_language = language
    locale = interface_locale(language, system)
    QLocale.setDefault(locale)
    found = [load_qt_translator(app, locale), load_translator(app, locale)]
    if found[1] is None:  # English: the engine speaks it already
        set_translator(lambda text: text)
    return [t for t in found if t is not None]


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
        box.setText(QCoreApplication.translate(
            "MainWindow",
            "Something went wrong, but your project is safe: every change is saved in one "
            "step or not at all.",
        ) + f"\n\n{exc}")
        box.setDetailedText(details)
        box.exec()

    sys.excepthook = hook


#: What the window says while it makes the demo project on first start.
PREPARING_DEMO = (
    "IntentLens is making a demo project for you to try: a made-up shop with 2,000 customers "
    "and half a year of their visits, searches and purchases. This takes less than a minute, "
    "once; the pages fill in when it is ready."
)


class DemoProgress(QWidget):
    """The page shown in the main window while the demo project is made: a title, a sentence,
    a busy bar and the seconds so far."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("demo_progress")
        title = QLabel(QCoreApplication.translate("DemoProgress", "Preparing the demo project…"))
        title.setStyleSheet("font-size: 20px; font-weight: 600;")
        self.sentence = QLabel(QCoreApplication.translate("DemoProgress", PREPARING_DEMO))
        self.sentence.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # busy: making the demo does not say how far it is
        self.bar.setTextVisible(False)
        self.elapsed = QLabel()
        self.elapsed.setStyleSheet("color: #6b7785;")
        column = QWidget()
        column.setFixedWidth(560)
        inner = QVBoxLayout(column)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.setSpacing(14)
        for label in (title, self.sentence, self.elapsed):
            label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        for widget in (title, self.sentence, self.bar, self.elapsed):
            inner.addWidget(widget)
        # A wrapped label centred in a layout gets the height of its unwrapped hint: give it
        # the height of its lines at the column's width.
        self.sentence.setMinimumHeight(self.sentence.heightForWidth(column.width()))
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(column, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)
        self._started = time.monotonic()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        self._timer.start(1000)
        self._tick()

    def _tick(self) -> None:
        seconds = int(time.monotonic() - self._started)
        self.elapsed.setText(QCoreApplication.translate("DemoProgress", "{0} s").format(seconds))


class _HideOnClose(QObject):
    """Closing the window while the demo is made hides it at once (the demo is finished on the
    worker anyway, so the next start opens at once); ``closed`` says it happened."""

    def __init__(self) -> None:
        super().__init__()
        self.closed = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Close and isinstance(watched, QWidget):
            self.closed = True
            event.ignore()
            watched.hide()
            return True
        return False


def create_demo_with_progress(path: Path, window: MainWindow) -> bool:
    """Make the demo project on the worker while the main window (shown) says so in place of
    its pages, with its menus off. True when the demo project is ready at ``path``; a failure
    is shown as a sentence. A demo cut short never lies at ``path``: it is made beside it and
    moved there when complete."""
    from engine.demo_project import create_demo_project

    partial = path.with_name(f"{path.stem}.preparing{path.suffix}")
    sidecars = ("", "-wal", "-shm", "-journal")
    for ending in sidecars:  # left by a first start that was cut short
        Path(f"{partial}{ending}").unlink(missing_ok=True)

    panel = DemoProgress()
    window.pages.addWidget(panel)
    window.pages.setCurrentWidget(panel)
    window.nav.setEnabled(False)
    window.menuBar().setEnabled(False)
    window.setAcceptDrops(False)
    window.statusBar().showMessage(
        QCoreApplication.translate("DemoProgress", "Preparing the demo project…")
    )
    closing = _HideOnClose()
    window.installEventFilter(closing)
    outcome: dict[str, Any] = {}

    def work(_stop: Callable[[], bool]) -> Iterator[object]:
        yield create_demo_project(partial)

    loop = QEventLoop()
    worker = Worker(work)
    worker.signals.progressed.connect(lambda r: outcome.setdefault("report", r))
    worker.signals.failed.connect(lambda e: outcome.setdefault("error", e))
    worker.signals.finished.connect(loop.quit)
    worker.start()
    loop.exec()
    QThreadPool.globalInstance().waitForDone()

    window.removeEventFilter(closing)
    window.pages.removeWidget(panel)
    panel.deleteLater()
    window.pages.setCurrentIndex(window.nav.currentRow())
    window.nav.setEnabled(True)
    window.menuBar().setEnabled(True)
    window.setAcceptDrops(True)
    window.statusBar().clearMessage()
    if "error" in outcome:
        if not closing.closed:
            QMessageBox.warning(
                window, "IntentLens", f"The demo project could not be made: {outcome['error']}"
            )
        return False
    for ending in sidecars:
        if Path(f"{partial}{ending}").exists():
            os.replace(f"{partial}{ending}", f"{path}{ending}")
    return True


def start_application() -> tuple[QApplication, Settings]:
    """The application object (made unless one exists) with IntentLens's names, icon and the
    Settings language applied; the settings read."""
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("IntentLens")
    app.setOrganizationName("IntentLens")
    app.setWindowIcon(app_icon())
    settings = load_settings()
    apply_language(app, settings.language)
    quiet_collector()  # no full garbage collections in the middle of the user's work
    quick_turns()  # worker threads hand the GIL back to the window within a millisecond
    return app, settings


def make_window(settings: Settings, *, remember: bool = True, pages: bool = True) -> MainWindow:
    """The main window, not shown yet and without a project, as ``run_gui`` makes it (the
    start-up benchmark opens a project in it the same way). ``pages=False``: only the frame,
    cheap to show; ``window.build_pages()`` adds the pages (see ``show_window_first``)."""
    from gui.main_window import MainWindow

    window = MainWindow(settings, remember=remember, pages=pages)
    install_excepthook(lambda: window)
    return window


def show_window_first(app: QApplication, window: MainWindow, project: str | None = None) -> None:
    """Show the window's frame ("Opening…") and wait until it is on the screen (half a second
    at most), then build the pages: the window appears in a fraction of a second, before
    pandas, SQLAlchemy and pyqtgraph are loaded, rather than after them, and it answers
    while they load (``MainWindow.build_pages``). ``project`` opens as soon as the Data page
    stands (a problem is said in a message box, and the window stays without a project)."""
    window.show()
    deadline = time.monotonic() + 0.5
    handle = window.windowHandle()
    while (handle is None or not handle.isExposed()) and time.monotonic() < deadline:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        handle = window.windowHandle()
    app.processEvents()  # painted
    if not window.isHidden():  # else closed before it was painted: run_gui ends
        window.build_pages(project)


def _render_pages(window: MainWindow, target: str, folder: Path) -> int:
    """``--screenshots``: every page of the project at ``target`` to PNG in ``folder``; a project
    that cannot be opened is a sentence on stderr (nobody is there to click a message box)."""
    from gui.screenshots import render_all
    from storage.project import ProjectError, open_project

    try:
        window.set_project(open_project(target))
    except ProjectError as exc:
        print(window.tr("Cannot open the project") + ": " + str(exc), file=sys.stderr)
        return 1
    render_all(window, folder)
    return 0


def _screenshots_of_demo(window: MainWindow, folder: Path) -> int:
    """``--screenshots DIR`` without ``--project``: render a demo project made for the purpose
    in a temporary folder, and remove it afterwards (about 20 MB a run otherwise left behind)."""
    import tempfile

    from engine.demo_project import create_demo_project

    with tempfile.TemporaryDirectory(prefix="intentlens-shots-", ignore_cleanup_errors=True) as tmp:
        demo = Path(tmp) / "demo.intentlens"
        create_demo_project(demo)
        try:
            return _render_pages(window, str(demo), folder)
        finally:
            window.close()  # closes the project, so the folder can go


def run_gui(project: str | None = None, screenshots: str | None = None) -> int:
    """Open the main window on a project (the last one, or the demo on first start)."""
    if screenshots:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app, settings = start_application()
    # Interactive: the window's frame first, its pages a moment later (show_window_first).
    window = make_window(settings, remember=screenshots is None, pages=bool(screenshots))
    target: str | None = project or (None if screenshots else settings.last_project)
    missing = target is not None and not Path(target).exists() and "://" not in target
    if missing and screenshots:  # a command: say so, rather than render a demo instead
        print(window.tr("There is no project at {0}.").format(target), file=sys.stderr)
        return 1
    if missing:
        target = None
    if screenshots:
        if target is None:
            return _screenshots_of_demo(window, Path(screenshots))
        return _render_pages(window, target, Path(screenshots))
    demo = demo_project_path()
    if target is None and demo.exists():
        target = str(demo)
    show_window_first(app, window, target)  # opens the project as soon as it can
    if window.isHidden():  # closed while it was coming up
        return 0
    if target is None:
        # First start: the window at once, saying what it prepares, not a blank wait.
        ready = create_demo_with_progress(demo, window)
        if window.isHidden():  # closed while the demo was made
            return 0
        if not ready:  # said in a sentence; the window stays, without a project
            return int(app.exec())
        window.open_project(str(demo))  # a problem is said in a message box
    window.show()
    window.offer_tour()  # first start on the demo: four steps, not modal, once
    return int(app.exec())
