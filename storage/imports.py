"""Writing one import into a project: one transaction, bulk writes, nothing half-done.

The engine's importer drives an ``ImportWriter``: it resolves customer and item keys to ids,
appends events and rejected rows in large batches (many-row INSERTs on SQLite, COPY on
PostgreSQL: ``storage.dialect.insert_columns``), and either commits everything or rolls
everything back (cancel, error, crash), so the project is exactly as before a failed import.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from storage import dialect, schema, summary
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

    @property
    def new_customers(self) -> int:
        """Customers this import added."""
        return self._new_customers

    def _resolve(self, known: dict[str, int], keys: Sequence[str], next_id: int) -> tuple[
        list[int], list[int], int
    ]:
        """Ids for distinct keys; new keys get ids from ``next_id`` on. Returns the ids, the
        positions of the new keys, and the next free id."""
        get = known.get
        ids: list[Any] = [get(k) for k in keys]
        new_pos = [i for i, v in enumerate(ids) if v is None]
        for i in new_pos:
            ids[i] = next_id
            known[keys[i]] = next_id
            next_id += 1
        return ids, new_pos, next_id

    def _text(self, values: Sequence[Any]) -> Sequence[Any]:
        """A column as the database can store it (``dialect.storable_text``)."""
        return dialect.storable_text(list(values)) if self._nul_free else values

    def customer_ids(self, keys: Sequence[str]) -> list[int]:
        """Ids for customer keys (distinct keys), creating the customers that are new."""
        keys = self._text(keys)
        ids, new_pos, self._next_customer = self._resolve(
            self._customers, keys, self._next_customer
        )
        if new_pos:
            new_pos.sort(key=keys.__getitem__)  # in key order, the unique index grows fastest
            dialect.insert_columns(
                self.conn,
                schema.customers.name,
                {"id": [ids[i] for i in new_pos], "key": [keys[i] for i in new_pos]},
                len(new_pos),
            )
            self._new_customers += len(new_pos)
        return ids

    def item_ids(
        self,
        keys: Sequence[str],
        categories: Sequence[str | None],
        names: Sequence[str | None],
        prices: Sequence[float | None],
    ) -> list[int]:
        """Ids for item keys (distinct keys), creating the items that are new."""
        keys = self._text(keys)
        ids, new_pos, self._next_item = self._resolve(self._items, keys, self._next_item)
        if new_pos:
            new_pos.sort(key=keys.__getitem__)  # in key order, the unique index grows fastest
            categories, names = self._text(categories), self._text(names)
            columns: dict[str, list[Any]] = {
                "id": [ids[i] for i in new_pos], "key": [keys[i] for i in new_pos]
            }
            for col, values in (("category", categories), ("name", names), ("price", prices)):
                new = [values[i] for i in new_pos]
                # Leave out the columns with no value at all (binding NULLs is not free).
                if new.count(None) < len(new):
                    columns[col] = new
            dialect.insert_columns(self.conn, schema.items.name, columns, len(new_pos))
        return ids

    def add_events(self, columns: dict[str, Sequence[Any]], n: int) -> None:
        """Append ``n`` events given column by column, as lists or numpy arrays (names from
        ``EVENT_COLUMNS``; columns left out are NULL). The batch id is added here."""
        if n == 0:
            return
        unknown = set(columns) - set(EVENT_COLUMNS)
        if unknown or "batch_id" in columns:
            raise ValueError(f"not event columns: {sorted(unknown | {'batch_id'} & set(columns))}")
        if self._nul_free:
            columns = {
                c: dialect.storable_text(list(v)) if c in _TEXT_COLUMNS else v
                for c, v in columns.items()
            }
        dialect.insert_columns(
            self.conn,
            "events",
            {c: columns[c] for c in EVENT_COLUMNS if c in columns},
            n,
            same={"batch_id": self.batch_id},
        )
        self._totals.add(columns, n)

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
            for index in schema.events.indexes:
                index.create(self.conn)
            self._deferred = False
        self._totals.flush()
        summary.add_duplicates(self.conn, self._after_id)
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
