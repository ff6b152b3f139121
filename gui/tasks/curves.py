"""The live training curves of every task: losses on the left, the task's extra metrics right.

Fed by the one progress report (``engine.tasks.base.Progress``): "batch" reports add to the
smoothed training-loss line inside the epoch, "epoch" reports add a point per loss and metric. A
saved run's ``RunView`` (its ``losses`` and ``extra_curves``) draws the same plots again.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QWidget

from engine.tasks.base import Progress, RunView, Series
from gui.tasks.form import tr
from gui.tasks.history import fmt_secs
from gui.widgets import PALETTE, plot, set_plot_title


def progress_text(report: Progress) -> str:
    """Where training is, in words: the batch of the epoch, or the epoch with the time taken
    and (when the task can tell) the time left."""
    if report.step == "prepare":  # before the first epoch: reading and building the data
        label = tr("Preparing the training data: {0}").format(report.message)
        if not math.isfinite(report.eta_s):
            return label + " · " + fmt_secs(report.elapsed_s)
        return label + tr(" · elapsed {0} · about {1} left").format(
            fmt_secs(report.elapsed_s), fmt_secs(report.eta_s))
    if report.step == "batch":
        return tr("Epoch {0}: batch {1:,} of {2:,}").format(
            report.epoch, report.batch, report.batches)
    label = tr("Epoch {0} of at most {1}").format(report.epoch, report.epochs)
    if report.phase == "refit":
        label = tr("Final fit on all periods: epoch {0} of {1}").format(
            report.epoch, report.epochs)
    if not math.isfinite(report.eta_s):
        return label + " · " + fmt_secs(report.elapsed_s)
    return label + tr(" · elapsed {0} · about {1} left").format(
        fmt_secs(report.elapsed_s), fmt_secs(report.eta_s))


def _broken(xs: list[float], ys: list[float]) -> tuple[list[float], list[float]]:
    """The points with a gap wherever x goes back: a new pass of training (another model from
    a different random start, the final fit on all periods) starts its own line instead of
    one drawn back across the plot."""
    out_x: list[float] = []
    out_y: list[float] = []
    for x, y in zip(xs, ys, strict=True):
        if out_x and x <= out_x[-1]:
            out_x.append(x)
            out_y.append(math.nan)
        out_x.append(x)
        out_y.append(y)
    return out_x, out_y


def _dotted(color: str, name: str | None = None) -> dict[str, object]:
    return {"pen": pg.mkPen(color, width=2), "symbol": "o", "symbolSize": 6,
            "symbolBrush": color, "name": name}


class TrainingCurves(QWidget):
    """Loss plot (smoothed batches, per-epoch train and valid) and the extra-metrics plot."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.loss_plot = plot(tr("Loss (lower is better)"), epoch_axis=True)
        self.loss_plot.setLabel("bottom", tr("epoch"))
        self.loss_plot.addLegend(offset=(-10, 10))
        self.batch_curve = self.loss_plot.plot(
            [], [], pen=pg.mkPen(PALETTE[0], width=1), name=tr("training (smoothed)")
        )
        self.batch_curve.setDownsampling(auto=True, method="peak")
        self.batch_curve.setClipToView(True)
        self.loss_curves = [
            self.loss_plot.plot([], [], **_dotted(PALETTE[0], tr("training (per epoch)"))),
            self.loss_plot.plot([], [], **_dotted(PALETTE[1], tr("validation"))),
        ]
        self.extra_plot = plot(epoch_axis=True)
        self.extra_plot.setLabel("bottom", tr("epoch"))
        self.extra_curves = [self.extra_plot.plot([], [], **_dotted(PALETTE[2]))]
        row.addWidget(self.loss_plot, 3)
        row.addWidget(self.extra_plot, 2)
        self._row = row
        self._batches: tuple[list[float], list[float]] = ([], [])
        #: Per-epoch points by loss name ("train", "valid") and by metric name.
        self._losses: dict[str, tuple[list[float], list[float]]] = {"train": ([], []),
                                                                     "valid": ([], [])}
        self._metrics: dict[str, tuple[list[float], list[float]]] = {}

    def set_extra_title(self, text: str) -> None:
        """Title the extra-metrics plot; no title hides it (a task without extra metrics)."""
        set_plot_title(self.extra_plot, text)
        self.extra_plot.setVisible(bool(text))
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """Side by side while both titles fit (a wide window); one above the other in a narrow
        window or with a large font, so that no title is cut."""
        shown = [p for p in (self.loss_plot, self.extra_plot) if not p.isHidden()]
        # The stretch factors (3:2) share the row: each plot needs its share to fit its title.
        needed = max((getattr(p, "title_width", 0) * 5 // (3 if p is self.loss_plot else 2)
                      for p in shown), default=0) if len(shown) == 2 else 0
        direction = (QBoxLayout.Direction.TopToBottom if self.width() < needed
                     else QBoxLayout.Direction.LeftToRight)
        if self._row.direction() != direction:
            self._row.setDirection(direction)

    def clear(self) -> None:
        """Empty every curve for a new run."""
        for buf in self._batches:
            buf.clear()
        # Training and validation losses keep their own lines (and colours) in this order.
        self._losses = {"train": ([], []), "valid": ([], [])}
        self._metrics.clear()
        for curve in (self.batch_curve, *self.loss_curves, *self.extra_curves):
            curve.setData([], [])
        self.loss_plot.setVisible(True)
        self.extra_plot.setLabel("bottom", tr("epoch"))
        self._fit()

    def add(self, report: Progress) -> None:
        """Add a "batch" or "epoch" report's points."""
        if report.step == "batch":
            loss = report.losses.get("train")
            if loss is None:
                return
            self._batches[0].append(report.epoch - 1 + report.batch / max(1, report.batches))
            self._batches[1].append(loss)
            self.batch_curve.setData(*_broken(*self._batches), connect="finite")
        elif report.step == "epoch":
            x = float(report.epoch)
            if not report.losses and not any(xs for xs, _ in self._losses.values()):
                self.loss_plot.setVisible(False)  # a task without a loss (the forecast)
                self._fit()
                self.extra_plot.setLabel("bottom", tr("step"))
            for store, values, curves in ((self._losses, report.losses, self.loss_curves),
                                          (self._metrics, report.metrics, self.extra_curves)):
                for name, y in values.items():
                    if y is not None and y == y:  # NaN: nothing measured this epoch
                        xs, ys = store.setdefault(name, ([], []))
                        xs.append(x)
                        ys.append(float(y))
                for name, (xs, ys) in store.items():
                    self._curve(curves, list(store).index(name)).setData(
                        *_broken(xs, ys), connect="finite")

    def show_view(self, view: RunView, extra_title: str) -> None:
        """Draw a saved run's curves (``extra_title`` when its view names none)."""
        self.clear()
        self._fill(self.loss_curves, view.losses)
        self._fill(self.extra_curves, view.extra_curves)
        self.set_extra_title((view.extra_title or extra_title) if view.extra_curves else "")
        # A task without a loss (the forecast's backtest, customer value) shows no loss chart.
        self.loss_plot.setVisible(bool(view.losses))
        self.extra_plot.setLabel("bottom", tr("epoch") if view.losses else tr("step"))

    def _fill(self, curves: list[pg.PlotDataItem], series: list[Series]) -> None:
        for i, s in enumerate(series):
            self._curve(curves, i).setData(*_broken(s.x, s.y), connect="finite")

    def _curve(self, curves: list[pg.PlotDataItem], i: int) -> pg.PlotDataItem:
        """The i-th curve of a plot, made when first needed (tasks with more lines)."""
        target = self.loss_plot if curves is self.loss_curves else self.extra_plot
        while len(curves) <= i:
            offset = 0 if curves is self.loss_curves else 2
            color = PALETTE[(offset + len(curves)) % len(PALETTE)]
            curves.append(target.plot([], [], **_dotted(color)))
        return curves[i]
