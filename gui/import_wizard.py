"""The import wizard: choose a file, check what was detected, map columns and events, import.

Step 1 shows the file as parsed and the proposed mapping (all changeable); step 2 runs the
import on the worker with a progress bar and Cancel; step 3 reports the counts and the rejected
lines, which can be saved as CSV.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractScrollArea,
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
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from engine.events import EVENT_TYPES, FIELDS
from engine.exports import ExportError, export_rejected
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
DELIMITERS = [
    (",", "Comma ,"), ("\t", "Tab"), (";", "Semicolon ;"), ("|", "Pipe |"),
    (" ", "Spaces (aligned columns)"),
]
#: The command line's --date-order values, in words.
DATE_ORDERS = ("dmy", "mdy", "ymd")
DATE_ORDER_WORDS = {"dmy": "Day-month-year", "mdy": "Month-day-year", "ymd": "Year-month-day"}
MONEY_FIELDS = ("price", "amount", "refund_amount")
#: What an order status can mean for the order's lines.
STATUS_MEANINGS = ("purchase", "refund", "other")
WARNING_STYLE = (
    "QLabel { color: #6b4500; background: #fff4dc; border: 1px solid #f0d08a; "
    "border-radius: 4px; padding: 6px 8px; }"
)
FILE_FILTER = "Behavior logs (*.csv *.tsv *.txt *.gz *.zip *.jsonl *.json);;All files (*)"


def warning_label() -> QLabel:
    """An amber, word-wrapped box for import warnings (hidden while empty)."""
    label = QLabel()
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setStyleSheet(WARNING_STYLE)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setVisible(False)
    return label


def bullets(messages: list[str]) -> str:
    """Sentences as one rich-text block, one per paragraph, each marked as a warning."""
    return "".join(
        f"<p style='margin:0 0 4px 0'>⚠ {escape(m)}</p>" for m in messages
    )


def _words(pv: FilePreview, fld: str) -> set[str]:
    """The distinct values of a mapped column in the preview rows (empty when not mapped)."""
    idx = pv.mapping.columns.get(fld)
    if idx is None:
        return set()
    return {r[idx].strip() for r in pv.rows if len(r) > idx and r[idx].strip()}


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

        layout = QVBoxLayout(self)
        self.steps = QStackedWidget()
        layout.addWidget(self.steps)
        self.steps.addWidget(self._build_choose())
        self.steps.addWidget(self._build_running())
        self.steps.addWidget(self._build_result())

    # -- step 1 --------------------------------------------------------------------------
    def _build_choose(self) -> QWidget:
        page = QWidget()
        outer = QVBoxLayout(page)
        outer.setContentsMargins(0, 0, 0, 0)
        # Everything but the buttons scrolls: on a short screen the table and the lists stay
        # usable instead of being squeezed to nothing.
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        body = QWidget()
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        v = QVBoxLayout(body)
        v.setContentsMargins(0, 0, 6, 0)
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
        v.addWidget(self._build_detected())
        # Warnings right under what was found, so they are seen without scrolling.
        self.warnings_label = warning_label()
        v.addWidget(self.warnings_label)

        tabs = QTabWidget()
        self.raw_model = RowsModel([])
        self.parsed_model = RowsModel([])
        for model, label in ((self.raw_model, self.tr("The file")),
                             (self.parsed_model, self.tr("As IntentLens reads it"))):
            view = QTableView()
            view.setModel(model)
            view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
            view.horizontalHeader().setDefaultSectionSize(120)
            view.verticalHeader().setDefaultSectionSize(24)
            tabs.addTab(view, label)
        tabs.setMinimumHeight(180)
        v.addWidget(tabs, 3)

        maps = QHBoxLayout()
        maps.addWidget(self._build_columns(), 3)
        maps.addWidget(self._build_events(), 2)
        v.addLayout(maps)

        self.pseudo_check = QCheckBox(
            self.tr("Replace customer ids by pseudonyms (the key is kept in a file beside the project)")
        )
        self.pseudo_check.toggled.connect(self._pseudo_changed)
        v.addWidget(self.pseudo_check)
        self.pseudo_hint = hint("")
        self.pseudo_hint.setContentsMargins(22, 0, 0, 0)
        v.addWidget(self.pseudo_hint)
        # What stops the import stays next to the Import button, outside the scrolling part.
        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet("color: #b3261e;")
        self.problem_label.setVisible(False)
        outer.addWidget(self.problem_label)

        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 6, 0, 0)
        buttons.addStretch(1)
        cancel = QPushButton(self.tr("Close"))
        cancel.clicked.connect(self.reject)
        self.import_button = QPushButton(self.tr("Import"))
        self.import_button.setDefault(True)
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.start_import)
        buttons.addWidget(cancel)
        buttons.addWidget(self.import_button)
        outer.addLayout(buttons)
        return page

    def _build_detected(self) -> QGroupBox:
        """How the file is read: the same choices as the command line's reading flags."""
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
        self.skip_spin = QSpinBox()
        self.skip_spin.setRange(0, 999)
        self.skip_spin.setMaximumWidth(90)
        self.skip_spin.setToolTip(
            self.tr("Lines above the table that are not part of it: a title, notes, blank lines.")
        )
        self.header_check = QCheckBox(self.tr("The first line holds column names"))
        self.decimal_combo = QComboBox()
        self.decimal_combo.addItem(self.tr("Automatic"), None)
        self.decimal_combo.addItem(self.tr("Point (1,234.50)"), ".")
        self.decimal_combo.addItem(self.tr("Comma (1.234,50)"), ",")
        self.date_order_combo = QComboBox()
        self.date_order_combo.addItem(self.tr("Automatic"), None)
        for key in DATE_ORDERS:
            self.date_order_combo.addItem(self.tr(DATE_ORDER_WORDS[key]), key)
        self.found_label = QLabel()
        self.found_label.setWordWrap(True)
        cells: list[tuple[str, QWidget]] = [
            (self.tr("Format"), self.format_combo),
            (self.tr("Text encoding"), self.encoding_combo),
            (self.tr("Separator"), self.delimiter_combo),
            (self.tr("Decimal mark"), self.decimal_combo),
            (self.tr("Date order"), self.date_order_combo),
            (self.tr("Lines to skip above the table"), self.skip_spin),
        ]
        for n, (label, widget) in enumerate(cells):
            form.addWidget(QLabel(label), n // 3, (n % 3) * 2)
            form.addWidget(widget, n // 3, (n % 3) * 2 + 1)
        for col in (1, 3, 5):
            form.setColumnStretch(col, 1)
        form.addWidget(self.header_check, 2, 0, 1, 6)
        form.addWidget(self.found_label, 3, 0, 1, 6)
        self.format_combo.currentIndexChanged.connect(self._detection_changed)
        self.encoding_combo.currentTextChanged.connect(self._detection_changed)
        self.delimiter_combo.currentIndexChanged.connect(self._detection_changed)
        self.header_check.toggled.connect(self._detection_changed)
        self.skip_spin.valueChanged.connect(self._detection_changed)
        self.decimal_combo.currentIndexChanged.connect(self._values_changed)
        self.date_order_combo.currentIndexChanged.connect(self._values_changed)
        return detected

    def _build_columns(self) -> QGroupBox:
        box = QGroupBox(self.tr("Columns (* required)"))
        self.columns_grid = QGridLayout(box)
        self.columns_grid.setVerticalSpacing(3)
        self.columns_grid.setContentsMargins(8, 4, 8, 6)
        self.column_combos: dict[str, QComboBox] = {}
        labels = {
            "customer": self.tr("Customer *"), "time": self.tr("Time *"),
            "event": self.tr("Event type"), "item": self.tr("Item"),
            "category": self.tr("Category"), "name": self.tr("Item name"),
            "price": self.tr("Unit price"), "quantity": self.tr("Quantity"),
            "amount": self.tr("Amount (line total)"), "session": self.tr("Session / order"),
            "query": self.tr("Search words"), "status": self.tr("Order status"),
            "refund_amount": self.tr("Refunded amount"), "cancelled_at": self.tr("Cancelled at"),
        }
        for n, fld in enumerate(FIELDS):
            combo = QComboBox()
            combo.setMinimumWidth(130)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(12)
            combo.currentIndexChanged.connect(lambda _i, f=fld: self._column_changed(f))
            self.column_combos[fld] = combo
            self.columns_grid.addWidget(QLabel(labels.get(fld, fld)), n // 2, (n % 2) * 2)
            self.columns_grid.addWidget(combo, n // 2, (n % 2) * 2 + 1)
        self.columns_grid.setColumnStretch(1, 1)
        self.columns_grid.setColumnStretch(3, 1)
        return box

    def _build_events(self) -> QGroupBox:
        box = QGroupBox(self.tr("Event and order-status words (in the first rows)"))
        ev = QVBoxLayout(box)
        self.events_table = QTableWidget(0, 3)
        self.events_table.setHorizontalHeaderLabels(
            [self.tr("In the file"), self.tr("Rows"), self.tr("Means")]
        )
        self.events_table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Stretch
        )
        self.events_table.verticalHeader().setVisible(False)
        self.events_table.setColumnWidth(1, 46)
        self.events_table.setColumnWidth(2, 112)
        # As tall as its words (up to about eight), so it does not push the page into scrolling.
        self.events_table.setSizeAdjustPolicy(
            QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents
        )
        self.events_table.setMinimumHeight(90)
        self.events_table.setMaximumHeight(260)
        ev.addWidget(self.events_table, 1)
        self.default_event_row = QWidget()
        row = QHBoxLayout(self.default_event_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel(self.tr("No event column. Every line is")))
        self.default_event_combo = QComboBox()
        self.default_event_combo.addItems(list(EVENT_TYPES))
        self.default_event_combo.currentTextChanged.connect(self._default_event_changed)
        row.addWidget(self.default_event_combo)
        row.addStretch(1)
        ev.addWidget(self.default_event_row)
        self.no_event_label = hint("")
        ev.addWidget(self.no_event_label)
        ev.addStretch(0)
        return box

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
        self.options = ImportOptions()
        self._inspect()

    def _inspect(self) -> None:
        if self.path is None:
            return
        try:
            self.preview = inspect_file(self.path, self.options)
        except FileProblem as exc:
            self.preview = None
            self._show_preview()
            self._set_problem(str(exc))
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
                self.warnings_label.setText("")
                self.warnings_label.setVisible(False)
                self.pseudo_hint.setVisible(False)
                return
            self._select(self.format_combo, self.options.format)
            self.encoding_combo.setCurrentText(pv.encoding)
            if self.delimiter_combo.findData(pv.delimiter) < 0:
                self.delimiter_combo.addItem(f"“{pv.delimiter}”", pv.delimiter)
            self._select(self.delimiter_combo, pv.delimiter)
            self.header_check.setChecked(pv.has_header)
            self.skip_spin.setValue(pv.skipped_rows)
            self._select(self.decimal_combo, self.options.decimal)
            self._select(self.date_order_combo, self.options.date_order)
            detected_order = DATE_ORDER_WORDS.get(pv.date_order or "")
            self.date_order_combo.setItemText(0, (
                self.tr("Automatic ({0})").format(self.tr(detected_order).lower())
                if detected_order and self.options.date_order is None else self.tr("Automatic")
            ))
            for widget in (self.delimiter_combo, self.header_check, self.decimal_combo):
                widget.setEnabled(pv.kind == "csv")
            self.found_label.setText(self._found_text(pv))
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
            pseudonymize = self.options.pseudonymize
            self.pseudo_check.setChecked(
                pv.pseudonymize_default if pseudonymize is None else pseudonymize
            )
            self.pseudo_hint.setVisible(pv.email_customer and self.pseudo_check.isChecked())
            self.pseudo_hint.setText(
                self.tr("The customers are e-mail addresses, so they are replaced by pseudonyms "
                        "unless you uncheck this.")
            )
            warnings = [w.message for w in pv.warnings]
            self.warnings_label.setText(bullets(warnings))
            self.warnings_label.setVisible(bool(warnings))
            self._set_problem("\n".join(pv.problems(for_cli=False)))
        finally:
            self._updating = False

    def _found_text(self, pv: FilePreview) -> str:
        """One paragraph: what kind of file, its times, its money columns' number form."""
        packaging = {"gzip": "gzip-compressed ", "zip": "zipped "}.get(
            pv.packaging.compression or "", ""
        )
        parts = [
            self.tr("A {0}{1} file — {2}.").format(
                packaging, "JSON-lines" if pv.kind == "jsonl" else "CSV", pv.format_title
            )
        ]
        if pv.time_format:
            times = describe_format(pv.time_format)
            if pv.date_order in DATE_ORDER_WORDS:
                how = (
                    self.tr("as you chose") if self.options.date_order
                    else self.tr("decided from the values")
                )
                times += self.tr("; dates read {0}, {1}").format(
                    self.tr(DATE_ORDER_WORDS[pv.date_order]).lower(), how
                )
            parts.append(self.tr("Times: {0}.").format(times))
        else:
            parts.append(self.tr("Times: not found."))
        forms: dict[str, list[str]] = {}
        for fld in MONEY_FIELDS:
            idx = pv.mapping.columns.get(fld)
            form = None if idx is None else pv.mapping.number_forms.get(idx)
            if idx is not None and form is not None:
                forms.setdefault(form.describe(), []).append(f"“{pv.header[idx]}”")
        if forms:
            parts.append(
                self.tr("Money: {0}.").format(
                    "; ".join(f"{', '.join(cols)}: {words}" for words, cols in forms.items())
                )
            )
        if pv.skipped_rows:
            parts.append(self.tr("{0} lines above the table are left out.").format(pv.skipped_rows))
        parts.append(
            self.tr("The first {0:,} rows are shown below.").format(min(len(pv.rows), 200))
        )
        return " ".join(parts)

    def _fill_events(self, pv: FilePreview) -> None:
        status_words = _words(pv, "status") - _words(pv, "event")
        kinds = {raw in status_words for raw, _n, _c in pv.event_counts}
        # Name the kind of word in the header; only a mix of both marks each status word.
        self.events_table.setHorizontalHeaderItem(0, QTableWidgetItem(
            self.tr("In the file") if len(kinds) > 1
            else self.tr("Order status") if kinds == {True} else self.tr("Event word")
        ))
        self.events_table.setRowCount(len(pv.event_counts))
        for row, (raw, count, canon) in enumerate(pv.event_counts):
            is_status = raw in status_words
            word = QLabel()
            word.setTextFormat(Qt.TextFormat.RichText)
            word.setText(
                escape(raw)
                + (f" <span style='color:#5b6776'>· {self.tr('order status')}</span>"
                   if is_status and len(kinds) > 1 else "")
            )
            word.setToolTip(raw)
            self.events_table.setCellWidget(row, 0, word)
            self.events_table.setCellWidget(row, 1, QLabel(f"{count:,}"))
            combo = QComboBox()
            choices = list(STATUS_MEANINGS if is_status else EVENT_TYPES)
            if canon not in choices:
                choices.append(canon)
            combo.addItems(choices)
            combo.setCurrentText(canon)
            if is_status:
                combo.setToolTip(self.tr(
                    "purchase: the order was paid · refund: paid, then refunded · "
                    "other: not a purchase (cancelled, unpaid)"
                ))
            combo.currentTextChanged.connect(lambda value, r=raw: self._event_changed(r, value))
            self.events_table.setCellWidget(row, 2, combo)
        # No words at all: an empty table would only puzzle; the "Every line is" choice stays.
        self.events_table.setVisible(bool(pv.event_counts))
        no_events = "event" not in pv.mapping.columns
        self.default_event_row.setVisible(no_events)
        self.default_event_combo.setCurrentText(pv.mapping.default_event)
        if not no_events:
            self.no_event_label.setText("")
        elif "status" in pv.mapping.columns:
            self.no_event_label.setText(
                self.tr("The order status then says which purchases were refunded or cancelled.")
            )
        else:
            self.no_event_label.setText(
                self.tr("Choose what every line of this file is (a list of page views: “view”).")
            )
        self.no_event_label.setVisible(bool(self.no_event_label.text()))

    def _set_problem(self, text: str) -> None:
        """Show (or clear) the red line above the buttons; it takes no room while empty."""
        self.problem_label.setText(text)
        self.problem_label.setVisible(bool(text))

    @staticmethod
    def _select(combo: QComboBox, data: Any) -> None:
        i = combo.findData(data)
        if i >= 0:
            combo.setCurrentIndex(i)

    def _detection_changed(self) -> None:
        """The file's reading changed (format, encoding, separator, header, skipped lines)."""
        if self._updating or self.path is None:
            return
        pv, o = self.preview, self.options

        def chosen(shown: Any, detected: Any, before: Any) -> Any:
            # Only what the user changed becomes a fixed choice; the rest stays detected, so
            # skipping a title line can still re-detect the separator and the header. After a
            # file problem (no preview) what is shown is all there is to go on.
            return shown if pv is None or shown != detected else before

        self.options = replace(
            o,
            format=self.format_combo.currentData(),
            encoding=chosen(self.encoding_combo.currentText() or None,
                            pv and pv.encoding, o.encoding),
            delimiter=chosen(self.delimiter_combo.currentData(), pv and pv.delimiter, o.delimiter),
            has_header=chosen(self.header_check.isChecked(), pv and pv.has_header, o.has_header),
            skip_rows=chosen(self.skip_spin.value(), pv and pv.skipped_rows, o.skip_rows),
            columns={},
        )
        self._inspect()

    def _values_changed(self) -> None:
        """The decimal mark or the date order changed: the columns stay as mapped."""
        if self._updating or self.preview is None:
            return
        self.options = replace(
            self.options,
            decimal=self.decimal_combo.currentData(),
            date_order=self.date_order_combo.currentData(),
        )
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
            self.options, allow_duplicate=allow_duplicate or self.options.allow_duplicate
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
        self.result_warnings = warning_label()
        v.addWidget(self.result_warnings)
        self.rejected_title = QLabel(self.tr("Rejected lines"))
        self.rejected_title.setStyleSheet("font-weight: 600; margin-top: 6px;")
        v.addWidget(self.rejected_title)
        self.rejected_model = RowsModel([self.tr("Line"), self.tr("Reason"), self.tr("Line text")])
        view = QTableView()
        view.setModel(self.rejected_model)
        view.verticalHeader().setVisible(False)
        view.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        view.setColumnWidth(1, 380)
        self.rejected_view = view
        v.addWidget(view, 1)
        self.result_spacer = QWidget()
        v.addWidget(self.result_spacer, 1)
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
        events = r.events or r.imported
        self.result_title.setText(
            self.tr("Imported {0:,} events from {1}").format(events, r.file_name)
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
            self.tr("{0:,} events stored from {1:,} lines: each refunded order also gives a "
                    "refund event.").format(events, r.imported) if events != r.imported else "",
            self.tr("Customer ids were replaced by pseudonyms.") if r.pseudonymized else "",
            self.tr("Took {0:.1f} s.").format(r.seconds),
        ]
        self.result_text.setText("\n".join(t for t in text if t))
        warnings = [w.message for w in r.warnings]
        self.result_warnings.setText(bullets(warnings))
        self.result_warnings.setVisible(bool(warnings))
        # No rejected lines: no empty table filling the page.
        for widget in (self.rejected_title, self.rejected_view):
            widget.setVisible(r.rejected > 0)
        self.result_spacer.setVisible(r.rejected == 0)
        rows = []
        for _file, line, reason, raw in iter_rejected(self.project, r.batch_id):
            rows.append((line, reason, raw[:500]))
            if len(rows) >= 5000:
                break
        self.rejected_model.set_rows(rows)
        self.save_rejected_button.setVisible(r.rejected > 0)

    def save_rejected(self) -> None:
        """Save this import's rejected lines (line, reason, text) as CSV."""
        if self.report is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save rejected lines"), "rejected.csv", self.tr("CSV files (*.csv)")
        )
        if path:
            try:
                n = export_rejected(self.project, path, self.report.batch_id)
            except ExportError as exc:
                self.rate_label.setText(str(exc))
                return
            self.rate_label.setText(self.tr("Saved {0:,} rejected lines.").format(n))

    def reject(self) -> None:  # noqa: D102 - closing while importing cancels first
        if self.worker is not None and self.worker.running:
            self.cancel_import()
            return
        super().reject()

