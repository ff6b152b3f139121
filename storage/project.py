"""The one factory that opens a project: an SQLite file (WAL) or a PostgreSQL database.

Nothing above ``storage`` knows which database is behind a project: a file path opens an SQLite
file, an SQLAlchemy URL (``postgresql+psycopg://user@host/database``) a database on a server.
What differs between the two is in ``storage.dialect``. Opening a project brings its schema up
to date with the Alembic migrations, so files made by older versions still open and an empty
database becomes a project.
"""

from __future__ import annotations

import ast
import os
import re
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, inspect, make_url, select, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import (
    ArgumentError,
    DatabaseError,
    DBAPIError,
    NoSuchModuleError,
    OperationalError,
)

from storage import PROJECT_SUFFIX as PROJECT_SUFFIX
from storage import dialect, schema

_ALEMBIC_INI = Path(__file__).with_name("alembic.ini")
_VERSIONS = Path(__file__).with_name("migrations") / "versions"
#: ``revision = "0005"`` and ``down_revision = "0004"`` lines of a migration file.
_REVISION_LINE = re.compile(r"^(down_)?revision\s*(?::[^=\n]*)?=\s*(.+?)\s*$", re.MULTILINE)
_OUR_TABLES = {"events", "customers", "import_batches"}
#: How long opening a project for writing waits for another program's write to finish before
#: saying the project is in use (imports and training runs hold the write lock for seconds).
WRITE_LOCK_WAIT_S = 15.0


class ProjectError(Exception):
    """A project cannot be opened; the message is a sentence for the user."""


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
def _revision_graph() -> dict[str, tuple[str, ...]] | None:
    """Each migration's revision and the revisions it follows, read from the migration files
    as text: what Alembic finds there, without importing Alembic (most of a second) on every
    open of a project that is already up to date. None when a file does not state them as
    plain literals; Alembic then reads the files itself."""
    graph: dict[str, tuple[str, ...]] = {}
    for file in sorted(_VERSIONS.glob("*.py")):
        if file.name == "__init__.py":
            continue
        try:
            found = {
                ("down_revision" if m[1] else "revision"): ast.literal_eval(m[2])
                for m in _REVISION_LINE.finditer(file.read_text(encoding="utf-8"))
            }
        except (OSError, ValueError, SyntaxError):
            return None
        revision, down = found.get("revision"), found.get("down_revision", ())
        downs = (down,) if isinstance(down, str) else () if down is None else down
        if not isinstance(revision, str) or not isinstance(downs, tuple) or revision in graph:
            return None
        if not all(isinstance(d, str) for d in downs):
            return None
        graph[revision] = downs
    return graph or None


@lru_cache(maxsize=1)
def _known_revisions() -> frozenset[str]:
    graph = _revision_graph()
    if graph is not None:
        return frozenset(graph)
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(Config(str(_ALEMBIC_INI)))
    return frozenset(s.revision for s in script.walk_revisions())


def _head_revision() -> str | None:
    graph = _revision_graph()
    if graph is not None:
        heads = set(graph) - {d for downs in graph.values() for d in downs}
        if len(heads) == 1:
            return heads.pop()
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(Config(str(_ALEMBIC_INI))).get_current_head()


def _stored_revision(conn: Connection) -> str | None:
    """The migration revision a project is at (None in a new one), read with plain SQL as
    Alembic stores it; several rows (branches, which IntentLens never makes) read as None, so
    the migration step lets Alembic judge them."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return str(rows[0]) if len(rows) == 1 else None


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
    """The SQLAlchemy URL of a location: a URL as it is, a file path as an absolute
    ``sqlite:///`` URL."""
    where = str(location)
    if "://" in where:
        return where
    return f"sqlite:///{Path(where).expanduser().resolve()}"


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
        """A short name for window titles: the file's name, or the server's address with its
        password masked (``postgresql+psycopg://shop:***@db.example/intentlens``)."""
        path = self.path
        return path.stem if path else display_location(self.location)

    @property
    def address(self) -> str:
        """Where the project lives, the same however it was reached, and with no secret in it:
        the file's path, or the server's URL without its password."""
        path = self.path
        return str(path) if path else _without_password(self.location)

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
        if dialect.is_sqlite(self.engine) and not self.read_only:
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


def _check_read_only_revision(name: str, revision: str | None, advice: str, *,
                              who: str = "") -> None:
    """A read-only project can be read only when it holds a project at today's version:
    nothing can be created or upgraded in it (``advice`` says what to do instead)."""
    if revision is None:
        raise ProjectError(f"“{name}” is read-only and holds no project yet.")
    if revision != _head_revision():
        raise ProjectError(
            f"“{name}” was made by an older version of IntentLens and must be updated, but it "
            f"is read-only{who}: {advice}."
        )


def _open_read_only(path: Path, url: str, revision: str | None) -> Project:
    """The project at ``path`` for reading only: nothing is migrated or written."""
    if not path.exists():
        raise ProjectError(f"There is no project at “{path}”.")
    _check_read_only_revision(path.name, revision,
                              "make the file and its folder writable, or open a copy")
    uri = _read_only_uri(path)
    engine = create_engine(
        url, future=True, creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False)
    )
    event.listen(engine, "connect", dialect.read_only_pragmas)
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

    ``location`` is a file path or an SQLAlchemy URL of a PostgreSQL database
    (``postgresql+psycopg://user:password@host:5432/database``). Raises ProjectError with a
    sentence the user understands when the project cannot be opened: not ours, damaged, made by
    a newer version, or a server that cannot be reached. A URL's password is never in it.

    ``create``: a missing file is created, an empty database gets the project's tables; without
    it, both are refused.

    ``writable``: True for callers that will write (import, training): a read-only project or
    one another program is writing is refused now, before any long work. False opens it for
    reading only. None (the default) opens it for writing when the file and its folder (on a
    server: the database user's rights) allow that and for reading only otherwise;
    ``Project.read_only`` tells which.
    """
    url = _url_for(location)
    name = display_location(url)
    try:
        backend = dialect.SQLITE if url.startswith("sqlite") else make_url(url).get_backend_name()
    except ArgumentError as exc:
        raise ProjectError(
            f"IntentLens cannot open “{name}”: it is neither a project file nor a database "
            f"address IntentLens knows ({_first_line(exc)})."
        ) from exc
    if backend in (dialect.POSTGRESQL, "postgres"):
        return _open_server(url, name, create=create, writable=writable)
    if backend != dialect.SQLITE:
        raise ProjectError(
            f"IntentLens cannot open “{name}”: a project is a project file or a PostgreSQL "
            "database (postgresql+psycopg://user@host/database)."
        )
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
    engine = _engine(url, name)
    with _closed_on_failure(engine, name):
        migrate(engine)
        if writable:
            _check_can_write(engine, name)
    return Project(engine, url)


@contextmanager
def _closed_on_failure(engine: Engine, name: str) -> Iterator[None]:
    """Opening a project: on any failure its engine is closed and the failure said as a
    sentence about ``name`` (``_open_failed``)."""
    try:
        yield
    except BaseException as exc:
        engine.dispose()
        failure = _open_failed(exc, name)
        if failure is exc:
            raise
        raise failure from exc


def _engine(url: str | URL, name: str) -> Engine:
    """An engine for ``url``, its connections set up for their kind of database."""
    try:
        engine = create_engine(url, future=True, **dialect.engine_options(make_url(url)))
    except ImportError as exc:
        raise ProjectError(
            f"IntentLens cannot open “{name}”: the database driver it needs is not installed "
            f"({_first_line(exc)}); install it with: pip install \"psycopg[binary]\"."
        ) from exc
    except (NoSuchModuleError, ArgumentError) as exc:
        raise ProjectError(
            f"IntentLens cannot open “{name}”: it is neither a project file nor a database "
            f"address IntentLens knows ({_first_line(exc)})."
        ) from exc
    dialect.configure(engine)
    return engine


def _open_failed(exc: BaseException, name: str) -> BaseException:
    """What to raise when opening ``name`` failed with ``exc`` (the engine is disposed)."""
    alembic_errors = sys.modules.get("alembic.util.exc")  # imported only when migrating
    if alembic_errors is not None and isinstance(exc, alembic_errors.CommandError):
        return _newer_version(name)
    if isinstance(exc, DatabaseError):
        if _is_busy(str(exc.orig)):
            return _in_use(name)
        return ProjectError(f"The project could not be opened: {_first_line(exc)}.")
    return exc


def _open_server(url: str, name: str, *, create: bool, writable: bool | None) -> Project:
    """A project in a PostgreSQL database: reached, checked to be ours (or empty), migrated
    unless it is opened for reading only, and checked to be writable when that is asked for.
    """
    read_only = writable is False
    engine_url = make_url(url)
    if "+" not in engine_url.drivername:  # postgresql://, as libpq writes it: psycopg drives it
        engine_url = engine_url.set(drivername="postgresql+psycopg")
    if read_only:  # every transaction of the session is read-only: a write fails at once
        options = str(engine_url.query.get("options", ""))
        engine_url = engine_url.update_query_dict(
            {"options": f"{options} -c default_transaction_read_only=on".strip()}
        )
    engine = _engine(engine_url, name)
    with _closed_on_failure(engine, name):
        revision = _check_server_database(engine, url, name, create=create)
        if not read_only and not _server_can_write(engine):
            if writable:
                raise ProjectError(
                    f"“{name}” is read-only for this database user, so IntentLens cannot save "
                    "to it: connect as a user who may write to it."
                )
            read_only = True
        if read_only:
            _check_read_only_revision(name, revision, "connect as a user who may write to it",
                                      who=" for this database user")
        else:
            migrate(engine)
            if writable:
                _check_not_in_use(engine, name)
    return Project(engine, url, read_only=read_only)


def _check_server_database(engine: Engine, url: str, name: str, *, create: bool) -> str | None:
    """Reach the server and refuse a database that is not a project (nor empty, to become
    one); returns the project's migration revision (None in an empty database)."""
    try:
        with engine.connect() as conn:
            names = set(inspect(conn).get_table_names())
            revision = _stored_revision(conn) if "alembic_version" in names else None
    except OperationalError as exc:
        raise ProjectError(_connect_failure(name, _scrub(_first_line(exc), url))) from exc
    if names and "alembic_version" not in names and not names >= _OUR_TABLES:
        raise ProjectError(
            f"“{name}” holds the tables of another program, not an IntentLens project: "
            "give IntentLens an empty database of its own."
        )
    if revision is not None and revision not in _known_revisions():
        raise _newer_version(name)
    if revision is None and not names and not create:
        raise ProjectError(f"There is no project in “{name}” yet: import a file into it first.")
    return revision


#: What a server's refusal means for the owner, by a phrase of the driver's message (lower
#: case): the advice first, the driver's own words after it.
_CONNECT_ADVICE = (
    ("no password supplied",
     "the server asks for a password: put it in the address (postgresql+psycopg://USER:"
     "PASSWORD@HOST/DATABASE), or in the PGPASSWORD variable or a ~/.pgpass file"),
    ("password authentication failed",
     "the server refused the user name or password: check both in the address"),
    ("does not exist",
     "the server has no such database or user: create them first (see the README's "
     "\"Using a database server\")"),
    ("ssl negotiation",
     "what answers at that address is not a PostgreSQL server: check the host and port"),
    ("connection refused",
     "nothing answers at that address: check the host and port, and that the server runs"),
    ("timeout expired",
     "the server did not answer within 10 seconds: check the host and the network"),
    ("could not translate host name",
     "that host name is unknown: check the address"),
)


def _connect_failure(name: str, detail: str) -> str:
    """One sentence for a server that could not be reached, with what to do."""
    low = detail.lower()
    advice = next((a for phrase, a in _CONNECT_ADVICE if phrase in low), None)
    if advice is None:
        return f"IntentLens cannot connect to “{name}”: {detail}."
    return f"IntentLens cannot connect to “{name}”: {advice} (the server said: {detail})."


def _server_can_write(engine: Engine) -> bool:
    """Whether the database user may write the project (a standby server, a read-only user
    or one without the rights on the tables may not)."""
    with engine.connect() as conn:
        if conn.execute(text("SELECT current_setting('transaction_read_only')")).scalar() == "on":
            return False
        if inspect(conn).has_table("events"):
            sql = "SELECT has_table_privilege('events', 'INSERT, UPDATE, DELETE')"
        else:
            sql = "SELECT has_schema_privilege(current_schema(), 'CREATE')"
        return bool(conn.execute(text(sql)).scalar())


def _check_not_in_use(engine: Engine, name: str) -> None:
    """Take and release the write lock, so a writer learns now, not after its work, that
    another program is writing the project."""
    try:
        with engine.connect() as conn, conn.begin():
            dialect.lock_for_writing(conn, wait_ms=int(WRITE_LOCK_WAIT_S * 1000))
    except OperationalError as exc:
        if _is_busy(str(exc.orig)):
            raise _in_use(name) from exc
        raise


def _is_busy(message: str) -> bool:
    """Whether a database error says another program holds the write lock."""
    message = message.lower()
    return "locked" in message or "busy" in message or "lock timeout" in message


def _scrub(message: str, url: str) -> str:
    """A driver's message with the URL's password masked, should the driver repeat it."""
    password = make_url(url).password
    return message.replace(str(password), "***") if password else message


def display_location(location: str | Path) -> str:
    """A project's location as it may be shown or logged: a path as it is, a URL with its
    password masked (``postgresql+psycopg://shop:***@db.example/intentlens``)."""
    text_ = str(location)
    if "://" not in text_:
        return text_
    try:
        url = make_url(text_)
    except ArgumentError:
        return text_.split("://", 1)[0] + "://***"
    if "password" in url.query:
        url = url.update_query_dict({"password": "***"})
    return url.render_as_string(hide_password=True)


def server_location(address: str, password: str = "") -> str:
    """The location of a project on a server from its address (a URL) and a password typed
    apart from it (none: the URL's own, or the server's other ways, such as ~/.pgpass)."""
    if not password:
        return address
    try:
        url = make_url(address)
    except ArgumentError:
        return address
    return url.set(password=password).render_as_string(hide_password=False)


def _without_password(location: str) -> str:
    """A URL without its password (in the address or its query)."""
    try:
        url = make_url(location)
    except ArgumentError:
        return display_location(location)
    url = url.difference_update_query(["password"])
    bare = URL.create(url.drivername, url.username, None, url.host, url.port, url.database,
                      url.query)  # URL.set(password=None) would keep the password
    return bare.render_as_string(hide_password=False)


@contextmanager
def _writing(engine: Engine) -> Iterator[Connection]:
    """A connection in a write transaction that is the project's only writer until it ends
    (BEGIN IMMEDIATE on SQLite, an advisory lock on PostgreSQL: ``storage.dialect``).

    When the database refuses the write (a full disk, a file that became read-only, another
    program holding the lock too long), the transaction is rolled back and the failure becomes
    one sentence saying that nothing was saved."""
    try:
        with engine.connect() as conn:
            conn.execution_options(**{dialect.WRITES: True})
            with conn.begin():
                dialect.lock_for_writing(conn)
                yield conn
    except DBAPIError as exc:  # PostgreSQL says "read-only" and "permission" in other classes
        problem = _write_refused(str(exc.orig))
        if problem is None:
            raise
        raise ProjectError(problem) from exc


def _write_refused(text: str) -> str | None:
    """The sentence for a write the database refused, or None for other errors."""
    text = text.lower()
    if "disk is full" in text or "disk full" in text or "no space left" in text:
        return (
            "The disk is full, so nothing was saved and the project is unchanged: free some "
            "space and try again."
        )
    if "readonly" in text or "read-only" in text or "permission denied" in text:
        return (
            "The project cannot be written (it is read-only), so nothing was saved and the "
            "project is unchanged: make it writable and try again."
        )
    if _is_busy(text):
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
        current = _stored_revision(conn)
    if head is not None and current == head:
        return
    from alembic import command
    from alembic.config import Config

    cfg = Config(str(_ALEMBIC_INI))
    with _writing(engine) as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
