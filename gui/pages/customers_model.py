"""The Customers page's table: every customer as column arrays, sorted and filtered by numpy.

One row is built only when shown, so the table stays fast at 1,000,000 customers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, Qt

from engine.customers import CustomerTable
from engine.tasks.base import Column
from gui import formats
from gui.models import Index, base_order, order_from_base, text_keys

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
        #: 1,000,000 customers). Worked out for every column with the table, on the worker
        #: that reads it (``prepare``); else when a column is first sorted.
        self._bases: dict[str, tuple[np.ndarray, int]] = {}
        self._lower = text_keys([])  # the customers as searched: lower-case Arrow text
        self.empty: frozenset[str] | None = None
        self._sort: tuple[int, Qt.SortOrder] = (1, Qt.SortOrder.DescendingOrder)
        self._text = ""
        self._range = (0.0, 1.0)

    def set_columns(self, columns: list[Column]) -> None:
        """The tasks' columns (engine.customers.CustomerTable.columns) around the table's own."""
        shown = table_columns(columns)
        self.keys = [c.key for c in shown]
        self.kinds = [c.kind for c in shown]
        self.details = [c.detail for c in shown]
        self.headers = [c.title for c in shown]
        #: The column the "from … to …" filter reads: the first share (the intent score).
        self.filter_key = next((c.key for c in columns if c.kind == "percent"), None)

    def set_table(self, table: CustomerTable, prepared: PreparedCustomers | None = None) -> None:
        """Show a customer table read by engine.customers.customer_table; ``prepared`` is what
        ``prepare`` worked out for it off the GUI thread (search text, every column's order)."""
        self.set_columns(table.columns)
        self.set_frame(table.frame, prepared)

    def set_frame(self, frame: pd.DataFrame, prepared: PreparedCustomers | None = None) -> None:
        """Replace every customer (columns customer_id plus ``keys``)."""
        self.beginResetModel()
        # A frame indexed 0..n-1 is used as it is: a copy of a million customers' table took
        # half a second of the GUI thread.
        self.frame = frame if _plainly_indexed(frame) else frame.reset_index(drop=True)
        self._cols = {c: self.frame[c].to_numpy() for c in self.frame.columns}
        self._bases = dict(prepared.bases) if prepared is not None else {}
        #: The columns with nothing in them yet, when worked out with the frame (``prepare``).
        self.empty = prepared.empty if prepared is not None else None
        self._lower = (prepared.search if prepared is not None
                       else text_keys(self._cols["customer"]))
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


def table_columns(columns: list[Column]) -> list[Column]:
    """The table's columns in order: the customer, the tasks' numbers, the table's own
    (``BASE``), the tasks' words."""
    numbers = [c for c in columns if c.kind != "text"]
    words = [c for c in columns if c.kind == "text"]
    own = [Column(k, QCoreApplication.translate("CustomersModel", t), kind)
           for k, t, kind in BASE]
    return [Column("customer", QCoreApplication.translate("CustomersModel", "Customer"), "text"),
            *numbers, *own, *words]


@dataclass(frozen=True)
class PreparedCustomers:
    """What the table needs worked out for a customer table, off the GUI thread."""

    search: Any
    """The customers as searched (``gui.models.text_keys``: lower-case Arrow text)."""
    bases: dict[str, tuple[np.ndarray, int]]
    """Every column's ``gui.models.base_order`` (both sort directions are read from it)."""
    empty: frozenset[str]
    """The columns with nothing in them yet (``column_is_empty``)."""


def prepare(table: CustomerTable) -> PreparedCustomers:
    """Search text, every column's order and its empty columns for ``table`` (at 1,000,000
    customers about 1.5 s, nearly all of it sorting with the GIL released)."""
    frame = table.frame
    bases = {c.key: _read_only(base_order(frame[c.key].to_numpy(), text=c.kind == "text"))
             for c in table_columns(table.columns) if c.key in frame.columns}
    empty = frozenset(key for key in frame.columns if column_is_empty(frame[key].to_numpy()))
    return PreparedCustomers(text_keys(frame["customer"].to_numpy()), bases, empty)


def read_customers(project: Any) -> tuple[CustomerTable, PreparedCustomers]:
    """``engine.customers.customer_table`` and what the table needs worked out for it
    (``prepare``), both on the worker that calls this."""
    from engine.customers import customer_table

    table = customer_table(project)
    if not _plainly_indexed(table.frame):
        table = CustomerTable(table.frame.reset_index(drop=True), table.columns)
    return table, prepare(table)


def _plainly_indexed(frame: pd.DataFrame) -> bool:
    index = frame.index
    return isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1


def blank(value: Any) -> bool:
    """Whether a table value shows nothing: missing, or "", "nan" or "None" as words."""
    if value is None or (np.ndim(value) == 0 and bool(pd.isna(value))):
        return True
    return str(value) in ("", "nan", "None")


def column_is_empty(values: np.ndarray) -> bool:
    """Whether a column holds nothing yet (a task not trained: no segment, no next item)."""
    if len(values) == 0 or values.dtype.kind in "biu":  # whole numbers are never missing
        return False
    if values.dtype.kind in "fc":
        return bool(np.isnan(values).all())
    # Words: an early "no" from the first values; else each distinct value once (a
    # str() of every one of a million customers froze the window for seconds).
    if any(not blank(v) for v in values[:64]):
        return False
    return all(blank(v) for v in pd.unique(values))
