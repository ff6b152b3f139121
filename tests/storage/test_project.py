"""The project factory: creation, migration, reopening, WAL, refusing files that are not ours."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import func, insert, select

from storage import schema
from storage.project import (
    _ALEMBIC_INI,
    Project,
    ProjectError,
    open_project,
)
from tests.project_checks import schema_revision, table_names

EXPECTED_TABLES = {
    "meta",
    "customers",
    "items",
    "import_batches",
    "events",
    "rejected_rows",
    "model_runs",
    "run_outputs",
    "alembic_version",
}


def _head_revision() -> str:
    head = ScriptDirectory.from_config(Config(str(_ALEMBIC_INI))).get_current_head()
    assert head is not None
    return head


def _assert_sentence(message: str, *words: str) -> None:
    """A message for the user: one line, one sentence, naming what it is about."""
    assert message and "\n" not in message
    assert message.endswith("."), message
    assert "Traceback" not in message
    for word in words:
        assert word in message, (word, message)


def test_new_project_is_created_and_migrated_to_head(tmp_path: Path) -> None:
    path = tmp_path / "shop.intentlens"
    project = open_project(path)
    try:
        assert path.is_file()
        assert project.path == path.resolve()
        assert project.name == "shop"
        assert schema_revision(project) == _head_revision() == "0006"
        assert table_names(project) >= EXPECTED_TABLES
    finally:
        project.close()
    con = sqlite3.connect(path)
    try:
        (version,) = con.execute("SELECT version_num FROM alembic_version").fetchone()
        index_names = {
            r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='index'")
        }
    finally:
        con.close()
    assert version == "0006"
    assert {"ix_events_customer_time"} <= index_names


def test_reopening_keeps_the_data_and_the_revision(tmp_path: Path) -> None:
    path = tmp_path / "shop.intentlens"
    project = open_project(path)
    with project.begin() as conn:
        conn.execute(insert(schema.customers).values(id=1, key="alice"))
    project.set_meta("note", "kept")
    project.close()

    again = open_project(path, create=False)
    try:
        assert schema_revision(again) == "0006"
        with again.connect() as conn:
            keys = conn.execute(select(schema.customers.c.key)).scalars().all()
            versions = conn.exec_driver_sql("SELECT COUNT(*) FROM alembic_version").scalar_one()
        assert keys == ["alice"]
        assert versions == 1  # migrating an up-to-date file adds nothing
        assert again.get_meta("note") == "kept"
        assert again.get_meta("absent", "default") == "default"
    finally:
        again.close()


def test_project_file_uses_wal_journal(tmp_path: Path) -> None:
    project = open_project(tmp_path / "shop.intentlens")
    try:
        with project.connect() as conn:
            mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar_one()
    finally:
        project.close()
    assert str(mode).lower() == "wal"


def test_close_checkpoints_so_the_file_travels_alone(tmp_path: Path) -> None:
    path = tmp_path / "shop.intentlens"
    project = open_project(path)
    with project.begin() as conn:
        conn.execute(insert(schema.customers), [{"id": i, "key": f"c{i}"} for i in range(1, 500)])
    project.close()
    wal = Path(str(path) + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        assert con.execute("SELECT COUNT(*) FROM customers").fetchone() == (499,)
    finally:
        con.close()


def test_a_text_file_is_not_a_project(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("customer,time\nalice,2020-01-01\n")
    with pytest.raises(ProjectError) as err:
        open_project(path)
    _assert_sentence(str(err.value), "orders.csv", "not an IntentLens project")
    assert path.read_text() == "customer,time\nalice,2020-01-01\n"  # left untouched


def test_a_foreign_sqlite_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE contacts (name TEXT)")
    con.execute("INSERT INTO contacts VALUES ('Bob')")
    con.commit()
    con.close()
    with pytest.raises(ProjectError) as err:
        open_project(path)
    _assert_sentence(str(err.value), "other.db", "another program")
    con = sqlite3.connect(path)
    try:
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        con.close()
    assert names == {"contacts"}  # no migration ran on someone else's database


def test_a_damaged_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.intentlens"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 3000)
    with pytest.raises(ProjectError) as err:
        open_project(path)
    assert "broken.intentlens" in str(err.value)
    assert "\n" not in str(err.value)


def test_a_folder_is_not_a_project(tmp_path: Path) -> None:
    folder = tmp_path / "looks.intentlens"
    folder.mkdir()
    with pytest.raises(ProjectError) as err:
        open_project(folder)
    _assert_sentence(str(err.value), "looks.intentlens", "folder")


def test_missing_project_without_create_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.intentlens"
    with pytest.raises(ProjectError) as err:
        open_project(path, create=False)
    _assert_sentence(str(err.value), "nowhere.intentlens", "no project")
    assert not path.exists()


def test_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ProjectError) as err:
        open_project(tmp_path / "no-such-folder" / "shop.intentlens")
    _assert_sentence(str(err.value), "no-such-folder", "does not exist")


def test_failed_transaction_rolls_back_everything(project: Project) -> None:
    with project.begin() as conn:
        conn.execute(insert(schema.customers).values(id=1, key="kept"))

    class Boom(Exception):
        pass

    with pytest.raises(Boom), project.begin() as conn:
        conn.execute(insert(schema.customers).values(id=2, key="lost"))
        project.set_meta("lost", "yes", conn=conn)
        conn.execute(
            insert(schema.import_batches).values(
                file_name="x.csv", sha256="0" * 64, status="running", started_at="2020"
            )
        )
        raise Boom()

    with project.connect() as conn:
        keys = conn.execute(select(schema.customers.c.key)).scalars().all()
        batches = conn.execute(select(func.count()).select_from(schema.import_batches)).scalar()
    assert keys == ["kept"]
    assert batches == 0
    assert project.get_meta("lost") is None


def test_a_constraint_violation_rolls_back_the_whole_transaction(project: Project) -> None:
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), project.begin() as conn:
        conn.execute(insert(schema.customers).values(id=1, key="a"))
        conn.execute(insert(schema.customers).values(id=2, key="a"))  # key is unique
    with project.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.customers)).scalar() == 0


def test_a_project_made_by_the_first_release_opens_and_keeps_its_data(tmp_path: Path) -> None:
    """A file at revision 0001 (before import warnings and stale runs) is upgraded in place."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import create_engine, text

    import storage.project as sp

    path = tmp_path / "old.intentlens"
    engine = create_engine(f"sqlite:///{path}")
    cfg = Config(str(sp._ALEMBIC_INI))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(text("INSERT INTO customers (id, key) VALUES (1, 'alice')"))
        conn.execute(text(
            "INSERT INTO model_runs (id, task, created_at, status, active, settings, history, "
            "metrics) VALUES (7, 'intent', '2025-01-01', 'done', 1, '{}', '{}', '{}')"
        ))
    engine.dispose()
    project = open_project(path, create=False)
    try:
        assert schema_revision(project) == _head_revision()
        with project.connect() as conn:
            assert conn.execute(text("SELECT key FROM customers")).all() == [("alice",)]
            assert conn.execute(text("SELECT id, active, stale FROM model_runs")).all() == [
                (7, 1, 0)
            ]
            assert conn.execute(text("SELECT warnings FROM import_batches")).all() == []
    finally:
        project.close()


@pytest.mark.parametrize(("driver", "advice"), [
    ('connection failed: fe_sendauth: no password supplied', "PGPASSWORD"),
    ('FATAL:  password authentication failed for user "shop"', "user name or password"),
    ("received invalid response to SSL negotiation: H", "not a PostgreSQL server"),
    ("connection refused", "nothing answers at that address"),
    ('FATAL:  database "shopx" does not exist', "create them first"),
])
def test_a_server_that_refuses_is_one_sentence_with_what_to_do(driver: str, advice: str) -> None:
    from storage.project import _connect_failure

    text = _connect_failure("postgresql+psycopg://shop:***@db/shop", driver)
    assert advice in text and driver in text  # the advice, then the server's own words
    assert text.endswith(".") and "\n" not in text
    assert _connect_failure("x", "something new") == "IntentLens cannot connect to “x”: something new."
