"""The one factory that opens a project: an SQLite file (WAL) or any SQLAlchemy URL.

Nothing above ``storage`` knows which database is behind a project. Opening a project brings
its schema up to date with the Alembic migrations, so files made by older versions still open.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine, create_engine, event, make_url, select
from sqlalchemy.exc import ArgumentError, DatabaseError, NoSuchModuleError, OperationalError

from storage import schema

PROJECT_SUFFIX = ".intentlens"
_ALEMBIC_INI = Path(__file__).with_name("alembic.ini")
_OUR_TABLES = {"events", "customers", "import_batches"}
#: How long opening a project for writing waits for another program's write to finish before
#: saying the project is in use (imports and training runs hold the write lock for seconds).
WRITE_LOCK_WAIT_S = 15.0


class ProjectError(Exception):
    """A project file cannot be opened; the message is a sentence for the user."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL keeps readers (the GUI) working while an import writes; NORMAL sync is safe with WAL.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Foreign keys are declared but not enforced: every write goes through storage's writers,
    # and enforcement made bulk imports 2.5x slower (measured: 159k vs 62k rows/s).
    cursor.execute("PRAGMA foreign_keys=OFF")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA cache_size=-32768")
    cursor.close()


#: Execution option of a connection whose transaction writes: it starts with BEGIN IMMEDIATE.
_WRITES = "intentlens_writes"


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
    conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get(_WRITES) else "BEGIN")


def _read_only_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # No journal_mode change here: that would be a write. query_only makes any write attempt
    # fail at once instead of deep inside SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA cache_size=-32768")
    cursor.execute("PRAGMA query_only=ON")
    cursor.close()


def _read_only_uri(path: Path) -> str:
    """An SQLite URI that reads ``path`` without writing to it.

    A file we cannot write, with no WAL content beside it, is opened ``immutable``: SQLite then
    needs no ``-shm`` file, which a read-only folder could not hold (without it SQLite reports
    "unable to open database file"). A file we can write, or one with a ``-wal`` file whose
    committed pages must be read, is a plain ``mode=ro`` that takes the usual locks.
    """
    wal = Path(f"{path}-wal")
    quiet = not (wal.exists() and wal.stat().st_size > 0)
    immutable = quiet and not _can_write(path)
    return path.as_uri() + "?mode=ro" + ("&immutable=1" if immutable else "")


def _can_write(path: Path) -> bool:
    """Whether this process may change the project file (SQLite also writes beside it)."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


@lru_cache(maxsize=1)
def _known_revisions() -> frozenset[str]:
    script = ScriptDirectory.from_config(Config(str(_ALEMBIC_INI)))
    return frozenset(s.revision for s in script.walk_revisions())


def _head_revision() -> str | None:
    return ScriptDirectory.from_config(Config(str(_ALEMBIC_INI))).get_current_head()


def _newer_version(name: str) -> ProjectError:
    return ProjectError(
        f"“{name}” was made by a newer version of IntentLens: update IntentLens to open it."
    )


def _in_use(name: str) -> ProjectError:
    return ProjectError(
        f"“{name}” is in use by another program (an import or a training may be running): "
        "try again when it has finished."
    )


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__).rstrip(".")


def _url_for(location: str | Path) -> str:
    text = str(location)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


class Project:
    """An open project: its SQLAlchemy engine and where it lives."""

    def __init__(self, engine: Engine, location: str, *, read_only: bool = False) -> None:
        self.engine = engine
        self.location = location
        #: True when the project was opened for reading only (the file or folder is read-only).
        self.read_only = read_only

    @property
    def path(self) -> Path | None:
        """The project file, or None when the project lives in a database server."""
        if self.engine.url.get_backend_name() == "sqlite" and self.engine.url.database:
            return Path(self.engine.url.database)
        return None

    @property
    def name(self) -> str:
        """A short name for window titles."""
        path = self.path
        return path.stem if path else str(self.engine.url.database)

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A connection inside one write transaction, committed on success, rolled back on
        error. On SQLite it holds the write lock from its first statement on (BEGIN
        IMMEDIATE): writers from other processes wait for it, one after the other."""
        with _writing(self.engine) as conn:
            yield conn

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A connection for reads."""
        with self.engine.connect() as conn:
            yield conn

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        """A value from the project's key/value table."""
        with self.connect() as conn:
            value = conn.execute(
                select(schema.meta.c.value).where(schema.meta.c.key == key)
            ).scalar_one_or_none()
        return default if value is None else str(value)

    def set_meta(self, key: str, value: str, conn: Connection | None = None) -> None:
        """Store a value in the project's key/value table."""
        stmt = schema.meta.delete().where(schema.meta.c.key == key)
        ins = schema.meta.insert().values(key=key, value=value)
        if conn is not None:
            conn.execute(stmt)
            conn.execute(ins)
            return
        with self.begin() as own:
            own.execute(stmt)
            own.execute(ins)

    def delete_meta(self, key: str, conn: Connection | None = None) -> None:
        """Remove a value from the project's key/value table."""
        stmt = schema.meta.delete().where(schema.meta.c.key == key)
        if conn is not None:
            conn.execute(stmt)
            return
        with self.begin() as own:
            own.execute(stmt)

    def close(self) -> None:
        """Release the database (and checkpoint the WAL so the file travels alone)."""
        if self.engine.url.get_backend_name() == "sqlite" and not self.read_only:
            try:
                with self.engine.connect() as conn:
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            except DatabaseError:  # pragma: no cover - best effort on close
                pass
        self.engine.dispose()


def _check_is_project(path: Path) -> str | None:
    """Refuse what is not a project; returns the project's migration revision (None if new)."""
    if path.is_dir():
        raise ProjectError(f"“{path.name}” is a folder, not an IntentLens project file.")
    if not path.exists() or path.stat().st_size == 0:
        return None
    try:
        with path.open("rb") as fh:
            magic = fh.read(16)
    except OSError as exc:
        raise ProjectError(f"“{path.name}” cannot be read ({exc.strerror or exc}).") from exc
    if magic != b"SQLite format 3\x00":
        raise ProjectError(f"“{path.name}” is not an IntentLens project file.")
    revision = None
    try:
        # Read-only and writing nothing beside the file, so a read-only folder is no "damage".
        con = sqlite3.connect(_read_only_uri(path), uri=True, timeout=10)
        try:
            names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "alembic_version" in names:
                row = con.execute("SELECT version_num FROM alembic_version").fetchone()
                revision = None if row is None else str(row[0])
        finally:
            con.close()
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise _in_use(path.name) from exc
        raise ProjectError(f"“{path.name}” is damaged and cannot be opened ({exc}).") from exc
    except sqlite3.DatabaseError as exc:
        raise ProjectError(f"“{path.name}” is damaged and cannot be opened ({exc}).") from exc
    if names and not (names >= _OUR_TABLES) and "alembic_version" not in names:
        raise ProjectError(
            f"“{path.name}” is a database of another program, not an IntentLens project."
        )
    if revision is not None and revision not in _known_revisions():
        raise _newer_version(path.name)
    return revision


def _open_read_only(path: Path, url: str, revision: str | None) -> Project:
    """The project at ``path`` for reading only: nothing is migrated or written."""
    if not path.exists():
        raise ProjectError(f"There is no project at “{path}”.")
    if revision is None:
        raise ProjectError(f"“{path.name}” is read-only and holds no project yet.")
    if revision != _head_revision():
        raise ProjectError(
            f"“{path.name}” was made by an older version of IntentLens and must be updated, but "
            "it is read-only: make the file and its folder writable, or open a copy."
        )
    uri = _read_only_uri(path)
    engine = create_engine(
        url, future=True, creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False)
    )
    event.listen(engine, "connect", _read_only_pragmas)
    return Project(engine, url, read_only=True)


def _check_can_write(engine: Engine, name: str) -> None:
    """Take and release the write lock, so a writer learns now, not after its work, that
    another program holds the project."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(f"PRAGMA busy_timeout={int(WRITE_LOCK_WAIT_S * 1000)}")
        try:
            cursor.execute("BEGIN IMMEDIATE")
            cursor.execute("ROLLBACK")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise _in_use(name) from exc
            raise ProjectError(f"“{name}” cannot be written ({exc}).") from exc
        finally:
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.close()
    finally:
        raw.close()


def open_project(
    location: str | Path, *, create: bool = True, writable: bool | None = None
) -> Project:
    """Open (and, if allowed, create) a project and migrate it to the current schema.

    ``location`` is a file path or an SQLAlchemy URL. Raises ProjectError with a sentence the
    user understands when the file is not a project or cannot be opened: not ours, damaged,
    made by a newer version, or a database that cannot be reached.

    ``writable``: True for callers that will write (import, training): a read-only project or
    one another program is writing is refused now, before any long work. False opens it for
    reading only. None (the default) opens it for writing when the file and its folder allow
    that and for reading only otherwise; ``Project.read_only`` tells which.
    """
    url = _url_for(location)
    is_sqlite = url.startswith("sqlite")
    name = _display_name(url)
    if is_sqlite:
        path = Path(url.removeprefix("sqlite:///"))
        if not path.exists() and not create:
            raise ProjectError(f"There is no project at “{path}”.")
        if not path.parent.exists():
            raise ProjectError(f"The folder “{path.parent}” does not exist.")
        revision = _check_is_project(path)
        name = path.name
        if path.exists() and not _can_write(path):
            if writable:
                raise ProjectError(
                    f"“{name}” is read-only, so IntentLens cannot save to it: make the file and "
                    "its folder writable, or work on a copy."
                )
            writable = False
        if writable is False:
            return _open_read_only(path, url, revision)
    elif writable is False:
        raise ProjectError(f"“{name}” can only be opened from a project file for reading.")
    try:
        engine = create_engine(url, future=True)
    except ImportError as exc:
        raise ProjectError(
            f"IntentLens cannot open “{name}”: the database driver it needs is not installed "
            f"({_first_line(exc)})."
        ) from exc
    except (NoSuchModuleError, ArgumentError) as exc:
        raise ProjectError(
            f"IntentLens cannot open “{name}”: it is neither a project file nor a database "
            f"address IntentLens knows ({_first_line(exc)})."
        ) from exc
    if is_sqlite:
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "connect", _no_driver_begin)
        event.listen(engine, "begin", _begin)
    try:
        migrate(engine)
        if writable and is_sqlite:
            _check_can_write(engine, name)
    except CommandError as exc:
        engine.dispose()
        raise _newer_version(name) from exc
    except DatabaseError as exc:
        engine.dispose()
        if "locked" in str(exc.orig) or "busy" in str(exc.orig):
            raise _in_use(name) from exc
        raise ProjectError(f"The project could not be opened: {_first_line(exc)}.") from exc
    except ProjectError:
        engine.dispose()
        raise
    return Project(engine, url)


def _display_name(url: str) -> str:
    """A URL as it may be shown: never with its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


@contextmanager
def _writing(engine: Engine) -> Iterator[Connection]:
    """A connection in a write transaction (BEGIN IMMEDIATE on SQLite, see ``_begin``).

    When the database refuses the write (a full disk, a file that became read-only, another
    program holding the lock too long), the transaction is rolled back and the failure becomes
    one sentence saying that nothing was saved."""
    try:
        with engine.connect() as conn:
            conn.execution_options(**{_WRITES: True})
            with conn.begin():
                yield conn
    except OperationalError as exc:
        problem = _write_refused(str(exc.orig))
        if problem is None:
            raise
        raise ProjectError(problem) from exc


def _write_refused(text: str) -> str | None:
    """The sentence for a write the database refused, or None for other errors."""
    text = text.lower()
    if "disk is full" in text or "disk full" in text:
        return (
            "The disk is full, so nothing was saved and the project is unchanged: free some "
            "space and try again."
        )
    if "readonly" in text or "read-only" in text:
        return (
            "The project cannot be written (it is read-only), so nothing was saved and the "
            "project is unchanged: make it writable and try again."
        )
    if "locked" in text or "busy" in text:
        return (
            "Another program kept the project busy, so nothing was saved and the project is "
            "unchanged: try again when it has finished."
        )
    return None


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision (creates it in a new project).

    Another program may open the same new file at the same moment (two first imports): the
    migration runs under the write lock, and Alembic reads the revision again inside it, so
    the second one finds the schema made and does nothing. A project already at the newest
    revision is only read, so opening it never waits for a running import.
    """
    head = _head_revision()
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
    if head is not None and current == head:
        return
    cfg = Config(str(_ALEMBIC_INI))
    with _writing(engine) as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
