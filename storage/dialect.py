"""What differs between the two homes a project can have, in one place: an SQLite file or a
PostgreSQL database.

Every other module of ``storage`` writes the same SQL for both and asks this one for the few
things that differ:

- setting up a connection (``configure``): SQLite's pragmas and its explicit ``BEGIN`` (a
  writer's is ``BEGIN IMMEDIATE``); PostgreSQL needs nothing;
- serializing writers (``lock_for_writing``): SQLite's ``BEGIN IMMEDIATE`` already holds the
  file's write lock; on PostgreSQL a transaction-level advisory lock does the same, so what a
  writer reads first (was this file imported already?) cannot change before it commits;
- appending many rows (``insert_rows``, ``insert_columns``, ``upsert_rows``): many-row
  ``INSERT`` statements on SQLite, ``COPY`` on PostgreSQL;
- text PostgreSQL cannot hold (``storable_text``: NUL characters);
- SQL spelled differently (``same_value``) and compacting after a delete (``compact``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.engine import URL

SQLITE = "sqlite"
POSTGRESQL = "postgresql"

#: Execution option of a connection whose transaction writes: on SQLite it starts with
#: BEGIN IMMEDIATE.
WRITES = "intentlens_writes"
#: The key of PostgreSQL's advisory lock that serializes a project's writers (advisory locks
#: belong to one database, so each project database has its own).
WRITE_LOCK_KEY = 0x496E74656E744C  # "IntentL"
#: How long a writer waits for another program's write to finish (as SQLite's busy timeout).
WRITE_WAIT_MS = 10_000


def backend(bind: Connection | Engine) -> str:
    """The kind of database behind an engine or a connection: ``sqlite``, ``postgresql``, ..."""
    return str(bind.dialect.name)


def is_sqlite(bind: Connection | Engine) -> bool:
    """Whether the project is an SQLite file."""
    return backend(bind) == SQLITE


def is_postgresql(bind: Connection | Engine) -> bool:
    """Whether the project lives in a PostgreSQL database."""
    return backend(bind) == POSTGRESQL


# -- connections ------------------------------------------------------------------------------


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL keeps readers (the GUI) working while an import writes; NORMAL sync is safe with WAL.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Foreign keys are declared but not enforced: every write goes through storage's writers,
    # and enforcement made bulk imports 2.5x slower (measured: 159k vs 62k rows/s).
    cursor.execute("PRAGMA foreign_keys=OFF")
    cursor.execute(f"PRAGMA busy_timeout={WRITE_WAIT_MS}")
    cursor.execute("PRAGMA cache_size=-32768")
    cursor.close()


def _no_driver_begin(dbapi_connection: Any, _record: Any) -> None:
    # SQLAlchemy's documented recipe for SQLite transactions (the sqlite3 driver's own BEGIN
    # is deferred and skipped for SELECT and DDL): the driver emits no BEGIN, ``_begin`` does.
    dbapi_connection.isolation_level = None


def _begin(conn: Connection) -> None:
    """Start every SQLite transaction explicitly. A writer's starts with BEGIN IMMEDIATE: it
    takes the write lock first (waiting for another program's write to finish), so what it
    reads before writing (is this file imported already?) cannot change under it."""
    options = conn.get_execution_options()
    if options.get("isolation_level") == "AUTOCOMMIT":
        return  # VACUUM and the like run outside any transaction
    conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get(WRITES) else "BEGIN")


def read_only_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Connection set-up of an SQLite file opened for reading only."""
    # No journal_mode change here: that would be a write. query_only makes any write attempt
    # fail at once instead of deep inside SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={WRITE_WAIT_MS}")
    cursor.execute("PRAGMA cache_size=-32768")
    cursor.execute("PRAGMA query_only=ON")
    cursor.close()


def configure(engine: Engine) -> None:
    """Set up every connection the engine makes (SQLite: pragmas and explicit transactions)."""
    if is_sqlite(engine):
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "connect", _no_driver_begin)
        event.listen(engine, "begin", _begin)


def engine_options(url: URL) -> dict[str, Any]:
    """Keyword arguments of ``create_engine`` for a database URL."""
    if url.get_backend_name() != POSTGRESQL:
        return {}
    # A window stays open for hours: a connection the server dropped meanwhile is replaced
    # instead of failing the next click; an unreachable server is said within seconds. The
    # URL's own settings win.
    defaults = {"connect_timeout": 10, "application_name": "IntentLens"}
    return {
        "pool_pre_ping": True,
        "connect_args": {k: v for k, v in defaults.items() if k not in url.query},
    }


def lock_for_writing(conn: Connection, *, wait_ms: int = WRITE_WAIT_MS) -> None:
    """Make ``conn``'s new transaction the project's only writer until it ends.

    SQLite's ``BEGIN IMMEDIATE`` (``_begin``) has done so already. On PostgreSQL the
    transaction takes the project's advisory lock, waiting up to ``wait_ms`` for another
    program's write to end (then it fails with a lock timeout, which ``storage.project`` words
    as "in use"). The lock is released when the transaction commits or rolls back."""
    if is_postgresql(conn):
        conn.execute(text(f"SET LOCAL lock_timeout = {int(wait_ms)}"))
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK_KEY})


# -- bulk writes ------------------------------------------------------------------------------


def storable_text(values: list[Any]) -> list[Any]:
    """A column of values as PostgreSQL can store them: NUL characters (which its text cannot
    hold, and a damaged file may contain) become U+FFFD. Returns ``values`` itself when no text
    in it has one (the common case, checked at C speed)."""
    texts = [v for v in values if type(v) is str]
    if not texts or "\x00" not in "".join(texts):
        return values
    return [v.replace("\x00", "\ufffd") if type(v) is str else v for v in values]


#: Rows per INSERT statement on SQLite. One statement of many rows binds its values in one call
#: and steps once: 1M events took 2.6 s of CPU this way against 4.9 s one row per statement.
SQLITE_ROWS_PER_STATEMENT = 500


def _sqlite_insert(
    conn: Connection, head: str, ncols: int, flat: list[Any], *, row: str = "", tail: str = ""
) -> None:
    """Run ``head VALUES row, row, ... tail`` over ``flat``, the values of the rows one row
    after another (``ncols`` each), many rows per statement (within SQLite's limit on
    variables). ``row`` is the SQL of one row, ``ncols`` question marks by default."""
    n = len(flat) // ncols
    if n * ncols != len(flat):
        raise ValueError(f"{len(flat)} values do not make rows of {ncols}")
    if n == 0:
        return
    raw = conn.connection.driver_connection
    # SQLITE_LIMIT_VARIABLE_NUMBER (Python 3.11 reads it; 999 is the oldest SQLite's).
    limit = raw.getlimit(9) if raw is not None and hasattr(raw, "getlimit") else 999
    per = max(1, min(SQLITE_ROWS_PER_STATEMENT, limit // ncols, n))
    row = row or "(" + ", ".join("?" * ncols) + ")"
    width = per * ncols
    full = n // per * width
    values = tuple(flat)  # slices of a tuple are the tuples the driver takes
    if full:
        conn.exec_driver_sql(
            f"{head} VALUES {', '.join([row] * per)}{tail}",
            [values[i : i + width] for i in range(0, full, width)],
        )
    if full < len(values):
        rest = (len(values) - full) // ncols
        conn.exec_driver_sql(f"{head} VALUES {', '.join([row] * rest)}{tail}", values[full:])


def insert_rows(
    conn: Connection, table: str, names: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Append rows (tuples in the order of ``names``) to ``table`` in the open transaction:
    COPY on PostgreSQL, an executemany of many-row INSERTs on SQLite (SQLAlchemy's per-row
    dicts cost several times more). Text must be ``storable_text`` already."""
    if is_postgresql(conn):
        raw = conn.connection.driver_connection
        assert raw is not None
        with raw.cursor() as cursor, cursor.copy(
            f"COPY {table} ({', '.join(names)}) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)
    else:
        rows = rows if isinstance(rows, list) else list(rows)
        if any(len(r) != len(names) for r in rows):
            raise ValueError(f"rows of {table} must have {len(names)} values")
        flat = list(itertools.chain.from_iterable(rows))
        _sqlite_insert(conn, f"INSERT INTO {table} ({', '.join(names)})", len(names), flat)


def insert_columns(
    conn: Connection,
    table: str,
    columns: Mapping[str, Sequence[Any]],
    n: int,
    same: Mapping[str, int] | None = None,
) -> None:
    """Append ``n`` rows given column by column (lists or numpy arrays of ``n`` values each);
    ``same`` holds integer columns with one value on every row (the batch id). Like
    ``insert_rows``, but on SQLite no tuple is made per row: the values go straight from the
    columns into the statements' parameters."""
    same = dict(same or {})
    for name, values in columns.items():
        if len(values) != n:
            raise ValueError(f"column {name} of {table} has {len(values)} values, not {n}")
    if n == 0:
        return
    names = [*columns, *same]
    if not is_sqlite(conn):
        values = [
            *(v.tolist() if isinstance(v, np.ndarray) else v for v in columns.values()),
            *(itertools.repeat(int(v), n) for v in same.values()),
        ]
        insert_rows(conn, table, names, zip(*values, strict=True))
        return
    width = len(columns)
    flat: list[Any] = [None] * (n * width)
    for j, values in enumerate(columns.values()):
        flat[j::width] = values.tolist() if isinstance(values, np.ndarray) else values
    # The constant columns are written into the statement (integers only: nothing to escape).
    row = "(" + ", ".join(["?"] * width + [str(int(v)) for v in same.values()]) + ")"
    _sqlite_insert(conn, f"INSERT INTO {table} ({', '.join(names)})", width, flat, row=row)


def upsert_rows(
    conn: Connection,
    table: str,
    names: Sequence[str],
    keys: Sequence[str],
    merge: Sequence[str],
    rows: list[tuple[Any, ...]],
) -> None:
    """Insert rows into ``table``; a row whose ``keys`` exist already updates that row by the
    ``merge`` assignments (``col = <expression of table.col and excluded.col>``); without
    any, the row already there stays.

    On PostgreSQL the rows go by COPY into a temporary table first, then into ``table`` with
    one ``INSERT ... SELECT ... ON CONFLICT`` (rows must have distinct keys)."""
    if not rows:
        return
    action = f"DO UPDATE SET {', '.join(merge)}" if merge else "DO NOTHING"
    conflict = f"ON CONFLICT ({', '.join(keys)}) {action}"
    cols = ", ".join(names)
    if is_postgresql(conn):
        stage = f"intentlens_stage_{table}"
        conn.execute(text(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} (LIKE {table}) ON COMMIT DROP"
        ))
        conn.execute(text(f"TRUNCATE {stage}"))
        insert_rows(conn, stage, names, rows)
        conn.execute(text(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {stage} {conflict}"))
        return
    # Positional and many rows per statement, as the importer writes: no dict per row.
    flat = list(itertools.chain.from_iterable(rows))
    if len(flat) != len(rows) * len(names):
        raise ValueError(f"rows of {table} must have {len(names)} values")
    _sqlite_insert(conn, f"INSERT INTO {table} ({cols})", len(names), flat, tail=f" {conflict}")


# -- SQL that is spelled differently ----------------------------------------------------------


def same_value(conn: Connection, a: str, b: str) -> str:
    """SQL that is true when ``a`` and ``b`` are equal or both NULL."""
    if is_postgresql(conn):
        return f"{a} IS NOT DISTINCT FROM {b}"
    return f"{a} IS {b}"


def compact(engine: Engine, tables: Sequence[str]) -> None:
    """After deleting rows that must not linger (forgetting a customer): on SQLite the file is
    rewritten without free pages (their bytes zeroed) and the write-ahead log emptied; on
    PostgreSQL the tables are vacuumed, so the dead rows leave them (the server's own
    write-ahead log and backups keep their copies until they expire)."""
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        if is_sqlite(conn):
            conn.exec_driver_sql("PRAGMA secure_delete=ON")
            conn.exec_driver_sql("VACUUM")
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        elif is_postgresql(conn):
            conn.exec_driver_sql(f"VACUUM {', '.join(tables)}")
