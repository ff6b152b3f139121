"""CSV and XLSX exports a shop owner hands to other tools, and the one writer every export goes
through.

Three promises hold for every export (scores, segments, rejected lines, the customer list as
shown, and any added later), because they all call :func:`write_csv`, which writes an Excel
workbook instead of CSV when the file name ends in ``.xlsx`` (:mod:`engine.export_xlsx`):

- An export never lands on a database: :func:`check_target` refuses the open project, its
  ``-wal``/``-shm``/``-journal`` files, any existing SQLite file, a folder or a device.
- An export is written to a temporary file in the target's folder and renamed into place, so a
  full disk, an exception or a cancel leaves nothing behind, and an older export of the same
  name stays as it was.
- A text cell a spreadsheet would run as a formula (one that begins with ``=``, ``+``, ``-``,
  ``@``, tab or carriage return, OWASP's list) is written with a leading apostrophe. Whether a
  cell is text or a number is decided by the column's dtype (or the Python type of a row's
  value), never by how the text looks: a score of -3.5 stays a number, a customer id ``-1+1``
  becomes ``'-1+1``. In a workbook every text cell is a string cell, never a formula, and keeps
  its text exactly; one that would start a formula gets Excel's quote prefix instead of the
  apostrophe. Numbers are numbers, dates are dates (``datetime64`` columns), in both formats.

Nothing here imports the database layer at module level, so ``engine.profiles`` can share
:data:`FORMULA_STARTS` without loading SQLAlchemy.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import math
import os
import secrets
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from numbers import Integral, Real
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.words import tr

if TYPE_CHECKING:
    import pandas as pd

    from storage.project import Project

REJECTED_COLUMNS = ("file", "line", "reason", "raw")

#: First characters that make a spreadsheet treat a cell as a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Spaces some spreadsheets trim on import, after which a formula character would lead.
_TRIMMED = " \u00a0"
#: Every file SQLite writes starts with these 16 bytes.
SQLITE_HEADER = b"SQLite format 3\x00"
#: The magic numbers of an SQLite write-ahead log (big-endian, two checksum orders).
_WAL_MAGIC = (b"\x37\x7f\x06\x82", b"\x37\x7f\x06\x83")
_SIDE_FILES = ("-wal", "-shm", "-journal")
#: Rows between two looks at the cancel flag.
_STOP_EVERY = 1000


class ExportError(Exception):
    """An export that was refused or failed; the message is one sentence for the user, and the
    target is as it was before (no partial file, no temporary file)."""


class ExportCancelled(ExportError):
    """``should_stop`` turned true during an export; nothing was written."""


def is_xlsx(out: str | Path) -> bool:
    """Whether an export to ``out`` is written as an Excel workbook (its name ends in .xlsx)."""
    return Path(out).name.lower().endswith(".xlsx")


def is_formula(text: str) -> bool:
    """Whether a spreadsheet could run ``text`` as a formula (see :func:`neutralise`)."""
    return text.lstrip(_TRIMMED).startswith(FORMULA_STARTS)


def neutralise(text: str) -> str:
    """``text`` made inert for spreadsheets: a leading apostrophe when it could start a formula.

    Leading spaces are looked through, since some spreadsheets trim them before parsing.
    """
    if is_formula(text):
        return "'" + text
    return text


def _is_sqlite_file(path: Path) -> bool | None:
    """Whether ``path`` starts like an SQLite database or its write-ahead log (None: unreadable)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
    except OSError:
        return None
    return head == SQLITE_HEADER or head[:4] in _WAL_MAGIC


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a == b


def check_target(out: str | Path, project: Project | None = None) -> Path:
    """The file an export may be written to (symbolic links followed), or ExportError.

    Refused, with one sentence: the open project and its side files, any existing SQLite file
    (another project, or another program's database) and the side files of one, a folder,
    something that is not a plain file, and a folder that does not exist.
    """
    given = Path(out).expanduser()
    target = given.resolve()
    name = given.name or str(given)
    if target.is_dir():
        raise ExportError(tr("“{0}” is a folder: give the export a file name.").format(name))
    if not target.parent.is_dir():
        raise ExportError(tr("The folder “{0}” does not exist.").format(target.parent))
    project_path = project.path if project is not None else None
    if project_path is not None:
        project_path = project_path.resolve()
        if _same_file(target, project_path):
            raise ExportError(
                tr("“{0}” is the open project: an export never overwrites a project, "
                   "so choose another file name.").format(name)
            )
        for side in _SIDE_FILES:
            if _same_file(target, project_path.with_name(project_path.name + side)):
                raise ExportError(
                    tr("“{0}” belongs to the open project (its {1} file): "
                       "choose another file name for the export.").format(name, side[1:])
                )
    if target.exists():
        if not target.is_file():
            raise ExportError(
                tr("“{0}” is not a plain file: choose another file name.").format(name))
        kind = _is_sqlite_file(target)
        if kind is None:
            raise ExportError(
                tr("“{0}” cannot be read, so it is not overwritten: choose another file "
                   "name.").format(name)
            )
        if kind:
            raise ExportError(
                tr("“{0}” is a database (an IntentLens project or another program's data): "
                   "an export never overwrites one, so choose another file name.").format(name)
            )
    for side in _SIDE_FILES:
        if target.name.endswith(side):
            base = target.with_name(target.name[: -len(side)])
            if base.is_file() and _is_sqlite_file(base) is not False:
                raise ExportError(
                    tr("“{0}” belongs to the database “{1}”: "
                       "choose another file name for the export.").format(name, base.name)
                )
    return target


def _failure(exc: OSError, name: str) -> ExportError:
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return ExportError(tr("The disk is full, so “{0}” was not written and nothing "
                              "changed.").format(name))
    if isinstance(exc, PermissionError) or exc.errno == errno.EROFS:
        return ExportError(
            tr("“{0}” could not be written (no permission, or it is open in another "
               "program), so nothing changed.").format(name)
        )
    reason = (exc.strerror or str(exc)).rstrip(".")
    return ExportError(tr("“{0}” could not be written ({1}), so nothing changed.").format(
        name, reason))


def _cell(value: Any, float_format: str | None) -> Any:
    """One row value as the csv module should write it, by its type."""
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, Real):
        f = float(value)
        if math.isnan(f):
            return ""
        return float_format % f if float_format and math.isfinite(f) else repr(f)
    pd = sys.modules.get("pandas")  # (its missing values exist only once it is loaded)
    if pd is not None and (value is pd.NaT or value is pd.NA):
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(str(value))


def _dates(col: pd.Series) -> list[Any]:
    """A datetime column's values as naive UTC ``date`` objects when every one is a midnight,
    else as ``datetime`` objects; missing ones as None."""
    import pandas as pd

    times = col.dt.tz_convert("UTC").dt.tz_localize(None) if col.dt.tz is not None else col
    known = times.dropna()
    if (known == known.dt.normalize()).all():
        return [None if pd.isna(v) else v.date() for v in times]
    return [None if pd.isna(v) else v.to_pydatetime() for v in times]


def _frame_rows(frame: pd.DataFrame) -> Iterator[tuple[Any, ...]]:
    """A frame's rows, numeric columns as numbers and every other column as text, so a text
    column's ``-3.5`` is neutralised like any text and a numeric column's is not."""
    import pandas as pd

    columns: list[Sequence[Any]] = []
    for name in frame.columns:
        col = frame[name]
        if pd.api.types.is_datetime64_any_dtype(col.dtype):
            columns.append(_dates(col))
        elif pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype):
            columns.append(col.to_numpy(dtype=object, na_value=None))
        else:
            columns.append(
                [
                    None if v is None or v is pd.NA or v is pd.NaT or v != v else str(v)
                    for v in col.astype(object).tolist()
                ]
            )
    yield from zip(*columns, strict=True)


def _temporary(target: Path) -> tuple[Path, int]:
    """A new file beside ``target`` (same folder, so the rename is atomic), opened for writing."""
    while True:
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
        try:
            # 0o666 and the user's umask, as a plain open() would give the export.
            return tmp, os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue


def _sync_folder(folder: Path) -> None:
    # Make the rename itself durable; not possible (nor needed) on Windows.
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_csv(
    data: pd.DataFrame | Iterable[Sequence[Any]],
    out: str | Path,
    columns: Sequence[str] | None = None,
    *,
    project: Project | None = None,
    float_format: str | None = None,
    formats: Mapping[str, str] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> int:
    """Write an export safely, as CSV or (a name ending in ``.xlsx``) as an Excel workbook;
    returns the number of data rows.

    ``data`` is a DataFrame (its columns are the header unless ``columns`` names them) or an
    iterable of rows (``columns`` is then the header). Text cells are neutralised against
    formulas; numbers are written as numbers (``float_format``, e.g. ``"%.6f"``, for floats; a
    workbook keeps the number rounded to as many decimals), missing values as empty cells.
    ``formats`` gives a workbook's columns an Excel number format by name (``"0.0%"``); CSV
    ignores it. A CSV is UTF-8 with a byte-order mark, so Excel shows non-ASCII text correctly;
    a workbook has one sheet, a bold frozen header row and columns sized to their contents. The
    target is checked first (:func:`check_target`), the rows go to a temporary file beside it,
    and only a complete file is renamed into place; on any failure or cancel the temporary file
    is removed and ExportError says what happened in one sentence.
    """
    target = check_target(out, project)
    name = Path(out).name or str(out)
    pd = sys.modules.get("pandas")  # (a frame exists only once it is loaded)
    if pd is not None and isinstance(data, pd.DataFrame):
        header = list(columns) if columns is not None else [str(c) for c in data.columns]
        rows: Iterable[Sequence[Any]] = _frame_rows(data)
    else:
        if columns is None:
            raise TypeError("write_csv needs the column names for rows")
        header, rows = list(columns), data
    try:
        tmp, fd = _temporary(target)
    except OSError as exc:
        raise _failure(exc, name) from exc
    counted = _Counted(rows, should_stop, name)
    try:
        if is_xlsx(out):
            _write_xlsx(fd, name, header, counted, float_format, formats)
        else:
            with open(fd, "w", newline="", encoding="utf-8-sig") as fh:
                writer = csv.writer(fh)
                writer.writerow([neutralise(h) for h in header])
                for row in counted:
                    writer.writerow([_cell(v, float_format) for v in row])
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            tmp.unlink()
        except FileNotFoundError:
            pass
        except OSError:
            pass  # the folder itself went away or became read-only; nothing more to do
        if isinstance(exc, OSError):
            raise _failure(exc, name) from exc
        raise
    _sync_folder(target.parent)
    return counted.n


def write_bytes(data: bytes, out: str | Path, *, project: Project | None = None) -> Path:
    """Write a finished document (a report's HTML or PDF) with the promises of every export:
    the target is checked (:func:`check_target`), the bytes go to a temporary file beside it
    and only a complete file is renamed into place; a failure is ExportError in one sentence
    and leaves the target as it was. Returns the file written."""
    target = check_target(out, project)
    name = Path(out).name or str(out)
    try:
        tmp, fd = _temporary(target)
    except OSError as exc:
        raise _failure(exc, name) from exc
    try:
        with open(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        # An OSError here: the folder itself went away or became read-only; nothing more to do.
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _failure(exc, name) from exc
        raise
    _sync_folder(target.parent)
    return target


class _Counted:
    """Rows passed through, counted, with a look at the cancel flag every so many."""

    def __init__(
        self, rows: Iterable[Sequence[Any]], should_stop: Callable[[], bool], name: str
    ) -> None:
        self._rows, self._stop, self._name, self.n = rows, should_stop, name, 0

    def __iter__(self) -> Iterator[Sequence[Any]]:
        for row in self._rows:
            yield row
            self.n += 1
            if self.n % _STOP_EVERY == 0 and self._stop():
                raise ExportCancelled(
                    tr("The export was stopped, so “{0}” was not written.").format(self._name)
                )


def _write_xlsx(
    fd: int,
    name: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    float_format: str | None,
    formats: Mapping[str, str] | None,
) -> None:
    from engine.export_xlsx import MAX_ROWS, TooManyRows, write_workbook

    with open(fd, "wb") as fh:
        try:
            write_workbook(
                fh, name, header, rows,
                float_format=float_format, formats=formats, is_formula=is_formula,
            )
        except TooManyRows:
            raise ExportError(
                tr("“{0}” would need more than the {1:,} rows an Excel sheet holds, "
                   "so it was not written: export to a .csv file instead.").format(
                       name, MAX_ROWS - 1)
            ) from None
        fh.flush()
        os.fsync(fh.fileno())


def export_rejected(
    project: Project,
    out: str | Path,
    batch_id: int | None = None,
    *,
    should_stop: Callable[[], bool] = lambda: False,
) -> int:
    """Write rejected rows (file, line, reason, raw) as CSV, or as an Excel workbook when the
    name ends in ``.xlsx`` (:func:`write_csv`); returns the row count."""
    from storage.queries import iter_rejected

    check_target(out, project)
    return write_csv(
        iter_rejected(project, batch_id),
        out,
        REJECTED_COLUMNS,
        project=project,
        should_stop=should_stop,
    )
