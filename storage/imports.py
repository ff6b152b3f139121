"""Writing one import into a project: one transaction, bulk writes, nothing half-done.

The engine's importer drives an ``ImportWriter``: it resolves customer and item keys to ids
and stages each chunk (``plan_customers``, ``plan_items``, ``stage``: no database, so on the
import's second thread), then stores it (``store``): on SQLite the chunk's rows come as an
SQLite image copied with ``INSERT ... SELECT`` (``storage.sqlite_image``), on PostgreSQL by
COPY (``storage.dialect.insert_columns``, also SQLite's way when no image could be made).
Everything commits at once or rolls back (cancel, error, crash), so the project is exactly as
before a failed import.

A crash while an import runs may leave the temporary folder of its images (one chunk's rows,
``intentlens-import-*`` in the system's temporary folder, private to the user).
"""

from __future__ import annotations

import itertools
import json
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from storage import dialect, schema, sqlite_image, summary
from storage.project import Project


def utc_now_iso() -> str:
    """The current time as ISO 8601 UTC text (how the project stores wall-clock times)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class BatchInfo:
    """An earlier import of a file."""

    id: int
    file_name: str
    sha256: str
    started_at: str
    imported: int
    rejected: int


def holds_imports(project: Project) -> bool:
    """Whether any import (finished or running in another process) wrote to the project.

    Taken under the write lock, so an import running elsewhere is waited for, not missed."""
    with project.begin() as conn:
        n = conn.execute(select(func.count()).select_from(schema.import_batches)).scalar_one()
    return int(n) > 0


def batches_with_sha(source: Project | Connection, sha256: str) -> list[BatchInfo]:
    """Earlier finished imports of a file with this content hash.

    Given the connection of an import's write transaction (``Project.begin``, which holds the
    write lock), the answer cannot change before that import commits: this is the check that
    keeps two programs importing the same file at once from counting it twice.
    """
    b = schema.import_batches
    query = (
        select(b.c.id, b.c.file_name, b.c.sha256, b.c.started_at, b.c.imported, b.c.rejected)
        .where(b.c.sha256 == sha256, b.c.status == "done")
        .order_by(b.c.id)
    )
    if isinstance(source, Connection):
        return [BatchInfo(*r) for r in source.execute(query).all()]
    with source.connect() as conn:
        return [BatchInfo(*r) for r in conn.execute(query).all()]


#: The event columns that hold text.
_TEXT_COLUMNS = frozenset({"event", "raw_event", "category", "session", "query"})

EVENT_COLUMNS: tuple[str, ...] = (
    "customer_id",
    "time_ms",
    "event",
    "raw_event",
    "item_id",
    "category",
    "price",
    "quantity",
    "amount",
    "session",
    "query",
    "batch_id",
)


@dataclass
class StagedRows:
    """One chunk's rows made ready to store (``ImportWriter.stage``): the new customers and
    items with their ids, the events (columns of ``n`` values), the Data page's totals of them
    (``summary.chunk_parts``) and, on SQLite, all of it as an SQLite image."""

    customers: dict[str, list[Any]]
    items: dict[str, list[Any]]
    events: dict[str, Sequence[Any]]
    n: int
    totals: dict[str, Any]
    image: bytes | None = None


class ImportWriter:
    """One import in one open transaction. Use as a context manager via ``begin_import``."""

    def __init__(self, conn: Connection, batch_id: int) -> None:
        self.conn = conn
        self.batch_id = batch_id
        self._customers: dict[str, int] = dict(
            conn.execute(select(schema.customers.c.key, schema.customers.c.id)).all()
        )
        self._items: dict[str, int] = dict(
            conn.execute(select(schema.items.c.key, schema.items.c.id)).all()
        )
        self._next_customer = 1 + int(
            conn.execute(select(func.coalesce(func.max(schema.customers.c.id), 0))).scalar_one()
        )
        self._next_item = 1 + int(
            conn.execute(select(func.coalesce(func.max(schema.items.c.id), 0))).scalar_one()
        )
        self._new_customers = 0
        self._deferred = False
        # The Data page's running totals change in this transaction, with the events.
        self._after_id = summary.events_after(conn)
        self._totals = summary.ChunkTotals(conn)
        # PostgreSQL's text cannot hold NUL characters (a damaged file may have them).
        self._nul_free = dialect.is_postgresql(conn)
        # SQLite: rows go in as images (``storage.sqlite_image``), not bound value by value.
        sqlite = dialect.is_sqlite(conn) and hasattr(conn.connection.driver_connection,
                                                     "deserialize")
        self._images = sqlite_image.ImageMaker() if sqlite else None
        self._loader = sqlite_image.ImageLoader(conn) if sqlite else None

    @property
    def new_customers(self) -> int:
        """Customers this import added."""
        return self._new_customers

    def _resolve(self, known: dict[str, int], keys: Sequence[str], next_id: int) -> tuple[
        list[int], list[int], int
    ]:
        """Ids for distinct keys; new keys get ids from ``next_id`` on. Returns the ids, the
        positions of the new keys, and the next free id."""
        ids: list[Any] = list(map(known.get, keys))  # in C: no Python frame per key
        if None not in ids:
            return ids, [], next_id
        missing = map(operator.is_, ids, itertools.repeat(None))
        new_pos = list(itertools.compress(range(len(ids)), missing))
        new_ids = range(next_id, next_id + len(new_pos))
        for i, new_id in zip(new_pos, new_ids, strict=True):
            ids[i] = new_id
        known.update(zip(map(keys.__getitem__, new_pos), new_ids, strict=True))
        return ids, new_pos, next_id + len(new_pos)

    def _text(self, values: Sequence[Any]) -> Sequence[Any]:
        """A column as the database can store it (``dialect.storable_text``)."""
        return dialect.storable_text(list(values)) if self._nul_free else values

    def plan_customers(self, keys: Sequence[str]) -> tuple[list[int], dict[str, list[Any]]]:
        """Ids for customer keys (distinct keys) and the columns of the customers that are new
        (``id``, ``key``), which ``store`` creates. Touches no database: an import plans the
        next chunk on its second thread (chunks must be planned in the order they are stored)."""
        keys = self._text(keys)
        ids, new_pos, self._next_customer = self._resolve(
            self._customers, keys, self._next_customer
        )
        new_pos.sort(key=keys.__getitem__)  # in key order, the unique index grows fastest
        return ids, {"id": [ids[i] for i in new_pos], "key": [keys[i] for i in new_pos]}

    def plan_items(
        self,
        keys: Sequence[str],
        categories: Sequence[str | None],
        names: Sequence[str | None],
        prices: Sequence[float | None],
    ) -> tuple[list[int], dict[str, list[Any]]]:
        """Ids for item keys (distinct keys) and the columns of the items that are new, as
        ``plan_customers``."""
        keys = self._text(keys)
        ids, new_pos, self._next_item = self._resolve(self._items, keys, self._next_item)
        new_pos.sort(key=keys.__getitem__)  # in key order, the unique index grows fastest
        columns: dict[str, list[Any]] = {
            "id": [ids[i] for i in new_pos], "key": [keys[i] for i in new_pos]
        }
        if new_pos:
            categories, names = self._text(categories), self._text(names)
            for col, values in (("category", categories), ("name", names), ("price", prices)):
                new = [values[i] for i in new_pos]
                # Leave out the columns with no value at all (binding NULLs is not free).
                if new.count(None) < len(new):
                    columns[col] = new
        return ids, columns

    def customer_ids(self, keys: Sequence[str]) -> list[int]:
        """Ids for customer keys (distinct keys), creating the customers that are new."""
        ids, new = self.plan_customers(keys)
        self.store(self.stage(customers=new))
        return ids

    def item_ids(
        self,
        keys: Sequence[str],
        categories: Sequence[str | None],
        names: Sequence[str | None],
        prices: Sequence[float | None],
    ) -> list[int]:
        """Ids for item keys (distinct keys), creating the items that are new."""
        ids, new = self.plan_items(keys, categories, names, prices)
        self.store(self.stage(items=new))
        return ids

    def add_events(self, columns: dict[str, Sequence[Any]], n: int) -> None:
        """Append ``n`` events given column by column, as lists or numpy arrays (names from
        ``EVENT_COLUMNS``; columns left out are NULL). The batch id is added here."""
        self.store(self.stage(events=columns, n=n))

    def stage(
        self,
        *,
        customers: dict[str, list[Any]] | None = None,
        items: dict[str, list[Any]] | None = None,
        events: dict[str, Sequence[Any]] | None = None,
        n: int = 0,
    ) -> StagedRows:
        """New customers and items (``plan_customers``, ``plan_items``) and ``n`` events made
        ready for ``store``, with the Data page's totals of the events. Touches no database:
        an import stages the next chunk on its second thread. On SQLite the rows become an
        SQLite image (``storage.sqlite_image``), which ``store`` copies in C."""
        customers = customers or {"id": []}
        items = items or {"id": []}
        events = dict(events or {})
        unknown = set(events) - set(EVENT_COLUMNS)
        if unknown or "batch_id" in events:
            raise ValueError(f"not event columns: {sorted(unknown | {'batch_id'} & set(events))}")
        for name, values in events.items():
            if len(values) != n:
                raise ValueError(f"column {name} of events has {len(values)} values, not {n}")
        if self._nul_free:
            events = {
                c: dialect.storable_text(list(v)) if c in _TEXT_COLUMNS else v
                for c, v in events.items()
            }
        events = {c: events[c] for c in EVENT_COLUMNS if c in events}
        staged = StagedRows(
            customers=customers,
            items=items,
            events=events,
            n=n,
            totals=summary.chunk_parts(events, n),
        )
        if self._images is not None and (n or customers["id"] or items["id"]):
            staged.image = self._images.image({
                "customers": customers, "items": items, "events": events,
            })
        return staged

    def store(self, staged: StagedRows) -> None:
        """Write staged rows in the open transaction: new customers, new items, events."""
        if staged.image is not None:
            assert self._loader is not None
            tables = self._loader.load(staged.image)
            for name, target, constants in (
                ("customers", schema.customers.name, None),
                ("items", schema.items.name, None),
                ("events", "events", {"batch_id": self.batch_id}),
            ):
                if name in tables:
                    self._loader.copy(name, target, tables[name], constants)
        else:
            for target, columns in (
                (schema.customers.name, staged.customers), (schema.items.name, staged.items)
            ):
                if columns["id"]:
                    dialect.insert_columns(self.conn, target, columns, len(columns["id"]))
            if staged.n:
                dialect.insert_columns(
                    self.conn, "events", staged.events, staged.n,
                    same={"batch_id": self.batch_id},
                )
        self._new_customers += len(staged.customers["id"])
        self._totals.add_parts(staged.totals)

    def add_rejected(self, rows: Sequence[tuple[int, str, str]]) -> None:
        """Append rejected rows: (line number, raw text, reason)."""
        if not rows:
            return
        line_nos, raws, reasons = zip(*rows, strict=True)
        dialect.insert_columns(
            self.conn,
            "rejected_rows",
            {"line_no": line_nos, "raw": self._text(raws), "reason": self._text(reasons)},
            len(rows),
            same={"batch_id": self.batch_id},
        )

    def defer_indexes(self) -> None:
        """Drop the event indexes until ``finish``: building them once after a large load is
        faster than updating them row by row (and it all stays inside the one transaction).
        SQLite only: on PostgreSQL dropping an index locks the table against every reader."""
        if not dialect.is_sqlite(self.conn):
            return
        for index in schema.events.indexes:
            self.conn.exec_driver_sql(f"DROP INDEX IF EXISTS {index.name}")
        self._deferred = True

    def close(self) -> None:
        """Free the staging area (the last image's rows, the temporary folder); ``finish``
        calls it, and an import that stops early should too."""
        if self._loader is not None and not self.conn.closed:
            self._loader.clear()
        if self._images is not None:
            self._images.close()

    def finish(
        self,
        *,
        lines_read: int,
        imported: int,
        rejected: int,
        seconds: float,
        warnings: Sequence[dict[str, Any]] = (),
        mapping: dict[str, Any] | None = None,
    ) -> None:
        """Mark the batch done with its counts (still inside the transaction). ``mapping``
        replaces the one stored at the start: the final one, with what the import met later."""
        if self._deferred:
            # (SQLite's sort helper threads, PRAGMA threads, measured no faster here and
            # raised the import's peak memory by ~80 MB: left off.)
            for index in schema.events.indexes:
                index.create(self.conn)
            self._deferred = False
        self._totals.flush()
        summary.add_duplicates(self.conn, self._after_id)
        self.close()
        self.conn.execute(
            update(schema.import_batches)
            .where(schema.import_batches.c.id == self.batch_id)
            .values(
                status="done",
                lines_read=lines_read,
                imported=imported,
                rejected=rejected,
                finished_at=utc_now_iso(),
                seconds=seconds,
                warnings=json.dumps(list(warnings), ensure_ascii=False) if warnings else None,
                **({} if mapping is None else {"mapping": _mapping_json(mapping)}),
            )
        )


def event_count(conn: Connection) -> int:
    """Events in the project (cheap upper bound on SQLite: the largest row id)."""
    return int(conn.execute(select(func.coalesce(func.max(schema.events.c.id), 0))).scalar_one())


def start_batch(
    conn: Connection,
    *,
    file_name: str,
    sha256: str,
    fmt: str,
    encoding: str,
    mapping: dict[str, Any],
    pseudonymized: bool,
) -> ImportWriter:
    """Record a new import batch in the open transaction and return its writer."""
    batch_id = conn.execute(
        insert(schema.import_batches).values(
            file_name=file_name,
            sha256=sha256,
            format=fmt,
            encoding=encoding,
            mapping=_mapping_json(mapping),
            pseudonymized=int(pseudonymized),
            status="running",
            started_at=utc_now_iso(),
        )
    ).inserted_primary_key
    assert batch_id is not None
    return ImportWriter(conn, int(batch_id[0]))


def _mapping_json(mapping: dict[str, Any]) -> str:
    return json.dumps(mapping, ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True)
class StoredMapping:
    """The mapping stored with a finished import (the JSON of ``import_batches.mapping``)."""

    batch_id: int
    file_name: str
    finished_at: str
    mapping: dict[str, Any]


def last_mapping(source: Project | Connection, signature: str) -> StoredMapping | None:
    """The mapping of the last finished import whose mapping has this ``signature`` (its
    "signature" key: the engine's name for a kind of file), or None when there is none.

    The import list is short (one row per import), so the signature is looked for in the
    mapping text and then checked in the parsed JSON.
    """
    b = schema.import_batches
    query = (
        select(b.c.id, b.c.file_name, b.c.finished_at, b.c.started_at, b.c.mapping)
        .where(
            b.c.status == "done",
            b.c.mapping.contains(json.dumps(signature), autoescape=True),
        )
        .order_by(b.c.id.desc())
    )
    if isinstance(source, Connection):
        rows = source.execute(query).all()
    else:
        with source.connect() as conn:
            rows = conn.execute(query).all()
    for batch_id, file_name, finished_at, started_at, text in rows:
        try:
            mapping = json.loads(text)
        except (TypeError, ValueError):
            continue
        if isinstance(mapping, dict) and mapping.get("signature") == signature:
            return StoredMapping(int(batch_id), file_name, finished_at or started_at, mapping)
    return None
