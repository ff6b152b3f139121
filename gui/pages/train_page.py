"""The Train page: choose a task and settings, train on the worker with live curves, compare.

Purchase intent shows training/validation loss and validation AUC as they arrive, then the
metrics table against the simple baselines, the ROC, precision-recall and lift charts, and a
plain-words verdict. Customer profiles show the reconstruction losses. Every run is kept in the
run history, can be shown again, and any run can be made the active model.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from engine.events import MS_PER_DAY
from engine.intent import PRESETS, IntentConfig
from gui.models import RowsModel
from gui.widgets import PALETTE, hint, plot, title
from gui.worker import Worker
from storage.project import Project
from storage.queries import Overview
from storage.runs import RunInfo, list_runs, set_active

METHOD_LABELS = {
    "model": "Deep sequence model",
    "base_rate": "Base rate (everyone alike)",
    "rfm_logistic": "RFM logistic regression",
    "hist_gradient_boosting": "Gradient boosting on aggregates",
}


def _fmt_secs(s: float) -> str:
    if not math.isfinite(s):
        return "–"
    s = int(round(s))
    return f"{s // 60} min {s % 60:02d} s" if s >= 60 else f"{s} s"


class TrainPage(QWidget):
    """Train purchase intent or customer profiles, watch it learn, keep the run."""

    run_saved = Signal(str, int)
    """A run was saved: (task, run id). Other pages reload their outputs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project: Project | None = None
        self.worker: Worker | None = None
        self._keep_on_stop = True
        self._batch_x: list[float] = []
        self._batch_y: list[float] = []
        self._epoch_x: list[float] = []
        self._valid_y: list[float] = []
        self._train_epoch_y: list[float] = []
        self._auc_y: list[float] = []
        self._task_running = ""

        outer = QHBoxLayout(self)
        outer.setContentsMargins(12, 12, 12, 12)
        outer.addWidget(self._build_settings(), 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        body = QWidget()
        scroll.setWidget(body)
        self.results_layout = QVBoxLayout(body)
        self._build_results(self.results_layout)
        outer.addWidget(scroll, 1)

    # -- settings column -----------------------------------------------------------------
    def _build_settings(self) -> QWidget:
        box = QWidget()
        box.setFixedWidth(330)
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        heading = QLabel(self.tr("Train a model"))
        heading.setStyleSheet("font-size: 18px; font-weight: 600;")
        v.addWidget(heading)
        form = QFormLayout()
        self.task_combo = QComboBox()
        self.task_combo.addItem(self.tr("Purchase intent"), "intent")
        self.task_combo.addItem(self.tr("Customer profiles & segments"), "profiles")
        self.task_combo.currentIndexChanged.connect(self._task_changed)
        form.addRow(self.tr("What to learn"), self.task_combo)
        self.as_of = QDateEdit()
        self.as_of.setCalendarPopup(True)
        self.as_of.setDisplayFormat("yyyy-MM-dd")
        self.as_of.setToolTip(self.tr("Only events up to the end of this day are used."))
        form.addRow(self.tr("As of"), self.as_of)
        self.horizon = QSpinBox()
        self.horizon.setRange(1, 365)
        self.horizon.setSuffix(self.tr(" days"))
        self.horizon.setToolTip(self.tr("Predict who buys within this many days after 'as of'."))
        self.horizon_label = QLabel(self.tr("Buys within"))
        form.addRow(self.horizon_label, self.horizon)
        self.preset = QComboBox()
        for key, label in (("fast", self.tr("Fast")), ("balanced", self.tr("Balanced")),
                           ("thorough", self.tr("Thorough"))):
            self.preset.addItem(label, key)
        self.preset.setCurrentIndex(1)
        self.preset.currentIndexChanged.connect(self._preset_changed)
        self.preset_label = QLabel(self.tr("Preset"))
        form.addRow(self.preset_label, self.preset)
        self.segments = QComboBox()
        self.segments.addItem(self.tr("Find automatically"), None)
        for k in range(2, 13):
            self.segments.addItem(str(k), k)
        self.segments_label = QLabel(self.tr("Segments"))
        form.addRow(self.segments_label, self.segments)
        v.addLayout(form)

        # A check box that unfolds the settings behind the preset (no empty frame when folded).
        self.advanced = QCheckBox(self.tr("Advanced settings"))
        self.advanced_body = QWidget()
        adv = QFormLayout(self.advanced_body)
        adv.setContentsMargins(18, 0, 0, 0)
        self.advanced_body.setVisible(False)
        self.advanced.toggled.connect(self._advanced_toggled)
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 500)
        self.batch = QSpinBox()
        self.batch.setRange(8, 4096)
        self.lr = QDoubleSpinBox()
        self.lr.setDecimals(5)
        self.lr.setRange(1e-5, 1.0)
        self.lr.setSingleStep(1e-4)
        self.hidden = QSpinBox()
        self.hidden.setRange(4, 1024)
        self.seq_len = QSpinBox()
        self.seq_len.setRange(5, 2000)
        self.dropout = QDoubleSpinBox()
        self.dropout.setRange(0.0, 0.9)
        self.dropout.setSingleStep(0.05)
        self.weight_decay = QDoubleSpinBox()
        self.weight_decay.setDecimals(6)
        self.weight_decay.setRange(0.0, 0.1)
        self.weight_decay.setSingleStep(1e-5)
        self.cell = QComboBox()
        self.cell.addItem("LSTM", "lstm")
        self.cell.addItem("GRU", "gru")
        self.seed = QSpinBox()
        self.seed.setRange(0, 1_000_000)
        self.top_percent = QDoubleSpinBox()
        self.top_percent.setRange(0.0, 100.0)
        self.top_percent.setSuffix(" %")
        self.top_percent.setSpecialValueText(self.tr("best F1"))
        self.top_percent.setToolTip(
            self.tr("Who counts as 'will buy': the best-F1 threshold, or the top X% of scores.")
        )
        for label, w in (
            (self.tr("Epochs"), self.epochs), (self.tr("Batch size"), self.batch),
            (self.tr("Learning rate"), self.lr), (self.tr("Hidden size"), self.hidden),
            (self.tr("Events per customer"), self.seq_len), (self.tr("Dropout"), self.dropout),
            (self.tr("Weight decay"), self.weight_decay), (self.tr("Network"), self.cell),
            (self.tr("Contact the top"), self.top_percent), (self.tr("Seed"), self.seed),
        ):
            adv.addRow(label, w)
        v.addWidget(self.advanced)
        v.addWidget(self.advanced_body)
        self.warm = QCheckBox(self.tr("Start from the current model (faster after new data)"))
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

        v.addWidget(title(self.tr("Run history")))
        self.runs_model = RowsModel(
            [self.tr("Run"), self.tr("Task"), self.tr("When"), self.tr("Result"), self.tr("Took")]
        )
        self.runs_view = QTableView()
        self.runs_view.setModel(self.runs_model)
        self.runs_view.verticalHeader().setVisible(False)
        self.runs_view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.runs_view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.runs_view.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.runs_view.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.runs_view.verticalHeader().setDefaultSectionSize(22)
        self.runs_view.doubleClicked.connect(lambda _i: self.show_selected_run())
        v.addWidget(self.runs_view, 1)
        row = QHBoxLayout()
        show = QPushButton(self.tr("Show run"))
        show.clicked.connect(self.show_selected_run)
        use = QPushButton(self.tr("Use this model"))
        use.clicked.connect(self.activate_selected_run)
        row.addWidget(show)
        row.addWidget(use)
        v.addLayout(row)
        self._preset_changed()
        self._task_changed()
        return box

    # -- results column ------------------------------------------------------------------
    def _build_results(self, v: QVBoxLayout) -> None:
        self.epoch_label = QLabel(self.tr("No training yet."))
        self.epoch_label.setStyleSheet("font-size: 14px; font-weight: 600;")
        v.addWidget(self.epoch_label)
        curves = QHBoxLayout()
        self.loss_plot = plot(self.tr("Loss (lower is better)"))
        self.loss_plot.setLabel("bottom", self.tr("epoch"))
        self.loss_plot.addLegend(offset=(-10, 10))
        self.batch_curve = self.loss_plot.plot(
            [], [], pen=pg.mkPen(PALETTE[0], width=1), name=self.tr("training (smoothed)")
        )
        self.batch_curve.setDownsampling(auto=True, method="peak")
        self.batch_curve.setClipToView(True)
        self.train_epoch_curve = self.loss_plot.plot(
            [], [], pen=pg.mkPen(PALETTE[0], width=2), symbol="o", symbolSize=6,
            symbolBrush=PALETTE[0], name=self.tr("training (per epoch)"),
        )
        self.valid_curve = self.loss_plot.plot(
            [], [], pen=pg.mkPen(PALETTE[1], width=2), symbol="o", symbolSize=6,
            symbolBrush=PALETTE[1], name=self.tr("validation"),
        )
        self.auc_plot = plot(self.tr("Validation AUC (higher is better)"))
        self.auc_plot.setLabel("bottom", self.tr("epoch"))
        self.auc_curve = self.auc_plot.plot(
            [], [], pen=pg.mkPen(PALETTE[2], width=2), symbol="o", symbolSize=6,
            symbolBrush=PALETTE[2],
        )
        curves.addWidget(self.loss_plot, 3)
        curves.addWidget(self.auc_plot, 2)
        v.addLayout(curves)

        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.verdict.setStyleSheet(
            "font-size: 14px; background: #eef4ff; border: 1px solid #c9d8f5; "
            "border-radius: 6px; padding: 8px;"
        )
        self.verdict.setVisible(False)
        v.addWidget(self.verdict)
        self.metrics_title = title(
            self.tr("How well it predicts (latest period, never seen in training)")
        )
        v.addWidget(self.metrics_title)
        self.metrics_model = RowsModel(
            [self.tr("Method"), "AUC", self.tr("PR AUC"), self.tr("Brier"), self.tr("Accuracy"),
             self.tr("Precision"), self.tr("Recall"), "F1", self.tr("Lift 10%")],
            formatters={i: (lambda x: "–" if x != x else f"{x:.3f}") for i in range(1, 9)},
        )
        self.metrics_view = QTableView()
        self.metrics_view.setModel(self.metrics_model)
        self.metrics_view.verticalHeader().setVisible(False)
        header = self.metrics_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.metrics_view.verticalHeader().setDefaultSectionSize(24)
        self.metrics_view.setWordWrap(False)
        self.metrics_view.setFixedHeight(4 * 24 + 30)
        v.addWidget(self.metrics_view)
        charts_box = QWidget()
        charts = QGridLayout(charts_box)
        charts.setContentsMargins(0, 0, 0, 0)
        self.roc_plot = plot(self.tr("ROC: buyers found vs others flagged"))
        self.roc_plot.setLabel("bottom", self.tr("share of non-buyers flagged"))
        self.roc_plot.setLabel("left", self.tr("share of buyers found"))
        self.roc_curve = self.roc_plot.plot([], [], pen=pg.mkPen(PALETTE[0], width=2))
        self.roc_plot.plot([0, 1], [0, 1], pen=pg.mkPen("#999", style=Qt.PenStyle.DashLine))
        self.pr_plot = plot(self.tr("Precision vs recall"))
        self.pr_plot.setLabel("bottom", self.tr("recall"))
        self.pr_plot.setLabel("left", self.tr("precision"))
        self.pr_curve = self.pr_plot.plot([], [], pen=pg.mkPen(PALETTE[1], width=2))
        self.lift_plot = plot(self.tr("Lift: buyer rate in the top X% vs average"))
        self.lift_plot.setLabel("bottom", self.tr("share of customers contacted"))
        self.lift_curve = self.lift_plot.plot([], [], pen=pg.mkPen(PALETTE[2], width=2))
        self.lift_plot.plot([0, 1], [1, 1], pen=pg.mkPen("#999", style=Qt.PenStyle.DashLine))
        charts.addWidget(self.roc_plot, 0, 0)
        charts.addWidget(self.pr_plot, 0, 1)
        charts.addWidget(self.lift_plot, 0, 2)
        self.charts_box = charts_box
        v.addWidget(charts_box)
        self.notes = hint("")
        v.addWidget(self.notes)
        v.addStretch(1)

    # -- state ---------------------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        """Follow the open project: its run history now, data defaults when its totals arrive."""
        self.project = project
        if project is None:
            return
        # Totals come from the Data page's worker (show_overview): counting millions of events
        # here would freeze the window.
        self.start_button.setEnabled(False)
        self.status.setText(self.tr("Reading the project…"))
        self.refresh_runs()

    def show_overview(self, ov: Overview) -> None:
        """Defaults from the data: the as-of date range and a horizon of about a quarter span."""
        if ov.last_ms is not None and ov.first_ms is not None:
            last = datetime.fromtimestamp(ov.last_ms / 1000, UTC)
            first = datetime.fromtimestamp(ov.first_ms / 1000, UTC)
            self.as_of.setDateRange(
                QDate(first.year, first.month, first.day), QDate(last.year, last.month, last.day)
            )
            self.as_of.setDate(QDate(last.year, last.month, last.day))
            span = (ov.last_ms - ov.first_ms) / MS_PER_DAY
            self.horizon.setValue(int(min(30, max(1, round(span / 4)))))
        running = self.worker is not None and self.worker.running
        self.start_button.setEnabled(ov.events > 0 and not running)
        if running:
            return
        if ov.events == 0:
            self.status.setText(self.tr("Import data first: there is nothing to learn from yet."))
        else:
            self.status.setText(self.tr("Choose what to learn and press Start."))

    def _task_changed(self) -> None:
        intent = self.task_combo.currentData() == "intent"
        for w in (self.horizon, self.horizon_label, self.preset, self.preset_label, self.warm,
                  self.advanced):
            w.setVisible(intent)
        self.advanced_body.setVisible(intent and self.advanced.isChecked())
        self.segments.setVisible(not intent)
        self.segments_label.setVisible(not intent)
        if hasattr(self, "auc_plot") and not (self.worker and self.worker.running):
            self._show_panels(self.task_combo.currentData())

    def _show_panels(self, task: str) -> None:
        """Intent runs have AUC, metrics and charts; profile runs only the loss curves."""
        intent = task == "intent"
        for w in (self.auc_plot, self.metrics_title, self.metrics_view, self.charts_box):
            w.setVisible(intent)

    def _advanced_toggled(self, checked: bool) -> None:
        self.advanced_body.setVisible(checked and self.task_combo.currentData() == "intent")

    def _preset_changed(self) -> None:
        p = PRESETS[self.preset.currentData()]
        self.epochs.setValue(int(p["epochs"]))
        self.batch.setValue(int(p["batch_size"]))
        self.lr.setValue(float(p["learning_rate"]))
        self.hidden.setValue(int(p["hidden_size"]))
        self.seq_len.setValue(int(p["seq_len"]))
        self.dropout.setValue(float(p["dropout"]))
        self.weight_decay.setValue(float(p["weight_decay"]))

    def _as_of_ms(self) -> int:
        d = self.as_of.date()
        end = datetime(d.year(), d.month(), d.day(), tzinfo=UTC).timestamp() * 1000
        return int(end) + MS_PER_DAY - 1

    def intent_config(self) -> IntentConfig:
        """The settings on screen as the engine's config (Advanced only when opened)."""
        adv = self.advanced.isChecked()
        return IntentConfig(
            as_of_ms=self._as_of_ms(),
            horizon_days=self.horizon.value(),
            preset=self.preset.currentData(),
            epochs=self.epochs.value() if adv else None,
            batch_size=self.batch.value() if adv else None,
            learning_rate=self.lr.value() if adv else None,
            hidden_size=self.hidden.value() if adv else None,
            seq_len=self.seq_len.value() if adv else None,
            dropout=self.dropout.value() if adv else None,
            weight_decay=self.weight_decay.value() if adv else None,
            cell=self.cell.currentData() if adv else "lstm",
            top_percent=(self.top_percent.value() or None) if adv else None,
            seed=self.seed.value() if adv else 0,
        )

    # -- training ------------------------------------------------------------------------
    def start(self) -> None:
        """Start training the chosen task on the worker."""
        if self.project is None or (self.worker is not None and self.worker.running):
            return
        if not self.start_button.isEnabled():
            return  # the project's totals (and so the as-of range) have not arrived yet
        project = self.project
        task = self.task_combo.currentData()
        self._task_running = task
        self._keep_on_stop = True
        self._clear_curves()
        self._show_panels(task)
        keep = lambda: self._keep_on_stop  # noqa: E731 - read when the run stops
        if task == "intent":
            from engine import intent_runs

            config = self.intent_config()
            warm = self.warm.isChecked()

            def work(should_stop: Callable[[], bool]) -> Iterator[Any]:
                from engine.intent import configure_threads

                configure_threads()
                return intent_runs.train_and_save(
                    project, config, should_stop=should_stop, warm_start=warm, keep_on_stop=keep
                )
        else:
            from engine import profile_runs
            from engine.profiles import ProfileConfig

            pconfig = ProfileConfig(
                as_of_ms=self._as_of_ms(), n_segments=self.segments.currentData(),
                seed=self.seed.value(),
            )

            def work(should_stop: Callable[[], bool]) -> Iterator[Any]:
                return profile_runs.train_and_save(project, pconfig, should_stop=should_stop)

        self.worker = Worker(
            work,
            min_interval_s=0.1,
            keep=lambda r: type(r).__name__ not in ("BatchReport",),
        )
        self.worker.signals.progressed.connect(self._progressed)
        self.worker.signals.failed.connect(self._failed)
        self.worker.signals.cancelled.connect(self._cancelled)
        self.worker.signals.finished.connect(self._finished)
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
        self._keep_on_stop = answer == QMessageBox.StandardButton.Yes
        self.stop_now(keep=self._keep_on_stop)

    def stop_now(self, keep: bool = True) -> None:
        """Stop without asking (tests, closing the window)."""
        self._keep_on_stop = keep
        if self.worker is not None:
            self.stop_button.setEnabled(False)
            self.status.setText(self.tr("Stopping after the current batch…"))
            self.worker.cancel()

    def _clear_curves(self) -> None:
        for buf in (self._batch_x, self._batch_y, self._epoch_x, self._valid_y,
                    self._train_epoch_y, self._auc_y):
            buf.clear()
        for curve in (self.batch_curve, self.valid_curve, self.train_epoch_curve, self.auc_curve,
                      self.roc_curve, self.pr_curve, self.lift_curve):
            curve.setData([], [])
        self.metrics_model.set_rows([])
        self.verdict.setVisible(False)
        self.notes.setText("")

    def _progressed(self, report: Any) -> None:
        kind = type(report).__name__
        if kind == "BatchReport":
            self._batch_x.append(report.epoch - 1 + report.batch / max(1, report.n_batches))
            self._batch_y.append(report.train_loss)
            self.batch_curve.setData(self._batch_x, self._batch_y)
            self.progress.setRange(0, report.n_batches)
            self.progress.setValue(report.batch)
            self.epoch_label.setText(
                self.tr("Epoch {0}: batch {1:,} of {2:,}").format(
                    report.epoch, report.batch, report.n_batches
                )
            )
        elif kind in ("EpochReport", "ProfileEpoch"):
            self._epoch_x.append(float(report.epoch))
            self._train_epoch_y.append(report.train_loss)
            self._valid_y.append(report.valid_loss)
            self.train_epoch_curve.setData(self._epoch_x, self._train_epoch_y)
            self.valid_curve.setData(
                [x for x, y in zip(self._epoch_x, self._valid_y, strict=True) if y == y],
                [y for y in self._valid_y if y == y],
            )
            eta = getattr(report, "eta_s", float("nan"))
            phase = getattr(report, "phase", "fit")
            if kind == "EpochReport" and report.valid_auc == report.valid_auc:
                self._auc_y.append(report.valid_auc)
                self.auc_curve.setData(self._epoch_x[-len(self._auc_y):], self._auc_y)
            self.progress.setRange(0, report.epochs)
            self.progress.setValue(report.epoch)
            label = self.tr("Epoch {0} of at most {1}").format(report.epoch, report.epochs)
            if phase == "refit":
                label = self.tr("Final fit on all periods: epoch {0} of {1}").format(
                    report.epoch, report.epochs
                )
            self.epoch_label.setText(
                label + self.tr(" · elapsed {0} · about {1} left").format(
                    _fmt_secs(report.elapsed_s), _fmt_secs(eta)
                ) if math.isfinite(eta) else label + " · " + _fmt_secs(report.elapsed_s)
            )
        elif kind == "IntentResult":
            self.show_intent_result(report.metrics, report.curves, report.verdict,
                                    report.model_name, report.augmentation_note, report.stopped)
        elif kind == "ProfileResult":
            self._show_profile_result(report)
        elif kind in ("RunSaved", "ProfilesSaved"):
            self.status.setText(self.tr("Saved as run {0}; it is now the active model.").format(
                report.run_id
            ))
            self.refresh_runs()
            self.run_saved.emit(self._task_running, report.run_id)

    def _failed(self, exc: BaseException) -> None:
        self.epoch_label.setText(self.tr("Training did not run."))
        self.status.setText(str(exc))
        QMessageBox.warning(self, self.tr("Training"), str(exc))

    def _cancelled(self) -> None:
        self.epoch_label.setText(self.tr("Stopped."))

    def _finished(self) -> None:
        self.start_button.setEnabled(True)
        self.stop_button.setEnabled(False)
        self.progress.setRange(0, 1)
        self.progress.setValue(1)

    # -- results -------------------------------------------------------------------------
    def show_intent_result(
        self,
        metrics: dict[str, dict[str, float]],
        curves: dict[str, dict[str, list[float]]],
        verdict: str,
        model_name: str,
        note: str | None = None,
        stopped: bool = False,
    ) -> None:
        """Fill the metrics table, the three charts and the verdict."""
        rows = []
        for name, m in metrics.items():
            label = model_name if name == "model" else METHOD_LABELS.get(name, name)
            rows.append((label, m.get("auc", math.nan), m.get("pr_auc", math.nan),
                         m.get("brier", math.nan), m.get("accuracy", math.nan),
                         m.get("precision", math.nan), m.get("recall", math.nan),
                         m.get("f1", math.nan), m.get("lift_top10", math.nan)))
        self.metrics_model.set_rows(rows)
        self.roc_curve.setData(curves["roc"]["fpr"], curves["roc"]["tpr"])
        self.pr_curve.setData(curves["pr"]["recall"], curves["pr"]["precision"])
        self.lift_curve.setData(curves["gains"]["fraction"], curves["gains"]["lift"])
        prefix = self.tr("Stopped early; this is the best model so far. ") if stopped else ""
        self.verdict.setText(prefix + verdict)
        self.verdict.setVisible(True)
        self.notes.setText(note or "")

    def _show_profile_result(self, result: Any) -> None:
        names = ", ".join(f"{s.name} ({s.share:.0%})" for s in result.segments)
        self.verdict.setText(
            self.tr("Found {0} segments: {1}. Stability across two seeds (adjusted Rand index): "
                    "{2:.2f}. See them on the Segments page.").format(
                len(result.segments), names, result.stability_ari
            )
        )
        self.verdict.setVisible(True)

    def refresh_runs(self) -> None:
        """Reload the run history."""
        if self.project is None:
            return
        self._runs = list_runs(self.project)
        rows = []
        for r in self._runs:
            if r.task == "intent":
                auc = r.metrics.get("model", {}).get("auc")
                result = f"AUC {auc:.3f}" if isinstance(auc, float) else ""
            else:
                result = self.tr("{0} segments").format(len(r.metrics.get("segments", [])))
            flags = []
            if r.active:
                flags.append(self.tr("active"))
            if r.warm_started:
                flags.append(self.tr("warm start"))
            if r.status == "stopped":
                flags.append(self.tr("stopped"))
            if r.stale:
                flags.append(self.tr("out of date: a customer was forgotten"))
            if flags:
                result += f" ({', '.join(flags)})"
            rows.append((r.id, self.tr("Intent") if r.task == "intent" else self.tr("Profiles"),
                         r.created_at[5:16].replace("T", " "), result, _fmt_secs(r.seconds)))
        self.runs_model.set_rows(rows)

    def _selected_run(self) -> RunInfo | None:
        idx = self.runs_view.currentIndex()
        if not idx.isValid():
            return None
        return self._runs[idx.row()]

    def show_run(self, run: RunInfo) -> None:
        """Show a saved run's curves and metrics again."""
        self._clear_curves()
        self._show_panels(run.task)
        epochs = run.history.get("epochs", [])
        xs = [float(e["epoch"]) for e in epochs]
        self.train_epoch_curve.setData(xs, [e["train_loss"] for e in epochs])
        valid = [(x, e["valid_loss"]) for x, e in zip(xs, epochs, strict=True)
                 if e.get("valid_loss") is not None]
        self.valid_curve.setData([v[0] for v in valid], [v[1] for v in valid])
        aucs = [(x, e["valid_auc"]) for x, e in zip(xs, epochs, strict=True)
                if e.get("valid_auc") is not None]
        self.auc_curve.setData([a[0] for a in aucs], [a[1] for a in aucs])
        self.epoch_label.setText(self.tr("Run {0} from {1}").format(
            run.id, run.created_at[:16].replace("T", " ")))
        if run.task == "intent" and "curves" in run.history:
            self.show_intent_result(
                run.metrics, run.history["curves"], run.summary,
                str(run.history.get("model_name", "Deep sequence model")),
                run.history.get("augmentation_note"), run.status == "stopped",
            )
        else:
            self.verdict.setText(run.summary)
            self.verdict.setVisible(bool(run.summary))

    def show_selected_run(self) -> None:
        """Show the run selected in the history."""
        run = self._selected_run()
        if run is not None:
            self.show_run(run)

    def activate_selected_run(self) -> None:
        """Make the selected run the active model of its task."""
        run = self._selected_run()
        if run is None or self.project is None:
            return
        set_active(self.project, run.id)
        self.refresh_runs()
        self.run_saved.emit(run.task, run.id)
        self.status.setText(self.tr("Run {0} is now the active model.").format(run.id))

    def prepare_screenshot(self) -> None:
        """Show the active intent run (else the latest run) so the screenshot has curves."""
        runs = getattr(self, "_runs", [])
        chosen = next((r for r in runs if r.task == "intent" and r.active), None)
        if chosen is None and runs:
            chosen = runs[0]
        if chosen is not None:
            self.show_run(chosen)
