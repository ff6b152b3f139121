"""The main window: navigation, pages, menus. Layout and wiring only; pages own their logic."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QCoreApplication,
    QEventLoop,
    QSettings,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QWidget,
)

from engine.currency import shop_currency
from gui import formats
from gui.settings import Settings, save_settings
from gui.worker import Worker, collect_now
from storage import PROJECT_SUFFIX

if TYPE_CHECKING:
    from gui.help_guide import HelpDialog
    from gui.import_wizard import ImportWizard
    from gui.tour import Tour
    from storage.project import Project

PROJECT_FILTER = f"IntentLens projects (*{PROJECT_SUFFIX});;All files (*)"


class MainWindow(QMainWindow):
    """Navigation on the left, the current page on the right, File menu on top."""

    project_changed = Signal(object)
    """A project was opened (payload: the Project) or closed (None)."""
    run_saved = Signal(str, int)
    """A run of task (key) was saved or made active (run id); each page decides if it cares."""

    def __init__(self, settings: Settings, *, remember: bool = True, pages: bool = True) -> None:
        super().__init__()
        self.settings = settings
        self.remember = remember
        self.project: Project | None = None
        self.wizard: ImportWizard | None = None
        self.tour: Tour | None = None
        self.setWindowTitle("IntentLens")
        self.setAcceptDrops(True)
        self.resize(1280, 860)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.nav = QListWidget()
        self.nav.setFixedWidth(170)
        self.nav.setStyleSheet(
            "QListWidget { background: #1d2a3a; color: #dfe6ee; border: none; font-size: 14px; "
            "padding-top: 12px; } QListWidget::item { padding: 10px 14px; } "
            "QListWidget::item:selected { background: #2a6fdb; color: white; }"
        )
        self.pages = QStackedWidget()
        layout.addWidget(self.nav)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        self.nav.currentRowChanged.connect(self.pages.setCurrentIndex)

        self.project_label = QLabel()
        self.statusBar().addPermanentWidget(self.project_label)
        geometry = QSettings("IntentLens", "IntentLens").value("geometry")
        if geometry is not None and remember:
            self.restoreGeometry(geometry)
        # Every page's entry from the start, each showing "Opening…" until build_pages puts
        # the page in its place: the navigation never moves while the pages come.
        self._placeholders: dict[int, QLabel] = {}
        for row, name in enumerate(self._page_names()):
            QListWidgetItem(name, self.nav)
            waiting = QLabel(self.tr("Opening…"))
            waiting.setAlignment(Qt.AlignmentFlag.AlignCenter)
            waiting.setStyleSheet("color: #666; font-size: 15px;")
            self.pages.addWidget(waiting)
            self._placeholders[row] = waiting
        self.nav.setCurrentRow(0)
        if pages:
            self.build_pages()
        # else shown at once; build_pages() follows (gui.app.run_gui)

    def _page_names(self) -> list[str]:
        """The navigation's entries, in order (build_pages puts each page at its row)."""
        return [self.tr("Data"), self.tr("Train"), self.tr("Customers"), self.tr("Campaign"),
                self.tr("Forecast"), self.tr("Segments")]

    def build_pages(self, project: str | Path | None = None) -> None:
        """The pages, their wiring and the menus: the window's heavy part (pandas, SQLAlchemy
        and pyqtgraph load here), apart so the window can be shown before it.

        A window on the screen goes on answering while each page's modules load (on a
        thread, ``import_answering``) and between one page and the next. With ``project``,
        the project opens as soon as the Data page stands, and the Customers page comes
        next: their summary and table are read on workers while the other pages load, so
        what a user sees first is complete in about the time the first two pages take."""
        self._load("storage.project", "gui.pages.data_page")
        from gui.pages.data_page import DataPage

        self.data_page = DataPage()
        self.data_page.import_requested.connect(self.import_file)
        self.add_page(self.tr("Data"), self.data_page, position=0)
        if project is not None and not self.isHidden():  # hidden: closed while it loaded
            self.open_project(project)  # a problem is said in a message box
        self._load("gui.pages.customers_page")
        from gui.pages.customers_page import CustomersPage

        self.customers_page = CustomersPage()
        self.add_page(self.tr("Customers"), self.customers_page, position=2)
        # What a user sees first, the Data page's summary and the customer list, is read
        # before the other pages load and compete with it for the interpreter (2 s at most:
        # a list of a million customers takes longer, and the other pages come meanwhile).
        self._settle(lambda: not self.customers_page.loading, limit_s=2.0)
        self._load("gui.pages.train_page", "gui.report")
        from gui.pages.train_page import TrainPage

        self.train_page = TrainPage()
        self.add_page(self.tr("Train"), self.train_page, position=1)
        self.data_page.loaded.connect(lambda summary: self.train_page.show_overview(summary.overview))
        if self.data_page.summary is not None:  # read before the Train page stood
            self.train_page.show_overview(self.data_page.summary.overview)
        self._load("gui.pages.campaign_page")
        from gui.pages.campaign_page import CampaignPage

        self.campaign_page = CampaignPage()
        self.add_page(self.tr("Campaign"), self.campaign_page, position=3)
        self.campaign_page.train_requested.connect(lambda: self.show_page(self.train_page))
        self._load("gui.pages.forecast_page")
        from gui.pages.forecast_page import ForecastPage

        self.forecast_page = ForecastPage()
        self.add_page(self.tr("Forecast"), self.forecast_page, position=4)
        self.forecast_page.train_requested.connect(lambda: self.show_page(self.train_page))
        self._load("gui.pages.segments_page", "gui.readonly")
        from gui.pages.segments_page import SegmentsPage

        self.segments_page = SegmentsPage()
        self.add_page(self.tr("Segments"), self.segments_page, position=5)
        self.segments_page.customer_selected.connect(self.open_customer)
        self.customers_page.forgotten.connect(lambda _key: self.data_page.refresh())
        self.customers_page.forgotten.connect(lambda _key: self.segments_page.refresh())
        self.train_page.run_saved.connect(self.run_saved)
        # Every page hears "run saved for task X" and decides whether it cares.
        self.run_saved.connect(self.customers_page.run_saved)
        self.run_saved.connect(self.segments_page.run_saved)
        self.run_saved.connect(self.campaign_page.run_saved)
        self.run_saved.connect(self.forecast_page.run_saved)
        self._answer()
        self._build_menus()
        from gui.readonly import install_read_only_notice

        install_read_only_notice(self)

    def _load(self, *modules: str) -> None:
        """Import a page's modules; a window on the screen goes on answering meanwhile (they
        load on a thread), else they are imported where the page's build names them."""
        if self.isVisible():
            from gui.worker import import_answering

            QCoreApplication.processEvents()
            import_answering(QCoreApplication.instance(), modules)

    def _settle(self, done: Callable[[], bool], *, limit_s: float) -> None:
        """A window on the screen answers until ``done()`` (or ``limit_s`` seconds)."""
        # Waiting for events (not polling, which would hold the interpreter the workers
        # need); the timer wakes the wait to look at done() and the clock.
        tick = QTimer()
        tick.start(20)
        deadline = time.monotonic() + limit_s
        while self.isVisible() and not done() and time.monotonic() < deadline:
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
        tick.stop()

    def _answer(self) -> None:
        """Let a window that is on the screen paint and answer input (build_pages)."""
        if self.isVisible():
            QCoreApplication.processEvents()

    def add_page(self, name: str, page: QWidget, position: int) -> None:
        """Put a page in its navigation entry's place (``position``, where "Opening…" stood);
        pages with set_project follow the project, from the one already open if there is one."""
        waiting = self._placeholders.pop(position)
        current = self.pages.currentIndex()
        self.pages.insertWidget(position, page)
        self.pages.removeWidget(waiting)
        waiting.deleteLater()
        self.pages.setCurrentIndex(current)
        self.nav.item(position).setText(name)
        if hasattr(page, "set_project"):
            self.project_changed.connect(page.set_project)
            if self.project is not None:
                page.set_project(self.project)

    def open_customer(self, customer_id: int) -> None:
        """Switch to the Customers page with one customer's card open."""
        self.show_page(self.customers_page)
        self.customers_page.show_customer(customer_id)

    def show_page(self, page: QWidget) -> None:
        """Switch to a page."""
        self.nav.setCurrentRow(self.pages.indexOf(page))

    # -- menus ---------------------------------------------------------------------------
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        new = QAction(self.tr("&New project…"), self)
        new.setShortcut(QKeySequence.StandardKey.New)
        new.triggered.connect(self.new_project)
        open_ = QAction(self.tr("&Open project…"), self)
        open_.setShortcut(QKeySequence.StandardKey.Open)
        open_.triggered.connect(self.choose_project)
        self.recent_menu = QMenu(self.tr("Open &recent"), self)
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        server = QAction(self.tr("&Connect to a database server…"), self)
        server.triggered.connect(self.connect_server)
        imp = QAction(self.tr("&Import a file…"), self)
        imp.setShortcut(QKeySequence("Ctrl+I"))
        imp.triggered.connect(self.import_file)
        # Ctrl+E: the current page's main export button (when it has one and it is enabled).
        self.export_action = QAction(self.tr("&Export…"), self)
        self.export_action.setShortcut(QKeySequence("Ctrl+E"))
        self.export_action.triggered.connect(self.export_current)
        file_menu.aboutToShow.connect(
            lambda: self.export_action.setEnabled(self._export_button() is not None))
        # Re-enabled on hide: a disabled action's shortcut would stay dead.
        file_menu.aboutToHide.connect(lambda: self.export_action.setEnabled(True))
        rej = QAction(self.tr("Export &rejected lines…"), self)
        rej.triggered.connect(self.export_rejected)
        # The one-page report to print or mail, as PDF or HTML (gui/report.py).
        from gui.report import ReportSaver

        self.report_saver = ReportSaver(self)
        self.report_action = QAction(self.tr("&Project report…"), self)
        self.report_action.triggered.connect(
            lambda _checked=False: self.report_saver.save(self.project))
        settings = QAction(self.tr("&Settings…"), self)
        settings.setShortcut(QKeySequence.StandardKey.Preferences)
        settings.setMenuRole(QAction.MenuRole.PreferencesRole)
        settings.triggered.connect(self.open_settings)
        quit_ = QAction(self.tr("&Quit"), self)
        quit_.setShortcut(QKeySequence.StandardKey.Quit)
        quit_.triggered.connect(self.close)
        file_menu.addAction(new)
        file_menu.addAction(open_)
        file_menu.addMenu(self.recent_menu)
        file_menu.addAction(server)
        file_menu.addSeparator()
        file_menu.addAction(imp)
        file_menu.addAction(self.export_action)
        file_menu.addAction(rej)
        file_menu.addAction(self.report_action)
        file_menu.addSeparator()
        file_menu.addAction(settings)
        file_menu.addSeparator()
        file_menu.addAction(quit_)
        self._build_go_menu()
        self._build_help_menu()

    def _build_help_menu(self) -> None:
        """Help: the current page's guide (F1), what the numbers mean, the tour, About."""
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        guide = QAction(self.tr("&Guide to this page"), self)
        guide.setShortcut(QKeySequence.StandardKey.HelpContents)  # F1
        guide.triggered.connect(self.show_page_guide)
        numbers = QAction(self.tr("What do these &numbers mean?"), self)
        numbers.triggered.connect(self.show_numbers_help)
        tour = QAction(self.tr("Take the &tour"), self)
        tour.triggered.connect(self.start_tour)
        about = QAction(self.tr("&About IntentLens"), self)
        about.setMenuRole(QAction.MenuRole.AboutRole)
        about.triggered.connect(self._about)
        for action in (guide, numbers, tour):
            help_menu.addAction(action)
        help_menu.addSeparator()
        help_menu.addAction(about)

    def show_page_guide(self) -> HelpDialog:
        """Help → Guide to this page (F1): the guide of the page shown."""
        from gui.help_guide import PAGES, show_help

        pages = (self.data_page, self.train_page, self.customers_page, self.campaign_page,
                 self.forecast_page, self.segments_page)
        current = self.pages.currentWidget()
        key = next((k for k, p in zip(PAGES, pages, strict=True) if p is current), PAGES[0])
        return show_help(self, key)

    def show_numbers_help(self) -> HelpDialog:
        """Help → What do these numbers mean?"""
        from gui.help_guide import show_help

        return show_help(self, None)

    def offer_tour(self) -> Tour | None:
        """The first-start tour, on the demo project, until it was finished or skipped once."""
        if self.settings.tour_done or self.project is None \
                or self.project.get_meta("demo_seed") is None:
            return None
        return self.start_tour()

    def start_tour(self) -> Tour:
        """Help → Take the tour: the four steps, each showing its page (one tour at a time)."""
        from gui.tour import Tour

        if self.tour is None:
            self.tour = Tour(lambda attr: self.show_page(getattr(self, attr)), self)
            self.tour.ended.connect(self._tour_ended)
            self.tour.show()
            self.tour.place()
        self.tour.raise_()
        return self.tour

    def _tour_ended(self, _finished: bool) -> None:
        """Finished or skipped: never offered again."""
        self.tour = None
        self.settings.tour_done = True
        if self.remember:
            save_settings(self.settings)

    def _build_go_menu(self) -> None:
        """Go: every page with Ctrl+1 … Ctrl+6 (in the navigation's order), and Find."""
        go_menu = self.menuBar().addMenu(self.tr("&Go"))
        self.page_actions: list[QAction] = []
        for i in range(self.pages.count()):
            action = QAction(self.nav.item(i).text(), self)
            if i < 9:
                action.setShortcut(QKeySequence(f"Ctrl+{i + 1}"))
            action.triggered.connect(lambda _checked=False, row=i: self.nav.setCurrentRow(row))
            go_menu.addAction(action)
            self.page_actions.append(action)
        go_menu.addSeparator()
        self.find_action = QAction(self.tr("&Find…"), self)
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)  # Ctrl+F
        self.find_action.triggered.connect(self.find_current)
        go_menu.addAction(self.find_action)

    def _find_box(self) -> QLineEdit | None:
        """The current page's search box: Customers' "Find a customer by id…", Forecast's
        series picker; None on pages without one."""
        page = self.pages.currentWidget()
        if page is self.customers_page:
            return self.customers_page.search
        if page is self.forecast_page:
            return self.forecast_page.series.lineEdit()
        return None

    def find_current(self) -> None:
        """Ctrl+F: put the cursor in the current page's search box, its text selected."""
        box = self._find_box()
        if box is not None and box.isVisible() and box.isEnabled():
            box.setFocus(Qt.FocusReason.ShortcutFocusReason)
            box.selectAll()

    def _export_button(self) -> QPushButton | None:
        """The current page's main export button, when it shows and is enabled."""
        page = self.pages.currentWidget()
        buttons: list[tuple[QWidget, QPushButton]] = [
            (self.customers_page, self.customers_page.export_shown_button),  # what you see
            (self.campaign_page, self.campaign_page.export_button),  # "Export list…"
            (self.forecast_page, self.forecast_page.export_button),  # "Export forecast…"
            (self.segments_page, self.segments_page.export_one_button),  # this segment
        ]
        button = next((b for p, b in buttons if p is page), None)
        if button is None or page is None or not button.isVisibleTo(page) or not button.isEnabled():
            return None
        return button

    def export_current(self) -> None:
        """Ctrl+E / File → Export…: what the current page's main export button does."""
        button = self._export_button()
        if button is None:
            self.statusBar().showMessage(self.tr("Nothing to export on this page."), 5000)
            return
        button.click()

    def open_settings(self) -> None:
        """File → Settings: the language (from the next start) and the project's currency."""
        from gui.settings_dialog import SettingsDialog

        before = self.settings.language
        dialog = SettingsDialog(self.settings, self.project, self, save=self.remember)
        if dialog.exec() != SettingsDialog.DialogCode.Accepted:
            return
        if self.settings.language != before:
            self.statusBar().showMessage(
                self.tr("The language changes when IntentLens starts again."), 8000)
        if dialog.currency_changed and self.project is not None:
            self.show_project_again()

    def show_project_again(self) -> None:
        """Every page shows the open project afresh (after an import or a new currency)."""
        if self.project is not None:
            formats.set_currency(shop_currency(self.project))
            self.project_changed.emit(self.project)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for path in self.settings.recent_projects:
            action = self.recent_menu.addAction(path)
            action.triggered.connect(lambda _checked=False, p=path: self.open_project(p))
        if not self.settings.recent_projects:
            self.recent_menu.addAction(self.tr("(none yet)")).setEnabled(False)

    def _about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About IntentLens"),
            self.tr(
                "IntentLens learns from your shop's behavior log which customers are about to "
                "buy, what kinds of customers you have and what to offer them. Everything runs "
                "on this computer: your data never leaves it."
            ),
        )

    # -- projects ------------------------------------------------------------------------
    def busy(self) -> bool:
        """Whether training or an import is running on the open project."""
        train = getattr(self, "train_page", None)  # None until build_pages
        workers = [train.worker if train else None, self.wizard.worker if self.wizard else None]
        return any(w is not None and w.running for w in workers)

    def open_project(self, location: str | Path, *, create: bool = False) -> bool:
        """Open a project (a file, or a database server's URL); a problem is shown as a
        sentence and the old project stays."""
        if self.busy():
            QMessageBox.information(
                self,
                self.tr("Open project"),
                self.tr("Wait until the running training or import ends (or stop it) first."),
            )
            return False
        from storage.project import ProjectError, open_project

        try:
            project = open_project(location, create=create)
        except ProjectError as exc:
            QMessageBox.warning(self, self.tr("Cannot open the project"), str(exc))
            self.settings.forget(str(location))
            return False
        self.set_project(project)
        return True

    def set_project(self, project: Project) -> None:
        """Show an already-open project in every page."""
        if self.project is not None:
            self.project.close()
            collect_now()  # what the last project left in reference cycles (quiet_collector)
        self.project = project
        self.setWindowTitle(f"{project.name} — IntentLens")
        # A server's address with its password masked (Project.name).
        self.project_label.setText(str(project.path or project.name))
        formats.set_currency(shop_currency(project))
        # A server's address is remembered only when it holds no password: none is stored.
        known = project.location if project.location == project.address else None
        if project.path is not None:
            known = str(project.path)
        if self.remember and known is not None:
            self.settings.remember(known)
            save_settings(self.settings)
        self.project_changed.emit(project)

    def new_project(self) -> None:
        """Create an empty project file and open it."""
        if self.busy():
            QMessageBox.information(
                self,
                self.tr("New project"),
                self.tr("Wait until the running training or import ends (or stop it) first."),
            )
            return
        from gui.widgets import export_folder
        from storage.project import ProjectError, open_project

        # In the user's Documents (or the folder of the last save), never the app's own folder.
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("New project"), str(export_folder() / f"shop{PROJECT_SUFFIX}"),
            self.tr(PROJECT_FILTER)
        )
        if not path:
            return
        if not path.endswith(PROJECT_SUFFIX):
            path += PROJECT_SUFFIX
        if Path(path).exists():
            QMessageBox.warning(
                self, self.tr("New project"),
                self.tr("“{0}” already exists: choose another name.").format(Path(path).name),
            )
            return
        try:
            project = open_project(path, create=True)
        except ProjectError as exc:
            QMessageBox.warning(self, self.tr("Cannot create the project"), str(exc))
            return
        self.set_project(project)

    def connect_server(self) -> bool:
        """File → Connect to a database server…: open the project in a PostgreSQL database
        (an empty database becomes one); the address last used is offered again."""
        from gui.server_dialog import ServerDialog

        last = next((p for p in self.settings.recent_projects if "://" in p), "")
        dialog = ServerDialog(self, last)
        if dialog.exec() != ServerDialog.DialogCode.Accepted:
            return False
        return self.open_project(dialog.location(), create=True)

    def choose_project(self) -> None:
        """Ask for a project file and open it."""
        from gui.widgets import export_folder

        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Open project"), str(export_folder()), self.tr(PROJECT_FILTER)
        )
        if path:
            self.open_project(path)

    # -- import / export -----------------------------------------------------------------
    def import_file(self, path: str | None = None) -> ImportWizard | None:
        """Open the import wizard (with a file already chosen when given)."""
        if self.project is None:
            QMessageBox.information(
                self, self.tr("Import"), self.tr("Open or create a project first.")
            )
            return None
        from gui.readonly import refuse_if_read_only

        if refuse_if_read_only(self, self.project, self.tr("Import")):
            return None
        if not self._import_target_ok():
            return None
        assert self.project is not None
        from gui.import_wizard import ImportWizard  # its importer loads when first needed

        wizard = ImportWizard(self.project, self)
        # The currency first: the import may have just told it.
        wizard.imported.connect(lambda _report: self.show_project_again())
        wizard.imported.connect(lambda _report: self.data_page.refresh())
        self.wizard = wizard
        if isinstance(path, str) and path:
            wizard.load_file(path)
        wizard.show()
        return wizard

    def _import_target_ok(self) -> bool:
        """In the demo project, offer a project of its own for the shop's data first (mixed
        with generated customers, every number would be wrong)."""
        assert self.project is not None
        if self.project.get_meta("demo_seed") is None:
            return True
        choice = self.ask_demo_import()
        if choice == "new":
            before = self.project
            self.new_project()
            return self.project is not before
        return choice == "demo"

    def ask_demo_import(self) -> str:
        """Ask where the file goes: "new" (a new project), "demo" or "cancel"."""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Import"))
        box.setText(self.tr(
            "This is the demo project, full of generated customers. Import your shop's file "
            "into a new project of its own?"
        ))
        box.setInformativeText(self.tr(
            "Mixed with the demo's customers, every number and model would describe neither."
        ))
        new = box.addButton(self.tr("New project for my data…"), QMessageBox.ButtonRole.AcceptRole)
        demo = box.addButton(self.tr("Add it to the demo"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(new)
        box.exec()
        clicked = box.clickedButton()
        return "new" if clicked is new else "demo" if clicked is demo else "cancel"

    #: The export of rejected lines on the worker (one at a time).
    _rejected_worker: Worker | None = None

    def export_rejected(self, path: str | None = None) -> Worker | None:
        """Save every rejected line of the project (file, line, reason, raw text) as CSV or
        Excel by the file name, on the worker (asks where, starting in Documents or the last
        export's folder, unless ``path`` is given); a message says how many went where."""
        if self.project is None or self._rejected_worker is not None:
            return None
        from gui.widgets import ask_export_path, tell_failed, tell_saved

        caption = self.tr("Export rejected lines")
        if not path:
            path = ask_export_path(self, caption, "rejected.csv")
            if not path:
                return None
        from engine.exports import export_rejected

        out = path
        worker = Worker.call(export_rejected, self.project, out)
        worker.signals.progressed.connect(lambda n: tell_saved(
            self, self.tr("1 rejected line") if n == 1
            else self.tr("{0:,} rejected lines").format(int(n)), out))
        worker.signals.failed.connect(lambda exc: tell_failed(self, str(exc)))
        worker.signals.finished.connect(lambda: setattr(self, "_rejected_worker", None))
        self._rejected_worker = worker
        self.statusBar().showMessage(self.tr("Saving the rejected lines…"))
        worker.start()
        return worker

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile():
            local = urls[0].toLocalFile()
            if local.endswith(PROJECT_SUFFIX):
                self.open_project(local)
            else:
                self.import_file(local)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        train = getattr(self, "train_page", None)  # None until build_pages
        if train is not None and train.worker is not None and train.worker.running:
            answer = QMessageBox.question(
                self,
                self.tr("Training is running"),
                self.tr("Stop training and quit? The best model so far is kept."),
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
            train.stop_now(keep=True)
        if self.wizard is not None and self.wizard.worker is not None and self.wizard.worker.running:
            self.wizard.cancel_import()  # nothing of a half-done import is kept
        # Work in flight stops at its next check; wait so the project closes cleanly.
        QThreadPool.globalInstance().waitForDone(60_000)
        if self.remember:
            QSettings("IntentLens", "IntentLens").setValue("geometry", self.saveGeometry())
        if self.project is not None:
            self.project.close()
            self.project = None
        event.accept()

