"""Item models for tables: rows are held as plain tuples and shown lazily."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from gui import formats

if TYPE_CHECKING:
    import pyarrow as pa

Index = QModelIndex | QPersistentModelIndex


class RowsModel(QAbstractTableModel):
    """A read-only table over a list of row tuples, formatting values only when shown."""

    def __init__(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[Any]] = (),
        formatters: dict[int, Callable[[Any], str]] | None = None,
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self._headers = list(headers)
        self._rows: list[Sequence[Any]] = list(rows)
        self._fmt = formatters or {}
        self._tips: list[Sequence[str]] = []

    def set_rows(
        self,
        rows: Sequence[Sequence[Any]],
        headers: Sequence[str] | None = None,
        tips: Sequence[Sequence[str]] = (),
    ) -> None:
        """Replace all rows (and optionally the headers, and hover texts per row and column:
        "" or a missing entry is no tip)."""
        self.beginResetModel()
        self._rows = list(rows)
        self._tips = list(tips)
        if headers is not None:
            self._headers = list(headers)
        self.endResetModel()

    def row(self, i: int) -> Sequence[Any]:
        """The raw values of a row."""
        return self._rows[i]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        value = row[index.column()] if index.column() < len(row) else None
        if role == Qt.ItemDataRole.DisplayRole:
            if value is None:
                return ""
            fmt = self._fmt.get(index.column())
            if fmt is not None:
                return fmt(value)
            if isinstance(value, float):
                return formats.number(value)
            if isinstance(value, int):
                return formats.integer(value)
            return str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(value, int | float):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            r, c = index.row(), index.column()
            tip = self._tips[r][c] if r < len(self._tips) and c < len(self._tips[r]) else ""
            if tip:
                return tip
            if isinstance(value, str) and len(value) > 12:
                return value  # a narrow column elides it: the whole text on hover
        if role == Qt.ItemDataRole.UserRole:
            return value
        return None

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._headers[section] if section < len(self._headers) else None
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()

        def key(r: Sequence[Any]) -> tuple[int, Any]:
            v = r[column] if column < len(r) else None
            if v is None:
                return (1, "")
            return (0, v if isinstance(v, int | float) else str(v).lower())

        self._rows.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)
        self.layoutChanged.emit()


#: Values turned into Arrow text at a time: each slice holds the GIL a few milliseconds, so
#: a worker thread preparing a million customers never freezes the window for long.
_TEXT_SLICE = 65_536


def text_keys(values: npt.NDArray[Any] | Sequence[Any]) -> pa.ChunkedArray:
    """A text column as lower-case Arrow text, missing values as "": what sorting and searching
    compare. Arrow lowers, searches and sorts in C with the GIL released."""
    import pyarrow as pa
    import pyarrow.compute as pc

    values = np.asarray(values, dtype=object)
    chunks = []
    for start in range(0, len(values), _TEXT_SLICE):
        part = values[start:start + _TEXT_SLICE]
        try:
            chunk = pa.array(part, type=pa.string(), from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # not all text: as str() writes them
            import pandas as pd

            chunk = pa.array(pd.Series(part).fillna("").astype(str), type=pa.string())
        chunks.append(chunk)
    words = pa.chunked_array(chunks, type=pa.string())
    return pc.utf8_lower(pc.fill_null(words, ""))


def base_order(values: npt.NDArray[Any], *, text: bool) -> tuple[npt.NDArray[np.int64], int]:
    """What both orders of a column are read from (``order_from_base``): for text the rows in
    ascending order (case-insensitive, missing as empty); for numbers the unknown values (NaN)
    first, then the rest ascending; and how many are unknown. Stable: equal values keep
    their order. Most of it runs with the GIL released (Arrow, numpy's sort)."""
    import pyarrow.compute as pc

    if text:
        ordering = pc.sort_indices(text_keys(values)).to_numpy().astype(np.int64)
        return ordering, 0
    numbers = np.asarray(values, dtype=np.float64)
    unknown = np.isnan(numbers)
    known = np.flatnonzero(~unknown)
    ordering = np.concatenate([np.flatnonzero(unknown),
                               known[np.argsort(numbers[known], kind="stable")]])
    return ordering, len(ordering) - len(known)


def order_from_base(base: tuple[npt.NDArray[np.int64], int], *, text: bool,
                    order: Qt.SortOrder) -> npt.NDArray[np.int64]:
    """The rows of a column in ``order`` from its ``base_order``: text descending is ascending
    reversed; numbers keep their unknown values at the bottom in both directions."""
    ordering, unknown = base
    if order == Qt.SortOrder.DescendingOrder:
        return ordering[::-1]
    if text or unknown == 0:
        return ordering
    return np.concatenate([ordering[unknown:], ordering[:unknown]])


def column_order(values: npt.NDArray[Any], *, text: bool, order: Qt.SortOrder
                 ) -> npt.NDArray[np.int64]:
    """The rows of one table column in ``order``: text case-insensitively (missing as empty),
    numbers with unknown values (NaN) at the bottom in both directions; stable, so equal
    values keep their order."""
    return order_from_base(base_order(values, text=text), text=text, order=order)
