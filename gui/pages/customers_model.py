"""The Customers page's table: every customer as column arrays, sorted and filtered by numpy.

One row is built only when shown, so the table stays fast at 1,000,000 customers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, Qt

from engine.customers import CustomerTable
from engine.tasks.base import Column
from gui import formats
from gui.models import Index, column_order

#: The table's own columns; every task adds its columns (engine.customers): numbers after the
#: customer, words at the end.
BASE = (("purchases", "Purchases", "number"), ("revenue", "Revenue", "money"),
        ("last_ms", "Last seen", "date"))


class CustomersModel(QAbstractTableModel):
    """Customers as column arrays; ``view`` holds the row order after sort and filter."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        from engine.tasks import TASKS

        self.set_columns([c for task in TASKS.values() for c in task.columns()])
        self.frame = pd.DataFrame({c: [] for c in ("customer_id", *self.keys)})
        self.view = np.zeros(0, dtype=np.int64)
        self._cols: dict[str, np.ndarray] = {}
        #: Every customer's row order by a column (key, order): a sort or a filter after the
        #: first only picks the kept rows from it (milliseconds at 1,000,000 customers).
        self._orders: dict[tuple[str, Qt.SortOrder], np.ndarray] = {}
        self._lower = pd.Series([], dtype=str)  # a search before any customer finds none
        self._sort: tuple[int, Qt.SortOrder] = (1, Qt.SortOrder.DescendingOrder)
        self._text = ""
        self._range = (0.0, 1.0)

    def set_columns(self, columns: list[Column]) -> None:
        """The tasks' columns (engine.customers.CustomerTable.columns) around the table's own."""
        numbers = [c for c in columns if c.kind != "text"]
        words = [c for c in columns if c.kind == "text"]
        own = [Column(k, QCoreApplication.translate("CustomersModel", t), kind)
               for k, t, kind in BASE]
        shown = [Column("customer", QCoreApplication.translate("CustomersModel", "Customer"),
                        "text"), *numbers, *own, *words]
        self.keys = [c.key for c in shown]
        self.kinds = [c.kind for c in shown]
        self.details = [c.detail for c in shown]
        self.headers = [c.title for c in shown]
        #: The column the "from … to …" filter reads: the first share (the intent score).
        self.filter_key = next((c.key for c in columns if c.kind == "percent"), None)

    def set_table(self, table: CustomerTable) -> None:
        """Show a customer table read by engine.customers.customer_table."""
        self.set_columns(table.columns)
        self.set_frame(table.frame)

    def set_frame(self, frame: pd.DataFrame) -> None:
        """Replace every customer (columns customer_id plus ``keys``)."""
        self.beginResetModel()
        self.frame = frame.reset_index(drop=True)
        self._cols = {c: self.frame[c].to_numpy() for c in self.frame.columns}
        self._orders = {}
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
        if (low, high) != (0.0, 1.0) and self.filter_key in self._cols:
            score = self._cols[str(self.filter_key)].astype(float)
            keep &= (score >= low) & (score <= high)
        col, order = self._sort
        if n == 0:
            self.view = np.zeros(0, dtype=np.int64)
            return
        # Unknown values (no score yet) always sink to the bottom. The order of every row,
        # kept rows picked from it: the same rows in the same order as sorting the kept ones
        # (the sort is stable).
        ordered = self._order(col, order)
        self.view = ordered if keep.all() else ordered[keep[ordered]]

    def _order(self, col: int, order: Qt.SortOrder) -> np.ndarray:
        """Every row in the order of column ``col`` (cached until the next frame; read-only,
        as ``view`` may be this very array)."""
        key = self.keys[col]
        found = self._orders.get((key, order))
        if found is None:
            values = self._cols[key]
            found = column_order(values, text=self.kinds[col] == "text", order=order)
            found = np.asarray(found, dtype=np.int64)
            found.flags.writeable = False
            self._orders[(key, order)] = found
        return found

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
        return 0 if parent.isValid() else len(self.keys)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        col = index.column()
        kind = self.kinds[col]
        value = self._cols[self.keys[col]][self.view[index.row()]]
        if role == Qt.ItemDataRole.DisplayRole:
            if kind == "text" or value is None:
                return "" if value is None or value != value else str(value)
            if value != value:
                return ""
            if kind == "percent":
                return formats.percent(value)
            if kind in ("rank", "number"):
                return formats.integer(value)
            if kind == "money":
                return formats.money(value)
            if kind == "date":
                return formats.day(value)
            return formats.figure(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and kind not in ("text", "date"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        detail = self.details[col]
        if role == Qt.ItemDataRole.ToolTipRole and detail and detail in self._cols:
            text = self._cols[detail][self.view[index.row()]]
            return str(text) if text else None
        return None

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None
