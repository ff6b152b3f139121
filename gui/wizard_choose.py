"""The wizard's first step: the file, how it is read, the table as found and as read, the column
and event mapping, pseudonyms, and the Import button."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from engine.ingest import FilePreview, ImportOptions
from gui.models import RowsModel
from gui.widgets import hint
from gui.wizard_common import bullets, translate, warning_label
from gui.wizard_mapping import ColumnsBox, EventsBox
from gui.wizard_previous import PreviousMappingBar
from gui.wizard_reading import ReadingBox


class ChoosePage(QWidget):
    """Step 1. Owns its widgets; the wizard owns the options and reacts to their signals."""

    choose_requested = Signal()
    """The user pressed "Choose file…" (no payload)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
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
        self.file_edit.setToolTip(translate(
            "ImportWizard", "The file to import: choose another, or drop one on this window"))
        self.file_edit.setPlaceholderText(
            translate("ImportWizard", "Choose a file, or drop it here")
        )
        choose = QPushButton(translate("ImportWizard", "Choose file…"))
        choose.clicked.connect(self.choose_requested)
        row.addWidget(QLabel(translate("ImportWizard", "File:")))
        row.addWidget(self.file_edit, 1)
        row.addWidget(choose)
        v.addLayout(row)
        # The offer to reuse a mapping comes first: it replaces most of what follows.
        self.previous_bar = PreviousMappingBar()
        v.addWidget(self.previous_bar)
        self.reading = ReadingBox()
        v.addWidget(self.reading)
        # Warnings right under what was found, so they are seen without scrolling.
        self.warnings_label = warning_label()
        v.addWidget(self.warnings_label)

        tabs = QTabWidget()
        self.raw_model = RowsModel([])
        self.parsed_model = RowsModel([])
        for model, label in (
            (self.raw_model, translate("ImportWizard", "The file")),
            (self.parsed_model, translate("ImportWizard", "As IntentLens reads it")),
        ):
            view = QTableView()
            view.setModel(model)
            view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
            view.horizontalHeader().setDefaultSectionSize(120)
            view.verticalHeader().setDefaultSectionSize(24)
            tabs.addTab(view, label)
        tabs.setMinimumHeight(180)
        v.addWidget(tabs, 3)

        maps = QHBoxLayout()
        self.columns = ColumnsBox()
        self.events = EventsBox()
        maps.addWidget(self.columns, 3)
        maps.addWidget(self.events, 2)
        v.addLayout(maps)

        self.pseudo_check = QCheckBox(translate(
            "ImportWizard",
            "Replace customer ids by pseudonyms (the key is kept in a file beside the project)",
        ))
        self.pseudo_check.setToolTip(translate(
            "ImportWizard",
            "The project then holds made-up ids instead of your customers' own; only the key "
            "file beside the project turns them back into the real ones.",
        ))
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
        self.close_button = QPushButton(translate("ImportWizard", "Close"))
        self.import_button = QPushButton(translate("ImportWizard", "Import"))
        self.import_button.setDefault(True)
        self.import_button.setEnabled(False)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.import_button)
        outer.addLayout(buttons)

    def show_preview(self, pv: FilePreview | None, options: ImportOptions) -> None:
        """Show what was found in the file (``pv``), or nothing after a file problem. The caller
        ignores the change signals the widgets send meanwhile."""
        self.import_button.setEnabled(pv is not None and pv.ready)
        if pv is None:
            self.raw_model.set_rows([], [])
            self.parsed_model.set_rows([], [])
            self.reading.found_label.setText("")
            self.warnings_label.setText("")
            self.warnings_label.setVisible(False)
            self.pseudo_hint.setVisible(False)
            return
        self.reading.show_preview(pv, options)
        self.raw_model.set_rows(pv.rows[:200], pv.header)
        parsed = pv.parsed_preview(50)
        self.parsed_model.set_rows(
            [tuple(r) for r in parsed.itertuples(index=False)], list(parsed.columns)
        )
        self.columns.show_preview(pv)
        self.events.show_preview(pv)
        pseudonymize = options.pseudonymize
        self.pseudo_check.setChecked(
            pv.pseudonymize_default if pseudonymize is None else pseudonymize
        )
        self.pseudo_hint.setVisible(pv.email_customer and self.pseudo_check.isChecked())
        self.pseudo_hint.setText(translate(
            "ImportWizard",
            "The customers are e-mail addresses, so they are replaced by pseudonyms "
            "unless you uncheck this.",
        ))
        warnings = [w.message for w in pv.warnings]
        self.warnings_label.setText(bullets(warnings))
        self.warnings_label.setVisible(bool(warnings))
        self.set_problem("\n".join(pv.problems(for_cli=False)))

    def set_problem(self, text: str) -> None:
        """Show (or clear) the red line above the buttons; it takes no room while empty."""
        self.problem_label.setText(text)
        self.problem_label.setVisible(bool(text))
