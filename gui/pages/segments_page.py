"""The Segments page: the customer segments of the active profiles run, listed, described and
shown on a 2-D map of every customer."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg
from PySide6.QtCore import QModelIndex, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QCursor, QFont, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from engine import profile_runs
from gui.models import Index, RowsModel
from gui.widgets import PALETTE, fmt_date, hint, plot, title
from gui.worker import Worker
from storage.project import Project
from storage.queries import item_names
from storage.runs import RunInfo, run_outputs

#: At most this many customers are drawn on the map (a random sample beyond it).
MAX_POINTS = 50_000
#: A hover or click finds the nearest point within this many pixels.
PICK_RADIUS_PX = 7.0
_MAX_SEGMENTS = 12
_MAX_TRAITS = 12
_OVERALL_COLOUR = "#b9c2cc"
#: Not a "segment vs all customers" number (its overall value is the segment's share of
#: customers); the list and the description already show it.
_NOT_CHARTED = {"share of revenue"}


@dataclass(frozen=True)
class SegmentsData:
    """What the page shows, read off the GUI thread: the run, its segments and, per customer,
    id, key, segment and map position; ``shown`` indexes the customers drawn on the map."""

    run: RunInfo | None
    segments: list[dict[str, Any]] = field(default_factory=list)
    customer_ids: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    keys: npt.NDArray[np.object_] = field(default_factory=lambda: np.zeros(0, object))
    labels: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    x: npt.NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    y: npt.NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    shown: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    item_names: dict[str, str] = field(default_factory=dict)


def load_segments(project: Project, max_points: int = MAX_POINTS) -> SegmentsData:
    """Read the active profiles run (None-filled data when there is none)."""
    run = profile_runs.active_profiles(project)
    if run is None:
        return SegmentsData(run=None)
    out = run_outputs(project, run.id)
    out = out[out["segment"].notna() & out["x"].notna() & out["y"].notna()]
    n = len(out)
    if n > max_points:
        # A fixed seed: the same customers stay on the map every time the page is opened.
        shown = np.sort(np.random.default_rng(0).choice(n, max_points, replace=False))
    else:
        shown = np.arange(n)
    return SegmentsData(
        run=run,
        segments=list(run.metrics.get("segments", [])),
        customer_ids=out["customer_id"].to_numpy(dtype=np.int64),
        keys=out["key"].to_numpy(dtype=object),
        labels=out["segment"].to_numpy(dtype=np.int64),
        x=out["x"].to_numpy(dtype=np.float64),
        y=out["y"].to_numpy(dtype=np.float64),
        shown=shown.astype(np.int64),
        item_names=item_names(
            project,
            sorted({str(i) for seg in run.metrics.get("segments", [])
                    for i, _n in seg.get("top_items", [])}),
        ),
    )


def colour(segment_id: int, alpha: int = 255) -> QColor:
    """The segment's colour on the map, the list and the charts."""
    c = QColor(PALETTE[segment_id % len(PALETTE)])
    c.setAlpha(alpha)
    return c


def format_trait(value: float, kind: str) -> str:
    """A trait value as a shop owner reads it."""
    if kind == "percent":
        return f"{100 * value:.0f}%"
    if kind == "money":
        return f"{value:,.2f}"
    return f"{value:,.1f}"


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


class SegmentsPage(QWidget):
    """Segments in a list, their description and distinguishing traits, and a map of customers."""

    customer_selected = Signal(int)
    """The user clicked a customer on the map (payload: the customer id)."""
    loaded = Signal(object)
    """New SegmentsData is shown."""
    exported = Signal(str, int)
    """A CSV was written (payload: path, number of customers)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project: Project | None = None
        self.data: SegmentsData | None = None
        self.selected_segment: int | None = None
        self._worker: Worker | None = None
        self._export_worker: Worker | None = None
        self._generation = 0
        self._shown_run_id: int | None = None
        self._sx = np.zeros(0)
        self._sy = np.zeros(0)
        self._shown = np.zeros(0, np.int64)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        head = QHBoxLayout()
        self.heading = QLabel(self.tr("Customer segments"))
        self.heading.setStyleSheet("font-size: 18px; font-weight: 600;")
        head.addWidget(self.heading)
        head.addStretch(1)
        self.export_one_button = QPushButton(self.tr("Export this segment…"))
        self.export_one_button.clicked.connect(lambda: self.export_selected())
        self.export_all_button = QPushButton(self.tr("Export all…"))
        self.export_all_button.clicked.connect(lambda: self.export_all())
        head.addWidget(self.export_one_button)
        head.addWidget(self.export_all_button)
        layout.addLayout(head)
        self.method_label = hint("")
        layout.addWidget(self.method_label)

        self.stack = QStackedWidget()
        layout.addWidget(self.stack, 1)
        self.empty = QLabel()
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("font-size: 15px; color: #5b6776; padding: 40px;")
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self._build_content())
        self._show_empty(self.tr("Open a project to see its customer segments."))

    # -- layout --------------------------------------------------------------------------
    def _build_content(self) -> QWidget:
        splitter = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 8, 0)
        lv.addWidget(title(self.tr("Segments")))
        self.model = SegmentsModel(
            [
                self.tr("Segment"),
                self.tr("Customers"),
                self.tr("Share"),
                self.tr("Revenue"),
                self.tr("Intent"),
            ],
            formatters={2: lambda v: f"{v:.0%}", 3: lambda v: f"{v:.0%}", 4: lambda v: f"{v:.2f}"},
        )
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, 5):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header.setSortIndicator(1, Qt.SortOrder.DescendingOrder)
        self.model.header_tips = {
            1: self.tr("Customers in the segment"),
            2: self.tr("Share of all customers"),
            3: self.tr("Share of all revenue (refunds subtracted)"),
            4: self.tr(
                "Average purchase intent of the segment's customers (0 to 1), from the "
                "active purchase-intent model"
            ),
        }
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        lv.addWidget(self.table)

        self.segment_title = title("")
        lv.addWidget(self.segment_title)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.description.setTextFormat(Qt.TextFormat.RichText)
        self.description.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.description.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lv.addWidget(self.description)

        self.traits_plot = plot()
        self.traits_plot.hideAxis("bottom")
        self.traits_plot.showGrid(x=False, y=False)
        self.traits_plot.setMouseEnabled(x=False, y=False)
        self.traits_plot.hideButtons()
        self.segment_bars = pg.BarGraphItem(
            x0=[], y=[], height=0.36, width=[], brush=PALETTE[0], pen=pg.mkPen(None)
        )
        self.overall_bars = pg.BarGraphItem(
            x0=[], y=[], height=0.36, width=[], brush=_OVERALL_COLOUR, pen=pg.mkPen(None)
        )
        self.traits_plot.addItem(self.overall_bars)
        self.traits_plot.addItem(self.segment_bars)
        self.trait_texts: list[pg.TextItem] = []
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, small.pointSizeF() - 1))
        for _ in range(2 * _MAX_TRAITS):
            text = pg.TextItem("", color="#333", anchor=(0, 0.5))
            text.setFont(small)
            text.setVisible(False)
            self.traits_plot.addItem(text)
            self.trait_texts.append(text)
        lv.addWidget(self.traits_plot, 1)
        splitter.addWidget(left)

        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(8, 0, 0, 0)
        rv.addWidget(title(self.tr("Customer map")))
        self.map_plot = plot()
        self.map_plot.hideAxis("left")
        self.map_plot.hideAxis("bottom")
        self.map_plot.showGrid(x=False, y=False)
        self.map_plot.setMinimumHeight(300)
        # One item per segment, created once: each draws its points with a single brush, so
        # neither drawing nor highlighting a segment needs a per-point brush object.
        self.scatters: list[pg.ScatterPlotItem] = []
        for sid in range(_MAX_SEGMENTS):
            item = pg.ScatterPlotItem(pxMode=True, size=5, pen=None, brush=colour(sid, 200))
            self.map_plot.addItem(item)
            self.scatters.append(item)
        self.map_plot.scene().sigMouseMoved.connect(self._hovered)
        self.map_plot.scene().sigMouseClicked.connect(self._clicked)
        rv.addWidget(self.map_plot, 1)
        self.hover_label = QLabel(" ")
        self.hover_label.setStyleSheet("font-weight: 600; color: #1d2a3a;")
        rv.addWidget(self.hover_label)
        self.map_note = hint("")
        rv.addWidget(self.map_note)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 11)
        splitter.setStretchFactor(1, 9)
        return splitter

    # -- loading -------------------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        """Show a project's segments (None: nothing open)."""
        self.project = project
        self.refresh()

    def refresh(self) -> None:
        """Reload the active profiles run on the worker (the window stays responsive)."""
        self._generation += 1
        if self._worker is not None and self._worker.running:
            self._worker.cancel()
        if self.project is None:
            self.data = None
            self._show_empty(self.tr("Open a project to see its customer segments."))
            return
        project = self.project
        generation = self._generation
        self.method_label.setText(self.tr("Reading the segments…"))

        def work(_should_stop: Callable[[], bool]) -> Iterator[SegmentsData]:
            yield load_segments(project)

        worker = Worker(work)
        worker.signals.progressed.connect(
            lambda data: self.show_data(data) if generation == self._generation else None
        )
        worker.signals.failed.connect(
            lambda exc: self.method_label.setText(
                self.tr("The segments could not be read: {0}").format(exc)
            )
        )
        self._worker = worker
        worker.start()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        """Coming back to the page after a new profiles run was trained shows the new one."""
        super().showEvent(event)
        if self.project is None or (self._worker is not None and self._worker.running):
            return
        try:
            run = profile_runs.active_profiles(self.project)
        except Exception:  # noqa: BLE001 - a closed or broken project: refresh() says so
            run = None
            self._shown_run_id = -1
        if (run.id if run is not None else None) != self._shown_run_id:
            self.refresh()

    def _show_empty(self, text: str) -> None:
        self.empty.setText(text)
        self.stack.setCurrentIndex(0)
        self.method_label.setText("")
        for button in (self.export_one_button, self.export_all_button):
            button.setEnabled(False)
            button.setVisible(False)
        self._shown_run_id = None
        self._set_points(np.zeros(0, np.int64))

    def show_data(self, data: SegmentsData) -> None:
        """Fill the list, the map and the words from loaded data."""
        self.data = data
        self.selected_segment = None
        if data.run is None:
            self._show_empty(
                self.tr(
                    "No customer segments yet.\n\nTrain customer profiles on the Train page "
                    "(choose “Customer profiles & segments” and press Start). The segments "
                    "appear here when training ends."
                )
            )
            self.loaded.emit(data)
            return
        self._shown_run_id = data.run.id
        self.stack.setCurrentIndex(1)
        for button in (self.export_one_button, self.export_all_button):
            button.setVisible(True)
        self.export_all_button.setEnabled(True)
        self.export_one_button.setEnabled(False)
        self.method_label.setText(self.method_words(data.run))
        self.model.set_rows(
            [
                (
                    s["name"],
                    int(s["size"]),
                    float(s["share"]),
                    float(s["revenue_share"]),
                    s.get("avg_intent"),
                    int(s["id"]),
                )
                for s in data.segments
            ]
        )
        header = self.table.horizontalHeader()
        self.table.sortByColumn(header.sortIndicatorSection(), header.sortIndicatorOrder())
        self._fit_table()
        self._set_points(data.shown)
        self.map_plot.autoRange()
        n_all, n_shown = len(data.customer_ids), len(data.shown)
        where = (
            self.tr("Showing a random sample of {0:,} of {1:,} customers.").format(n_shown, n_all)
            if n_shown < n_all
            else self.tr("All {0:,} customers.").format(n_all)
        )
        self.map_note.setText(
            where
            + " "
            + self.tr(
                "Customers with similar behavior are close together; point at "
                "one to see who it is, click to open the customer."
            )
        )
        self.hover_label.setText(" ")
        self.segment_title.setText(self.tr("Select a segment to see what sets it apart."))
        self.description.setText("")
        self._show_traits(None)
        self.loaded.emit(data)

    def _fit_table(self) -> None:
        # As tall as its rows (the description and the chart need the room below).
        rows = max(2, self.model.rowCount())
        self.table.resizeRowsToContents()
        row_h = self.table.verticalHeader().defaultSectionSize()
        if self.model.rowCount():
            row_h = self.table.rowHeight(0)
        frame = 2 * self.table.frameWidth()
        self.table.setFixedHeight(self.table.horizontalHeader().height() + rows * row_h + frame)

    def method_words(self, run: RunInfo) -> str:
        """How the segments were found and how far to trust them, in plain words."""
        m = run.metrics
        method = str(m.get("method", "features"))
        other = "autoencoder" if method == "features" else "features"
        names = {
            "features": self.tr("k-means on the behavior features"),
            "autoencoder": self.tr("k-means on the customer profiles learned by the autoencoder"),
        }
        others = {
            "features": self.tr("the plain behavior features"),
            "autoencoder": self.tr("the autoencoder profiles"),
        }
        comp = m.get("comparison", {})
        mine, theirs = comp.get(method, {}), comp.get(other, {})
        why = ""
        if str(run.settings.get("method", "auto")) != "auto":
            why = self.tr(" (chosen in the settings)")
        elif mine and theirs:
            a, b = float(mine["stability_ari"]), float(theirs["stability_ari"])
            if abs(a - b) > 0.02:
                why = self.tr(" (more stable than {0} here: {1:.2f} vs {2:.2f})").format(
                    others[other], a, b
                )
            else:
                why = self.tr(
                    " (as stable as {0} here, {1:.2f} vs {2:.2f}, and better "
                    "separated: silhouette {3:.2f} vs {4:.2f})"
                ).format(
                    others[other], a, b, float(mine["silhouette"]), float(theirs["silhouette"])
                )
        ari = float(m.get("stability_ari", math.nan))
        sil = float(m.get("silhouette", math.nan))
        if ari >= 0.9:
            stable = self.tr(
                "very stable: a second training puts nearly everyone in the same segment"
            )
        elif ari >= 0.7:
            stable = self.tr("fairly stable: a second training moves some customers")
        else:
            stable = self.tr(
                "unstable: a second training moves many customers, so treat the borders loosely"
            )
        if sil >= 0.5:
            apart = self.tr("clearly apart")
        elif sil >= 0.25:
            apart = self.tr("apart, with some overlap at the edges")
        else:
            apart = self.tr("overlapping: the borders between them are soft")
        as_of = run.settings.get("as_of_ms")
        text = self.tr(
            "Segments found by {0}{1}. Stability {2:.2f} (1 = identical): {3}. "
            "Silhouette {4:.2f} (-1 to 1): the segments are {5}."
        ).format(names.get(method, method), why, ari, stable, sil, apart)
        text += " " + self.tr("{0:,} customers, behavior up to {1}.").format(
            int(m.get("customers", 0)), fmt_date(int(as_of) if as_of is not None else None)
        )
        if not any(s.get("avg_intent") is not None for s in m.get("segments", [])):
            text += " " + self.tr(
                "Average intent appears once a purchase-intent model is "
                "trained (then train the profiles again)."
            )
        return str(text)

    # -- the map -------------------------------------------------------------------------
    def _set_points(self, shown: npt.NDArray[np.int64]) -> None:
        data = self.data
        if data is None or data.run is None or not len(shown):
            for item in self.scatters:
                item.setData(x=np.zeros(0), y=np.zeros(0))
            self._sx, self._sy, self._shown = np.zeros(0), np.zeros(0), np.zeros(0, np.int64)
            return
        self._shown = shown
        self._sx, self._sy = data.x[shown], data.y[shown]
        labels = data.labels[shown]
        for sid, item in enumerate(self.scatters):
            mask = (labels % _MAX_SEGMENTS) == sid
            item.setData(x=self._sx[mask], y=self._sy[mask])
        self._style_points()

    def _style_points(self) -> None:
        # Opacity and stacking only: changing the brush or size of ScatterPlotItem points costs
        # a Python loop over every point in pyqtgraph (measured about 1 s for 50,000 points).
        chosen = self.selected_segment
        for sid, item in enumerate(self.scatters):
            on = chosen is None or sid == chosen % _MAX_SEGMENTS
            item.setOpacity(1.0 if on else 0.18)
            item.setZValue(10 if chosen is not None and on else 0)

    def map_point_count(self) -> int:
        """How many customers are drawn on the map."""
        return sum(len(item.data) for item in self.scatters)

    def point_at(self, scene_pos: QPointF) -> int | None:
        """The customer (index into ``data``) drawn nearest to a scene position, if close."""
        if not len(self._shown):
            return None
        vb = self.map_plot.getViewBox()
        if not vb.sceneBoundingRect().contains(scene_pos):
            return None
        p = vb.mapSceneToView(scene_pos)
        px, py = vb.viewPixelSize()
        if not px or not py:
            return None
        d2 = ((self._sx - p.x()) / px) ** 2 + ((self._sy - p.y()) / py) ** 2
        if self.selected_segment is not None and self.data is not None:
            # Faded points lie under the highlighted ones: prefer what the user sees on top.
            top = self.data.labels[self._shown] == self.selected_segment
            if top.any():
                d_top = np.where(top, d2, np.inf)
                if d_top.min() <= PICK_RADIUS_PX**2:
                    d2 = d_top
        i = int(np.argmin(d2))
        return int(self._shown[i]) if d2[i] <= PICK_RADIUS_PX**2 else None

    def scene_pos_of(self, customer_id: int) -> QPointF | None:
        """Where a customer is drawn, in scene coordinates (None when not on the map)."""
        if self.data is None:
            return None
        idx = np.flatnonzero(self.data.customer_ids == customer_id)
        if not len(idx):
            return None
        i = int(idx[0])
        vb = self.map_plot.getViewBox()
        scene: QPointF = vb.mapViewToScene(QPointF(float(self.data.x[i]), float(self.data.y[i])))
        return scene

    def _describe_customer(self, i: int) -> str:
        assert self.data is not None
        sid = int(self.data.labels[i])
        name = next((s["name"] for s in self.data.segments if int(s["id"]) == sid), str(sid))
        return self.tr("Customer {0} · {1}").format(self.data.keys[i], name)

    def _hovered(self, scene_pos: QPointF) -> None:
        i = self.point_at(scene_pos)
        if i is None:
            self.hover_label.setText(" ")
            QToolTip.hideText()
            return
        text = self._describe_customer(i)
        self.hover_label.setText(text)
        QToolTip.showText(QCursor.pos(), text, self.map_plot)

    def _clicked(self, event: Any) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self.data is None:
            return
        i = self.point_at(event.scenePos())
        if i is None:
            return
        self.hover_label.setText(self.tr("Selected: {0}").format(self._describe_customer(i)))
        self.customer_selected.emit(int(self.data.customer_ids[i]))

    # -- one segment ---------------------------------------------------------------------
    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            self.select_segment(None)
            return
        self.select_segment(int(self.model.row(current.row())[-1]))

    def select_segment(self, segment_id: int | None) -> None:
        """Show a segment's description and traits and highlight its customers on the map."""
        self.selected_segment = segment_id
        self._style_points()
        seg = self._segment(segment_id)
        self.export_one_button.setEnabled(seg is not None)
        if seg is None:
            self.segment_title.setText(self.tr("Select a segment to see what sets it apart."))
            self.description.setText("")
            self._show_traits(None)
            return
        # Keep the list's selection in step when the segment was chosen from code (selecting
        # the row calls this method again, which then finds the row already current).
        for row in range(self.model.rowCount()):
            if int(self.model.row(row)[-1]) == segment_id:
                if self.table.currentIndex().row() != row:
                    self.table.selectRow(row)
                    return
                break
        swatch = PALETTE[int(seg["id"]) % len(PALETTE)]
        self.segment_title.setText(seg["name"])
        self.segment_title.setStyleSheet(
            f"font-size: 14px; font-weight: 600; margin-top: 6px; color: {swatch};"
        )
        body = str(seg["description"]).removeprefix(str(seg["name"]) + " — ")
        parts = [p.strip() for p in body.split(";") if p.strip()]
        html = (
            "<ul style='margin-left:-24px; margin-top:0'>"
            + "".join(f"<li>{_escape(p)}</li>" for p in parts)
            + "</ul>"
        )
        items = seg.get("top_items") or []
        if items:
            html += self.tr("Most bought: {0}").format(
                _escape(", ".join(self._item_label(str(i)) for i, _n in items[:5]))
            )
        self.description.setText(html)
        self._show_traits(seg)

    def _item_label(self, key: str) -> str:
        """An item's name when the shop's export had one, else its id."""
        names = self.data.item_names if self.data is not None else {}
        return names.get(key, key)

    def _segment(self, segment_id: int | None) -> dict[str, Any] | None:
        if segment_id is None or self.data is None:
            return None
        return next((s for s in self.data.segments if int(s["id"]) == segment_id), None)

    def _show_traits(self, seg: dict[str, Any] | None) -> None:
        traits = [
            t for t in (seg.get("traits", []) if seg else []) if t["label"] not in _NOT_CHARTED
        ][:_MAX_TRAITS]

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
        self.traits_plot.setTitle(
            self.tr(
                "<span style='color:{0}'>■</span> this segment &nbsp; "
                "<span style='color:{1}'>■</span> all customers"
            ).format(brush, _OVERALL_COLOUR)
            if seg
            else "",
            size="9pt",
        )
        self.segment_bars.setOpts(
            x0=np.zeros(len(y)), y=y + 0.19, width=np.array(seg_w), brush=brush
        )
        self.overall_bars.setOpts(x0=np.zeros(len(y)), y=y - 0.19, width=np.array(all_w))
        for j, text in enumerate(self.trait_texts):
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
        axis: Any = self.traits_plot.getAxis("left")
        axis.setTicks([[(i, str(t["label"])) for i, t in enumerate(traits)]])
        if traits:
            self.traits_plot.setYRange(-0.6, len(traits) - 0.4, padding=0)
            self.traits_plot.setXRange(0, 1.3, padding=0)

    # -- export --------------------------------------------------------------------------
    def export_selected(self, path: str | None = None) -> None:
        """Save the selected segment's customers as CSV (asks where when no path is given)."""
        seg = self._segment(self.selected_segment)
        if seg is None:
            return
        slug = re.sub(r"[^a-z0-9]+", "-", str(seg["name"]).lower()).strip("-") or "segment"
        self._export(path, f"segment-{slug}.csv", int(seg["id"]))

    def export_all(self, path: str | None = None) -> None:
        """Save every customer with their segment as CSV (asks where when no path is given)."""
        if self.data is None or self.data.run is None:
            return
        self._export(path, "segments.csv", None)

    def _export(self, path: str | None, default: str, segment: int | None) -> None:
        if self.project is None:
            return
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self,
                self.tr("Export customers and segments"),
                default,
                self.tr("CSV files (*.csv)"),
            )
            if not path:
                return
        project, out = self.project, path

        def work(_should_stop: Callable[[], bool]) -> Iterator[int]:
            yield profile_runs.export_segments(project, out, segment)

        worker = Worker(work)
        worker.signals.progressed.connect(lambda n: self._exported(out, int(n)))
        worker.signals.failed.connect(
            lambda exc: QMessageBox.warning(self, self.tr("Export"), str(exc))
        )
        self._export_worker = worker
        worker.start()

    def _exported(self, path: str, n: int) -> None:
        self.hover_label.setText(self.tr("Saved {0:,} customers to {1}.").format(n, path))
        self.exported.emit(path, n)

    def prepare_screenshot(self) -> None:
        """Select the first segment so a screenshot shows a description and its traits."""
        if self.data is not None and self.data.run is not None and self.model.rowCount():
            self.table.selectRow(0)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
