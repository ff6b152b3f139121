"""The Customers page's table: every customer as column arrays, sorted and filtered by numpy.

One row is built only when shown, so the table stays fast at 1,000,000 customers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from engine.dates import day
from gui.models import Index
from storage.project import Project

COLUMNS = ("customer", "score", "rank", "purchases", "revenue", "last_ms", "segment")


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
                return day(float(value))
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
