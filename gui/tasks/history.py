"""The run history of every task: one line per run, shown again or made the active model.

Each run reads as its task names it (``engine.runs.task_title``) with its own one-line summary
(``engine.runs.headline``). Making a run active writes to the project, so it runs on the worker.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from engine import runs
from gui.models import RowsModel
from gui.table_menu import install_table_menu
from gui.tasks.form import tr
from gui.widgets import title
from gui.worker import Worker
from storage.project import Project
from storage.runs import RunInfo, list_runs


def fmt_secs(s: float) -> str:
    """Seconds as "42 s" or "3 min 05 s" ("–" when unknown)."""
    if not math.isfinite(s):
        return "–"
    s = int(round(s))
    if s >= 60:
        return tr("{0} min {1:02d} s").format(s // 60, s % 60)
    return tr("{0} s").format(s)


class RunHistory(QWidget):
    """The table of runs with "Show run" and "Use this model"."""

    show_requested = Signal(object)
    """The user asked to see a run again (payload: its RunInfo)."""
    activated = Signal(object)
    """A run is now the active model of its task (payload: the RunInfo as saved now)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runs: list[RunInfo] = []
        self._alive: set[Worker] = set()
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 0, 0, 0)
        v.addWidget(title(tr("Run history")))
        self.model = RowsModel([tr("Run"), tr("Task"), tr("When"), tr("Result"), tr("Took")])
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.verticalHeader().setVisible(False)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.view.verticalHeader().setDefaultSectionSize(22)
        self.view.doubleClicked.connect(lambda _i: self.show_selected())
        install_table_menu(self.view, "run-history")
        v.addWidget(self.view, 1)
        row = QHBoxLayout()
        show = QPushButton(tr("Show run"))
        show.clicked.connect(self.show_selected)
        self.use_button = QPushButton(tr("Use this model"))
        row.addWidget(show)
        row.addWidget(self.use_button)
        v.addLayout(row)

    def refresh(self, project: Project) -> None:
        """Reload the runs of the project, newest first."""
        self.runs = list_runs(project)
        self.model.set_rows([
            (r.id, runs.task_title(r.task), r.created_at[5:16].replace("T", " "),
             runs.headline(r), fmt_secs(r.seconds))
            for r in self.runs
        ])

    def selected(self) -> RunInfo | None:
        """The run selected in the table."""
        idx = self.view.currentIndex()
        return self.runs[idx.row()] if idx.isValid() else None

    def show_selected(self) -> None:
        """Ask to show the selected run."""
        run = self.selected()
        if run is not None:
            self.show_requested.emit(run)

    def activate(self, project: Project, run: RunInfo) -> Worker:
        """Make a run the active model of its task, written on the worker; ``activated``
        follows (a refused write opens a message)."""
        worker = Worker.call(runs.make_active, project, run.id)
        worker.signals.progressed.connect(self.activated.emit)
        worker.signals.failed.connect(
            lambda exc: QMessageBox.warning(self, tr("Use this model"), str(exc)))
        worker.signals.finished.connect(lambda: self._alive.discard(worker))
        self._alive.add(worker)  # a QRunnable without auto-delete lives while referenced
        worker.start()
        return worker
