"""The result view of a run: its verdict, metric table, charts and notes (a ``RunView``).

Everything comes from the task's ``describe(run)``, so the view knows no task: a table is rows of
methods against metric columns, a chart is titled series with axis labels and an optional dashed
reference line.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QGridLayout, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from engine.tasks.base import Chart, RunView
from gui.models import RowsModel
from gui.table_menu import install_table_menu
from gui.widgets import PALETTE, hint, plot, title

ROW_HEIGHT = 24
MAX_COLUMNS = 64


def _cell(x: float) -> str:
    return "–" if x != x else f"{x:.3f}"


class ChartPlot:
    """One chart's plot widget; its curves are made once and refilled.

    The title is a word-wrapping label above the plot (a plot's own title never wraps and
    would push the plot wider than its third of the page)."""

    def __init__(self, index: int) -> None:
        self.index = index
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setStyleSheet("background: white; color: #333; font-size: 10pt; padding: 4px;")
        self.widget = plot()
        self.widget.caption = self.title  # a saved picture keeps its title
        self.curves: list[pg.PlotDataItem] = []
        self.reference = self.widget.plot(
            [], [], pen=pg.mkPen("#999", style=Qt.PenStyle.DashLine)
        )

    def show(self, chart: Chart) -> None:
        """Draw a chart (title, axis labels, series, dashed reference)."""
        self.title.setText(chart.title)
        for side, text in (("bottom", chart.x_label), ("left", chart.y_label)):
            if text:
                self.widget.setLabel(side, text)
            else:
                self.widget.getAxis(side).showLabel(False)
        while len(self.curves) < len(chart.series):
            color = PALETTE[(self.index + len(self.curves)) % len(PALETTE)]
            self.curves.append(self.widget.plot([], [], pen=pg.mkPen(color, width=2)))
        for i, curve in enumerate(self.curves):
            s = chart.series[i] if i < len(chart.series) else None
            curve.setData([] if s is None else s.x, [] if s is None else s.y)
        ref = chart.reference
        self.reference.setData([] if ref is None else ref.x, [] if ref is None else ref.y)

    def clear(self) -> None:
        """Empty the curves, keep the titles."""
        for curve in (*self.curves, self.reference):
            curve.setData([], [])


class ResultView(QWidget):
    """Verdict box, metric table, charts and notes of one run."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 0, 0, 0)
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.verdict.setStyleSheet(
            "font-size: 14px; background: #eef4ff; border: 1px solid #c9d8f5; "
            "border-radius: 6px; padding: 8px;"
        )
        self.verdict.setVisible(False)
        v.addWidget(self.verdict)
        self.metrics_title = title("")
        self.metrics_title.setWordWrap(True)  # a long heading must not widen the whole view
        v.addWidget(self.metrics_title)
        # Column 0 names the method; every other cell is a metric ("–" when unknown).
        self.metrics_model = RowsModel([], formatters={i: _cell for i in range(1, MAX_COLUMNS)})
        self.metrics_view = QTableView()
        self.metrics_view.setModel(self.metrics_model)
        self.metrics_view.verticalHeader().setVisible(False)
        self.metrics_view.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        self.metrics_view.setWordWrap(False)
        self._metric_rows = 1
        # Many metrics in a narrow window scroll sideways: the scroll bar gets its own room.
        self.metrics_view.horizontalScrollBar().rangeChanged.connect(
            lambda _low, _high: self._fit_metrics_height())
        self.metrics_view.installEventFilter(self)
        install_table_menu(self.metrics_view, "metrics")
        v.addWidget(self.metrics_view)
        self.charts_box = QWidget()
        self.charts_grid = QGridLayout(self.charts_box)
        self.charts_grid.setContentsMargins(0, 0, 0, 0)
        self.charts_grid.setVerticalSpacing(0)
        self.charts: list[ChartPlot] = []
        v.addWidget(self.charts_box)
        self.notes = hint("")
        v.addWidget(self.notes)
        for w in (self.metrics_title, self.metrics_view, self.charts_box):
            w.setVisible(False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.metrics_view and event.type() == QEvent.Type.Resize:
            self._fit_metrics_columns()
        return super().eventFilter(watched, event)

    def _fit_metrics_columns(self) -> None:
        """The metrics keep their headings whole ("Precision", "Lift 10%"); the method's name
        takes the rest of the row, but never less than about 18 letters: a narrow window (or
        150 % scaling) scrolls the table sideways rather than cutting the names to "LST…"."""
        view = self.metrics_view
        header = view.horizontalHeader()
        if header.count() == 0:
            return
        others = sum(header.sectionSize(c) for c in range(1, header.count()))
        whole = max(view.sizeHintForColumn(0), header.sectionSizeHint(0))
        floor = min(whole, view.fontMetrics().horizontalAdvance("x" * 18))
        view.setColumnWidth(0, max(floor, view.viewport().width() - others))

    def _fit_metrics_height(self) -> None:
        bar = self.metrics_view.horizontalScrollBar()
        extra = bar.sizeHint().height() if bar.maximum() > 0 else 0
        self.metrics_view.setFixedHeight(self._metric_rows * ROW_HEIGHT + 30 + extra)

    def show_view(self, view: RunView) -> None:
        """Show what ``describe(run)`` says about a run."""
        self.verdict.setText(view.verdict)
        self.verdict.setVisible(bool(view.verdict))
        table = view.table
        for w in (self.metrics_title, self.metrics_view):
            w.setVisible(table is not None)
        if table is not None:
            self.metrics_title.setText(table.title)
            self.metrics_model.set_rows([
                (label, *[float("nan") if x is None else x for x in values])
                for label, values in table.rows
            ], headers=table.columns, tips=table.tips)
            header = self.metrics_view.horizontalHeader()
            header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
            self._metric_rows = max(1, len(table.rows))
            self._fit_metrics_columns()
            self._fit_metrics_height()
        while len(self.charts) < len(view.charts):
            chart = ChartPlot(len(self.charts))
            self.charts_grid.addWidget(chart.title, 0, len(self.charts))
            self.charts_grid.addWidget(chart.widget, 1, len(self.charts))
            self.charts.append(chart)
        for i, chart in enumerate(self.charts):
            chart.widget.setVisible(i < len(view.charts))
            chart.title.setVisible(i < len(view.charts))
            if i < len(view.charts):
                chart.show(view.charts[i])
        self.charts_box.setVisible(bool(view.charts))
        self.notes.setText(view.notes)

    def clear(self) -> None:
        """Empty the view for a new run (tables and charts keep their headings)."""
        self.metrics_model.set_rows([])
        for chart in self.charts:
            chart.clear()
        self.verdict.setVisible(False)
        self.notes.setText("")
