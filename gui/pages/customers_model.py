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
from gui.models import Index, base_order, order_from_base, text_keys
from gui.worker import Caller

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
        #: Every customer's row order by a column (``gui.models.base_order``, both directions
        #: read from it): a sort or a filter only picks the kept rows from it (milliseconds at
        #: 1,000,000 customers). Worked out for every column on a worker after each new frame.
        self._bases: dict[str, tuple[np.ndarray, int]] = {}
        self._sorter = Caller(self)
        self._lower = text_keys([])  # the customers as searched: lower-case Arrow text
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

    def set_table(self, table: CustomerTable, search: Any = None) -> None:
        """Show a customer table read by engine.customers.customer_table (``search``: its
        customers' ``text_keys``, worked out beforehand off the GUI thread, see
        ``read_customers``)."""
        self.set_columns(table.columns)
        self.set_frame(table.frame, search)

    def set_frame(self, frame: pd.DataFrame, search: Any = None) -> None:
        """Replace every customer (columns customer_id plus ``keys``)."""
        self._sorter.cancel()  # what it works out for the last frame is dropped
        self.beginResetModel()
        self.frame = frame.reset_index(drop=True)
        self._cols = {c: self.frame[c].to_numpy() for c in self.frame.columns}
        self._bases = {}
        self._lower = text_keys(self._cols["customer"]) if search is None else search
        self._apply()
        self.endResetModel()
        if len(self.frame):  # every column's order, ready before the user asks for it
            columns = {k: (self._cols[k], kind == "text") for k, kind in zip(
                self.keys, self.kinds, strict=True) if k in self._cols}
            self._sorter.call(_base_orders, columns, on_done=self._bases_ready)

    def _bases_ready(self, bases: dict[str, tuple[np.ndarray, int]]) -> None:
        for key, base in bases.items():  # (a column sorted meanwhile has its own already)
            self._bases.setdefault(key, base)

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
            import pyarrow.compute as pc

            found = pc.match_substring(self._lower, self._text)
            keep &= found.to_numpy(zero_copy_only=False).astype(bool)
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
        key, text = self.keys[col], self.kinds[col] == "text"
        base = self._bases.get(key)
        if base is None:  # sorted before the worker had it ready
            base = self._bases[key] = _read_only(base_order(self._cols[key], text=text))
        return order_from_base(base, text=text, order=order)

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


def _read_only(base: tuple[np.ndarray, int]) -> tuple[np.ndarray, int]:
    base[0].flags.writeable = False  # ``view`` may be this very array (or a view of it)
    return base


def _base_orders(columns: dict[str, tuple[np.ndarray, bool]]) -> dict[str, tuple[np.ndarray, int]]:
    """Every column's ``base_order`` (on a worker: about 2 s of sorting at 1,000,000
    customers, nearly all of it with the GIL released)."""
    return {key: _read_only(base_order(values, text=text))
            for key, (values, text) in columns.items()}


def read_customers(project: Any) -> tuple[CustomerTable, Any]:
    """``engine.customers.customer_table`` and its customers' search text (``text_keys``),
    both worked out on the worker that calls this."""
    from engine.customers import customer_table

    table = customer_table(project)
    return table, text_keys(table.frame["customer"].to_numpy())
