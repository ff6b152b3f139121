"""The Train page: choose a task and its settings, train on the worker with live curves, compare.

The page knows no task: "What to learn" lists ``engine.tasks.TASKS``, each task brings a panel
(``gui.tasks``: its settings form and result view), training is ``engine.runs.train`` on the
worker, and its one progress report (``Progress``) feeds the curves. Every run is kept in the run
history, can be shown again as its task describes it, and can be made the active model.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from dataclasses import replace

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from engine import runs
from engine import tasks as registry
from engine.tasks.base import Progress, RunSaved, RunView, Verdict
from gui.readonly import is_read_only, read_only_sentence
from gui.tasks import make_panel
from gui.tasks.curves import TrainingCurves, progress_text
from gui.tasks.history import RunHistory
from gui.tasks.panel import TaskPanel
from gui.widgets import hint
from gui.worker import Caller, Worker
from storage.project import Project
from storage.queries import Overview
from storage.runs import RunInfo


def _setting(name: str) -> property:
    """A page attribute for a setting's widget (tests and scripts: ``page.preset``)."""
    return property(lambda self: self.setting_widget(name))


class TrainPage(QWidget):
    """Train any registered task, watch it learn, keep the run."""

    run_saved = Signal(str, int)
    """A run was saved or made active: (task, run id). Other pages reload their outputs."""

    preset, epochs, horizon, as_of = (_setting(n) for n in ("preset", "epochs", "horizon_days",
                                                              "as_of_ms"))

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project: Project | None = None
        self.worker: Worker | None = None
        self.panels: dict[str, TaskPanel] = {}
        self._keep_on_stop = True
        self._overview: Overview | None = None
        self._shown = ""  # the task whose results the results column shows
        self._run_shown = False  # a run's results are on screen: they stay when the task changes
        outer = QHBoxLayout(self)
        outer.setContentsMargins(12, 12, 12, 12)
        outer.addWidget(self._build_settings(), 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        body = QWidget()
        scroll.setWidget(body)
        v = self.results_layout = QVBoxLayout(body)
        self.epoch_label = QLabel(self.tr("No training yet."))
        self.epoch_label.setStyleSheet("font-size: 14px; font-weight: 600;")
        v.addWidget(self.epoch_label)
        self.curves = TrainingCurves()
        v.addWidget(self.curves)
        self.results_box = QVBoxLayout()
        v.addLayout(self.results_box)
        v.addStretch(1)
        outer.addWidget(scroll, 1)
        self._sync_tasks()
        self._task_changed()

    # -- settings column -----------------------------------------------------------------
    def _build_settings(self) -> QWidget:
        box = QWidget()
        # 330 px at the usual font; a larger font (or a longer language) widens the column.
        box.setFixedWidth(max(330, box.fontMetrics().averageCharWidth() * 48))
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        heading = QLabel(self.tr("Train a model"))
        heading.setStyleSheet("font-size: 18px; font-weight: 600;")
        v.addWidget(heading)
        form = QFormLayout()
        self.task_combo = QComboBox()
        self.task_combo.setToolTip(self.tr(
            "The question the model answers: who is about to buy, what kinds of customers you "
            "have, what to offer, what customers will spend, or how much you will sell."))
        self.task_combo.currentIndexChanged.connect(self._task_changed)
        self.task_label = QLabel(self.tr("What to learn"))
        form.addRow(self.task_label, self.task_combo)
        v.addLayout(form)
        self.panels_box = QVBoxLayout()
        v.addLayout(self.panels_box)
        # The data-sufficiency gate: the chosen task's check with live counts, before Start.
        self.gate = hint("")
        self.gate.setVisible(False)
        v.addWidget(self.gate)
        self._gate_caller = Caller(self)
        self._gate_blocked = False  # Start is off because the data check said ⚠
        # Ticks the "Preparing the training data" line each second until the first epoch.
        self._preparing: tuple[Progress, float] | None = None
        self._prepare_timer = QTimer(self)
        self._prepare_timer.setInterval(1000)
        self._prepare_timer.timeout.connect(self._tick_prepare)
        self._gate_timer = QTimer(self)
        self._gate_timer.setSingleShot(True)
        self._gate_timer.setInterval(400)  # typing a number checks once, at the end
        self._gate_timer.timeout.connect(self._check_gate)
        # The data check reads every event: while another page shows (the Data and Customers
        # pages filling as a project opens), it waits until this page is seen.
        self._gate_stale = False
        self.warm = QCheckBox(self.tr("Start from the current model"))
        self.warm.setToolTip(self.tr("Faster after new data: training continues from the "
                                     "active model's weights instead of from scratch."))
        v.addWidget(self.warm)
        row = QHBoxLayout()
        self.start_button = QPushButton(self.tr("Start training"))
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self.start)
        self.stop_button = QPushButton(self.tr("Stop"))
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self.stop)
        row.addWidget(self.start_button)
        row.addWidget(self.stop_button)
        v.addLayout(row)
        self.progress = QProgressBar()
        v.addWidget(self.progress)
        self.status = hint(self.tr("Choose what to learn and press Start."))
        v.addWidget(self.status)
        self.history = RunHistory()
        self.history.show_requested.connect(self.show_run)
        self.history.use_button.clicked.connect(self.activate_selected_run)
        self.history.activated.connect(self._activated)
        v.addWidget(self.history, 1)
        return box

    def _sync_tasks(self) -> None:
        """One entry and panel per registered task (a task registered since is added)."""
        for key, task in registry.TASKS.items():
            if key in self.panels:
                continue
            panel = self.panels[key] = make_panel(task)
            panel.form.set_label_width(self.task_label.sizeHint().width())
            panel.form.changed.connect(self._gate_later)
            panel.setVisible(False)
            panel.results.setVisible(False)
            self.panels_box.addWidget(panel)
            self.results_box.addWidget(panel.results)
            if self._overview is not None:
                self._overview_to(panel, self._overview)
            self.task_combo.addItem(panel.title, key)

    @property
    def panel(self) -> TaskPanel:
        """The panel of the task chosen in "What to learn"."""
        return self.panels[self.task_combo.currentData()]

    @property
    def shown_panel(self) -> TaskPanel:
        """The panel whose result view the results column shows."""
        return self.panels.get(self._shown) or self.panel

    def setting_widget(self, name: str) -> QWidget:
        """The widget of a setting: the chosen task's, else the first task's that has it."""
        for panel in (self.panel, *self.panels.values()):
            if name in panel.form.widgets:
                return panel.form.widgets[name]
        raise AttributeError(name)

    @property
    def advanced(self) -> QCheckBox:
        """The chosen task's "Advanced settings" check box."""
        return self.panel.form.advanced

    verdict = property(lambda self: self.shown_panel.results.verdict)
    metrics_model = property(lambda self: self.shown_panel.results.metrics_model)
    loss_plot = property(lambda self: self.curves.loss_plot)
    batch_curve = property(lambda self: self.curves.batch_curve)
    train_epoch_curve = property(lambda self: self.curves.loss_curves[0])
    valid_curve = property(lambda self: self.curves.loss_curves[1])
    auc_plot = property(lambda self: self.curves.extra_plot)
    auc_curve = property(lambda self: self.curves.extra_curves[0])

    # -- state ---------------------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        """Follow the open project: its run history now, data defaults when its totals arrive."""
        self.project = project
        if project is None:
            return
        self._sync_tasks()
        # Totals come from the Data page's worker (show_overview): counting millions of events
        # here would freeze the window.
        self.start_button.setEnabled(False)
        self._gate_caller.cancel()
        self.gate.setVisible(False)
        self.status.setText(self.tr("Reading the project…"))
        self.refresh_runs()
        self.show_active_run()
        self._say_read_only()

    def _say_read_only(self) -> bool:
        """On a read-only project nothing can be trained or made active: Start is off and the
        status says why. True when the project is read-only."""
        if self.project is None or not is_read_only(self.project):
            return False
        self.start_button.setEnabled(False)
        self.status.setText(read_only_sentence(self.project))
        return True

    def show_overview(self, ov: Overview) -> None:
        """Defaults from the data for every task: dates within it, a horizon from its span."""
        self._overview = ov
        for panel in self.panels.values():
            self._overview_to(panel, ov)
        running = self.worker is not None and self.worker.running
        self.start_button.setEnabled(ov.events > 0 and not running)
        self._gate_later()
        if running or self._say_read_only():
            return
        if ov.events == 0:
            self.status.setText(self.tr("Import data first: there is nothing to learn from yet."))
        else:
            self.status.setText(self.tr("Choose what to learn and press Start."))

    @staticmethod
    def _overview_to(panel: TaskPanel, ov: Overview) -> None:
        if ov.first_ms is not None and ov.last_ms is not None:
            panel.show_overview(ov.first_ms, ov.last_ms)

    def _task_changed(self) -> None:
        if self.task_combo.currentData() is None:
            return
        current = self.panel
        for panel in self.panels.values():
            panel.setVisible(panel is current)
        self.warm.setVisible(self.panel.supports_warm_start)
        self._gate_later()
        if self.worker and self.worker.running:
            return
        # The results column follows the chosen task: its active model, else nothing yet (never
        # another task's run next to this task's settings).
        key = current.task.key
        if self._run_shown and self._shown == key:
            return
        active = next((r for r in self.history.runs if r.task == key and r.active), None)
        if active is not None:
            self.show_run(active)
            return
        self.curves.clear()
        self._show_results(current)
        current.clear_view()
        self.epoch_label.setText(self.tr("Nothing trained yet for “{0}”: press Start training.").format(
            current.title))

    def _show_results(self, panel: TaskPanel, view: RunView | None = None, *,
                      curves: bool = True) -> None:
        """Put a panel's result view in the results column, showing ``view`` when given (and
        its curves, unless the live ones of the run just trained stay)."""
        self._shown = panel.task.key
        self._run_shown = view is not None
        for other in self.panels.values():
            other.results.setVisible(other is panel)
        if view is not None:
            panel.runs = self.history.runs  # a panel may show another task's run beside it
            panel.show_view(view)
        if view is not None and curves:
            self.curves.show_view(view, panel.extra_title)
        elif view is not None and view.extra_title and view.extra_curves:
            self.curves.set_extra_title(view.extra_title)
        elif view is None:
            self.curves.set_extra_title(panel.extra_title)

    # -- the data-sufficiency gate -------------------------------------------------------
    def _gate_later(self) -> None:
        """Check the data for the chosen task and settings soon (once, after the last change);
        while the window shows another page, when this page is shown."""
        if self._unseen():
            self._gate_stale = True
            return
        self._gate_timer.start()

    def _unseen(self) -> bool:
        """Whether the window shows, but another page than this one."""
        return self.window().isVisible() and not self.isVisible()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        """The data check put off while the page was hidden runs now."""
        super().showEvent(event)
        if self._gate_stale:
            self._gate_stale = False
            self._gate_timer.start()

    def _check_gate(self) -> None:
        """Run the chosen task's data check on a worker; the gate line shows its sentence."""
        if self._unseen():
            self._gate_stale = True
            return
        self._gate_stale = False
        ov = self._overview
        if self.project is None or ov is None or ov.events == 0 or not self.panels:
            self.gate.setVisible(False)
            return
        try:
            config = self.panel.config()
        except (TypeError, ValueError) as exc:
            self._show_gate(Verdict(False, str(exc)), decides=False)
            return
        self.gate.setText(self.tr("Checking whether the data is enough…"))
        self.gate.setStyleSheet("color: #5b6776;")
        self.gate.setVisible(True)
        self._gate_caller.call(runs.data_check, self.project, self.panel.task.key, config,
                               on_done=self._show_gate, on_error=self._gate_failed)

    def _show_gate(self, verdict: Verdict, *, decides: bool = True) -> None:
        """✓ and the counts when the data is enough; ⚠ and what is missing when it is not.
        A ⚠ from the task's own check turns Start off (the run would refuse the same way);
        ``decides`` False (the check itself failed) leaves Start as it is."""
        running = self.worker is not None and self.worker.running
        ov = self._overview
        if decides and not running and ov is not None and ov.events > 0 \
                and not (self.project is not None and is_read_only(self.project)):
            self.start_button.setEnabled(verdict.ok)
            if not verdict.ok:
                self.status.setText(self.tr(
                    "Start is off until the data is enough for these settings (see ⚠)."))
            elif self._gate_blocked:  # the status said why Start was off: no longer
                self.status.setText(self.tr("Choose what to learn and press Start."))
            self._gate_blocked = not verdict.ok
        mark, colour = ("✓", "#2e7d32") if verdict.ok else ("⚠", "#b26a00")
        self.gate.setText(f"{mark} {verdict.message}")
        self.gate.setStyleSheet(f"color: {colour};")
        self.gate.setToolTip(self.tr("What the data holds for this task with these settings, "
                                     "checked before training."))
        self.gate.setVisible(True)

    def _gate_failed(self, exc: BaseException) -> None:
        self._show_gate(Verdict(False, self.tr("The data could not be checked: {0}").format(exc)),
                        decides=False)

    @property
    def gate_verdict_shown(self) -> str:
        """The gate's sentence as shown (for tests and screenshots)."""
        return self.gate.text() if self.gate.isVisibleTo(self) else ""

    # -- training ------------------------------------------------------------------------
    def start(self) -> None:
        """Start training the chosen task on the worker (``engine.runs.train``)."""
        if self.project is None or (self.worker is not None and self.worker.running):
            return
        if self._say_read_only() or not self.start_button.isEnabled():
            return  # the project's totals (and so the as-of range) have not arrived yet
        project, panel = self.project, self.panel
        key, config = panel.task.key, panel.config()
        warm = panel.supports_warm_start and self.warm.isChecked()
        keep = lambda: self._keep_on_stop  # noqa: E731 - read when the run stops
        self._keep_on_stop = True

        def work(should_stop: Callable[[], bool]) -> Iterator[Progress | RunSaved]:
            from engine.nn import configure_threads

            configure_threads()  # leave a core to the window (a task may lower it further)
            return runs.train(project, key, config, should_stop=should_stop, warm_start=warm,
                              keep_on_stop=keep)

        self.worker = Worker(
            work, min_interval_s=0.1,
            keep=lambda r: not (isinstance(r, Progress) and r.step == "batch"),
        )
        self.worker.signals.progressed.connect(self._progressed)
        self.worker.signals.failed.connect(self._failed)
        self.worker.signals.cancelled.connect(self._cancelled)
        self.worker.signals.finished.connect(self._finished)
        self.curves.clear()
        panel.clear_view()
        self._show_results(panel)
        self.start_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        self.progress.setRange(0, 0)
        self.epoch_label.setText(self.tr("Preparing the training data…"))
        self.status.setText(self.tr("Training runs in the background; the window stays usable."))
        self.worker.start()

    def stop(self) -> None:
        """Stop within one batch; ask whether to keep the best model so far."""
        if self.worker is None or not self.worker.running:
            return
        answer = QMessageBox.question(
            self,
            self.tr("Stop training"),
            self.tr("Stop training now and keep the best model found so far?"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
            | QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Cancel:
            return
        self.stop_now(keep=answer == QMessageBox.StandardButton.Yes)

    def stop_now(self, keep: bool = True) -> None:
        """Stop without asking (tests, closing the window)."""
        self._keep_on_stop = keep
        if self.worker is not None:
            self.stop_button.setEnabled(False)
            self.status.setText(self.tr("Stopping after the current batch…"))
            self.worker.cancel()

    def _progressed(self, report: Progress | RunSaved) -> None:
        if isinstance(report, RunSaved):
            # The live curves stay (with the smoothed batches); the run's results join them.
            self._show_results(self.panels.get(report.task, self.panel), report.view,
                               curves=False)
            self.status.setText(self.tr("Saved as run {0}; it is now the active model.").format(
                report.run_id))
            self.refresh_runs()
            self.run_saved.emit(report.task, report.run_id)
        elif report.step == "note":
            self.status.setText(report.message)
        elif report.step == "prepare":
            self._preparing = (report, time.monotonic())
            self._tick_prepare()
            self._prepare_timer.start()
        elif report.step in ("batch", "epoch"):
            self._stop_preparing()
            self.curves.add(report)
            total, done = (report.batches, report.batch) if report.step == "batch" else (
                report.epochs, report.epoch)
            self.progress.setRange(0, total)
            self.progress.setValue(done)
            self.epoch_label.setText(progress_text(report))

    def _stop_preparing(self) -> None:
        self._prepare_timer.stop()
        self._preparing = None

    def _tick_prepare(self) -> None:
        """While the data is prepared: what is done, the time so far and, from the last run of
        the task here, about how long is left (a filling bar; a busy bar without an estimate)."""
        if self._preparing is None:
            return
        report, received = self._preparing
        waited = time.monotonic() - received
        now = replace(report, elapsed_s=report.elapsed_s + waited,
                      eta_s=max(report.eta_s - waited, 0.0))
        self.epoch_label.setText(progress_text(now))
        total = now.elapsed_s + now.eta_s
        if math.isfinite(total) and total > 0:
            self.progress.setRange(0, 1000)
            self.progress.setValue(min(int(1000 * now.elapsed_s / total), 990))
        else:
            self.progress.setRange(0, 0)

    def _failed(self, exc: BaseException) -> None:
        self._stop_preparing()
        self.epoch_label.setText(self.tr("Training did not run."))
        self.status.setText(str(exc))
        QMessageBox.warning(self, self.tr("Training"), str(exc))

    def _cancelled(self) -> None:
        self._stop_preparing()
        self.epoch_label.setText(self.tr("Stopped."))

    def _finished(self) -> None:
        self._stop_preparing()
        self.start_button.setEnabled(True)
        self._gate_later()
        self.stop_button.setEnabled(False)
        self.progress.setRange(0, 1)
        self.progress.setValue(1)

    # -- run history ---------------------------------------------------------------------
    runs_model = property(lambda self: self.history.model)
    runs_view = property(lambda self: self.history.view)

    def refresh_runs(self) -> None:
        """Reload the run history: each run's task and its own one-line summary."""
        if self.project is not None:
            self.history.refresh(self.project)

    def show_run(self, run: RunInfo) -> None:
        """Show a saved run again, as its task describes it; the settings beside it become its
        task's (unless a training is running), so the page never shows one task's settings
        next to another task's run."""
        if not (self.worker and self.worker.running):
            index = self.task_combo.findData(run.task)
            if index >= 0 and index != self.task_combo.currentIndex():
                self.task_combo.setCurrentIndex(index)
        view = runs.describe(run) or RunView(run.task, run.id, run.summary, run.summary)
        self._show_results(self.panels.get(run.task, self.panel), view)
        self.epoch_label.setText(self.tr("Run {0} from {1}").format(
            run.id, run.created_at[:16].replace("T", " ")))

    def show_selected_run(self) -> None:
        """Show the run selected in the history."""
        self.history.show_selected()

    def activate_selected_run(self) -> Worker | None:
        """Make the selected run the active model of its task (written on the worker)."""
        run = self.history.selected()
        if run is None or self.project is None or self._say_read_only():
            return None
        return self.history.activate(self.project, run)

    def _activated(self, run: RunInfo) -> None:
        self.refresh_runs()
        self.status.setText(self.tr("Run {0} is now the active model.").format(run.id))
        self.run_saved.emit(run.task, run.id)

    def show_active_run(self) -> None:
        """Show the chosen task's active run (else any active run): after a restart the page
        shows what the models in use learned, not "No training yet"."""
        done = self.history.runs
        task = self.task_combo.currentData()
        chosen = next((r for r in done if r.task == task and r.active), None)
        chosen = chosen or next((r for r in done if r.active), None)
        if chosen is not None:
            self.show_run(chosen)
        else:
            self.epoch_label.setText(self.tr("No training yet."))

    def prepare_screenshot(self) -> None:
        """Show the active run of the first task (else the latest run) so the shot has curves."""
        first = next(iter(self.panels), "")
        done = self.history.runs
        chosen = next((r for r in done if r.task == first and r.active), None)
        if chosen is None and done:
            chosen = done[0]
        if chosen is not None:
            self.show_run(chosen)
