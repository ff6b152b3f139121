"""Running totals of the events, so the Data page reads hundreds of rows instead of millions.

The summary tables (``schema.SUMMARY_TABLES``) hold what the Data page and the Customers page
show: events per day and type, per customer (first and last time, revenue, exact duplicates,
and their distinct orders), browsing per customer and day, and per category and item. They change only in the transaction that changes the
events, so a cancelled import or a failed forget leaves both as they were:

- an import's ``ImportWriter`` feeds each chunk of events to a ``ChunkTotals``, which adds them
  up in memory (pandas, per chunk) and writes them (``flush``) before the import commits; then
  ``add_duplicates`` counts the new exact duplicates in SQL;
- forgetting a customer subtracts their events (``forget_customer_totals``) before they go.

``rebuild`` computes every table afresh from the events: what migrations 0005 and 0006 do once
for an older project, and what the tests compare the running totals with.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table, text

from storage import dialect, schema

MS_PER_DAY = 86_400_000
#: The events the bot check counts (views, clicks and searches: browsing, not buying).
BROWSING = ("view", "click", "search")
#: Rows held in memory before ``ChunkTotals`` adds them up, and writes them when that leaves more
#: than half (a few MB; keeps a 10M-row import flat).
FLUSH_ROWS = 400_000


def day_numbers(times: np.ndarray) -> np.ndarray:
    """UTC day numbers of epoch milliseconds as SQLite's integer division gives them (toward
    zero, so a time before 1970 counts as SQLite's ``time_ms / 86400000`` says)."""
    days: np.ndarray = times // MS_PER_DAY + ((times < 0) & (times % MS_PER_DAY != 0))
    return days


def _array(columns: Mapping[str, Any], name: str, n: int, dtype: Any) -> np.ndarray:
    """A column as a numpy array (None becomes NaN in a float column); NULLs when missing."""
    values = columns.get(name)
    if values is None:
        return np.full(n, np.nan if dtype is float else None, dtype=dtype)
    return np.asarray(values, dtype=dtype)


def _codes(columns: Mapping[str, Any], name: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of a text column (-1 for NULL) and the distinct texts: grouping by
    integers is several times faster than by Python strings."""
    codes, labels = pd.factorize(_array(columns, name, n, object), use_na_sentinel=True)
    return codes.astype(np.int64), np.asarray(labels, dtype=object)


def _groups(*keys: np.ndarray) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Group rows by integer key columns (the first the primary): each group's keys, the
    start of each group in sorted order, and that order (a stable sort, so within a group the
    rows keep their order, and the first of a (customer, time) sort is the earliest)."""
    order = np.lexsort(keys[::-1])
    ordered = [k[order] for k in keys]
    change = np.zeros(len(order), dtype=bool)
    if len(order):
        change[0] = True
    for k in ordered:
        change[1:] |= k[1:] != k[:-1]
    starts = np.flatnonzero(change)
    return [k[starts] for k in ordered], starts, order


def _sums(starts: np.ndarray, order: np.ndarray, **values: np.ndarray) -> dict[str, np.ndarray]:
    """Per group (``_groups``' starts over rows taken in ``order``), the sum of each column."""
    if not len(order):
        return {name: v[:0] for name, v in values.items()}
    return {name: np.add.reduceat(v[order], starts) for name, v in values.items()}


def chunk_parts(columns: Mapping[str, Any], n: int, *, per_customer: bool = True) -> dict[
    str, pd.DataFrame
]:
    """The summary tables' share of ``n`` events given column by column (names as
    ``storage.imports``' ``EVENT_COLUMNS``; missing columns are NULL), one frame per table;
    ``per_customer=False`` leaves out the per-customer tables. Needs no database."""
    if n == 0:
        return {}
    event, event_names = _codes(columns, "event", n)
    category, category_names = _codes(columns, "category", n)
    amount = _array(columns, "amount", n, float)
    item = np.nan_to_num(_array(columns, "item_id", n, float), nan=-1).astype(np.int64)
    times = _array(columns, "time_ms", n, np.int64)
    customer = _array(columns, "customer_id", n, np.int64)
    day = day_numbers(times)
    ones = np.ones(n, dtype=np.int64)
    unpriced = (np.isnan(amount) & np.isnan(_array(columns, "price", n, float))).astype(
        np.int64)
    purchases = (event_names[np.maximum(event, 0)] == "purchase").astype(np.int64)
    revenue = np.nan_to_num(amount, nan=0.0)
    parts: dict[str, pd.DataFrame] = {}
    (d, e), starts, order = _groups(day, event)
    parts["summary_days"] = pd.DataFrame({
        "day": d, "event": event_names[e],
        **_sums(starts, order, events=ones, unpriced=unpriced),
    })
    sums = {"events": ones, "purchases": purchases, "revenue": revenue}
    rows = np.flatnonzero(category >= 0)
    (c,), starts, order = _groups(category[rows])
    parts["summary_categories"] = pd.DataFrame({
        "category": category_names[c], **_sums(starts, rows[order], **sums),
    })
    rows = np.flatnonzero(item >= 0)
    (i,), starts, order = _groups(item[rows])
    parts["summary_items"] = pd.DataFrame({
        "item_id": i, **_sums(starts, rows[order], **sums),
    })
    if per_customer:
        (cu, first), starts, order = _groups(customer, times)
        ends = np.append(starts[1:], n) - 1
        parts["summary_customers"] = pd.DataFrame({
            "customer_id": cu, "events": np.diff(np.append(starts, n)),
            "first_ms": first, "last_ms": times[order[ends]],
            "revenue": np.add.reduceat(revenue[order], starts) if n else revenue,
        })
        parts["summary_orders"] = _orders(columns, customer, times, purchases > 0)
        rows = np.flatnonzero(np.isin(event, np.flatnonzero(np.isin(event_names, BROWSING))))
        (cu, dd), starts, order = _groups(customer[rows], day[rows])
        parts["summary_browse"] = pd.DataFrame({
            "customer_id": cu, "day": dd, "events": np.diff(np.append(starts, len(rows))),
        })
    return parts


class ChunkTotals:
    """The summary tables' share of events written in ``conn``'s transaction.

    ``add`` takes events column by column (lists or arrays, names as ``storage.imports``'
    ``EVENT_COLUMNS``; missing columns are NULL); ``flush`` writes what was added so far.
    ``sign=-1`` subtracts instead (forgetting): then the per-customer tables are left to the
    caller, who deletes the customer's rows.
    """

    def __init__(self, conn: Connection, *, sign: int = 1) -> None:
        self.conn = conn
        self.sign = sign
        self._parts: dict[str, list[pd.DataFrame]] = {t.name: [] for t in schema.SUMMARY_TABLES}
        self._rows = 0

    def add(self, columns: Mapping[str, Any], n: int) -> None:
        """Count ``n`` events given column by column."""
        self.add_parts(chunk_parts(columns, n, per_customer=self.sign > 0))

    def add_parts(self, new: Mapping[str, pd.DataFrame]) -> None:
        """Count a chunk's totals made by ``chunk_parts`` (which needs no database: an import
        works them out off the writing thread)."""
        if not new:
            return
        parts = self._parts
        for name, frame in new.items():
            parts[name].append(frame)
        self._rows += sum(len(frame) for frame in new.values())
        if self._rows > FLUSH_ROWS:
            # Add up in memory first: the same days, items and customers come back chunk after
            # chunk, and adding them here costs far less than updating the tables each time.
            self._rows = 0
            for table in schema.SUMMARY_TABLES:
                if parts[table.name]:
                    parts[table.name] = [self._combined(table)]
                    self._rows += len(parts[table.name][0])
            if self._rows > FLUSH_ROWS // 2:
                self.flush()

    def _combined(self, table: Table) -> pd.DataFrame:
        """The parts added for ``table`` so far, one row per key."""
        keys = [c.name for c in table.primary_key.columns]
        frame = pd.concat(self._parts[table.name], ignore_index=True)
        if table is schema.summary_orders:
            return frame.drop_duplicates(ignore_index=True)
        if table is schema.summary_customers:
            return frame.groupby(keys, as_index=False).agg(
                events=("events", "sum"), first_ms=("first_ms", "min"),
                last_ms=("last_ms", "max"), revenue=("revenue", "sum"),
            )
        return frame.groupby(keys, as_index=False).sum()

    def flush(self) -> None:
        """Write the totals added so far into the summary tables (in the open transaction)."""
        for table in schema.SUMMARY_TABLES:
            parts = self._parts[table.name]
            if not parts:
                continue
            keys = [c.name for c in table.primary_key.columns]
            frame = self._combined(table)
            if table is schema.summary_customers:
                frame["duplicates"] = 0
            if self.sign < 0:
                values = [c for c in frame.columns if c not in keys]
                frame[values] = -frame[values]
            _upsert(self.conn, table, keys, frame)
            parts.clear()
        self._rows = 0
        if self.sign < 0:
            for table in (schema.summary_days, schema.summary_categories, schema.summary_items):
                self.conn.execute(text(f"DELETE FROM {table.name} WHERE events <= 0"))


def _orders(columns: Mapping[str, Any], customer: np.ndarray, times: np.ndarray,
            purchase: np.ndarray) -> pd.DataFrame:
    """The distinct (customer, order key) pairs of the purchases among a chunk's events: the
    order id (``session``) or, without one, the time in ms as text (SQL's ``COALESCE(session,
    CAST(time_ms AS TEXT))``)."""
    rows = np.flatnonzero(purchase)
    sessions = _array(columns, "session", len(customer), object)[rows]
    missing = pd.isna(sessions)
    keys = sessions.copy()
    keys[missing] = times[rows][missing].astype(str).astype(object)
    return pd.DataFrame({"customer_id": customer[rows], "order_key": keys}).drop_duplicates(
        ignore_index=True)


def _upsert(conn: Connection, table: Table, keys: list[str], frame: pd.DataFrame) -> None:
    """Add ``frame``'s rows to ``table``: new keys are inserted, known ones add their counts
    and revenue (first and last times take the earlier and the later); a table with nothing
    but keys (``summary_orders``) keeps the rows it has."""
    cols = list(frame.columns)
    merge = []
    for c in cols:
        if c in keys:
            continue
        old, new = f"{table.name}.{c}", f"excluded.{c}"
        if c == "first_ms":
            merge.append(f"{c} = CASE WHEN {new} < {old} THEN {new} ELSE {old} END")
        elif c == "last_ms":
            merge.append(f"{c} = CASE WHEN {new} > {old} THEN {new} ELSE {old} END")
        else:
            merge.append(f"{c} = {old} + {new}")
    # Plain Python numbers: the driver binds no numpy scalars.
    rows = list(zip(*(frame[c].tolist() for c in cols), strict=True))
    dialect.upsert_rows(conn, table.name, cols, keys, merge, rows)


def add_duplicates(conn: Connection, after_id: int) -> None:
    """Count the exact duplicates among the events with ids above ``after_id`` (an import's
    new rows) into ``summary_customers``: each event with an earlier event of the same
    customer, time, event type, item and quantity is one duplicate.

    A small import looks up each new event in the (customer, time) index; a large one
    recounts the whole project from that index alone, which is cheaper than millions of
    look-ups (about 1 s for 2.3 million events).
    """
    last = events_after(conn)
    if last <= after_id:
        return
    if (last - after_id) * 5 >= last:
        conn.execute(text("UPDATE summary_customers SET duplicates = 0"))
        rows = conn.execute(text(DUPLICATES_SQL)).all()
    else:
        same_item = dialect.same_value(conn, "o.item_id", "b.item_id")
        same_quantity = dialect.same_value(conn, "o.quantity", "b.quantity")
        rows = conn.execute(
            text(
                "SELECT b.customer_id, COUNT(*) FROM events b WHERE b.id > :after AND EXISTS "
                "(SELECT 1 FROM events o WHERE o.customer_id = b.customer_id AND "
                "o.time_ms = b.time_ms AND o.id < b.id AND o.event = b.event AND "
                f"{same_item} AND {same_quantity}) GROUP BY b.customer_id"
            ),
            {"after": after_id},
        ).all()
    if rows:
        conn.execute(
            text("UPDATE summary_customers SET duplicates = duplicates + :n WHERE customer_id = :c"),
            [{"c": int(c), "n": int(n)} for c, n in rows],
        )


def forget_customer_totals(conn: Connection, customer_id: int) -> None:
    """Take one customer's events out of the summary tables (before the events are deleted,
    in the same transaction)."""
    result = conn.execute(
        text(
            "SELECT customer_id, time_ms, event, item_id, category, price, amount FROM events "
            "WHERE customer_id = :c"
        ),
        {"c": int(customer_id)},
    )
    names = list(result.keys())
    rows = result.all()
    if rows:
        totals = ChunkTotals(conn, sign=-1)
        columns = dict(zip(names, (list(c) for c in zip(*rows, strict=True)), strict=True))
        totals.add(columns, len(rows))
        totals.flush()
    for table in (schema.summary_customers, schema.summary_browse, schema.summary_orders):
        conn.execute(table.delete().where(table.c.customer_id == int(customer_id)))


#: Per customer, the exact duplicates: found among the (customer, time) pairs that occur more
#: than once, which a walk of the (customer, time) index finds without reading the table.
DUPLICATES_SQL = (
    "SELECT customer_id, SUM(n - 1) FROM (SELECT e.customer_id, COUNT(*) AS n FROM events e "
    "JOIN (SELECT customer_id AS c, time_ms AS t FROM events GROUP BY customer_id, time_ms "
    "HAVING COUNT(*) > 1) p ON e.customer_id = p.c AND e.time_ms = p.t "
    "GROUP BY e.customer_id, e.time_ms, e.event, e.item_id, e.quantity HAVING COUNT(*) > 1) d "
    "GROUP BY customer_id"
)

#: The summary tables computed from the events (after emptying them); migrations 0005 and
#: 0006 keep their own copy, as a migration must not change when this module does.
REBUILD_SQL = (
    "INSERT INTO summary_days (day, event, events, unpriced) SELECT time_ms / 86400000, event, "
    "COUNT(*), SUM(CASE WHEN amount IS NULL AND price IS NULL THEN 1 ELSE 0 END) FROM events "
    "GROUP BY time_ms / 86400000, event",
    "INSERT INTO summary_customers (customer_id, events, first_ms, last_ms, revenue, duplicates) "
    "SELECT customer_id, COUNT(*), MIN(time_ms), MAX(time_ms), COALESCE(SUM(amount), 0.0), 0 "
    "FROM events GROUP BY customer_id",
    "INSERT INTO summary_browse (customer_id, day, events) SELECT customer_id, "
    "time_ms / 86400000, COUNT(*) FROM events WHERE event IN ('view', 'click', 'search') "
    "GROUP BY customer_id, time_ms / 86400000",
    "INSERT INTO summary_categories (category, events, purchases, revenue) SELECT category, "
    "COUNT(*), SUM(CASE WHEN event = 'purchase' THEN 1 ELSE 0 END), COALESCE(SUM(amount), 0.0) "
    "FROM events WHERE category IS NOT NULL GROUP BY category",
    "INSERT INTO summary_items (item_id, events, purchases, revenue) SELECT item_id, "
    "COUNT(*), SUM(CASE WHEN event = 'purchase' THEN 1 ELSE 0 END), COALESCE(SUM(amount), 0.0) "
    "FROM events WHERE item_id IS NOT NULL GROUP BY item_id",
    "INSERT INTO summary_orders (customer_id, order_key) SELECT DISTINCT customer_id, "
    "COALESCE(session, CAST(time_ms AS TEXT)) FROM events WHERE event = 'purchase'",
)


def rebuild(conn: Connection) -> None:
    """Compute every summary table afresh from the events (a full scan: seconds per million
    events), in ``conn``'s transaction."""
    for table in schema.SUMMARY_TABLES:
        conn.execute(table.delete())
    for sql in REBUILD_SQL:
        conn.execute(text(sql))
    add_duplicates(conn, 0)


def snapshot(conn: Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Every summary table's rows, sorted (to compare running totals with ``rebuild``'s)."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    for table in schema.SUMMARY_TABLES:
        out[table.name] = sorted(tuple(r) for r in conn.execute(table.select()).all())
    return out


def events_after(conn: Connection) -> int:
    """The largest event id so far: the rows an import adds come after it."""
    return int(conn.execute(text("SELECT COALESCE(MAX(id), 0) FROM events")).scalar_one())

