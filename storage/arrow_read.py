"""The event log of an SQLite project read column-wise with the ADBC SQLite driver (Apache Arrow).

The driver steps through the rows in C and hands back Arrow record batches, with the GIL released
while it reads: millions of events arrive as a few arrays instead of millions of Python tuples,
and a window whose worker thread reads them stays responsive.

Two things about the driver shape this module:

* It infers each column's type from its first batch of rows: a column that is NULL throughout
  that batch becomes int64, and a later text value then fails the read. The query therefore
  starts with one typed row (``_SENTINEL``: text, a real number, integers) that the read drops
  again; rows come in no particular order and are sorted by customer, time and event id, which
  is the order ``ORDER BY e.id`` and a stable sort by customer and time give.
* It carries its own copy of SQLite. On Linux and macOS, when one copy of SQLite closes a file,
  the operating system drops the locks the other copy (Python's ``sqlite3``, which every other
  connection of this process uses) holds on that same file: another program may then delete the
  project's write-ahead log under our open connections and the changes they write are lost. So
  the driver never opens the project itself: Python's ``sqlite3`` copies it (the backup API, a
  consistent snapshot, under a second per 200 MB) into a private temporary folder, and the
  driver reads the copy, which nothing else has open; the copy is deleted after the read. A
  temporary folder without room for the copy means the generic (slower) read.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

#: The columns of ``storage.queries.events_frame`` and what each holds.
TEXT_COLUMNS = ("event", "item", "category", "session", "query")
REAL_COLUMNS = ("price", "quantity", "amount")
INT_COLUMNS = ("customer_id", "time_ms")
COLUMNS = ("customer_id", "time_ms", "event", "item", "category", "price", "quantity", "amount",
           "session", "query")
#: The text columns the events table holds itself (an item's key is looked up by its id).
TEXTS = tuple(c for c in TEXT_COLUMNS if c != "item")

#: The events without their items' keys: joining them row by row took a sixth of the read, and
#: a project has a few thousand items at most, looked up afterwards.
_SELECT = (
    "SELECT e.id, e.customer_id, e.time_ms, e.event, e.item_id, e.category, e.price, "
    "e.quantity, e.amount, e.session, e.query FROM events e"
)
#: The first row of every read: a NULL id (events' ids never are) and one value of each column's
#: type, so the driver's type inference sees text, real and integer columns whatever the data.
_SENTINEL = (
    "SELECT NULL AS id, 0 AS customer_id, 0 AS time_ms, '' AS event, 0 AS item_id, "
    "'' AS category, 0.0 AS price, 0.0 AS quantity, 0.0 AS amount, '' AS session, '' AS query"
)
_ITEMS = "SELECT 0 AS id, '' AS key UNION ALL SELECT id, key FROM items"
#: Rows converted to Python objects, or reordered, in one go (a few milliseconds with the GIL).
_SLICE_ROWS = 65_536


class UseGenericRead(Exception):
    """This read cannot be done here: a column holds values of a type the events table should
    not (text in ``price``, which the generic read turns into NaN), or the temporary folder has
    no room for the copy. The caller reads the project the generic way."""


def read_events(path: Path, source_uri: str, where: str) -> pd.DataFrame:
    """The events of the SQLite project at ``path`` that match ``where`` (an SQL condition on
    ``e``, "" for all), as ``storage.queries.events_frame`` returns them.

    ``source_uri`` is the read-only URI the project is opened with. Raises
    ``UseGenericRead`` when the stored values do not fit the columns' types or no copy can be
    made.
    """
    import adbc_driver_sqlite.dbapi

    sql = f"{_SENTINEL} UNION ALL {_SELECT}" + (f" WHERE {where}" if where else "")
    try:
        scratch = tempfile.TemporaryDirectory(prefix="intentlens-read-")
    except OSError as exc:
        raise UseGenericRead(str(exc)) from exc
    with scratch as folder:
        copy = Path(folder) / "events.sqlite"
        try:
            _snapshot(source_uri, copy)
        except (sqlite3.Error, OSError) as exc:  # a full disk; the generic read says the rest
            raise UseGenericRead(str(exc)) from exc
        uri = copy.as_uri() + "?mode=ro&immutable=1"
        try:
            # The cursor is closed before the connection, the connection before the copy goes.
            with (
                adbc_driver_sqlite.dbapi.connect(uri, autocommit=True) as conn,
                conn.cursor() as cur,
            ):
                cur.execute(_ITEMS)
                items = cur.fetch_arrow_table()
                cur.execute("SELECT MIN(id), MAX(id) FROM events")
                low, high = cur.fetchone() or (None, None)
            ranges = _id_ranges(low, high, _parts())
            read = _Read.combine(_read_ranges(uri, sql, ranges))
        except (adbc_driver_sqlite.dbapi.Error, OSError) as exc:  # a stream's errors: OSError
            if "type mismatch" in str(exc).lower():
                raise UseGenericRead(str(exc)) from exc
            raise
    return _to_frame(read, items)


#: Events per part of a read at least: below it one connection reads them all.
_PART_ROWS = 250_000


def _parts() -> int:
    """How many connections read a project's events side by side: one per core, four at most
    (each steps through its rows in C with the GIL released)."""
    return max(1, min(4, os.cpu_count() or 1))


def _id_ranges(low: int | None, high: int | None, parts: int) -> list[tuple[int, int] | None]:
    """The events' ids from ``low`` to ``high`` in up to ``parts`` consecutive ranges of about
    ``_PART_ROWS`` ids or more; ``[None]`` (every event, one read) for a small or empty table."""
    if low is None or high is None:
        return [None]
    parts = max(1, min(parts, (int(high) - int(low) + 1) // _PART_ROWS))
    if parts == 1:
        return [None]
    cuts = [int(low) + (int(high) - int(low) + 1) * k // parts for k in range(parts + 1)]
    return [(cuts[k], cuts[k + 1] - 1) for k in range(parts)]


def _read_ranges(uri: str, sql: str, ranges: list[tuple[int, int] | None]) -> list[_Columns]:
    """Each range's events through its own connection to the copy, on its own thread (the
    calling thread reads the first); the parts in the ranges' order."""
    import adbc_driver_sqlite.dbapi

    def read(span: tuple[int, int] | None) -> _Columns:
        query = sql
        if span is not None:
            query += (" AND " if " WHERE " in sql else " WHERE ") + (
                f"e.id BETWEEN {int(span[0])} AND {int(span[1])}")
        with (
            adbc_driver_sqlite.dbapi.connect(uri, autocommit=True) as conn,
            conn.cursor() as cur,
        ):
            cur.execute(query)
            # Batch by batch: the driver releases the GIL while it steps through the rows of
            # each batch (a whole-table fetch held it for up to 0.6 s at a time on a
            # 2.3-million-event project, and the window froze meanwhile), and each group of
            # batches is turned into compact columns at once (all of a big shop's batches
            # held together took more memory than the frame made from them).
            return _Columns(cur.fetch_record_batch())

    if len(ranges) == 1:
        return [read(ranges[0])]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=len(ranges) - 1,
                            thread_name_prefix="intentlens-read") as pool:
        rest = [pool.submit(read, span) for span in ranges[1:]]
        first = read(ranges[0])
        return [first, *(part.result() for part in rest)]


#: Rows of the driver's batches turned into compact columns at a time.
_GROUP_ROWS = 262_144


class _Columns:
    """The rows of one read as compact numpy columns, filled a group of batches at a time: the
    integers and reals as they are (item ids: -1 for none), each text column as Arrow
    dictionary arrays (codes into each group's distinct values; :class:`_Read` unifies them).
    The typed first row is checked and left out."""

    def __init__(self, reader: pa.RecordBatchReader) -> None:
        import pyarrow as pa

        expected = {
            **dict.fromkeys(("id", "item_id", *INT_COLUMNS), pa.int64()),
            **dict.fromkeys(TEXTS, pa.string()),
            **dict.fromkeys(REAL_COLUMNS, pa.float64()),
        }
        for name, type_ in expected.items():
            if reader.schema.field(name).type != type_:
                raise UseGenericRead(f"{name} read as {reader.schema.field(name).type}")
        self.pieces: dict[str, list[np.ndarray]] = {
            name: [] for name in ("id", *INT_COLUMNS, "item_id", *REAL_COLUMNS)
        }
        self.encoded: dict[str, list[pa.DictionaryArray]] = {name: [] for name in TEXTS}
        self.first = True
        self.null_ids = 0
        group: list[pa.RecordBatch] = []
        rows = 0
        for batch in reader:
            group.append(batch)
            rows += batch.num_rows
            if rows >= _GROUP_ROWS:
                self._add(pa.Table.from_batches(group, schema=reader.schema))
                group, rows = [], 0
        self._add(pa.Table.from_batches(group, schema=reader.schema))
        if self.first or self.null_ids != 1:
            raise UseGenericRead("the typed first row is not first")

    def _add(self, table: pa.Table) -> None:
        import numpy as np
        import pyarrow.compute as pc

        if table.num_rows == 0:
            return
        ids = table.column("id")
        self.null_ids += ids.null_count
        if self.first:
            # SQLite returns the arms of a UNION ALL in order: the typed row comes first.
            if ids[0].is_valid:
                raise UseGenericRead("the typed first row is not first")
            table = table.slice(1)
            self.first = False
        for name in ("id", *INT_COLUMNS):
            self.pieces[name].append(
                table.column(name).to_numpy().astype(np.int64, copy=False).copy())
        item_ids = table.column("item_id")
        if int(pc.min(item_ids).as_py() or 0) < 0:
            raise UseGenericRead("negative item ids")
        self.pieces["item_id"].append(item_ids.fill_null(-1).to_numpy().astype(np.int64))
        for name in REAL_COLUMNS:
            self.pieces[name].append(
                table.column(name).to_numpy().astype(np.float64, copy=False).copy())
        for name in TEXTS:
            self.encoded[name].append(pc.dictionary_encode(table.column(name).combine_chunks()))


class _Read:
    """The parts of a read put together: ``columns`` (numbers, and each text column as int32
    codes, -1 for NULL) and ``distinct`` (each text column's values, as Python strings, that
    the codes point into)."""

    def __init__(self, columns: dict[str, np.ndarray], distinct: dict[str, np.ndarray]) -> None:
        self.columns = columns
        self.distinct = distinct

    @classmethod
    def combine(cls, parts: list[_Columns]) -> _Read:
        """The parts' rows one after the other; each part's pieces are let go once joined."""
        import numpy as np
        import pyarrow as pa

        columns: dict[str, np.ndarray] = {}
        for name in ("id", *INT_COLUMNS, "item_id", *REAL_COLUMNS):
            pieces = [piece for part in parts for piece in part.pieces.pop(name)]
            columns[name] = np.concatenate(pieces) if pieces else np.zeros(
                0, dtype=np.float64 if name in REAL_COLUMNS else np.int64)
            del pieces
        distinct: dict[str, np.ndarray] = {}
        for name in TEXTS:
            chunks = [chunk for part in parts for chunk in part.encoded.pop(name)]
            if not chunks:
                columns[name] = np.zeros(0, dtype=np.int32)
                distinct[name] = np.empty(0, dtype=object)
                continue
            # One dictionary for all the groups (Arrow remaps each group's codes, in C).
            unified = pa.chunked_array(chunks).unify_dictionaries()
            del chunks
            columns[name] = np.concatenate([
                chunk.indices.fill_null(-1).to_numpy().astype(np.int32)
                for chunk in unified.chunks])
            distinct[name] = _strings(unified.chunk(0).dictionary)
            del unified
        return cls(columns, distinct)

    def take(self, name: str) -> np.ndarray:
        """A column, no longer held here."""
        return self.columns.pop(name)


def _strings(values: pa.Array) -> np.ndarray:
    """Arrow text as an object array of Python strings, a slice at a time (each a few
    milliseconds with the GIL)."""
    import numpy as np

    out = np.empty(len(values), dtype=object)
    for start in range(0, len(values), _SLICE_ROWS):
        out[start : start + _SLICE_ROWS] = values.slice(start, _SLICE_ROWS).to_numpy(
            zero_copy_only=False)
    return out


def _snapshot(source_uri: str, copy: Path) -> None:
    """Copy the project into ``copy`` with Python's ``sqlite3`` (the GIL is released while
    pages are copied): one consistent state, written changes in the write-ahead log included."""
    source = sqlite3.connect(source_uri, uri=True, timeout=15, check_same_thread=False)
    try:
        target = sqlite3.connect(copy)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()


def _to_frame(read: _Read, items: pa.Table) -> pd.DataFrame:
    """The read's columns as ``events_frame``'s DataFrame: items' keys in place of their ids,
    sorted by customer, time and event id. Text becomes Python strings, and rows are
    reordered, a slice at a time: no step holds the GIL for long. Each compact column is let go
    once its column of the frame is made."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    if items.schema.field("id").type != pa.int64() or items.schema.field("key").type != pa.string():
        raise UseGenericRead(f"items read as {items.schema}")
    order = np.lexsort(tuple(read.columns[c] for c in ("id", "time_ms", "customer_id")))
    read.take("id")

    def reorder(values: np.ndarray) -> np.ndarray:
        return _lookup(values, order)

    columns: dict[str, np.ndarray] = {}
    for name in COLUMNS:
        if name == "item":
            keys, codes = _item_keys(read.take("item_id"), items)
            columns[name] = _lookup(keys, reorder(codes))
        elif name in TEXT_COLUMNS:
            # Each distinct text once: the rows' codes are sorted (plain integers, fast), then
            # looked up in the few strings (a shop has a handful of event types, and so on).
            known = read.distinct.pop(name)
            distinct = np.empty(len(known) + 1, dtype=object)  # the last: NULL
            distinct[: len(known)] = known
            del known
            codes = read.take(name)
            codes[codes < 0] = len(distinct) - 1
            columns[name] = _lookup(distinct, reorder(codes))
        else:
            columns[name] = reorder(read.take(name))
    # Not copied into one block per type: stacking millions of objects holds the GIL.
    return pd.DataFrame(columns, copy=False)


def _item_keys(item_ids: np.ndarray, items: pa.Table) -> tuple[np.ndarray, np.ndarray]:
    """The items' keys by id, and each event's place in them (the last place, None: no item;
    ``item_ids`` -1), in the events' stored order."""
    import numpy as np

    if items.num_rows == 0 or items.slice(0, 1).to_pylist() != [{"id": 0, "key": ""}]:
        raise UseGenericRead("the typed first row of the items is not first")
    known = items.slice(1)
    known_ids = known.column("id").to_numpy()
    biggest = max(int(known_ids.max()) if len(known_ids) else 0,
                  int(item_ids.max()) if len(item_ids) else 0)
    if len(known_ids) and known_ids.min() < 0:
        raise UseGenericRead("negative item ids")
    if biggest > 100_000_000:  # ids this far apart were not numbered by IntentLens
        raise UseGenericRead("item ids beyond a lookup table")
    lookup = np.full(biggest + 2, None, dtype=object)  # the last place: events without an item
    lookup[known_ids] = known.column("key").to_pandas().to_numpy()
    item_ids[item_ids < 0] = biggest + 1
    return lookup, item_ids


def _lookup(values: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``values[codes]``, a slice at a time (each a few milliseconds with the GIL)."""
    import numpy as np

    out = np.empty(len(codes), dtype=values.dtype)
    for start in range(0, len(codes), _SLICE_ROWS):
        out[start : start + _SLICE_ROWS] = values[codes[start : start + _SLICE_ROWS]]
    return out
