"""The XLSX half of :func:`engine.exports.write_csv`: one worksheet, streamed with openpyxl.

Only :mod:`engine.exports` calls this, on a temporary file it has already checked, opened and
will rename into place, so every promise of an export holds for a workbook too. What this module
adds is the workbook's own guarantee against formulas: every text cell is stored as a string
cell (``t="inlineStr"``, openpyxl's data type ``"s"``), never as a formula or an error value,
whatever it starts with; one that a spreadsheet would read as a formula once edited also gets
Excel's quote prefix (the workbook's form of the CSV's leading apostrophe), and its text stays
exactly as it was. Numbers are numbers, dates are dates, the header row is bold and frozen, and
the columns are as wide as their first rows need.

openpyxl is imported when a workbook is written, not when :mod:`engine.exports` is.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from itertools import islice
from numbers import Integral, Real
from typing import IO, Any

#: Rows a worksheet holds (Excel's limit), the header included.
MAX_ROWS = 1_048_576
#: Characters a cell holds (Excel's limit).
MAX_CHARS = 32_767
#: Rows looked at to size the columns.
_SIZE_ROWS = 500
_MIN_WIDTH, _MAX_WIDTH = 6, 60
#: Control characters XML 1.0 cannot carry (openpyxl refuses them): shown as a replacement mark.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_DATE_FORMAT = "yyyy-mm-dd"
_TIME_FORMAT = "yyyy-mm-dd hh:mm"
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


class TooManyRows(Exception):
    """The rows do not fit on one worksheet."""


def sheet_title(name: str) -> str:
    """A worksheet name from a file name: at most 31 characters, none Excel refuses."""
    stem = name.rsplit(".", 1)[0]
    title = _SHEET_NAME_BAD.sub(" ", stem).strip(" '")[:31].strip(" '")
    return title or "Export"


def _digits(float_format: str | None) -> int | None:
    """The decimals of a ``%.Nf`` format, which floats are rounded to (None: kept as they are)."""
    found = re.fullmatch(r"%\.(\d+)f", float_format or "")
    return int(found.group(1)) if found else None


def plain(value: Any, digits: int | None) -> Any:
    """One row value as a workbook holds it: str (text), int or float (a number), date or
    datetime (naive, UTC), or None (an empty cell). Booleans and other objects become text,
    as in the CSV."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, Real):
        f = float(value)
        if math.isnan(f):
            return None
        if not math.isfinite(f):
            return repr(f)  # Excel has no infinity: the CSV's text, as text
        return round(f, digits) if digits is not None else f
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value
    if isinstance(value, date):
        return value
    try:
        import pandas as pd

        if value is pd.NaT or value is pd.NA:
            return None
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    return str(value)


def _text(value: str) -> str:
    return _ILLEGAL.sub("\ufffd", value)[:MAX_CHARS]


def _shown_width(value: Any, number_format: str | None) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    if isinstance(value, int):
        return len(f"{value:,}")
    if isinstance(value, float):
        if number_format and "%" in number_format:
            return len(f"{value:.1%}")
        return min(len(f"{value:,.6g}"), 14)
    return max((len(line) for line in str(value).splitlines()), default=0)


def write_workbook(
    fh: IO[bytes],
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    float_format: str | None = None,
    formats: Mapping[str, str] | None = None,
    is_formula: Callable[[str], bool] | None = None,
) -> int:
    """Write ``header`` and ``rows`` as a one-sheet workbook to ``fh``; returns the data rows.

    ``formats`` maps a column name to an Excel number format (``"0.0%"``, ``"#,##0.00"``);
    ``is_formula(text)`` says whether a text would start a formula (it gets the quote prefix).
    Raises TooManyRows when the rows do not fit on a worksheet.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    digits = _digits(float_format)
    kinds = [(formats or {}).get(h) for h in header]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet_title(title))
    try:
        stream: Iterator[Sequence[Any]] = iter(rows)
        first = [[plain(v, digits) for v in row] for row in islice(stream, _SIZE_ROWS)]
        for col, name in enumerate(header):
            width = max(
                [len(str(name)) + 2]
                + [_shown_width(r[col], kinds[col]) + 1 for r in first if col < len(r)]
            )
            letter = get_column_letter(col + 1)
            ws.column_dimensions[letter].width = max(_MIN_WIDTH, min(_MAX_WIDTH, width + 1))
        ws.freeze_panes = "A2"

        bold = Font(bold=True)
        heads = []
        for name in header:
            cell = WriteOnlyCell(ws, value=_text(str(name)))
            cell.data_type = "s"
            cell.font = bold
            if is_formula is not None and is_formula(str(name)):
                cell.quotePrefix = True
            heads.append(cell)
        ws.append(heads)

        def fill(values: Sequence[Any]) -> list[Any]:
            # A new cell for each styled value: openpyxl registers a cell's style by the object,
            # so a cell reused with another style would change the cells written before it.
            out: list[Any] = []
            for col, value in enumerate(values):
                if value is None:
                    out.append(None)
                elif isinstance(value, str):
                    cell = WriteOnlyCell(ws, value=_text(value))
                    cell.data_type = "s"  # never "f" (formula) nor "e" (error), whatever the text
                    if is_formula is not None and is_formula(value):
                        cell.quotePrefix = True
                    out.append(cell)
                else:
                    if isinstance(value, datetime):
                        fmt: str | None = _TIME_FORMAT
                    elif isinstance(value, date):
                        fmt = _DATE_FORMAT
                    else:
                        fmt = kinds[col] if col < len(kinds) else None
                    if fmt is None:
                        out.append(value)
                    else:
                        cell = WriteOnlyCell(ws, value=value)
                        cell.number_format = fmt
                        out.append(cell)
            return out

        n = 0
        for row in first:
            ws.append(fill(row))
            n += 1
        for raw in stream:
            if n + 2 > MAX_ROWS:
                raise TooManyRows
            ws.append(fill([plain(v, digits) for v in raw]))
            n += 1
        wb.save(fh)
    except BaseException:
        _discard(ws)
        raise
    return n


def _discard(ws: Any) -> None:
    """Remove the scratch file openpyxl streams a worksheet through (it lives outside the
    export's folder; openpyxl would otherwise remove it only when Python exits)."""
    writer = getattr(ws, "_writer", None)
    if writer is None:
        return
    # Best effort: openpyxl removes what is left when Python exits. The row stream first, so
    # that it does not try to finish the sheet when it is collected later.
    rows = getattr(ws, "_rows", None)
    if rows is not None:
        with contextlib.suppress(Exception):
            rows.close()
    with contextlib.suppress(Exception):
        writer.close()
    with contextlib.suppress(Exception):
        writer.cleanup()
