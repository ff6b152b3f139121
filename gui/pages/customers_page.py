"""The Customers page: every customer with intent score, purchases, revenue; a card per customer.

The table is a QAbstractTableModel over column arrays (one row is built only when shown), with
sorting and filtering done by numpy on the arrays, so it stays fast at 1,000,000 customers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from engine.events import EVENT_TYPES
from gui.widgets import PALETTE, hint, plot, title
from gui.worker import Worker
from storage.project import Project

Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("customer", "score", "rank", "purchases", "revenue", "last_ms", "segment")


def _date(ms: float) -> str:
    if ms != ms:
        return ""
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d")


class CustomersModel(QAbstractTableModel):
    """Customers as column arrays; ``view`` holds the row order after sort and filter."""

    HEADERS = ("Customer", "Intent", "Rank", "Purchases", "Revenue", "Last seen", "Segment")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.frame = pd.DataFrame({c: [] for c in ("customer_id", *COLUMNS)})
        self.view = np.zeros(0, dtype=np.int64)
        self._cols: dict[str, np.ndarray] = {}
        self._sort: tuple[int, Qt.SortOrder] = (1, Qt.SortOrder.DescendingOrder)
        self._text = ""
        self._range = (0.0, 1.0)

    def set_frame(self, frame: pd.DataFrame) -> None:
        """Replace every customer (columns customer_id plus COLUMNS)."""
        self.beginResetModel()
        self.frame = frame.reset_index(drop=True)
        self._cols = {c: self.frame[c].to_numpy() for c in self.frame.columns}
        self._lower = self.frame["customer"].astype(str).str.lower()
        self._apply()
        self.endResetModel()

    def set_filter(self, text: str, low: float, high: float) -> None:
        """Keep customers whose id contains ``text`` and whose score is in [low, high]."""
        self.beginResetModel()
        self._text = text.strip().lower()
        self._range = (low, high)
        self._apply()
        self.endResetModel()

    def _apply(self) -> None:
        n = len(self.frame)
        keep = np.ones(n, dtype=bool)
        if self._text:
            keep &= self._lower.str.contains(self._text, regex=False).to_numpy()
        low, high = self._range
        if (low, high) != (0.0, 1.0):
            score = self._cols["score"].astype(float)
            keep &= (score >= low) & (score <= high)
        idx = np.flatnonzero(keep)
        col, order = self._sort
        values = self._cols[COLUMNS[col]][idx] if len(idx) else np.zeros(0)
        if col in (0, 6):
            key = pd.Series(values).astype(str).str.lower().to_numpy()
            ordering = np.argsort(key, kind="stable")
        else:
            numbers = values.astype(float)
            # Unknown values (no score yet) always sink to the bottom.
            fill = np.inf if order == Qt.SortOrder.AscendingOrder else -np.inf
            ordering = np.argsort(np.where(np.isnan(numbers), fill, numbers), kind="stable")
        if order == Qt.SortOrder.DescendingOrder:
            ordering = ordering[::-1]
        self.view = idx[ordering]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        if len(self.frame):
            self._apply()
        self.layoutChanged.emit()

    def customer_id(self, row: int) -> int:
        """The customer id shown in a row."""
        return int(self._cols["customer_id"][self.view[row]])

    def row_of(self, customer_id: int) -> int | None:
        """The row showing a customer, if visible."""
        hits = np.flatnonzero(self._cols["customer_id"][self.view] == customer_id)
        return int(hits[0]) if len(hits) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.view)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        col = index.column()
        value = self._cols[COLUMNS[col]][self.view[index.row()]]
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 1:
                return "" if value != value else f"{value:.0%}"
            if col == 2:
                return "" if value != value else f"{int(value):,}"
            if col == 3:
                return f"{int(value):,}"
            if col == 4:
                return f"{value:,.2f}"
            if col == 5:
                return _date(float(value))
            return "" if value is None or value != value else str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (1, 2, 3, 4):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None


def load_customers(project: Project) -> pd.DataFrame:
    """Customers with history, the active model's score and rank, and their segment name."""
    from storage.runs import active_run, customer_summary, run_outputs

    frame = customer_summary(project)
    out = pd.DataFrame({
        "customer_id": frame["customer_id"].astype("int64"),
        "customer": frame["key"].astype(str),
        "purchases": frame["purchases"].astype("int64"),
        "revenue": frame["revenue"].astype("float64"),
        "last_ms": frame["last_ms"].astype("float64"),
    })
    out["score"] = np.nan
    out["rank"] = np.nan
    out["segment"] = ""
    intent = active_run(project, "intent")
    if intent is not None:
        scores = run_outputs(project, intent.id).set_index("customer_id")
        out["score"] = out["customer_id"].map(scores["score"]).astype("float64")
        out["rank"] = out["customer_id"].map(scores["rank"]).astype("float64")
    profiles = active_run(project, "profiles")
    if profiles is not None:
        names = {int(s["id"]): str(s["name"]) for s in profiles.metrics.get("segments", [])}
        seg = run_outputs(project, profiles.id).set_index("customer_id")["segment"]
        out["segment"] = out["customer_id"].map(seg).map(
            lambda v: names.get(int(v), "") if v == v else ""
        )
    return out


@dataclass(frozen=True)
class Card:
    """Everything a customer's card shows, computed on the worker."""

    lookup: Any  # engine.intent_runs.Lookup
    events: pd.DataFrame
    segment: str


class CustomersPage(QWidget):
    """A sortable, filterable table of customers and the selected customer's card."""

    forgotten = Signal(str)
    """A customer was deleted from the project (payload: their key); other pages reload."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project: Project | None = None
        self.model = CustomersModel(self)
        self._loader: Worker | None = None
        self._card_worker: Worker | None = None
        self._forget_worker: Worker | None = None
        self._notice = ""  # said once above the placeholder after the next reload
        self._pending: int | None = None
        self.card: Card | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        heading = QLabel(self.tr("Customers"))
        heading.setStyleSheet("font-size: 18px; font-weight: 600;")
        layout.addWidget(heading)
        filters = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Find a customer by id…"))
        self.search.setClearButtonEnabled(True)
        self.low = QDoubleSpinBox()
        self.high = QDoubleSpinBox()
        for box, value in ((self.low, 0.0), (self.high, 100.0)):
            box.setRange(0.0, 100.0)
            box.setSuffix(" %")
            box.setDecimals(0)
            box.setValue(value)
        filters.addWidget(self.search, 2)
        filters.addWidget(QLabel(self.tr("Intent from")))
        filters.addWidget(self.low)
        filters.addWidget(QLabel(self.tr("to")))
        filters.addWidget(self.high)
        self.count = QLabel()
        filters.addWidget(self.count, 1)
        self.export_button = QPushButton(self.tr("Export scores…"))
        self.export_button.setToolTip(
            self.tr("Every scored customer with score, rank, as-of date and horizon, best first")
        )
        self.export_button.clicked.connect(self.export_scores)
        filters.addWidget(self.export_button)
        layout.addLayout(filters)
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(200)
        self._filter_timer.timeout.connect(self._apply_filter)
        self.search.textChanged.connect(lambda _t: self._filter_timer.start())
        self.low.valueChanged.connect(lambda _v: self._filter_timer.start())
        self.high.valueChanged.connect(lambda _v: self._filter_timer.start())

        split = QSplitter()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        for col, width in enumerate((110, 58, 58, 76, 90, 86)):
            self.table.setColumnWidth(col, width)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        split.addWidget(self.table)
        self.card_stack = QStackedWidget()
        self.placeholder = QLabel(self.tr("Select a customer in the list to see their card."))
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setStyleSheet("color: #5b6776; font-size: 14px;")
        self.card_stack.addWidget(self.placeholder)
        self.card_stack.addWidget(self._build_card())
        split.addWidget(self.card_stack)
        split.setSizes([560, 520])
        layout.addWidget(split, 1)

    def _build_card(self) -> QWidget:
        card = QWidget()
        v = QVBoxLayout(card)
        head = QHBoxLayout()
        self.card_title = QLabel(self.tr("Select a customer"))
        self.card_title.setStyleSheet("font-size: 16px; font-weight: 600;")
        head.addWidget(self.card_title, 1)
        self.forget_button = QPushButton(self.tr("Forget this customer…"))
        self.forget_button.setToolTip(
            self.tr("Delete everything about this customer from the project, for good")
        )
        self.forget_button.clicked.connect(lambda _checked=False: self.forget_customer())
        head.addWidget(self.forget_button)
        v.addLayout(head)
        self.meaning = QLabel()
        self.meaning.setWordWrap(True)
        self.meaning.setStyleSheet(
            "font-size: 14px; background: #eef4ff; border: 1px solid #c9d8f5; "
            "border-radius: 6px; padding: 8px;"
        )
        v.addWidget(self.meaning)
        self.facts = hint("")
        v.addWidget(self.facts)
        v.addWidget(title(self.tr("What they did")))
        self.timeline = plot(date_axis=True)
        self.timeline.setMinimumHeight(220)
        kinds = list(EVENT_TYPES)
        self.timeline.getAxis("left").setTicks([[(i, k) for i, k in enumerate(kinds)]])
        self.timeline.setYRange(-0.5, len(kinds) - 0.5)
        self.timeline_points = pg.ScatterPlotItem(size=7, pen=None)
        self.timeline.addItem(self.timeline_points)
        self.as_of_line = pg.InfiniteLine(angle=90, pen=pg.mkPen("#999", style=Qt.PenStyle.DashLine))
        self.timeline.addItem(self.as_of_line)
        self.as_of_line.setVisible(False)
        v.addWidget(self.timeline, 2)
        v.addWidget(title(self.tr("What moved the score most")))
        self.reasons = QLabel()
        self.reasons.setWordWrap(True)
        self.reasons.setTextFormat(Qt.TextFormat.RichText)
        self.reasons.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        v.addWidget(self.reasons, 1)
        return card

    # -- data ----------------------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        """Follow the open project."""
        self.project = project
        self.refresh()

    def refresh(self) -> None:
        """Reload customers, scores and segments on the worker."""
        if self.project is None:
            return
        project = self.project

        def work(_stop: Callable[[], bool]) -> Iterator[pd.DataFrame]:
            yield load_customers(project)

        self._loader = Worker(work)
        self._loader.signals.progressed.connect(self._loaded)
        self._loader.start()

    def _loaded(self, frame: pd.DataFrame) -> None:
        self.model.set_frame(frame)
        self.card = None
        self.card_stack.setCurrentIndex(0)
        self.placeholder.setText(
            self._notice
            + (
                self.tr("Select a customer in the list to see their card.")
                if len(frame)
                else self.tr("No customers yet: import your shop's behavior log on the Data page.")
            )
        )
        self._notice = ""
        self._apply_filter()
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self.show_customer(pending)

    def _apply_filter(self) -> None:
        self.model.set_filter(self.search.text(), self.low.value() / 100, self.high.value() / 100)
        scored = int(np.isfinite(self.model.frame["score"].to_numpy(dtype=float)).sum())
        note = "" if scored else self.tr(" · no intent scores yet: train on the Train page")
        self.count.setText(
            self.tr("{0:,} of {1:,} customers").format(len(self.model.view), len(self.model.frame))
            + note
        )

    def export_scores(self, path: str | None = None) -> int:
        """Save the active model's scores as CSV (asks where unless ``path`` is given)."""
        if self.project is None:
            return 0
        from engine.exports import ExportError
        from engine.intent_runs import NoData
        from engine.intent_runs import export_scores as write_scores

        if not path:
            path, _ = QFileDialog.getSaveFileName(
                self, self.tr("Export scores"), "scores.csv", self.tr("CSV files (*.csv)")
            )
            if not path:
                return 0
        try:
            n = write_scores(self.project, path)
        except (NoData, ExportError) as exc:
            QMessageBox.information(self, self.tr("Export scores"), str(exc))
            return 0
        self.count.setText(self.tr("Saved {0:,} scores to {1}.").format(n, path))
        return n

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self._open_card(self.model.customer_id(current.row()))

    def show_customer(self, customer_id: int) -> None:
        """Select a customer in the table (clearing filters if needed) and open their card."""
        if len(self.model.frame) == 0:
            self._pending = customer_id
            return
        row = self.model.row_of(customer_id)
        if row is None:
            self.search.clear()
            self.low.setValue(0)
            self.high.setValue(100)
            self._apply_filter()
            row = self.model.row_of(customer_id)
        if row is not None:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))
        self._open_card(customer_id)

    def _open_card(self, customer_id: int) -> None:
        if self.project is None:
            return
        project = self.project
        self.card_title.setText(self.tr("Loading…"))

        def work(_stop: Callable[[], bool]) -> Iterator[Card]:
            from engine.intent_runs import lookup
            from storage.queries import events_frame

            found = lookup(project, customer_id)
            events = events_frame(project, customer_ids=[customer_id])
            row = self.model.frame[self.model.frame["customer_id"] == customer_id]
            segment = str(row["segment"].iloc[0]) if len(row) else ""
            yield Card(found, events, segment)

        self._card_worker = Worker(work)
        self._card_worker.signals.progressed.connect(self._show_card)
        self._card_worker.signals.failed.connect(lambda e: self.card_title.setText(str(e)))
        self._card_worker.start()

    def _show_card(self, card: Card) -> None:
        self.card = card
        self.card_stack.setCurrentIndex(1)
        found = card.lookup
        self.card_title.setText(self.tr("Customer {0}").format(found.customer))
        self.meaning.setText(found.meaning())
        seg = self.tr("Segment: {0}. ").format(card.segment) if card.segment else ""
        self.facts.setText(
            seg + self.tr("{0:,} events, {1:,} purchases, revenue {2:,.2f}. First seen {3}, "
                          "last seen {4}.").format(found.events, found.purchases, found.revenue,
                                                   found.first_seen, found.last_seen)
        )
        ev = card.events
        present = set(ev["event"].unique())
        kinds = [k for k in EVENT_TYPES if k in present] or ["view"]
        self.timeline.getAxis("left").setTicks([[(i, k) for i, k in enumerate(kinds)]])
        self.timeline.setYRange(-0.5, len(kinds) - 0.5)
        ys = ev["event"].map({k: i for i, k in enumerate(kinds)}).to_numpy(dtype=float)
        xs = ev["time_ms"].to_numpy(dtype=float) / 1000.0
        palette = [pg.mkBrush(c) for c in PALETTE]
        brushes = [palette[int(y) % len(palette)] for y in ys]
        self.timeline_points.setData(x=xs, y=ys, brush=brushes)
        if found.as_of:
            as_of = pd.Timestamp(found.as_of, tz="UTC").timestamp()
            self.as_of_line.setValue(as_of)
            self.as_of_line.setVisible(True)
        if found.reasons:
            items = []
            for r in found.reasons:
                colour = "#1e7b34" if r.effect > 0 else "#b3261e"
                items.append(f"<li><span style='color:{colour}'>{r.text}</span></li>")
            self.reasons.setText(f"<ul style='margin-left:-20px'>{''.join(items)}</ul>")
        elif found.score is None:
            self.reasons.setText(self.tr("Train a purchase-intent model to see reasons."))
        else:
            self.reasons.setText(self.tr("No single event moved the score noticeably."))

    def forget_customer(self, *, confirm: bool = True) -> None:
        """Delete the card's customer from the project (asks first), on the worker."""
        if self.project is None or self.card is None:
            return
        key = str(self.card.lookup.customer)
        if confirm:
            answer = QMessageBox.question(
                self,
                self.tr("Forget this customer"),
                self.tr(
                    "Delete everything about customer {0} from this project: their events, "
                    "scores, segment and rejected lines? Models trained on them are marked out "
                    "of date. This cannot be undone."
                ).format(key),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        project = self.project
        self.forget_button.setEnabled(False)

        def work(_stop: Callable[[], bool]) -> Iterator[object]:
            from engine.privacy import forget

            yield forget(project, key)

        def done(_result: object) -> None:
            self.card = None
            self.card_stack.setCurrentIndex(0)
            self._notice = self.tr(
                "Customer {0} was forgotten: nothing about them is left in the project.\n\n"
            ).format(key)
            self.placeholder.setText(self._notice)
            self.forgotten.emit(key)
            self.refresh()

        self._forget_worker = Worker(work)
        self._forget_worker.signals.progressed.connect(done)
        self._forget_worker.signals.failed.connect(lambda e: self.card_title.setText(str(e)))
        self._forget_worker.signals.finished.connect(lambda: self.forget_button.setEnabled(True))
        self._forget_worker.start()

    def prepare_screenshot(self) -> None:
        """Open the card of the top customer so the screenshot shows one."""
        if self.model.rowCount() and self.card is None:
            self.table.selectRow(0)
