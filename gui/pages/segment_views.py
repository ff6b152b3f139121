"""The Segments page's pictures: the segment list's model, the traits chart and the customer map.

Words are translated under the page's context ("SegmentsPage"), where they have always been.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QPointF, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QVBoxLayout, QWidget

from engine.profiles.segments import trait_label
from gui import formats
from gui.models import Index, RowsModel
from gui.widgets import PALETTE, plot

#: A hover or click finds the nearest point within this many pixels.
PICK_RADIUS_PX = 7.0
MAX_SEGMENTS = 12
MAX_TRAITS = 12
OVERALL_COLOUR = "#b9c2cc"
#: Not a "segment vs all customers" number (its overall value is the segment's share of
#: customers); the list and the description already show it.
NOT_CHARTED = {"share of revenue"}



def colour(segment_id: int, alpha: int = 255) -> QColor:
    """The segment's colour on the map, the list and the charts."""
    c = QColor(PALETTE[segment_id % len(PALETTE)])
    c.setAlpha(alpha)
    return c


def format_trait(value: float, kind: str) -> str:
    """A trait value as a shop owner reads it."""
    if kind == "percent":
        return formats.percent(value)
    if kind == "money":
        return formats.money(value)
    return formats.number(value, 1)


class SegmentsModel(RowsModel):
    """The segment list; each row ends with the segment id (not shown), the name has its colour."""

    header_tips: dict[int, str] = {}

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Horizontal:
            return self.header_tips.get(section)
        return super().headerData(section, orientation, role)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.row(index.row())
        if role == Qt.ItemDataRole.DecorationRole and index.column() == 0:
            return colour(int(row[-1]))
        if role == Qt.ItemDataRole.DisplayRole and row[index.column()] is None:
            return "–"
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 0:
            return str(row[0])
        return super().data(index, role)


class SegmentList(QTableView):
    """The segments, one row each, sortable; as tall as its rows. ``rows`` is its model."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows = SegmentsModel(
            [
                QCoreApplication.translate("SegmentsPage", "Segment"),
                QCoreApplication.translate("SegmentsPage", "Customers"),
                QCoreApplication.translate("SegmentsPage", "Share"),
                QCoreApplication.translate("SegmentsPage", "Revenue"),
                QCoreApplication.translate("SegmentsPage", "Intent"),
            ],
            formatters={2: formats.percent, 3: formats.percent, 4: formats.percent},
        )
        self.setModel(self.rows)
        self.setSortingEnabled(True)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, 5):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        header.setSortIndicator(1, Qt.SortOrder.DescendingOrder)
        self.rows.header_tips = {
            1: QCoreApplication.translate("SegmentsPage", "Customers in the segment"),
            2: QCoreApplication.translate("SegmentsPage", "Share of all customers"),
            3: QCoreApplication.translate(
                "SegmentsPage", "Share of all revenue (refunds subtracted)"
            ),
            4: QCoreApplication.translate(
                "SegmentsPage",
                "Average purchase intent of the segment's customers (how likely they are to "
                "buy, as on the Customers page), from the active purchase-intent model",
            ),
        }

    def show_segments(self, segments: list[dict[str, Any]]) -> None:
        """List a run's segments, in the order the user sorted the list by."""
        self.rows.set_rows(
            [
                (
                    s["name"],
                    int(s["size"]),
                    float(s["share"]),
                    float(s["revenue_share"]),
                    s.get("avg_intent"),
                    int(s["id"]),
                )
                for s in segments
            ]
        )
        header = self.horizontalHeader()
        self.sortByColumn(header.sortIndicatorSection(), header.sortIndicatorOrder())
        # As tall as its rows (the description and the chart need the room below).
        rows = max(2, self.rows.rowCount())
        self.resizeRowsToContents()
        row_h = self.verticalHeader().defaultSectionSize()
        if self.rows.rowCount():
            row_h = self.rowHeight(0)
        frame = 2 * self.frameWidth()
        self.setFixedHeight(self.horizontalHeader().height() + rows * row_h + frame)


def _bare(widget: QWidget, child: QWidget) -> None:
    layout = QVBoxLayout(widget)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(child)


class TraitsChart(QWidget):
    """A segment's traits next to all customers', as bars scaled per trait, with the values."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = plot()
        self.plot.hideAxis("bottom")
        self.plot.showGrid(x=False, y=False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.segment_bars = pg.BarGraphItem(
            x0=[], y=[], height=0.36, width=[], brush=PALETTE[0], pen=pg.mkPen(None)
        )
        self.overall_bars = pg.BarGraphItem(
            x0=[], y=[], height=0.36, width=[], brush=OVERALL_COLOUR, pen=pg.mkPen(None)
        )
        self.plot.addItem(self.overall_bars)
        self.plot.addItem(self.segment_bars)
        self.texts: list[pg.TextItem] = []
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, small.pointSizeF() - 1))
        for _ in range(2 * MAX_TRAITS):
            text = pg.TextItem("", color="#333", anchor=(0, 0.5))
            text.setFont(small)
            text.setVisible(False)
            self.plot.addItem(text)
            self.texts.append(text)
        _bare(self, self.plot)

    def show_segment(self, seg: dict[str, Any] | None) -> None:
        """Chart a segment's traits, the most distinctive on top (None: an empty chart)."""
        traits = [
            t for t in (seg.get("traits", []) if seg else []) if t["label"] not in NOT_CHARTED
        ][:MAX_TRAITS]

        def standout(t: dict[str, Any]) -> float:
            a, b = float(t["segment"]), float(t["overall"])
            return abs(math.log((a + 1e-6) / (b + 1e-6)))

        # Most distinctive on top (pyqtgraph's y grows upwards).
        traits.sort(key=standout)
        ys, seg_w, all_w = [], [], []
        for i, t in enumerate(traits):
            a, b = float(t["segment"]), float(t["overall"])
            top = max(abs(a), abs(b), 1e-12)
            ys.append(float(i))
            seg_w.append(max(a, 0.0) / top)
            all_w.append(max(b, 0.0) / top)
        y = np.array(ys)
        brush = PALETTE[int(seg["id"]) % len(PALETTE)] if seg else PALETTE[0]
        self.plot.setTitle(
            QCoreApplication.translate(
                "SegmentsPage",
                "<span style='color:{0}'>■</span> this segment &nbsp; "
                "<span style='color:{1}'>■</span> all customers",
            ).format(brush, OVERALL_COLOUR)
            if seg
            else "",
            size="9pt",
        )
        self.segment_bars.setOpts(
            x0=np.zeros(len(y)), y=y + 0.19, width=np.array(seg_w), brush=brush
        )
        self.overall_bars.setOpts(x0=np.zeros(len(y)), y=y - 0.19, width=np.array(all_w))
        for j, text in enumerate(self.texts):
            i, which = divmod(j, 2)
            if i >= len(traits):
                text.setVisible(False)
                continue
            t = traits[i]
            value = float(t["segment"] if which == 0 else t["overall"])
            text.setText(format_trait(value, str(t.get("kind", "number"))))
            text.setPos(
                (seg_w if which == 0 else all_w)[i] + 0.02, i + (0.19 if which == 0 else -0.19)
            )
            text.setVisible(True)
        axis: Any = self.plot.getAxis("left")
        axis.setTicks([[(i, trait_label(str(t["label"]))) for i, t in enumerate(traits)]])
        if traits:
            self.plot.setYRange(-0.6, len(traits) - 0.4, padding=0)
            self.plot.setXRange(0, 1.3, padding=0)


class SegmentMap(QWidget):
    """Every customer (or a sample) as a point coloured by segment; finds the point under the
    mouse. Positions are indexes into the page's data arrays."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = plot()
        self.plot.hideAxis("left")
        self.plot.hideAxis("bottom")
        self.plot.showGrid(x=False, y=False)
        self.plot.setMinimumHeight(300)
        # One item per segment, created once: each draws its points with a single brush, so
        # neither drawing nor highlighting a segment needs a per-point brush object.
        self.scatters: list[pg.ScatterPlotItem] = []
        for sid in range(MAX_SEGMENTS):
            item = pg.ScatterPlotItem(pxMode=True, size=5, pen=None, brush=colour(sid, 200))
            self.plot.addItem(item)
            self.scatters.append(item)
        self.selected: int | None = None
        self._sx = np.zeros(0)
        self._sy = np.zeros(0)
        self._labels = np.zeros(0, np.int64)
        self._shown = np.zeros(0, np.int64)
        _bare(self, self.plot)

    def set_points(
        self,
        x: npt.NDArray[np.float64],
        y: npt.NDArray[np.float64],
        labels: npt.NDArray[np.int64],
        shown: npt.NDArray[np.int64],
    ) -> None:
        """Draw the customers ``shown`` (indexes into x, y and their segment ``labels``)."""
        self._shown = shown
        self._sx, self._sy, self._labels = x[shown], y[shown], labels[shown]
        for sid, item in enumerate(self.scatters):
            mask = (self._labels % MAX_SEGMENTS) == sid
            item.setData(x=self._sx[mask], y=self._sy[mask])
        self.highlight(self.selected)

    def clear(self) -> None:
        """Draw nobody."""
        empty = np.zeros(0, np.int64)
        self.set_points(np.zeros(0), np.zeros(0), empty, empty)

    def highlight(self, segment_id: int | None) -> None:
        """Bring a segment's customers to the front and fade the others (None: all alike)."""
        # Opacity and stacking only: changing the brush or size of ScatterPlotItem points costs
        # a Python loop over every point in pyqtgraph (measured about 1 s for 50,000 points).
        self.selected = segment_id
        for sid, item in enumerate(self.scatters):
            on = segment_id is None or sid == segment_id % MAX_SEGMENTS
            item.setOpacity(1.0 if on else 0.18)
            item.setZValue(10 if segment_id is not None and on else 0)

    def point_count(self) -> int:
        """How many customers are drawn."""
        return sum(len(item.data) for item in self.scatters)

    def point_at(self, scene_pos: QPointF) -> int | None:
        """The customer (index into the data arrays) drawn nearest to a scene position, if
        close; the highlighted segment's points lie on top, so they win."""
        if not len(self._shown):
            return None
        vb = self.plot.getViewBox()
        if not vb.sceneBoundingRect().contains(scene_pos):
            return None
        p = vb.mapSceneToView(scene_pos)
        px, py = vb.viewPixelSize()
        if not px or not py:
            return None
        d2 = ((self._sx - p.x()) / px) ** 2 + ((self._sy - p.y()) / py) ** 2
        if self.selected is not None:
            # Faded points lie under the highlighted ones: prefer what the user sees on top.
            top = self._labels == self.selected
            if top.any():
                d_top = np.where(top, d2, np.inf)
                if d_top.min() <= PICK_RADIUS_PX**2:
                    d2 = d_top
        i = int(np.argmin(d2))
        return int(self._shown[i]) if d2[i] <= PICK_RADIUS_PX**2 else None

    def scene_pos(self, x: float, y: float) -> QPointF:
        """Where a map position is drawn, in scene coordinates."""
        scene: QPointF = self.plot.getViewBox().mapViewToScene(QPointF(x, y))
        return scene
