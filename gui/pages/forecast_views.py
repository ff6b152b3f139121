"""The Forecast page's read-outs: the chart of one series (what sold, the forecast's middle and
its P10–P90 range) and the table of items whose demand is rising or falling most."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QVBoxLayout, QWidget

from engine.dates import day
from engine.forecast.read import SeriesView
from gui import formats
from gui.models import Index, column_order
from gui.widgets import plot

#: The chart's colours: what sold, the forecast's middle, its range, the forecast's start.
HISTORY, FORECAST, BAND, START = "#2a6fdb", "#e8833a", (232, 131, 58, 70), "#8a96a3"
#: The change column's colours: demand rising, falling.
UP, DOWN = "#1d6b35", "#b3261e"


class PeriodAxis(pg.AxisItem):
    """Dates below a chart of periods: ticks on period starts, written ``YYYY-MM-DD`` like
    every date in the app, as far apart as their labels need (pyqtgraph's DateAxisItem writes
    a month and a day on top of each other where they meet)."""

    #: Tick steps in days, finest first.
    STEPS = (1, 2, 7, 14, 28, 56, 91, 182, 364)
    #: Room each label needs, in pixels.
    LABEL_PX = 92

    def __init__(self) -> None:
        super().__init__(orientation="bottom")
        self.first_s = 0.0  # a period start (seconds): ticks fall on it and its steps
        self.period_days = 7

    def tickValues(  # noqa: N802 - pyqtgraph's name
        self, minVal: float, maxVal: float, size: float  # noqa: N803
    ) -> list[tuple[float, list[float]]]:
        """One level of ticks on period starts, no closer than a label's width."""
        if not (math.isfinite(minVal) and math.isfinite(maxVal)) or maxVal <= minVal:
            return []
        fits = max(1, int(size // self.LABEL_PX))
        days = (maxVal - minVal) / 86_400
        steps = [d for d in self.STEPS if d >= self.period_days and d % self.period_days == 0]
        step = next((d for d in steps if days / d <= fits), steps[-1]) * 86_400
        first = self.first_s + math.ceil((minVal - self.first_s) / step) * step
        return [(float(step), [float(v) for v in np.arange(first, maxVal + 1, step)])]

    def tickStrings(  # noqa: N802 - pyqtgraph's name
        self, values: list[float], scale: float, spacing: float
    ) -> list[str]:
        """Each tick's day, YYYY-MM-DD (UTC)."""
        return [day(v * 1000) for v in values]


class ForecastChart(QWidget):
    """History of one series as a line, the forecast's P50 continuing it, and the P10–P90 band,
    with dates below and the measure per period on the left."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 0, 0, 0)
        self.plot = plot()
        self.axis = PeriodAxis()
        self.plot.setAxisItems({"bottom": self.axis})
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        for side in ("left", "bottom"):  # "0.05 units", never "50 (x0.001)"
            self.plot.getAxis(side).enableAutoSIPrefix(False)
        self.plot.setMinimumHeight(240)
        # One row at the top, above the lines (the y range leaves it room).
        self.legend = self.plot.addLegend(offset=(12, 4), labelTextColor="#333",
                                          brush=pg.mkBrush(255, 255, 255, 220), colCount=3)
        invisible = pg.mkPen((0, 0, 0, 0))
        # The band's edges: drawn by nobody, but they set the range and carry the fill.
        self.low = self.plot.plot([], [], pen=invisible)
        self.high = self.plot.plot([], [], pen=invisible)
        self.band = pg.FillBetweenItem(self.low, self.high, brush=pg.mkBrush(*BAND))
        self.plot.addItem(self.band)
        self.history = self.plot.plot(
            [], [], pen=pg.mkPen(HISTORY, width=2), symbol="o", symbolSize=4,
            symbolBrush=HISTORY, symbolPen=None, name=self.tr("Sold"),
        )
        self.forecast = self.plot.plot(
            [], [], pen=pg.mkPen(FORECAST, width=2.5, style=Qt.PenStyle.DashLine),
            name=self.tr("Forecast (P50)"),
        )
        # A FillBetweenItem has no legend sample: a bar of the band's colour stands for it,
        # and clicking it shows or hides the band like the other entries do.
        self._band_sample = pg.BarGraphItem(x=[0], height=[0], width=1,
                                            brush=pg.mkBrush(*BAND), pen=None)
        self.legend.addItem(self._band_sample,
                            self.tr("Likely range (P10–P90)"))
        self.legend.items[-1][0].sigClicked.connect(
            lambda _item: self.band.setVisible(self._band_sample.isVisible()))
        self.start_line = pg.InfiniteLine(
            angle=90, pen=pg.mkPen(START, width=1, style=Qt.PenStyle.DotLine),
            label=self.tr("forecast starts"),
            labelOpts={"position": 0.95, "color": START, "anchors": [(-0.1, 0.5), (-0.1, 0.5)]},
        )
        self.plot.addItem(self.start_line)
        self.start_line.setVisible(False)
        self.view: SeriesView | None = None
        v.addWidget(self.plot)

    def show_view(self, view: SeriesView | None, period_word: str, measure_word: str) -> None:
        """Draw one series (None: an empty chart); the axes name the measure and period."""
        self.view = view
        if view is None or not (view.history or view.p50):
            for item in (self.history, self.forecast, self.low, self.high):
                item.setData([], [])
            self.start_line.setVisible(False)
            return
        hx = np.asarray(view.history_starts, dtype=np.float64) / 1000.0
        hy = np.asarray(view.history, dtype=np.float64)
        fx = np.asarray(view.forecast_starts, dtype=np.float64) / 1000.0
        p10, p50, p90 = (np.asarray(a, dtype=np.float64) for a in (view.p10, view.p50, view.p90))
        self.history.setData(hx, hy)
        self.axis.period_days = view.period_days
        starts = np.concatenate([hx, fx])
        self.axis.first_s = float(starts[0]) if len(starts) else 0.0
        if len(hx):  # the forecast continues the last period that sold, range and all
            fx = np.concatenate([hx[-1:], fx])
            p10, p50, p90 = (np.concatenate([hy[-1:], a]) for a in (p10, p50, p90))
        self.forecast.setData(fx, p50)
        self.low.setData(fx, p10)
        self.high.setData(fx, p90)
        self.start_line.setVisible(len(fx) > 0)
        if len(fx):
            self.start_line.setValue(float(fx[0]))
        self.plot.setLabel("left", measure_word)
        self.plot.setLabel("bottom", period_word)
        xs = np.concatenate([hx, fx])
        top = float(np.nanmax(np.concatenate([hy, p90, p50, [0.0]])))
        pad = max(view.period_days * 86_400 * 0.5, (xs.max() - xs.min()) * 0.02)
        self.plot.setXRange(float(xs.min()) - pad, float(xs.max()) + pad, padding=0)
        bottom = min(0.0, float(np.nanmin(np.concatenate([hy, p10, [0.0]]))))
        top = top if top > bottom else bottom + 1.0
        span = top - bottom
        self.plot.setYRange(bottom - 0.03 * span, top + 0.2 * span, padding=0)

    def band_at(self, i: int) -> tuple[float, float]:
        """The P10 and P90 drawn at the i-th point of the forecast line (0: the last sold)."""
        _, low = self.low.getData()
        _, high = self.high.getData()
        return float(low[i]), float(high[i])


#: The movers table's columns, in order.
KEYS = ("item", "name", "category", "recent", "expected", "change", "stock_p90")
_TEXT = ("item", "name", "category")


def amount(value: float) -> str:
    """Units per period as the table shows them: two decimals below 1, one below 10, whole
    above (a slow item's 0.04 a day is not nothing)."""
    if value != value:
        return "–"
    return formats.number(value, 2 if abs(value) < 1 else 1 if abs(value) < 10 else 0)


def percent(change: float, recent: float, expected: float) -> str:
    """A change as a signed percentage; "new" when nothing sold recently but some will."""
    if change != change or math.isinf(change):
        return "new" if expected > 0 and not recent > 0 else "–"
    return formats.percent(change, signed=True)


class MoversModel(QAbstractTableModel):
    """Items whose demand is rising or falling most, as ``movers()`` gives them; sortable by
    any column (section -1: the engine's order, biggest change first)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows = pd.DataFrame(columns=list(KEYS))
        self.view = np.zeros(0, dtype=np.int64)
        self._cols: dict[str, np.ndarray] = {}
        self._sort: tuple[int, Qt.SortOrder] = (-1, Qt.SortOrder.AscendingOrder)
        self.period_word = self.tr("week")
        self.cover_weeks = 0

    def set_rows(self, rows: pd.DataFrame, period_word: str, cover_weeks: int) -> None:
        """Show ``movers()``'s rows; the headers say the period and the weeks covered."""
        self.beginResetModel()
        self.rows = rows.reset_index(drop=True)
        n = len(self.rows)
        self._cols = {}
        for key in KEYS:
            if key in self.rows:
                col = self.rows[key]
                self._cols[key] = (col.astype(object).to_numpy() if key in _TEXT
                                   else col.to_numpy(dtype=np.float64, na_value=np.nan))
            else:
                self._cols[key] = (np.full(n, "", dtype=object) if key in _TEXT
                                   else np.full(n, np.nan))
        self.period_word = period_word
        self.cover_weeks = cover_weeks
        self._apply()
        self.endResetModel()
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(KEYS) - 1)

    def item_at(self, row: int) -> str:
        """The item (as the shop knows it) of a shown row."""
        return str(self._cols["item"][self.view[row]])

    def _apply(self) -> None:
        idx = np.arange(len(self.rows))
        col, order = self._sort
        if 0 <= col < len(KEYS) and len(idx):
            idx = column_order(self._cols[KEYS[col]], text=KEYS[col] in _TEXT, order=order)
        self.view = idx

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._apply()
        self.layoutChanged.emit()

    # -- Qt ------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.view)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(KEYS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.view):
            return None
        key = KEYS[index.column()]
        i = self.view[index.row()]
        value = self._cols[key][i]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(key, i)
        if role == Qt.ItemDataRole.ForegroundRole and key == "change":
            up = value > 0 or (value != value and self._cols["expected"][i] > 0
                               and not self._cols["recent"][i] > 0)
            return QColor(UP) if up else QColor(DOWN) if value < 0 else None
        if role == Qt.ItemDataRole.TextAlignmentRole and key not in _TEXT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tip(key)
        return None

    def _text(self, key: str, i: int) -> str:
        value = self._cols[key][i]
        if key in _TEXT:
            return "" if value is None or value != value else str(value)
        if key == "change":
            text = percent(float(value), float(self._cols["recent"][i]),
                           float(self._cols["expected"][i]))
            return self.tr("new") if text == "new" else text
        if key == "stock_p90":
            # Stock is bought in whole units: round up, never down.
            return "–" if value != value else formats.integer(math.ceil(float(value) - 1e-9))
        return amount(float(value))

    def _tip(self, key: str) -> str | None:
        if key == "recent":
            return self.tr("Units sold per {0} over the latest periods (refunds subtracted)."
                           ).format(self.period_word)
        if key == "expected":
            return self.tr("Units expected per {0} over the forecast (the P50)."
                           ).format(self.period_word)
        if key == "change":
            return self.tr("Expected compared with recent; “new” when nothing sold recently.")
        if key == "stock_p90":
            return self.tr("Units that cover demand of the next {0} weeks in 9 cases out of 10 "
                           "(the P90), rounded up.").format(self.cover_weeks)
        return None

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.headers()[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tip(KEYS[section])
        return None

    def headers(self) -> list[str]:
        """The column titles as shown now."""
        return [
            self.tr("Item"), self.tr("Name"), self.tr("Category"),
            self.tr("Recent per {0}").format(self.period_word),
            self.tr("Expected per {0}").format(self.period_word),
            self.tr("Change"),
            self.tr("Stock to cover {0} weeks (P90)").format(self.cover_weeks),
        ]
