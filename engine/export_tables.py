"""A customer list exactly as a page shows it: the rows it shows, in its order, with its columns.

The Customers page filters and sorts :func:`engine.customers.customer_table`'s frame itself; it
hands the frame, its columns (key, heading, kind, as ``engine.tasks.base.Column``) and the row
order it shows to :func:`export_shown`, which writes them through
:func:`engine.exports.write_csv` (so as CSV, or as a workbook for a ``.xlsx`` name, with every
promise of an export). Each kind is written as what it means, not as the table's text: a share
(``percent``) as a number from 0 to 1, a rank or a count as a whole number, money as a number
with cents, a time in epoch milliseconds (``date``) as its UTC day, text as text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from engine.exports import check_target, write_csv
from engine.tasks.base import Column

if TYPE_CHECKING:
    from storage.project import Project

#: How a workbook shows each kind (CSV holds the plain numbers).
XLSX_FORMATS = {"percent": "0.0%", "money": "#,##0.00", "number": "#,##0", "rank": "0"}


def _whole_or_float(values: np.ndarray) -> pd.Series:
    """Numbers as whole numbers (missing ones empty) when every known one is whole."""
    known = values[~np.isnan(values)]
    if np.all(known == np.round(known)) and np.all(np.abs(known) < 2**53):
        return pd.Series(values).astype("Int64")
    return pd.Series(values)


def _column(values: pd.Series, kind: str) -> pd.Series:
    if kind == "text":
        return pd.Series(
            [None if v is None or v is pd.NA or v != v else str(v) for v in values.tolist()],
            dtype=object,
        )
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64)
    if kind == "date":
        return pd.Series(pd.to_datetime(numbers, unit="ms")).dt.floor("D")
    if kind in ("rank", "number"):
        return _whole_or_float(numbers)
    if kind == "money":
        return pd.Series(np.round(numbers, 2))
    if kind == "percent":
        return pd.Series(np.round(numbers, 6))
    return pd.Series(numbers)


def shown_frame(
    frame: pd.DataFrame, columns: Sequence[Column], order: Sequence[int] | np.ndarray
) -> pd.DataFrame:
    """The rows at positions ``order`` of ``frame`` (in that order), one column per ``columns``
    entry (named by position, 0, 1, ...), each converted by its kind."""
    rows = frame.iloc[np.asarray(order, dtype=np.int64)]
    data: dict[Any, pd.Series] = {}
    for i, col in enumerate(columns):
        data[i] = _column(rows[col.key].reset_index(drop=True), col.kind)
    return pd.DataFrame(data, index=pd.RangeIndex(len(rows)))


def export_shown(
    frame: pd.DataFrame,
    columns: Sequence[Column],
    order: Sequence[int] | np.ndarray,
    out: str | Path,
    *,
    project: Project | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> int:
    """Write the rows ``order`` of ``frame`` with ``columns`` (headed by their titles) to
    ``out``, as CSV or as a workbook by its name; returns the row count.

    The target is refused before any work when it is the project or a database (ExportError).
    """
    check_target(out, project)
    table = shown_frame(frame, columns, order)
    formats = {c.title: XLSX_FORMATS[c.kind] for c in columns if c.kind in XLSX_FORMATS}
    return write_csv(
        table, out, [c.title for c in columns],
        project=project, formats=formats, should_stop=should_stop,
    )
