"""The Forecast page: how many of the shop, a category or an item will sell in the coming
weeks, with a likely range and the backtest's error in words; the items whose demand moves
most, with the stock that covers the next weeks; exports of the forecast and of the chart.

Everything is read from the active forecast run through ``engine.forecast.read`` on the
worker: the whole page on a new project or run, one series per pick, the movers per change
of the weeks to cover. Each has its own :class:`Caller`, so an older read never overwrites
a newer one.
"""

from __future__ import annotations

import pandas as pd
from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from engine.dates import day
from engine.forecast import read as forecast_read
from engine.forecast.read import SeriesView
from engine.words import join_sentences
from gui.pages.forecast_load import (
    TASK,
    ForecastData,
    cover_periods,
    load_forecast,
)
from gui.pages.forecast_picker import SeriesPicker
from gui.pages.forecast_views import ForecastChart, MoversModel
from gui.table_menu import install_table_menu
from gui.widgets import (
    EmptyState,
    StatusLine,
    ask_export_path,
    hint,
    remember_export_folder,
    save_chart,
)
from gui.worker import Caller, Worker
from storage.project import Project


class ForecastPage(QWidget):
    """The series picker, the chart and its words, the movers and the exports."""

    loaded = Signal(object)
    """The page read a project (payload: the ForecastData; its run is None without one)."""
    series_shown = Signal(object)
    """A series is drawn (payload: the SeriesView)."""
    movers_shown = Signal(object)
    """The movers table was filled (payload: the DataFrame shown)."""
    train_requested = Signal()
    """The user asked to go to the Train page (no forecast yet)."""
    exported = Signal(str, int)
    """The forecast or the chart was written (payload: path, rows; 0 for a picture)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project: Project | None = None
        self.data: ForecastData | None = None
        self.view: SeriesView | None = None
        self._loader = Caller(self)
        self._series_loader = Caller(self)
        self._movers_loader = Caller(self)
        self._export_worker: Worker | None = None
        self._stale = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        head = QHBoxLayout()
        heading = QLabel(self.tr("Sales forecast"))
        heading.setStyleSheet("font-size: 18px; font-weight: 600;")
        head.addWidget(heading)
        head.addStretch(1)
        self.export_button = QPushButton(self.tr("Export forecast…"))
        self.export_button.setToolTip(self.tr(
            "Every forecast of the run (shop, categories, items; units and revenue; P10, P50, "
            "P90 per period) as a CSV or Excel file"
        ))
        self.export_button.clicked.connect(lambda _checked=False: self.export_forecast())
        self.png_button = QPushButton(self.tr("Save chart…"))
        self.png_button.setToolTip(self.tr("The chart as shown, as a PNG picture"))
        self.png_button.clicked.connect(lambda _checked=False: self.save_chart())
        head.addWidget(self.export_button)
        head.addWidget(self.png_button)
        layout.addLayout(head)
        self.run_label = hint("")
        layout.addWidget(self.run_label)
        self.status = StatusLine()
        layout.addWidget(self.status)

        self.stack = QStackedWidget()
        layout.addWidget(self.stack, 1)
        self.stack.addWidget(self._build_empty())
        self.stack.addWidget(self._build_content())
        self._cover_timer = QTimer(self)
        self._cover_timer.setSingleShot(True)
        self._cover_timer.setInterval(150)
        self._cover_timer.timeout.connect(self.reload_movers)
        self.cover.valueChanged.connect(lambda _v: self._cover_timer.start())
        self._show_empty(self.tr("Open a project to see its sales forecast."), train=False)

    # -- layout --------------------------------------------------------------------------
    def _build_empty(self) -> QWidget:
        box = EmptyState()
        box.train_requested.connect(self.train_requested)
        self.empty, self.train_button = box.label, box.train_button
        return box

    def _build_content(self) -> QWidget:
        split = QSplitter(Qt.Orientation.Vertical)
        split.setChildrenCollapsible(False)
        split.addWidget(self._build_chart())
        split.addWidget(self._build_movers())
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([420, 280])
        return split

    def _build_chart(self) -> QWidget:
        """Top: what to show (series, measure), the chart, and what forecast it how well."""
        top = QWidget()
        tv = QVBoxLayout(top)
        tv.setContentsMargins(0, 0, 0, 6)
        self.picker = SeriesPicker()
        self.series = self.picker.series
        self.units_button, self.revenue_button = (self.picker.units_button,
                                                  self.picker.revenue_button)
        self.picker.changed.connect(self.reload_series)
        tv.addWidget(self.picker)
        self.chart = ForecastChart()
        self.chart_plot = self.chart.plot
        tv.addWidget(self.chart, 1)
        self.method_label = QLabel()
        self.method_label.setWordWrap(True)
        self.method_label.setStyleSheet("font-size: 13px; color: #1d2a3a;")
        self.method_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        tv.addWidget(self.method_label)
        self.period_label = hint("")
        tv.addWidget(self.period_label)
        return top

    def _build_movers(self) -> QWidget:
        """Bottom: the items whose demand moves most, and the stock that covers N weeks."""
        box = QWidget()
        bv = QVBoxLayout(box)
        bv.setContentsMargins(0, 6, 0, 0)
        row = QHBoxLayout()
        movers_title = QLabel(self.tr("Items whose demand is rising or falling most"))
        movers_title.setStyleSheet("font-size: 14px; font-weight: 600;")
        row.addWidget(movers_title)
        row.addStretch(1)
        row.addWidget(QLabel(self.tr("Stock to cover the next")))
        self.cover = QSpinBox()
        self.cover.setRange(1, 1)
        self.cover.setSuffix(self.tr(" weeks"))
        self.cover.setToolTip(self.tr(
            "The stock column covers demand of this many weeks in 9 cases out of 10 (P90)"))
        row.addWidget(self.cover)
        bv.addLayout(row)
        self.movers_note = hint("")
        bv.addWidget(self.movers_note)
        self.model = MoversModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setSortIndicator(-1, Qt.SortOrder.DescendingOrder)  # the engine's order first
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.setToolTip(self.tr("Double-click an item to see its forecast in the chart"))
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((90, 230, 150, 120, 130, 80)):
            self.table.setColumnWidth(col, width)
        self.table.doubleClicked.connect(self._mover_opened)
        install_table_menu(self.table, "rising-and-falling-items")
        bv.addWidget(self.table, 1)
        return box

    # -- loading -------------------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        """Follow the open project (read when the page is shown)."""
        self.project = project
        self.status.clear()
        self.data = None
        self._reload_when_seen()

    def run_saved(self, task: str, run_id: int) -> None:
        """A run was saved or made active: only a forecast run changes this page."""
        if task == TASK:
            self._reload_when_seen()

    def _reload_when_seen(self) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True
            for caller in (self._loader, self._series_loader, self._movers_loader):
                caller.cancel()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        """Read the forecast on the first visit after the project or its runs changed."""
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        """Read the active forecast run on the worker; the series shown stays when it can."""
        self._stale = False
        self._series_loader.cancel()
        self._movers_loader.cancel()
        if self.project is None:
            self._loader.cancel()
            self.data = None
            self._show_empty(self.tr("Open a project to see its sales forecast."), train=False)
            return
        if self.data is None:
            self._show_empty(self.tr("Reading the forecast…"), train=False)
        level, key = self.picker.picked()
        self._loader.call(load_forecast, self.project, level, key, self.picker.measure(),
                          on_done=self.show_data, on_error=self._load_failed)

    def _load_failed(self, exc: BaseException) -> None:
        self.data = None
        self._show_empty(self.tr("The forecast could not be read: {0}").format(exc), train=False)
        self.loaded.emit(None)

    def _show_empty(self, text: str, *, train: bool) -> None:
        self.empty.setText(text)
        self.train_button.setVisible(train)
        self.stack.setCurrentIndex(0)
        self.run_label.setText("")
        self.run_label.setVisible(False)
        for button in (self.export_button, self.png_button):
            button.setVisible(False)

    def show_data(self, data: ForecastData) -> None:
        """Show a freshly read run: the picker, the chart, the movers."""
        self.data = data
        if data.run is None or data.view is None:
            self._show_empty(self.tr(
                "No sales forecast yet.\n\nTrain the sales forecast on the Train page "
                "(choose “Sales forecast” and press Start). The forecast of the shop, its "
                "categories and items appears here when training ends."), train=True)
            self.loaded.emit(data)
            return
        self.stack.setCurrentIndex(1)
        for button in (self.export_button, self.png_button):
            button.setVisible(True)
        self.export_button.setEnabled(self._export_worker is None)
        self.picker.set_choices(data.choices, data.view.level, data.view.key)
        self.cover.blockSignals(True)
        self.cover.setRange(1, max(1, data.weeks))
        self.cover.setValue(max(1, data.weeks))
        self.cover.blockSignals(False)
        as_of = data.run.settings.get("as_of_ms")
        self.run_label.setText(self.tr(
            "Forecast {1} weeks ahead from the data up to {0} · trained {2}").format(
                day(as_of), data.weeks, str(data.run.created_at)[:16].replace("T", " ")))
        self.run_label.setVisible(True)
        self.show_series(data.view)
        self._show_movers(data.movers)
        self.loaded.emit(data)

    # -- the chart -----------------------------------------------------------------------
    def show_item(self, item: str) -> None:
        """Show an item's forecast in the chart (as from the picker)."""
        if not self.picker.select("item", item):  # else the pick reads the series
            self.reload_series(("item", item))

    def reload_series(self, which: tuple[str, str] | None = None) -> None:
        """Read the picked series in the picked measure on the worker and draw it."""
        if self.project is None or self.data is None or self.data.run is None:
            return
        level, key = which or self.picker.picked()
        self._series_loader.call(forecast_read.series_view, self.project, self.data.run, level, key,
                                 self.picker.measure(), on_done=self.show_series,
                                 on_error=lambda exc: self.status.failed(str(exc)))

    def show_series(self, view: SeriesView) -> None:
        """Draw one series and say what forecast it, how well, and per what period."""
        self.view = view
        weekly = view.period_days == 7
        if view.measure == "revenue":
            measure = self.tr("revenue per week") if weekly else self.tr("revenue per day")
        else:
            measure = self.tr("units sold per week") if weekly else self.tr("units sold per day")
        period = self.tr("week starting") if weekly else self.tr("day")
        self.chart.show_view(view, period, measure)
        name = self.tr("Whole shop") if view.level == "shop" else view.label
        words = self.tr("{0} — method: {1}.").format(name, view.method)
        self.method_label.setText(join_sentences(words, view.error))
        self.period_label.setText(join_sentences(
            (self.tr("Each point is one week (7 days); the forecast covers {0} weeks.").format(
                len(view.p50)) if weekly else
             self.tr("Each point is one day (the log is short and busy enough for daily "
                     "periods); the forecast covers {0} days.").format(len(view.p50))),
            self.tr("The dashed line is as likely to be beaten as missed (P50); "
                    "8 periods in 10 fall inside the band (P10–P90).")))
        self.series_shown.emit(view)

    # -- the movers ----------------------------------------------------------------------
    def _period_word(self) -> str:
        days = self.view.period_days if self.view is not None else 7
        return self.tr("week") if days == 7 else self.tr("day")

    def reload_movers(self) -> None:
        """Read the movers with the stock covering the chosen weeks, on the worker."""
        if self.project is None or self.data is None or self.data.run is None:
            return
        days = self.view.period_days if self.view is not None else 7
        self._movers_loader.call(forecast_read.movers, self.project, self.data.run,
                                 cover_periods=cover_periods(self.cover.value(), days),
                                 on_done=self._show_movers,
                                 on_error=lambda exc: self.status.failed(str(exc)))

    def _show_movers(self, rows: pd.DataFrame) -> None:
        self.model.set_rows(rows, self._period_word(), self.cover.value())
        self.movers_note.setText(
            self.tr("No item forecasts in this run: train it down to items to see them here.")
            if rows.empty else
            self.tr("{0:,} items, the biggest change in units first. Double-click one to see it in the "
                    "chart; click a column to sort.").format(len(rows)))
        self.movers_shown.emit(rows)

    def _mover_opened(self, index: QModelIndex) -> None:
        if index.isValid():
            self.show_item(self.model.item_at(index.row()))

    # -- exports -------------------------------------------------------------------------
    def export_forecast(self, path: str | None = None) -> None:
        """Write every forecast of the run as CSV or Excel by the file name, on the worker
        (asks where unless ``path`` is given)."""
        if (self.project is None or self.data is None or self.data.run is None
                or self._export_worker is not None):
            return
        if not path:
            path = ask_export_path(self, self.tr("Export forecast"), "forecast.xlsx")
            if not path:
                return
        out = path
        worker = Worker.call(forecast_read.export_forecast, self.project, out)
        worker.signals.progressed.connect(lambda n: self._exported(
            out, self.tr("{0:,} forecasts").format(int(n)), int(n)))
        worker.signals.failed.connect(lambda exc: self.status.failed(str(exc)))
        worker.signals.finished.connect(self._export_finished)
        self._export_worker = worker
        self.export_button.setEnabled(False)
        self.status.clear()
        worker.start()

    def _export_finished(self) -> None:
        self._export_worker = None
        self.export_button.setEnabled(True)

    def save_chart(self, path: str | None = None) -> None:
        """Save the chart as shown as a PNG picture (asks where unless ``path`` is given), as
        its right-click menu does; ``exported`` follows."""
        if self.view is None:
            return
        self.chart_plot.file_name = (
            "forecast.png" if self.view.level == "shop" else "forecast-{}.png".format(
                "".join(c if c.isalnum() else "-" for c in self.view.key).strip("-") or "series"))
        self.status.clear()
        written = save_chart(self.chart_plot, path)
        if written is not None:
            self.exported.emit(str(written), 0)

    def _exported(self, path: str, what: str, n: int) -> None:
        remember_export_folder(path)
        self.status.saved(what, path)
        self.exported.emit(path, n)
