"""The Campaign page's table: the top N of the filtered customers, as column arrays.

The page hands over the filtered rows (best first) once per filter change and then only moves N:
in list order that inserts or removes rows at the end, and no row is built until it is shown,
so dragging the slider over 20,000 customers stays smooth.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from gui import formats
from gui.models import Index, column_order

#: Column keys, in order; "rank" is the place in the list (the page's own order).
KEYS = ("rank", "customer", "intent", "expected_spend", "segment", "last_ms")
#: The column of the segment names (hidden without a profiles run).
SEGMENT_COLUMN = KEYS.index("segment")



def money(value: float) -> str:
    """An amount as the page shows it: whole units with thousands separated, cents below
    100 (where they still matter)."""
    return formats.money(value, 0 if abs(value) >= 100 else 2)


class CampaignModel(QAbstractTableModel):
    """The chosen list: the first ``count`` of ``rows``, sortable by any column."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.headers = [self.tr("#"), self.tr("Customer"), self.tr("Intent"),
                        self.tr("Intent × order value"), self.tr("Segment"), self.tr("Last seen")]
        self.spend_tip = ""
        self.rows = pd.DataFrame()
        self.count = 0
        self.view = np.zeros(0, dtype=np.int64)  # positions in ``rows``, in the shown order
        self._cols: dict[str, np.ndarray] = {}
        self._sort: tuple[int, Qt.SortOrder] = (0, Qt.SortOrder.AscendingOrder)

    # -- contents ------------------------------------------------------------------------
    def set_spend_source(self, source: str) -> None:
        """Name the money column after where it comes from: the customer-value run's
        expected spend (the figure the Customers page shows), or intent × expected order value
        while no value run measured better than the customers' own spend rate."""
        column = KEYS.index("expected_spend")
        self.headers[column] = (self.tr("Expected spend") if source == "value"
                                else self.tr("Intent × order value"))
        self.spend_tip = (
            self.tr("The customer-value run's expected spend over the campaign's days, as on "
                    "the Customers page") if source == "value" else
            self.tr("Chance to buy × the customer's expected order value. The Customers "
                    "page's expected spend comes from the customer-value run, which is used "
                    "here once it measures better than each customer's own spend rate."))
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, column, column)

    def set_rows(self, rows: pd.DataFrame, count: int) -> None:
        """Show the first ``count`` of ``rows`` (the filtered customers, best first)."""
        self.beginResetModel()
        self.rows = rows.reset_index(drop=True)
        n = len(self.rows)
        self._cols = {c: self.rows[c].to_numpy() for c in self.rows.columns}
        self._cols["rank"] = np.arange(1, n + 1)
        for key in ("intent", "expected_spend", "expected_spend_low", "expected_spend_high",
                    "last_ms"):
            if key not in self._cols:
                self._cols[key] = np.full(n, np.nan)
        for key in ("customer", "segment"):
            if key not in self._cols:
                self._cols[key] = np.full(n, "", dtype=object)
        self.count = max(0, min(count, n))
        self._apply()
        self.endResetModel()

    def set_count(self, count: int) -> None:
        """Show the first ``count`` rows; in list order only the rows at the end change."""
        count = max(0, min(count, len(self.rows)))
        if count == self.count:
            return
        if self._sort != (0, Qt.SortOrder.AscendingOrder):
            # Sorted by a column: the new rows fall anywhere (no row is built until shown).
            self.beginResetModel()
            self.count = count
            self._apply()
            self.endResetModel()
            return
        old = self.count
        if count > old:
            self.beginInsertRows(QModelIndex(), old, count - 1)
            self.count = count
            self._apply()
            self.endInsertRows()
        else:
            self.beginRemoveRows(QModelIndex(), count, old - 1)
            self.count = count
            self._apply()
            self.endRemoveRows()

    def shown(self) -> pd.DataFrame:
        """The rows the table shows, in its order (what an export writes)."""
        return self.rows.iloc[self.view]

    def _apply(self) -> None:
        idx = np.arange(self.count)
        col, order = self._sort
        key = KEYS[col]
        if key != "rank" and len(idx):
            idx = idx[column_order(self._cols[key][idx], text=key in ("customer", "segment"),
                                   order=order)]
        elif order == Qt.SortOrder.DescendingOrder:  # the rank is the list's own order
            idx = idx[::-1]
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
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(key, i)
        if role == Qt.ItemDataRole.ToolTipRole and key == "expected_spend":
            return self.tr("What this customer will probably spend in the coming period, with "
                           "a likely range: intent × their usual order value")
        if role == Qt.ItemDataRole.TextAlignmentRole and key in ("rank", "intent",
                                                                 "expected_spend"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, key: str, i: int) -> str:
        value = self._cols[key][i]
        if key in ("customer", "segment"):
            return "" if value is None or value != value else str(value)
        if key == "rank":
            return formats.integer(value)
        if value != value:
            return "–"
        if key == "intent":
            return formats.percent(value)
        if key == "last_ms":
            return formats.day(value)
        low = float(self._cols["expected_spend_low"][i])
        high = float(self._cols["expected_spend_high"][i])
        text = money(float(value))
        if low == low and high == high:
            text += f"  ({money(low)} – {money(high)})"
        return text

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        if role == Qt.ItemDataRole.ToolTipRole and KEYS[section] == "expected_spend":
            return self.spend_tip
        return None
