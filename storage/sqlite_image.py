"""Rows into an SQLite project without binding them one Python value at a time.

Python's ``sqlite3`` binds every value of a many-row INSERT through the interpreter, holding
the GIL: at a million events that was most of an import's time on the writing thread. Here
the rows of a chunk go, column by column, from numpy arrays into Arrow arrays and from there
into a small SQLite database file written by the ADBC SQLite driver (in C, with the GIL
released). The file's bytes are the chunk's *image*; the import's own connection loads the
image into an attached in-memory schema (``sqlite3.Connection.deserialize``) and copies the
rows with one ``INSERT ... SELECT`` inside the import's transaction, which SQLite runs in C
as well. An import stays one transaction of the project's own connection.

The driver carries its own copy of SQLite (see ``storage.arrow_read``), so it only ever opens
files of its own: a fresh file in a private temporary folder, read back and deleted at once;
the project's connection only sees the bytes. Whatever cannot be made into an image (a value
Arrow does not take, no room in the temporary folder) returns None, and the caller binds the
rows the usual way.
"""

from __future__ import annotations

import itertools
import shutil
import sqlite3
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from sqlalchemy import Connection

#: The name of the attached in-memory schema images are loaded into.
STAGE = "intentlens_stage"

#: Schema cookies of images, distinct within the process (``_write``).
_COOKIES = itertools.count(1_000)


class ImageMaker:
    """Makes images of column tables in a private temporary folder (made on first use,
    removed by ``close``). One thread at a time."""

    def __init__(self) -> None:
        self._folder: Path | None = None
        self._count = itertools.count()

    def image(self, tables: Mapping[str, Mapping[str, Any]]) -> bytes | None:
        """An SQLite database holding one table per entry of ``tables`` (name → columns: numpy
        arrays or lists of equal length, None for NULL; NaN in a float array is NULL too).
        A column without a single value is left out of its table, and a table without rows is
        left out of the image. None when Arrow or the driver does not take the values."""
        import pyarrow as pa

        try:
            arrow = {}
            for name, columns in tables.items():
                table = pa.table({c: _arrow(v) for c, v in columns.items()})
                if table.num_rows:
                    keep = [c for c in table.column_names if table.column(c).null_count
                            < table.num_rows]
                    arrow[name] = table.select(keep)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError):
            return None
        if not arrow:
            return None
        try:
            if self._folder is None:
                self._folder = Path(tempfile.mkdtemp(prefix="intentlens-import-"))
            path = self._folder / f"chunk-{next(self._count)}.sqlite"
            try:
                _write(path, arrow)
                return path.read_bytes()
            finally:
                path.unlink(missing_ok=True)
        except OSError:
            return None
        except Exception as exc:  # the driver's own errors (adbc_driver_manager.Error)
            if type(exc).__module__.startswith("adbc_driver"):
                return None
            raise

    def close(self) -> None:
        """Remove the temporary folder."""
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None


def _arrow(values: Any) -> Any:
    """An Arrow array of a column (NaN and None are NULL)."""
    import pyarrow as pa

    if isinstance(values, np.ndarray) and values.dtype != object:
        return pa.array(values, from_pandas=values.dtype.kind == "f")
    return pa.array(values if isinstance(values, np.ndarray) else list(values), from_pandas=True)


def _write(path: Path, tables: Mapping[str, Any]) -> None:
    import adbc_driver_sqlite.dbapi

    conn = adbc_driver_sqlite.dbapi.connect(str(path), autocommit=True)
    try:
        cursor = conn.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=OFF")
            cursor.execute("PRAGMA synchronous=OFF")
            for name, table in tables.items():
                cursor.adbc_ingest(name, table, mode="create")
            # Each image gets its own schema cookie: a connection that loads one image after
            # another into the same schema reads the new tables' layout only when the cookie
            # differs (with the same cookie it would look for the tables where the previous
            # image had them).
            cursor.execute(f"PRAGMA schema_version = {next(_COOKIES)}")
        finally:
            cursor.close()
    finally:
        conn.close()


class ImageLoader:
    """Loads images into the attached schema ``STAGE`` of an SQLite project's connection (the
    schema is attached on first use, inside a transaction too) and copies their tables' rows
    into the project's tables, in that connection's open transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._ready = False

    def load(self, image: bytes) -> dict[str, list[str]]:
        """Load ``image``; returns its tables and their columns."""
        if not self._ready:
            attached = {r[1] for r in self.conn.exec_driver_sql("PRAGMA database_list")}
            if STAGE not in attached:
                self.conn.exec_driver_sql(f"ATTACH DATABASE ':memory:' AS {STAGE}")
            self._ready = True
        raw = self.conn.connection.driver_connection
        assert isinstance(raw, sqlite3.Connection)
        raw.deserialize(image, name=STAGE)
        names = [r[0] for r in self.conn.exec_driver_sql(
            f"SELECT name FROM {STAGE}.sqlite_master WHERE type='table'")]
        return {
            n: [r[1] for r in self.conn.exec_driver_sql(f'PRAGMA {STAGE}.table_info("{n}")')]
            for n in names
        }

    def copy(self, table: str, target: str, columns: Sequence[str],
             constants: Mapping[str, int] | None = None) -> None:
        """``INSERT INTO target (columns, constants) SELECT columns, constants FROM
        STAGE.table`` in the image's row order (constants: integer columns, one value)."""
        constants = dict(constants or {})
        names = ", ".join(f'"{c}"' for c in [*columns, *constants])
        values = ", ".join([*(f'"{c}"' for c in columns),
                            *(str(int(v)) for v in constants.values())])
        self.conn.exec_driver_sql(
            f'INSERT INTO {target} ({names}) SELECT {values} FROM {STAGE}."{table}" '
            "ORDER BY rowid"
        )

    def clear(self) -> None:
        """Replace the last image by an empty database (its rows leave memory)."""
        if self._ready:
            raw = self.conn.connection.driver_connection
            assert isinstance(raw, sqlite3.Connection)
            raw.deserialize(_empty_image(), name=STAGE)


_EMPTY: bytes | None = None


def _empty_image() -> bytes:
    global _EMPTY
    if _EMPTY is None:
        conn = sqlite3.connect(":memory:")
        conn.execute("CREATE TABLE empty (x)")
        _EMPTY = conn.serialize()
        conn.close()
    return _EMPTY
