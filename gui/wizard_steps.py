"""The wizard's last two steps: the import running (progress, Cancel) and its result (counts,
warnings, the rejected lines, which can be saved as CSV or Excel)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from engine.dates import day as _date
from engine.events import counts_in_words
from engine.ingest import ImportProgress, ImportReport
from engine.ingest.import_report import reason_label
from engine.words import one_or_many
from gui.models import RowsModel
from gui.widgets import hint
from gui.wizard_common import bullets, translate, warning_label
from storage.project import Project
from storage.queries import iter_rejected


class RunningPage(QWidget):
    """Step 2: what is being imported, a progress bar, the rate, and Cancel."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        v = QVBoxLayout(self)
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
        self.cancel_button = QPushButton(translate("ImportWizard", "Cancel"))
        row.addWidget(self.cancel_button)
        v.addLayout(row)
        v.addStretch(2)

    def start(self, file_name: str) -> None:
        """An import of ``file_name`` starts."""
        self.running_label.setText(translate("ImportWizard", "Importing {0}…").format(file_name))
        self.progress.setValue(0)
        self.rate_label.setText("")
        self.cancel_button.setEnabled(True)

    def show_progress(self, p: ImportProgress) -> None:
        """Show a progress report."""
        self.progress.setValue(int(p.fraction * 1000))
        self.rate_label.setText(
            translate(
                "ImportWizard",
                "{0:,} lines read · {1:,} imported · {2:,} rejected · {3:,.0f} lines/s",
            ).format(p.lines_read, p.imported, p.rejected, p.rows_per_s)
        )

    def cancelling(self) -> None:
        """Cancel was pressed: say that nothing will change."""
        self.cancel_button.setEnabled(False)
        self.running_label.setText(
            translate("ImportWizard", "Cancelling… nothing will be changed.")
        )


class ResultPage(QWidget):
    """Step 3: the counts of a finished import, its warnings and its rejected lines."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        v = QVBoxLayout(self)
        self.result_title = QLabel()
        self.result_title.setStyleSheet("font-size: 16px; font-weight: 600;")
        v.addWidget(self.result_title)
        self.result_text = QLabel()
        self.result_text.setWordWrap(True)
        self.result_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        v.addWidget(self.result_text)
        self.result_warnings = warning_label()
        v.addWidget(self.result_warnings)
        self.rejected_title = QLabel(translate("ImportWizard", "Rejected lines"))
        self.rejected_title.setStyleSheet("font-weight: 600; margin-top: 6px;")
        v.addWidget(self.rejected_title)
        self.rejected_model = RowsModel([
            translate("ImportWizard", "Line"),
            translate("ImportWizard", "Reason"),
            translate("ImportWizard", "Line text"),
        ])
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
        self.save_rejected_button = QPushButton(
            translate("ImportWizard", "Save rejected lines…")
        )
        row.addWidget(self.save_rejected_button)
        self.save_note = hint("")  # what saving did, next to the button that did it
        row.addWidget(self.save_note, 1)
        self.done_button = QPushButton(translate("ImportWizard", "Done"))
        self.done_button.setDefault(True)
        row.addWidget(self.done_button)
        v.addLayout(row)

    def show_report(self, r: ImportReport, project: Project) -> None:
        """Show the result of a finished import (its rejected lines are read from ``project``)."""
        events = r.events or r.imported
        self.result_title.setText(
            one_or_many(events, translate("ImportWizard", "Imported {0:,} event from {1}"),
                        translate("ImportWizard", "Imported {0:,} events from {1}"))
            .format(events, r.file_name)
        )
        reasons = counts_in_words(r.rejected_by_reason, reason_label, bracketed=True)
        types = counts_in_words(r.events_by_type)
        text = [
            one_or_many(
                r.lines_read,
                translate("ImportWizard", "{0:,} line read: {1:,} imported, {2:,} rejected{3}."),
                translate("ImportWizard", "{0:,} lines read: {1:,} imported, {2:,} rejected{3}."),
            ).format(
                r.lines_read, r.imported, r.rejected, f": {reasons}" if reasons else ""
            ),
            translate(
                "ImportWizard",
                "{0:,} customers ({1:,} new), {2:,} items, {3} to {4}, revenue {5:,.2f}.",
            ).format(
                r.customers, r.new_customers, r.items, _date(r.first_ms), _date(r.last_ms),
                r.revenue,
            ),
            translate("ImportWizard", "Events: {0}.").format(types) if types else "",
            translate(
                "ImportWizard",
                "{0:,} events stored from {1:,} lines: each refunded order also gives a "
                "refund event.",
            ).format(events, r.imported) if events != r.imported else "",
            translate("ImportWizard", "Customer ids were replaced by pseudonyms.")
            if r.pseudonymized else "",
            translate("ImportWizard", "Took {0:.1f} s.").format(r.seconds),
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
        for _file, line, reason, raw in iter_rejected(project, r.batch_id):
            rows.append((line, reason, raw[:500]))
            if len(rows) >= 5000:
                break
        self.rejected_model.set_rows(rows)
        self.save_rejected_button.setVisible(r.rejected > 0)
        self.save_note.setText("")
