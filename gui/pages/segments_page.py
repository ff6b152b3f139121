"""The Segments page: the customer segments of the active profiles run, listed, described and
shown on a 2-D map of every customer."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from PySide6.QtCore import QModelIndex, QPointF, Qt, Signal
from PySide6.QtGui import QCursor, QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from engine.profiles.read import TASK, export_segments
from engine.profiles.view import SegmentsData, load_segments
from engine.words import join_sentences
from gui.pages.segment_views import SegmentList, SegmentMap, TraitsChart
from gui.pages.segment_words import method_words, segment_html
from gui.table_menu import install_table_menu
from gui.widgets import PALETTE, StatusLine, ask_export_path, hint, remember_export_folder, title
from gui.worker import Caller, Worker
from storage.project import Project
from storage.runs import active_run

#: ``_shown_run_id`` of a page whose project's segments were not read yet.
_UNREAD = -2


class SegmentsPage(QWidget):
    """Segments in a list, their description and distinguishing traits, and a map of customers."""

    customer_selected = Signal(int)
    """The user clicked a customer on the map (payload: the customer id)."""
    loaded = Signal(object)
    """New SegmentsData is shown."""
    exported = Signal(str, int)
    """A CSV or Excel file was written (payload: path, number of customers)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project: Project | None = None
        self.data: SegmentsData | None = None
        self.selected_segment: int | None = None
        self._loader = Caller(self)
        self._export_worker: Worker | None = None
        self._shown_run_id: int | None = None

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
        self.status = StatusLine()
        layout.addWidget(self.status)
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
        self.table = SegmentList()
        self.model = self.table.rows
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        install_table_menu(self.table, "segment-list")
        lv.addWidget(self.table)

        self.segment_title = title("")
        lv.addWidget(self.segment_title)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.description.setTextFormat(Qt.TextFormat.RichText)
        self.description.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.description.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lv.addWidget(self.description)

        self.traits = TraitsChart()
        self.traits_plot = self.traits.plot
        self.segment_bars = self.traits.segment_bars
        self.overall_bars = self.traits.overall_bars
        lv.addWidget(self.traits, 1)
        splitter.addWidget(left)

        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(8, 0, 0, 0)
        rv.addWidget(title(self.tr("Customer map")))
        self.map = SegmentMap()
        self.map_plot = self.map.plot
        self.scatters = self.map.scatters
        self.map_plot.scene().sigMouseMoved.connect(self._hovered)
        self.map_plot.scene().sigMouseClicked.connect(self._clicked)
        rv.addWidget(self.map, 1)
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
        """Show a project's segments (None: nothing open); a hidden page reads them when it is
        first shown, so opening a project reads only what the first pages show."""
        self.project = project
        self.status.clear()
        if project is None or self.isVisible():
            self.refresh()
            return
        self._loader.cancel()
        self.data = None
        self._show_empty(self.tr("Reading the segments…"))
        self._shown_run_id = _UNREAD  # showEvent reads the segments

    def run_saved(self, task: str, run_id: int) -> None:
        """A run was saved or made active: only a profiles run changes the segments."""
        if task == TASK:
            self.refresh()

    def refresh(self) -> None:
        """Reload the active profiles run on the worker (the window stays responsive)."""
        if self.project is None:
            self._loader.cancel()
            self.data = None
            self._show_empty(self.tr("Open a project to see its customer segments."))
            return
        self.method_label.setText(self.tr("Reading the segments…"))
        self._loader.call(
            load_segments,
            self.project,
            on_done=self.show_data,
            on_error=lambda exc: self.method_label.setText(
                self.tr("The segments could not be read: {0}").format(exc)
            ),
        )

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        """Coming back to the page after a new profiles run was trained shows the new one."""
        super().showEvent(event)
        if self.project is None or self._loader.busy:
            return
        try:
            run = active_run(self.project, TASK)
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
        self.map.clear()

    def show_data(self, data: SegmentsData) -> None:
        """Fill the list, the map and the words from loaded data."""
        self.data = data
        self.selected_segment = None
        self.map.highlight(None)
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
        self.method_label.setText(method_words(data.run))
        self.table.show_segments(data.segments)
        self.map.set_points(data.x, data.y, data.labels, data.shown)
        self.map_plot.autoRange()
        n_all, n_shown = len(data.customer_ids), len(data.shown)
        where = (
            self.tr("Showing a random sample of {0:,} of {1:,} customers.").format(n_shown, n_all)
            if n_shown < n_all
            else self.tr("All {0:,} customers.").format(n_all)
        )
        self.map_note.setText(join_sentences(
            where,
            self.tr(
                "Customers with similar behavior are close together; point at "
                "one to see who it is, click to open the customer."
            ),
        ))
        self.hover_label.setText(" ")
        self.segment_title.setText(self.tr("Select a segment to see what sets it apart."))
        self.description.setText("")
        self.traits.show_segment(None)
        self.loaded.emit(data)

    # -- the map -------------------------------------------------------------------------
    def map_point_count(self) -> int:
        """How many customers are drawn on the map."""
        return self.map.point_count()

    def point_at(self, scene_pos: QPointF) -> int | None:
        """The customer (index into ``data``) drawn nearest to a scene position, if close."""
        return self.map.point_at(scene_pos)

    def scene_pos_of(self, customer_id: int) -> QPointF | None:
        """Where a customer is drawn, in scene coordinates (None when not on the map)."""
        if self.data is None:
            return None
        idx = np.flatnonzero(self.data.customer_ids == customer_id)
        if not len(idx):
            return None
        i = int(idx[0])
        return self.map.scene_pos(float(self.data.x[i]), float(self.data.y[i]))

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
        self.map.highlight(segment_id)
        seg = self._segment(segment_id)
        self.export_one_button.setEnabled(seg is not None)
        if seg is None:
            self.segment_title.setText(self.tr("Select a segment to see what sets it apart."))
            self.description.setText("")
            self.traits.show_segment(None)
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
        self.description.setText(segment_html(seg, self._item_label))
        self.traits.show_segment(seg)

    def _item_label(self, key: str) -> str:
        """An item's name when the shop's export had one, else its id."""
        names = self.data.item_names if self.data is not None else {}
        return names.get(key, key)

    def _segment(self, segment_id: int | None) -> dict[str, Any] | None:
        if segment_id is None or self.data is None:
            return None
        return next((s for s in self.data.segments if int(s["id"]) == segment_id), None)

    # -- export --------------------------------------------------------------------------
    def export_selected(self, path: str | None = None) -> None:
        """Save the selected segment's customers (only them) as CSV or Excel by the file name
        (asks where when no path is given)."""
        seg = self._segment(self.selected_segment)
        if seg is None:
            return
        slug = re.sub(r"[^a-z0-9]+", "-", str(seg["name"]).lower()).strip("-") or "segment"
        self._export(path, f"segment-{slug}.csv", int(seg["id"]))

    def export_all(self, path: str | None = None) -> None:
        """Save every customer with their segment as CSV or Excel by the file name (asks where
        when no path is given)."""
        if self.data is None or self.data.run is None:
            return
        self._export(path, "segments.csv", None)

    def _export(self, path: str | None, default: str, segment: int | None) -> None:
        if self.project is None:
            return
        if not path:
            path = ask_export_path(self, self.tr("Export customers and segments"), default)
            if not path:
                return
        out = path
        self.status.clear()
        worker = Worker.call(export_segments, self.project, out, segment)
        worker.signals.progressed.connect(lambda n: self._exported(out, int(n)))
        worker.signals.failed.connect(self._export_failed)
        self._export_worker = worker
        worker.start()

    def _exported(self, path: str, n: int) -> None:
        remember_export_folder(path)
        self.status.saved(self.tr("{0:,} customers").format(n), path)
        self.exported.emit(path, n)

    def _export_failed(self, exc: BaseException) -> None:
        self.status.failed(str(exc))
        QMessageBox.warning(self, self.tr("Export"), str(exc))

    def prepare_screenshot(self) -> None:
        """Select the first segment so a screenshot shows a description and its traits."""
        if self.data is not None and self.data.run is not None and self.model.rowCount():
            self.table.selectRow(0)

