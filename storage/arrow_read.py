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
    import pyarrow as pa

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
                cur.execute(sql)
                # Batch by batch: the driver releases the GIL while it steps through the rows
                # of each batch (a whole-table fetch held it for up to 0.6 s at a time on a
                # 2.3-million-event project, and the window froze meanwhile).
                reader = cur.fetch_record_batch()
                events = pa.Table.from_batches(list(reader), schema=reader.schema)
        except (adbc_driver_sqlite.dbapi.Error, OSError) as exc:  # a stream's errors: OSError
            if "type mismatch" in str(exc).lower():
                raise UseGenericRead(str(exc)) from exc
            raise
    return _to_frame(events, items)


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


def _to_frame(events: pa.Table, items: pa.Table) -> pd.DataFrame:
    """The read's columns as ``events_frame``'s DataFrame: the typed first row dropped, items'
    keys in place of their ids, sorted by customer, time and event id. Text becomes Python
    strings, and rows are reordered, a slice at a time: no step holds the GIL for long."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    expected = {
        **dict.fromkeys(("id", "item_id", *INT_COLUMNS), pa.int64()),
        **dict.fromkeys((c for c in TEXT_COLUMNS if c != "item"), pa.string()),
        **dict.fromkeys(REAL_COLUMNS, pa.float64()),
    }
    for name, type_ in expected.items():
        if events.schema.field(name).type != type_:
            raise UseGenericRead(f"{name} read as {events.schema.field(name).type}")
    if items.schema.field("id").type != pa.int64() or items.schema.field("key").type != pa.string():
        raise UseGenericRead(f"items read as {items.schema}")
    ids = events.column("id")
    # SQLite returns the arms of a UNION ALL in order: the typed row comes first.
    if events.num_rows == 0 or ids.null_count != 1 or ids[0].is_valid:
        raise UseGenericRead("the typed first row is not first")
    events = events.slice(1)
    order = np.lexsort(
        tuple(events.column(c).to_numpy() for c in ("id", "time_ms", "customer_id"))
    )

    def reorder(values: np.ndarray) -> np.ndarray:
        return _lookup(values, order)

    columns: dict[str, np.ndarray] = {}
    for name in COLUMNS:
        if name == "item":
            keys, codes = _item_keys(events.column("item_id"), items)
            columns[name] = _lookup(keys, reorder(codes))
        elif name in TEXT_COLUMNS:
            # Each distinct text once: the rows' codes are sorted (plain integers, fast), then
            # looked up in the few strings (a shop has a handful of event types, and so on).
            encoded = pc.dictionary_encode(events.column(name).combine_chunks())
            distinct = np.empty(len(encoded.dictionary) + 1, dtype=object)  # the last: NULL
            for start in range(0, len(distinct) - 1, _SLICE_ROWS):
                part = encoded.dictionary.slice(start, _SLICE_ROWS).to_pandas()
                distinct[start : start + len(part)] = part.to_numpy()
            codes = encoded.indices.fill_null(len(distinct) - 1).to_numpy()
            columns[name] = _lookup(distinct, reorder(codes))
        else:
            dtype = "float64" if name in REAL_COLUMNS else "int64"
            columns[name] = events.column(name).to_numpy().astype(dtype, copy=False)[order]
    # Not copied into one block per type: stacking millions of objects holds the GIL.
    return pd.DataFrame(columns, copy=False)


def _item_keys(item_ids: pa.ChunkedArray, items: pa.Table) -> tuple[np.ndarray, np.ndarray]:
    """The items' keys by id, and each event's place in them (the last place, None: no item),
    in the events' stored order."""
    import numpy as np
    import pyarrow.compute as pc

    if items.num_rows == 0 or items.slice(0, 1).to_pylist() != [{"id": 0, "key": ""}]:
        raise UseGenericRead("the typed first row of the items is not first")
    known = items.slice(1)
    known_ids = known.column("id").to_numpy()
    biggest = max(int(known_ids.max()) if len(known_ids) else 0,
                  int(pc.max(item_ids).as_py() or 0))
    if int(pc.min(item_ids).as_py() or 0) < 0 or (len(known_ids) and known_ids.min() < 0):
        raise UseGenericRead("negative item ids")
    if biggest > 100_000_000:  # ids this far apart were not numbered by IntentLens
        raise UseGenericRead("item ids beyond a lookup table")
    lookup = np.full(biggest + 2, None, dtype=object)  # the last place: events without an item
    lookup[known_ids] = known.column("key").to_pandas().to_numpy()
    return lookup, item_ids.fill_null(biggest + 1).to_numpy()


def _lookup(values: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``values[codes]``, a slice at a time (each a few milliseconds with the GIL)."""
    import numpy as np

    out = np.empty(len(codes), dtype=values.dtype)
    for start in range(0, len(codes), _SLICE_ROWS):
        out[start : start + _SLICE_ROWS] = values[codes[start : start + _SLICE_ROWS]]
    return out
