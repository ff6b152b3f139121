"""The import wizard: choose a file, check what was detected, map columns and events, import.

Step 1 shows the file as parsed and the proposed mapping (all changeable); step 2 runs the
import on the worker with a progress bar and Cancel; step 3 reports the counts and the rejected
lines, which can be saved as CSV.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from engine.events import EVENT_TYPES, FIELDS
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
from engine.ingest.formats import KNOWN_FORMATS
from engine.ingest.timeparse import describe_format
from gui.models import RowsModel
from gui.widgets import fmt_date as _date
from gui.widgets import hint
from gui.worker import Worker
from storage.project import Project
from storage.queries import iter_rejected

ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "utf-16", "latin-1", "cp1252", "big5", "shift_jis"]
DELIMITERS = [(",", "Comma ,"), ("\t", "Tab"), (";", "Semicolon ;"), ("|", "Pipe |")]
FILE_FILTER = "Behavior logs (*.csv *.tsv *.txt *.gz *.zip *.jsonl *.json);;All files (*)"


class ImportWizard(QDialog):
    """Guides a shop owner through one import into ``project``."""

    imported = Signal(object)
    """An import finished; the payload is its ImportReport."""

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.setWindowTitle(self.tr("Import a behavior log"))
        self.setAcceptDrops(True)
        self.resize(1000, 720)
        self.path: Path | None = None
        self.options = ImportOptions()
        self.preview: FilePreview | None = None
        self.report: ImportReport | None = None
        self.worker: Worker | None = None
        self._updating = False

        layout = QVBoxLayout(self)
        self.steps = QStackedWidget()
        layout.addWidget(self.steps)
        self.steps.addWidget(self._build_choose())
        self.steps.addWidget(self._build_running())
        self.steps.addWidget(self._build_result())

    # -- step 1 --------------------------------------------------------------------------
    def _build_choose(self) -> QWidget:
        page = QWidget()
        v = QVBoxLayout(page)
        row = QHBoxLayout()
        self.file_edit = QLineEdit()
        self.file_edit.setReadOnly(True)
        self.file_edit.setPlaceholderText(self.tr("Choose a file, or drop it here"))
        choose = QPushButton(self.tr("Choose file…"))
        choose.clicked.connect(self.choose_file)
        row.addWidget(QLabel(self.tr("File:")))
        row.addWidget(self.file_edit, 1)
        row.addWidget(choose)
        v.addLayout(row)

        detected = QGroupBox(self.tr("What IntentLens found (change it if it is wrong)"))
        form = QGridLayout(detected)
        self.format_combo = QComboBox()
        self.format_combo.addItem(self.tr("Recognise automatically"), None)
        for fmt in KNOWN_FORMATS:
            self.format_combo.addItem(fmt.title, fmt.key)
        self.format_combo.addItem(self.tr("Other CSV (map the columns below)"), "csv")
        self.encoding_combo = QComboBox()
        self.encoding_combo.setEditable(True)
        self.encoding_combo.addItems(ENCODINGS)
        self.delimiter_combo = QComboBox()
        for value, label in DELIMITERS:
            self.delimiter_combo.addItem(self.tr(label), value)
        self.header_check = QCheckBox(self.tr("The first line holds column names"))
        self.found_label = QLabel()
        self.found_label.setWordWrap(True)
        form.addWidget(QLabel(self.tr("Format")), 0, 0)
        form.addWidget(self.format_combo, 0, 1)
        form.addWidget(QLabel(self.tr("Text encoding")), 0, 2)
        form.addWidget(self.encoding_combo, 0, 3)
        form.addWidget(QLabel(self.tr("Separator")), 1, 0)
        form.addWidget(self.delimiter_combo, 1, 1)
        form.addWidget(self.header_check, 1, 2, 1, 2)
        form.addWidget(self.found_label, 2, 0, 1, 4)
        v.addWidget(detected)
        self.format_combo.currentIndexChanged.connect(self._detection_changed)
        self.encoding_combo.currentTextChanged.connect(self._detection_changed)
        self.delimiter_combo.currentIndexChanged.connect(self._detection_changed)
        self.header_check.toggled.connect(self._detection_changed)

        tabs = QTabWidget()
        self.raw_model = RowsModel([])
        self.parsed_model = RowsModel([])
        for model, label in ((self.raw_model, self.tr("The file")),
                             (self.parsed_model, self.tr("As IntentLens reads it"))):
            view = QTableView()
            view.setModel(model)
            view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
            view.horizontalHeader().setDefaultSectionSize(120)
            tabs.addTab(view, label)
        tabs.setMinimumHeight(230)
        v.addWidget(tabs, 3)

        maps = QHBoxLayout()
        columns_box = QGroupBox(self.tr("Columns (* required)"))
        self.columns_grid = QGridLayout(columns_box)
        self.column_combos: dict[str, QComboBox] = {}
        labels = {
            "customer": self.tr("Customer *"), "time": self.tr("Time *"),
            "event": self.tr("Event type"), "item": self.tr("Item"),
            "category": self.tr("Category"), "name": self.tr("Item name"),
            "price": self.tr("Unit price"), "quantity": self.tr("Quantity"),
            "amount": self.tr("Amount (line total)"), "session": self.tr("Session / order"),
            "query": self.tr("Search words"),
        }
        for n, fld in enumerate(FIELDS):
            combo = QComboBox()
            combo.setMinimumWidth(130)
            combo.currentIndexChanged.connect(lambda _i, f=fld: self._column_changed(f))
            self.column_combos[fld] = combo
            self.columns_grid.addWidget(QLabel(labels[fld]), n // 2, (n % 2) * 2)
            self.columns_grid.addWidget(combo, n // 2, (n % 2) * 2 + 1)
        maps.addWidget(columns_box, 3)

        events_box = QGroupBox(self.tr("Event words (in the first rows)"))
        ev = QVBoxLayout(events_box)
        self.events_table = QTableWidget(0, 3)
        self.events_table.setHorizontalHeaderLabels(
            [self.tr("In the file"), self.tr("Rows"), self.tr("Means")]
        )
        self.events_table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Stretch
        )
        self.events_table.verticalHeader().setVisible(False)
        self.events_table.setColumnWidth(2, 130)
        ev.addWidget(self.events_table)
        self.no_event_label = hint("")
        ev.addWidget(self.no_event_label)
        maps.addWidget(events_box, 2)
        v.addLayout(maps, 2)

        self.pseudo_check = QCheckBox(
            self.tr("Replace customer ids by pseudonyms (the key stays in this project)")
        )
        v.addWidget(self.pseudo_check)
        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet("color: #b3261e;")
        v.addWidget(self.problem_label)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        cancel = QPushButton(self.tr("Close"))
        cancel.clicked.connect(self.reject)
        self.import_button = QPushButton(self.tr("Import"))
        self.import_button.setDefault(True)
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.start_import)
        buttons.addWidget(cancel)
        buttons.addWidget(self.import_button)
        v.addLayout(buttons)
        return page

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
            self, self.tr("Choose your shop's behavior log"), "", self.tr(FILE_FILTER)
        )
        if path:
            self.load_file(path)

    def load_file(self, path: str | Path) -> None:
        """Inspect a file with fresh options and show what was found."""
        self.path = Path(path)
        self.file_edit.setText(str(self.path))
        self.options = ImportOptions(pseudonymize=self.pseudo_check.isChecked())
        self._inspect()

    def _inspect(self) -> None:
        if self.path is None:
            return
        try:
            self.preview = inspect_file(self.path, self.options)
        except FileProblem as exc:
            self.preview = None
            self._show_preview()
            self.problem_label.setText(str(exc))
            return
        self._show_preview()

    def _show_preview(self) -> None:
        self._updating = True
        try:
            pv = self.preview
            self.import_button.setEnabled(pv is not None and pv.ready)
            if pv is None:
                self.raw_model.set_rows([], [])
                self.parsed_model.set_rows([], [])
                self.found_label.setText("")
                return
            self._select(self.format_combo, self.options.format)
            self.encoding_combo.setCurrentText(pv.encoding)
            self._select(self.delimiter_combo, pv.delimiter)
            self.header_check.setChecked(pv.has_header)
            self.delimiter_combo.setEnabled(pv.kind == "csv")
            self.header_check.setEnabled(pv.kind == "csv")
            packaging = {"gzip": "gzip-compressed ", "zip": "zipped "}.get(
                pv.packaging.compression or "", ""
            )
            self.found_label.setText(
                self.tr("A {0}{1} file — {2}. Times: {3}. The first {4:,} rows are shown below.").format(
                    packaging,
                    "JSON-lines" if pv.kind == "jsonl" else "CSV",
                    pv.format_title,
                    describe_format(pv.time_format) if pv.time_format else self.tr("not found"),
                    min(len(pv.rows), 200),
                )
            )
            self.raw_model.set_rows(pv.rows[:200], pv.header)
            parsed = pv.parsed_preview(50)
            self.parsed_model.set_rows(
                [tuple(r) for r in parsed.itertuples(index=False)], list(parsed.columns)
            )
            for fld, combo in self.column_combos.items():
                combo.clear()
                combo.addItem(self.tr("— not in this file —"), "")
                for name in pv.header:
                    combo.addItem(name, name)
                idx = pv.mapping.columns.get(fld)
                combo.setCurrentIndex(0 if idx is None else idx + 1)
            self._fill_events(pv)
            self.problem_label.setText("\n".join(pv.problems(for_cli=False)))
        finally:
            self._updating = False

    def _fill_events(self, pv: FilePreview) -> None:
        self.events_table.setRowCount(len(pv.event_counts))
        for row, (raw, count, canon) in enumerate(pv.event_counts):
            self.events_table.setCellWidget(row, 0, QLabel(raw))
            self.events_table.setCellWidget(row, 1, QLabel(f"{count:,}"))
            combo = QComboBox()
            combo.addItems(list(EVENT_TYPES))
            combo.setCurrentText(canon)
            combo.currentTextChanged.connect(lambda value, r=raw: self._event_changed(r, value))
            self.events_table.setCellWidget(row, 2, combo)
        if "event" in pv.mapping.columns:
            self.no_event_label.setText("")
        else:
            self.no_event_label.setText(
                self.tr("No event column: every row counts as a “{0}”.").format(
                    pv.mapping.default_event
                )
            )

    @staticmethod
    def _select(combo: QComboBox, data: Any) -> None:
        i = combo.findData(data)
        if i >= 0:
            combo.setCurrentIndex(i)

    def _detection_changed(self) -> None:
        if self._updating or self.preview is None:
            return
        self.options = replace(
            self.options,
            format=self.format_combo.currentData(),
            encoding=self.encoding_combo.currentText() or None,
            delimiter=self.delimiter_combo.currentData(),
            has_header=self.header_check.isChecked(),
            columns={},
        )
        self._inspect()

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
    def _build_running(self) -> QWidget:
        page = QWidget()
        v = QVBoxLayout(page)
        v.addStretch(1)
        self.running_label = QLabel()
        self.running_label.setStyleSheet("font-size: 15px;")
        v.addWidget(self.running_label)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        v.addWidget(self.progress)
        self.rate_label = hint("")
        v.addWidget(self.rate_label)
        row = QHBoxLayout()
        row.addStretch(1)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self.cancel_import)
        row.addWidget(self.cancel_button)
        v.addLayout(row)
        v.addStretch(2)
        return page

    def start_import(self, allow_duplicate: bool = False) -> None:
        """Run the import on the worker."""
        if self.preview is None or self.path is None:
            return
        self.options = replace(
            self.options,
            pseudonymize=self.pseudo_check.isChecked(),
            allow_duplicate=allow_duplicate or self.options.allow_duplicate,
        )
        project, path, options, preview = self.project, self.path, self.options, self.preview

        def work(should_stop: Callable[[], bool]) -> Iterator[ImportProgress]:
            return import_file(project, path, options, preview=preview, should_stop=should_stop)

        self.worker = Worker(
            work,
            cancel_types=(ImportCancelled,),
            min_interval_s=0.1,
            keep=lambda p: p.report is not None,
        )
        self.worker.signals.progressed.connect(self._progressed)
        self.worker.signals.failed.connect(self._failed)
        self.worker.signals.cancelled.connect(self._cancelled)
        self.running_label.setText(self.tr("Importing {0}…").format(path.name))
        self.progress.setValue(0)
        self.rate_label.setText("")
        self.cancel_button.setEnabled(True)
        self.steps.setCurrentIndex(1)
        self.worker.start()

    def _progressed(self, p: ImportProgress) -> None:
        self.progress.setValue(int(p.fraction * 1000))
        self.rate_label.setText(
            self.tr("{0:,} lines read · {1:,} imported · {2:,} rejected · {3:,.0f} lines/s").format(
                p.lines_read, p.imported, p.rejected, p.rows_per_s
            )
        )
        if p.report is not None:
            self.report = p.report
            self._show_result(p.report)
            self.imported.emit(p.report)

    def cancel_import(self) -> None:
        """Ask the running import to stop; the project stays as it was."""
        if self.worker is not None:
            self.cancel_button.setEnabled(False)
            self.running_label.setText(self.tr("Cancelling… nothing will be changed."))
            self.worker.cancel()

    def _cancelled(self) -> None:
        self.steps.setCurrentIndex(0)
        self.problem_label.setText(
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
        self.problem_label.setText(str(exc))
        if not isinstance(exc, FileProblem):
            QMessageBox.warning(
                self,
                self.tr("The import failed"),
                self.tr("The import failed and nothing was changed in the project.\n\n{0}").format(
                    exc
                ),
            )

    # -- step 3 --------------------------------------------------------------------------
    def _build_result(self) -> QWidget:
        page = QWidget()
        v = QVBoxLayout(page)
        self.result_title = QLabel()
        self.result_title.setStyleSheet("font-size: 16px; font-weight: 600;")
        v.addWidget(self.result_title)
        self.result_text = QLabel()
        self.result_text.setWordWrap(True)
        self.result_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        v.addWidget(self.result_text)
        self.rejected_model = RowsModel([self.tr("Line"), self.tr("Reason"), self.tr("Line text")])
        view = QTableView()
        view.setModel(self.rejected_model)
        view.verticalHeader().setVisible(False)
        view.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        view.setColumnWidth(1, 380)
        v.addWidget(view, 1)
        row = QHBoxLayout()
        self.save_rejected_button = QPushButton(self.tr("Save rejected lines as CSV…"))
        self.save_rejected_button.clicked.connect(self.save_rejected)
        row.addWidget(self.save_rejected_button)
        row.addStretch(1)
        done = QPushButton(self.tr("Done"))
        done.setDefault(True)
        done.clicked.connect(self.accept)
        row.addWidget(done)
        v.addLayout(row)
        return page

    def _show_result(self, r: ImportReport) -> None:
        self.steps.setCurrentIndex(2)
        self.result_title.setText(
            self.tr("Imported {0:,} events from {1}").format(r.imported, r.file_name)
        )
        reasons = "; ".join(
            f"{n:,} {k.replace('_', ' ')}" for k, n in r.rejected_by_reason.items()
        )
        types = ", ".join(f"{n:,} {e}" for e, n in r.events_by_type.items())
        text = [
            self.tr("{0:,} lines read: {1:,} imported, {2:,} rejected{3}.").format(
                r.lines_read, r.imported, r.rejected, f" ({reasons})" if reasons else ""
            ),
            self.tr("{0:,} customers ({1:,} new), {2:,} items, {3} to {4}, revenue {5:,.2f}.").format(
                r.customers, r.new_customers, r.items, _date(r.first_ms), _date(r.last_ms),
                r.revenue,
            ),
            self.tr("Events: {0}.").format(types) if types else "",
            self.tr("Took {0:.1f} s.").format(r.seconds),
        ]
        self.result_text.setText("\n".join(t for t in text if t))
        rows = []
        for _file, line, reason, raw in iter_rejected(self.project, r.batch_id):
            rows.append((line, reason, raw[:500]))
            if len(rows) >= 5000:
                break
        self.rejected_model.set_rows(rows)
        self.save_rejected_button.setEnabled(r.rejected > 0)

    def save_rejected(self) -> None:
        """Save this import's rejected lines (line, reason, text) as CSV."""
        if self.report is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save rejected lines"), "rejected.csv", self.tr("CSV files (*.csv)")
        )
        if path:
            n = export_rejected(self.project, path, self.report.batch_id)
            self.rate_label.setText(self.tr("Saved {0:,} rejected lines.").format(n))

    def reject(self) -> None:  # noqa: D102 - closing while importing cancels first
        if self.worker is not None and self.worker.running:
            self.cancel_import()
            return
        super().reject()

