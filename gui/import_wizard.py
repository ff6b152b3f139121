"""The import wizard: choose a file, check what was detected, map columns and events, import.

Step 1 shows the file as parsed and the proposed mapping (all changeable), and offers the mapping
of the last import of the same kind of file; step 2 runs the import on the worker with a progress
bar and Cancel; step 3 reports the counts and the rejected lines, which can be saved as CSV or
Excel.
The steps' widgets live in ``gui/wizard_*.py``; this dialog holds the options and the worker.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from engine.currency import note_import_currency
from engine.exports import export_rejected
from engine.ingest import (
    DuplicateImport,
    FilePreview,
    FileProblem,
    ImportCancelled,
    ImportOptions,
    ImportProgress,
    ImportReport,
    import_file,
    inspect_file,
)
from engine.ingest.mapping_memory import PreviousMapping, format_signature, previous_mapping
from gui.readonly import is_read_only, read_only_sentence
from gui.table_menu import install_table_menu
from gui.widgets import ask_export_path, export_folder, tell_failed, tell_saved
from gui.wizard_choose import ChoosePage
from gui.wizard_common import FILE_FILTER
from gui.wizard_steps import ResultPage, RunningPage
from gui.worker import Worker
from storage.project import Project


class ImportWizard(QDialog):
    """Guides a shop owner through one import into ``project``."""

    imported = Signal(object)
    """An import finished; the payload is its ImportReport."""

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.setWindowTitle(self.tr("Import a behavior log"))
        self.setAcceptDrops(True)
        # Tall enough to show the file, the columns and the warnings without scrolling; on a
        # smaller screen the first step scrolls.
        screen = self.screen().availableGeometry() if self.screen() else None
        self.resize(1000, 840 if screen is None else max(480, min(840, screen.height() - 40)))
        self.path: Path | None = None
        self.options = ImportOptions()
        self.preview: FilePreview | None = None
        self.report: ImportReport | None = None
        self.worker: Worker | None = None
        self._updating = False
        # The last import of each kind of file (by signature), read once per kind.
        self._previous: dict[str, PreviousMapping | None] = {}
        self._applied: int | None = None  # the batch whose mapping the user took over

        layout = QVBoxLayout(self)
        self.steps = QStackedWidget()
        layout.addWidget(self.steps)
        self.choose_page = ChoosePage()
        self.running_page = RunningPage()
        self.result_page = ResultPage()
        for page in (self.choose_page, self.running_page, self.result_page):
            self.steps.addWidget(page)
        self._connect()

        # The widgets users (and tests) reach through the wizard, by their names of old.
        c, reading = self.choose_page, self.choose_page.reading
        self.file_edit, self.previous_bar = c.file_edit, c.previous_bar
        self.format_combo, self.encoding_combo = reading.format_combo, reading.encoding_combo
        self.delimiter_combo, self.header_check = reading.delimiter_combo, reading.header_check
        self.skip_spin, self.decimal_combo = reading.skip_spin, reading.decimal_combo
        self.date_order_combo, self.found_label = reading.date_order_combo, reading.found_label
        self.warnings_label, self.raw_model = c.warnings_label, c.raw_model
        self.parsed_model, self.column_combos = c.parsed_model, c.columns.combos
        self.events_table, self.default_event_row = c.events.table, c.events.default_event_row
        self.default_event_combo = c.events.default_event_combo
        self.no_event_label = c.events.no_event_label
        self.pseudo_check, self.pseudo_hint = c.pseudo_check, c.pseudo_hint
        self.problem_label, self.import_button = c.problem_label, c.import_button
        run, res = self.running_page, self.result_page
        self.running_label, self.progress = run.running_label, run.progress
        self.rate_label, self.cancel_button = run.rate_label, run.cancel_button
        self.result_title, self.result_text = res.result_title, res.result_text
        self.result_warnings, self.rejected_view = res.result_warnings, res.rejected_view
        self.rejected_model = res.rejected_model
        self.save_rejected_button = res.save_rejected_button
        self._say_read_only()

    def _connect(self) -> None:
        c = self.choose_page
        c.choose_requested.connect(self.choose_file)
        c.previous_bar.apply_requested.connect(self.apply_previous_mapping)
        c.reading.reading_changed.connect(self._detection_changed)
        c.reading.values_changed.connect(self._values_changed)
        c.columns.column_changed.connect(self._column_changed)
        c.events.event_changed.connect(self._event_changed)
        c.events.default_event_changed.connect(self._default_event_changed)
        c.pseudo_check.toggled.connect(self._pseudo_changed)
        c.close_button.clicked.connect(self.reject)
        c.import_button.clicked.connect(lambda: self.start_import())
        self.running_page.cancel_button.clicked.connect(self.cancel_import)
        self.result_page.save_rejected_button.clicked.connect(self.save_rejected)
        # The table lists the first lines; its export is the button's: every rejected line.
        install_table_menu(self.result_page.rejected_view, "rejected", export=self.save_rejected)
        self.result_page.done_button.clicked.connect(self.accept)

    # -- step 1 --------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasUrls() and self.steps.currentIndex() == 0:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        urls = event.mimeData().urls()
        if urls and urls[0].isLocalFile():
            self.load_file(urls[0].toLocalFile())

    def choose_file(self) -> None:
        """Ask for a file and load it."""
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Choose your shop's behavior log"), str(export_folder()),
            self.tr(FILE_FILTER)
        )
        if path:
            self.load_file(path)

    def load_file(self, path: str | Path) -> None:
        """Inspect a file with fresh options and show what was found."""
        self.path = Path(path)
        self.file_edit.setText(str(self.path))
        self.options = ImportOptions()
        self._applied = None
        self._inspect()

    def apply_previous_mapping(self) -> None:
        """Map the file as the last import of its kind was mapped (columns, event words,
        reading choices, pseudonyms); everything stays changeable."""
        previous = self.previous_bar.previous
        if previous is None or self.path is None:
            return
        before, applied_before = self.options, self._applied
        self.options = replace(
            previous.options,
            chunk_rows=before.chunk_rows,
            allow_duplicate=before.allow_duplicate,
        )
        self._applied = previous.batch_id
        problem = self._inspect()
        if problem is not None:  # it does not fit this file after all: back to what it was
            self.options, self._applied = before, applied_before
            self._inspect()
            self._set_problem(
                self.tr("The mapping of “{0}” does not fit this file: {1}").format(
                    previous.file_name, problem
                )
            )

    def _inspect(self) -> str | None:
        """Inspect the file with the current options and show it; returns the file problem."""
        if self.path is None:
            return None
        problem = None
        try:
            self.preview = inspect_file(self.path, self.options)
        except FileProblem as exc:
            self.preview = None
            problem = str(exc)
        self._show_preview()
        if problem is not None:
            self._set_problem(problem)
        self._offer_previous()
        return problem

    def _show_preview(self) -> None:
        self._updating = True
        try:
            self.choose_page.show_preview(self.preview, self.options)
        finally:
            self._updating = False
        self._say_read_only()

    def _offer_previous(self) -> None:
        """Offer the mapping of the last import of a file of this kind, when there is one."""
        pv = self.preview
        if pv is None:
            self.previous_bar.clear()
            return
        signature = format_signature(pv)
        if signature not in self._previous:
            # One small read of the import list, once per kind of file.
            try:
                self._previous[signature] = previous_mapping(self.project, pv)
            except Exception:  # noqa: BLE001 - an offer, not a need: the import works without
                self._previous[signature] = None
        previous = self._previous[signature]
        if previous is None:
            self.previous_bar.clear()
        elif previous.batch_id == self._applied:
            self.previous_bar.show_applied(previous)
        else:
            self.previous_bar.offer(previous)

    def _set_problem(self, text: str) -> None:
        """Show (or clear) the red line above the buttons; it takes no room while empty."""
        self.choose_page.set_problem(text)
        self._say_read_only()

    def _say_read_only(self) -> bool:
        """On a read-only project the file can be looked at but not imported: the sentence
        stays above the buttons and Import is off. True when the project is read-only."""
        if not is_read_only(self.project):
            return False
        sentence = read_only_sentence(self.project)
        shown = self.choose_page.problem_label.text()
        if sentence not in shown:
            self.choose_page.set_problem("\n".join(t for t in (sentence, shown) if t))
        self.choose_page.import_button.setEnabled(False)
        return True

    def _detection_changed(self) -> None:
        """The file's reading changed (format, encoding, separator, header, skipped lines)."""
        if self._updating or self.path is None:
            return
        self.options = self.choose_page.reading.reading_options(self.preview, self.options)
        self._applied = None  # the columns start over: the earlier mapping is offered again
        self._inspect()

    def _values_changed(self) -> None:
        """The decimal mark or the date order changed: the columns stay as mapped."""
        if self._updating or self.preview is None:
            return
        self.options = self.choose_page.reading.value_options(self.options)
        self._inspect()

    def _default_event_changed(self, event: str) -> None:
        if self._updating or self.preview is None:
            return
        self.options = replace(self.options, default_event=event)
        self._inspect()

    def _pseudo_changed(self, checked: bool) -> None:
        if self._updating or self.preview is None:
            return
        # From now on the user's choice wins over the e-mail rule.
        self.options = replace(self.options, pseudonymize=checked)
        self.pseudo_hint.setVisible(self.preview.email_customer and checked)

    def _column_changed(self, fld: str) -> None:
        if self._updating or self.preview is None:
            return
        value = self.column_combos[fld].currentData()
        self.options = replace(self.options, columns={**self.options.columns, fld: value or ""})
        self._inspect()

    def _event_changed(self, raw: str, canon: str) -> None:
        if self._updating:
            return
        self.options = replace(self.options, events={**self.options.events, raw: canon})
        self._inspect()

    # -- step 2 --------------------------------------------------------------------------
    def start_import(self, allow_duplicate: bool = False) -> None:
        """Run the import on the worker."""
        if self.preview is None or self.path is None or self._say_read_only():
            return
        self.options = replace(
            self.options, allow_duplicate=allow_duplicate or self.options.allow_duplicate
        )
        project, path, options, preview = self.project, self.path, self.options, self.preview

        def work(should_stop: Callable[[], bool]) -> Iterator[ImportProgress]:
            for progress in import_file(project, path, options, preview=preview,
                                        should_stop=should_stop):
                if progress.report is not None:  # done: keep the currency its prices showed
                    note_import_currency(project, preview.mapping)
                yield progress

        self.worker = Worker(
            work,
            cancel_types=(ImportCancelled,),
            min_interval_s=0.1,
            keep=lambda p: p.report is not None,
        )
        self.worker.signals.progressed.connect(self._progressed)
        self.worker.signals.failed.connect(self._failed)
        self.worker.signals.cancelled.connect(self._cancelled)
        self.running_page.start(path.name)
        self.steps.setCurrentIndex(1)
        self.worker.start()

    def _progressed(self, p: ImportProgress) -> None:
        self.running_page.show_progress(p)
        if p.report is not None:
            self.report = p.report
            self._show_result(p.report)
            self.imported.emit(p.report)

    def cancel_import(self) -> None:
        """Ask the running import to stop; the project stays as it was."""
        if self.worker is not None:
            self.running_page.cancelling()
            self.worker.cancel()

    def _cancelled(self) -> None:
        self.steps.setCurrentIndex(0)
        self._set_problem(
            self.tr("The import was cancelled. The project is exactly as it was before.")
        )

    def _failed(self, exc: BaseException) -> None:
        self.steps.setCurrentIndex(0)
        if isinstance(exc, DuplicateImport):
            answer = QMessageBox.question(
                self,
                self.tr("Imported before"),
                str(exc).split(" (use --allow")[0] + ".\n\n" + self.tr("Import it again anyway?"),
            )
            if answer == QMessageBox.StandardButton.Yes:
                self.start_import(allow_duplicate=True)
            return
        self._set_problem(str(exc))
        if not isinstance(exc, FileProblem):
            QMessageBox.warning(
                self,
                self.tr("The import failed"),
                self.tr("The import failed and nothing was changed in the project.\n\n{0}").format(
                    exc
                ),
            )

    # -- step 3 --------------------------------------------------------------------------
    def _show_result(self, r: ImportReport) -> None:
        self.steps.setCurrentIndex(2)
        self.result_page.show_report(r, self.project)

    #: The save of rejected lines on the worker (one at a time).
    _save_worker: Worker | None = None

    def save_rejected(self, path: str | None = None) -> Worker | None:
        """Save this import's rejected lines (file, line, reason, text) as CSV or Excel by the
        file name, on the worker (asks where, starting in Documents or the last export's
        folder, unless ``path`` is given); a message says how many went where."""
        if self.report is None or self._save_worker is not None:
            return None
        if not path:
            path = ask_export_path(self, self.tr("Save rejected lines"), "rejected.csv")
            if not path:
                return None
        out = path
        note, button = self.result_page.save_note, self.result_page.save_rejected_button

        def saved(n: int) -> None:
            note.clear()
            tell_saved(self, self.tr("1 rejected line") if n == 1
                       else self.tr("{0:,} rejected lines").format(int(n)), out)

        def failed(exc: BaseException) -> None:
            note.setText(str(exc))
            tell_failed(self, str(exc))

        def finished() -> None:
            self._save_worker = None
            button.setEnabled(True)

        worker = Worker.call(export_rejected, self.project, out, self.report.batch_id)
        worker.signals.progressed.connect(saved)
        worker.signals.failed.connect(failed)
        worker.signals.finished.connect(finished)
        self._save_worker = worker
        note.setText(self.tr("Saving the rejected lines…"))
        button.setEnabled(False)
        worker.start()
        return worker

    def reject(self) -> None:  # noqa: D102 - closing while importing cancels first
        if self.worker is not None and self.worker.running:
            self.cancel_import()
            return
        super().reject()
