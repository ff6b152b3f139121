"""Read queries over a project, returning plain dataclasses, tuples and frames.

The Data page's figures (``overview``, ``events_per_day``, ``top_categories``, ``top_items``,
``health``) read the running totals of ``storage.summary``, a few hundred rows per project
size, so they answer in milliseconds on millions of events.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, select, text

from storage import dialect, schema
from storage.project import Project

if TYPE_CHECKING:  # the frames' functions import pandas: a one-customer read needs none
    import pandas as pd

MS_PER_DAY = 86_400_000


@dataclass(frozen=True)
class Overview:
    """What is in a project, in totals."""

    customers: int
    items: int
    events: int
    revenue: float
    first_ms: int | None
    last_ms: int | None
    events_by_type: dict[str, int]
    imports: int
    rejected: int


def overview(project: Project) -> Overview:
    """Totals of the project: customers, items, events, revenue, time span, events per type."""
    d, sc = schema.summary_days, schema.summary_customers
    with project.connect() as conn:
        by_type: dict[str, int] = dict(
            conn.execute(select(d.c.event, func.sum(d.c.events)).group_by(d.c.event)).all()
        )
        revenue, first, last = conn.execute(
            select(func.coalesce(func.sum(sc.c.revenue), 0.0), func.min(sc.c.first_ms),
                   func.max(sc.c.last_ms))
        ).one()
        n_customers = conn.execute(select(func.count()).select_from(schema.customers)).scalar_one()
        n_items = conn.execute(select(func.count()).select_from(schema.items)).scalar_one()
        b = schema.import_batches
        imports, rejected = conn.execute(
            select(func.count(), func.coalesce(func.sum(b.c.rejected), 0)).where(
                b.c.status == "done"
            )
        ).one()
    return Overview(
        customers=int(n_customers),
        items=int(n_items),
        events=sum(int(v) for v in by_type.values()),
        revenue=float(revenue),
        first_ms=None if first is None else int(first),
        last_ms=None if last is None else int(last),
        events_by_type={str(k): int(v) for k, v in by_type.items()},
        imports=int(imports),
        rejected=int(rejected),
    )


def events_per_day(project: Project) -> list[tuple[int, int]]:
    """(day number since 1970-01-01 UTC, events) for every day with events."""
    d = schema.summary_days
    with project.connect() as conn:
        rows = conn.execute(
            select(d.c.day, func.sum(d.c.events)).group_by(d.c.day).order_by(d.c.day)
        ).all()
    return [(int(day), int(n)) for day, n in rows]


@dataclass(frozen=True)
class TopRow:
    """A category or an item with its activity."""

    key: str
    label: str
    events: int
    purchases: int
    revenue: float


def top_categories(project: Project, limit: int = 20) -> list[TopRow]:
    """The categories with the most events (events without a category are left out)."""
    t = schema.summary_categories
    with project.connect() as conn:
        rows = conn.execute(
            select(t.c.category, t.c.events, t.c.purchases, t.c.revenue)
            .order_by(t.c.events.desc(), t.c.category)
            .limit(limit)
        ).all()
    return [TopRow(str(r[0]), str(r[0]), int(r[1]), int(r[2]), float(r[3])) for r in rows]


def top_items(project: Project, limit: int = 20) -> list[TopRow]:
    """The items with the most events."""
    t, i = schema.summary_items, schema.items
    with project.connect() as conn:
        rows = conn.execute(
            select(i.c.key, i.c.name, t.c.events, t.c.purchases, t.c.revenue)
            .join(i, i.c.id == t.c.item_id)
            .order_by(t.c.events.desc(), t.c.item_id)
            .limit(limit)
        ).all()
    return [
        TopRow(str(r[0]), str(r[1] or r[0]), int(r[2]), int(r[3]), float(r[4])) for r in rows
    ]


@dataclass(frozen=True)
class Health:
    """Things in the data a shop owner should know before trusting a model."""

    duplicates: int
    outside_main_span: int
    main_first_day: int | None
    main_last_day: int | None
    busy_customers: int
    busy_threshold: int
    purchases_without_price: int
    rejected: int


def health(project: Project, *, busy_per_day: int = 500) -> Health:
    """Duplicates, events outside the main time span, customers who browse at inhuman rates
    (views, clicks and searches in one day), unpriced purchases.

    The main span runs from the first to the last day whose volume is at least 5% of the
    median day, so a handful of stray rows dated years away do not stretch it.
    """
    days = events_per_day(project)
    first_day = last_day = None
    outside = 0
    if days:
        counts = sorted(n for _, n in days)
        floor = 0.05 * counts[len(counts) // 2]
        main = [d for d, n in days if n >= floor]
        first_day, last_day = main[0], main[-1]
        outside = sum(n for d, n in days if d < first_day or d > last_day)
    with project.connect() as conn:
        sc, d = schema.summary_customers, schema.summary_days
        dup = conn.execute(select(func.coalesce(func.sum(sc.c.duplicates), 0))).scalar_one()
        # Bot-like is an inhuman rate of browsing; buying a lot (a wholesaler's invoice
        # lines) is a customer, not a bot.
        b = schema.summary_browse
        busy = conn.execute(
            select(func.count(func.distinct(b.c.customer_id))).where(b.c.events > busy_per_day)
        ).scalar_one()
        unpriced = conn.execute(
            select(func.coalesce(func.sum(d.c.unpriced), 0)).where(d.c.event == "purchase")
        ).scalar_one()
        rejected = conn.execute(select(func.count()).select_from(schema.rejected_rows)).scalar_one()
    return Health(
        duplicates=int(dup),
        outside_main_span=int(outside),
        main_first_day=first_day,
        main_last_day=last_day,
        busy_customers=int(busy),
        busy_threshold=busy_per_day,
        purchases_without_price=int(unpriced),
        rejected=int(rejected),
    )


@dataclass(frozen=True)
class BatchWarnings:
    """The warnings one finished import gave (each a dict: code, message, column, rows)."""

    file_name: str
    finished_at: str | None  # ISO 8601 UTC
    warnings: list[dict[str, Any]]


def import_warnings(project: Project) -> list[BatchWarnings]:
    """The warnings of the project's finished imports that had any, newest import first.

    A batch whose stored text is not a JSON list (written by hand, or damaged) is left out
    rather than failing the whole Data page.
    """
    b = schema.import_batches
    with project.connect() as conn:
        rows = conn.execute(
            select(b.c.file_name, b.c.finished_at, b.c.warnings)
            .where(b.c.status == "done", b.c.warnings.is_not(None), b.c.warnings != "")
            .order_by(b.c.finished_at.desc(), b.c.id.desc())
        ).all()
    out: list[BatchWarnings] = []
    for file_name, finished_at, text_ in rows:
        try:
            items = json.loads(text_)
        except ValueError:
            continue
        if not isinstance(items, list):
            continue
        warnings = [w for w in items if isinstance(w, dict) and w.get("message")]
        if warnings:
            out.append(BatchWarnings(str(file_name), finished_at, warnings))
    return out


def iter_rejected(
    project: Project, batch_id: int | None = None
) -> Iterator[tuple[str, int, str, str]]:
    """Rejected rows as (file name, line number, reason, raw text), oldest import first."""
    r, b = schema.rejected_rows, schema.import_batches
    stmt = (
        select(b.c.file_name, r.c.line_no, r.c.reason, r.c.raw)
        .join(b, b.c.id == r.c.batch_id)
        .order_by(r.c.batch_id, r.c.line_no)
    )
    if batch_id is not None:
        stmt = stmt.where(r.c.batch_id == batch_id)
    with project.connect() as conn:
        for row in conn.execution_options(stream_results=True, yield_per=10_000).execute(stmt):
            yield str(row[0]), int(row[1]), str(row[2]), str(row[3])


def rejected_by_reason(conn: Connection, batch_id: int) -> dict[str, int]:
    """Counts of rejected rows per reason kind for one batch."""
    r = schema.rejected_rows
    rows = conn.execute(
        select(r.c.reason, func.count()).where(r.c.batch_id == batch_id).group_by(r.c.reason)
    ).all()
    return {str(k): int(v) for k, v in rows}


def read_frame(
    project: Project, sql: str, params: dict[str, object], dtypes: dict[str, str]
) -> pd.DataFrame:
    """A query's rows as a DataFrame with the given columns; an empty result keeps the dtypes.

    Read in slices of 50,000 rows, column-wise: one DataFrame from millions of tuples holds the
    GIL for seconds (the window freezes), and handing Row objects to DataFrame() probes each
    row's attributes, which was several times slower. On SQLite the rows come from the
    driver's own cursor (``_slices``).
    """
    import pandas as pd

    parts = []
    with project.connect() as conn:
        for names, rows in _slices(conn, sql, params, 50_000):
            columns = list(zip(*rows, strict=True))
            parts.append(pd.DataFrame(dict(zip(names, columns, strict=True))))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in dtypes.items()})
    return pd.concat(parts, ignore_index=True)


def _slices(
    conn: Connection, sql: str, params: dict[str, object], size: int
) -> Iterator[tuple[list[str], Sequence[Any]]]:
    """A query's column names and its rows, ``size`` rows at a time. On SQLite straight from
    the driver's cursor: SQLAlchemy's result rows cost 2.6x the time of the plain tuples
    (2,000,000 rows of a run's outputs: 11.2 s against 4.3 s), and a plain ``text()``
    query gets nothing from them (the driver takes the same ``:name`` parameters; its errors
    are raised as SQLAlchemy's, as ``conn.execute`` raises them)."""
    if not dialect.is_sqlite(conn):
        result = conn.execute(text(sql), params)
        names = list(result.keys())
        while rows := result.fetchmany(size):
            yield names, rows
        return
    import sqlite3

    from sqlalchemy.exc import DBAPIError

    raw = conn.connection.driver_connection
    assert raw is not None
    cursor = raw.cursor()
    try:
        try:
            cursor.execute(sql, params)
            names = [d[0] for d in cursor.description or ()]
            while rows := cursor.fetchmany(size):
                yield names, rows
        except sqlite3.Error as exc:
            raise DBAPIError.instance(sql, params, exc, sqlite3.Error) from exc
    finally:
        cursor.close()


def customer_timeline(project: Project, customer_id: int) -> pd.DataFrame:
    """One customer's events for a timeline: ``time_ms`` and ``event``, oldest first (one
    indexed read, milliseconds on any project)."""
    frame = read_frame(
        project,
        "SELECT time_ms, event FROM events WHERE customer_id = :c ORDER BY time_ms",
        {"c": int(customer_id)},
        {"time_ms": "int64", "event": "object"},
    )
    frame["time_ms"] = frame["time_ms"].astype("int64")
    return frame


#: Below this many customers, ``events_frame`` reads through the (customer, time) index rather
#: than copying the project for the ADBC driver.
COPY_READ_MIN_CUSTOMERS = 1_000


def events_frame(
    project: Project,
    *,
    until_ms: int | None = None,
    customer_ids: list[int] | None = None,
) -> pd.DataFrame:
    """Events as the models read them (engine/events.py FRAME_COLUMNS), sorted by customer, time.

    ``until_ms`` keeps only events at or before that time, so nothing after an as-of date is
    even read from disk.

    A project in an SQLite file is read column-wise by the ADBC SQLite driver
    (``storage.arrow_read``): a few seconds for millions of events, with the GIL released while
    it reads. A project on a server, and a few customers' events (one customer's card: an
    indexed read of milliseconds, where the driver's read starts with a copy of the project),
    are read by SQLAlchemy, in slices.
    """
    path = project.path
    few = customer_ids is not None and len(customer_ids) < COPY_READ_MIN_CUSTOMERS
    if path is not None and path.is_file() and not few:
        from storage import arrow_read
        from storage.project import _read_only_uri

        conditions = []
        if until_ms is not None:
            conditions.append(f"e.time_ms <= {int(until_ms)}")
        if customer_ids is not None:
            conditions.append(
                f"e.customer_id IN ({','.join(str(int(c)) for c in customer_ids) or 'NULL'})"
            )
        try:
            return arrow_read.read_events(path, _read_only_uri(path), " AND ".join(conditions))
        except arrow_read.UseGenericRead:
            pass  # text where a number belongs (the generic read makes it NaN), or no room
    return events_frame_generic(project, until_ms=until_ms, customer_ids=customer_ids)


def events_frame_generic(
    project: Project,
    *,
    until_ms: int | None = None,
    customer_ids: list[int] | None = None,
) -> pd.DataFrame:
    """``events_frame`` read through SQLAlchemy, in slices: a project on a server, a few
    customers, and an SQLite project whose stored values do not fit the columns' types."""
    import pandas as pd

    sql = (
        "SELECT e.customer_id, e.time_ms, e.event, i.key AS item, e.category, e.price, "
        "e.quantity, e.amount, e.session, e.query FROM events e "
        "LEFT JOIN items i ON i.id = e.item_id"
    )
    where: list[str] = []
    params: dict[str, object] = {}
    if until_ms is not None:
        where.append("e.time_ms <= :until")
        params["until"] = int(until_ms)
    if customer_ids is not None:
        where.append(f"e.customer_id IN ({','.join(str(int(c)) for c in customer_ids) or 'NULL'})")
    if where:
        sql += " WHERE " + " AND ".join(where)
    # Read in storage order (sequential) and sort in pandas: walking the (customer, time)
    # index jumps all over the table and was 4x slower on a 230,000-event project.
    sql += " ORDER BY e.id"
    frame = read_frame(
        project,
        sql,
        params,
        {
            "customer_id": "int64",
            "time_ms": "int64",
            "event": "object",
            "item": "object",
            "category": "object",
            "price": "float64",
            "quantity": "float64",
            "amount": "float64",
            "session": "object",
            "query": "object",
        },
    )
    for col in ("customer_id", "time_ms"):
        frame[col] = frame[col].astype("int64")
    frame = frame.sort_values(["customer_id", "time_ms"], kind="stable", ignore_index=True)
    for col in ("price", "quantity", "amount"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
    for col in ("event", "item", "category", "session", "query"):
        frame[col] = frame[col].astype("object")
    return frame


def customer_keys(project: Project) -> dict[int, str]:
    """customer id -> the customer key shown to the user (or its pseudonym)."""
    c = schema.customers
    with project.connect() as conn:
        return dict(conn.execute(select(c.c.id, c.c.key)).all())


def item_names(project: Project, keys: list[str]) -> dict[str, str]:
    """item key -> the item's name, for the keys that have one."""
    if not keys:
        return {}
    i = schema.items
    out: dict[str, str] = {}
    with project.connect() as conn:
        for start in range(0, len(keys), 500):  # stay under SQLite's bound-parameter limit
            part = keys[start : start + 500]
            rows = conn.execute(
                select(i.c.key, i.c.name).where(i.c.key.in_(part), i.c.name.is_not(None))
            ).all()
            out.update({str(k): str(n) for k, n in rows})
    return out


def purchase_lines(project: Project, *, until_ms: int | None = None) -> pd.DataFrame:
    """Purchase and refund lines: ``customer_id``, ``time_ms``, ``order_key``, ``event``
    ("purchase" or "refund"), ``category``, ``amount`` (refunds negative), in storage order.

    ``order_key`` is what ``storage.runs.customer_summary`` counts orders by: the line's session
    (the order id), or its moment when it has none, so the lines of one order, and a refund of
    that order, share it. ``until_ms`` keeps only lines at or before that time.
    """
    import pandas as pd

    sql = (
        "SELECT customer_id, time_ms, COALESCE(session, CAST(time_ms AS TEXT)) AS order_key, "
        "event, category, amount FROM events WHERE event IN ('purchase', 'refund')"
    )
    params: dict[str, object] = {}
    if until_ms is not None:
        sql += " AND time_ms <= :until"
        params["until"] = int(until_ms)
    frame = read_frame(
        project,
        sql + " ORDER BY id",
        params,
        {"customer_id": "int64", "time_ms": "int64", "order_key": "object", "event": "object",
         "category": "object", "amount": "float64"},
    )
    for col in ("customer_id", "time_ms"):
        frame[col] = frame[col].astype("int64")
    frame["amount"] = pd.to_numeric(frame["amount"], errors="coerce").astype("float64")
    return frame


def customer_last_seen(project: Project, *, until_ms: int | None = None) -> pd.DataFrame:
    """Every customer with events (at or before ``until_ms`` when given): ``customer_id``,
    ``key`` (the customer as the shop knows it) and ``last_ms``, the time of their latest
    event; by customer id. Read from the (customer, time) index, not the events table."""
    where = "" if until_ms is None else "WHERE e.time_ms <= :until "
    frame = read_frame(
        project,
        "SELECT c.id AS customer_id, c.key, MAX(e.time_ms) AS last_ms FROM customers c "
        f"JOIN events e ON e.customer_id = c.id {where}GROUP BY c.id ORDER BY c.id",
        {} if until_ms is None else {"until": int(until_ms)},
        {"customer_id": "int64", "key": "object", "last_ms": "int64"},
    )
    for col in ("customer_id", "last_ms"):
        frame[col] = frame[col].astype("int64")
    return frame
