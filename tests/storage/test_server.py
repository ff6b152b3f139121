"""A project in a PostgreSQL database: made by the same migrations, refused in one sentence when
it cannot be, writers serialized by an advisory lock, bulk rows by COPY, the password never
shown. (The storage tests that use the ``project`` fixture run on PostgreSQL too; these are
what only a server has.) Each test skips without a server: tests/pg.py."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, make_url, text
from sqlalchemy.pool import NullPool

import storage.project as sp
from storage import dialect, schema
from storage.imports import batches_with_sha, start_batch
from storage.project import Project, ProjectError, display_location, open_project
from storage.run_writes import save_run
from storage.runs import get_run, run_outputs, run_weights
from tests.project_checks import schema_revision, table_names
from tests.storage.test_project import EXPECTED_TABLES, _head_revision


@pytest.fixture
def project_location(pg_url: str) -> str:
    """Every test here is about a server: the ``project`` fixture's project is on one."""
    return pg_url


def _sql(url: str, *statements: str) -> list[Any]:
    """Run statements on the database apart from IntentLens; the last one's rows."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect() as conn:
            rows: list[Any] = []
            for statement in statements:
                result = conn.execute(text(statement))
                rows = list(result.all()) if result.returns_rows else []
            return rows
    finally:
        engine.dispose()


def _with_password(url: str, password: str) -> str:
    return make_url(url).set(password=password).render_as_string(hide_password=False)


def test_an_empty_database_becomes_a_project_by_the_migrations(pg_url: str) -> None:
    project = open_project(pg_url)
    try:
        assert project.path is None and not project.read_only
        assert schema_revision(project) == _head_revision()
        assert table_names(project) >= EXPECTED_TABLES
        columns = {c["name"]: c for c in inspect(project.engine).get_columns("events")}
        # Milliseconds since 1970 need 64 bits; so does a big shop's count of events.
        assert str(columns["time_ms"]["type"]) == "BIGINT"
        assert str(columns["id"]["type"]) == "BIGINT" and columns["id"]["autoincrement"]
        indexes = {i["name"] for i in inspect(project.engine).get_indexes("events")}
        assert "ix_events_customer_time" in indexes
    finally:
        project.close()
    again = open_project(pg_url, create=False)
    try:
        assert _sql(pg_url, "SELECT COUNT(*) FROM alembic_version") == [(1,)]
    finally:
        again.close()


def test_ids_come_from_the_database_and_the_writers_ids_from_the_importer(
    project: Project, project_location: str
) -> None:
    with project.begin() as conn:
        first = start_batch(conn, file_name="a.csv", sha256="a", fmt="csv", encoding="utf-8",
                            mapping={}, pseudonymized=False)
        ids = first.customer_ids(["alice", "bob"])
        first.add_events({"customer_id": ids, "time_ms": [2**40, -(2**40)],
                          "event": ["view", "purchase"]}, 2)
        first.finish(lines_read=2, imported=2, rejected=0, seconds=0.1)
    with project.begin() as conn:
        second = start_batch(conn, file_name="b.csv", sha256="b", fmt="csv", encoding="utf-8",
                             mapping={}, pseudonymized=False)
        assert second.batch_id == first.batch_id + 1
        assert second.customer_ids(["bob", "carol"]) == [ids[1], max(ids) + 1]
    rows = _sql(project_location, "SELECT time_ms, event FROM events ORDER BY id")
    assert rows == [(2**40, "view"), (-(2**40), "purchase")]


def test_the_name_and_every_message_mask_the_password(pg_url: str) -> None:
    secret = "s3cret-Pw"
    url = _with_password(pg_url, secret)
    _sql(pg_url, f"ALTER USER CURRENT_USER PASSWORD '{secret}'")
    project = open_project(url)
    try:
        assert secret not in project.name and "***" in project.name
        assert secret not in project.address and "***" not in project.address
        assert project.location == url  # what the engine connects with
    finally:
        project.close()
    assert secret not in display_location(url + "&password=" + secret)
    unreachable = make_url(url).set(host="127.0.0.1", port=1).render_as_string(False)
    with pytest.raises(ProjectError) as err:
        open_project(unreachable)
    message = str(err.value)
    assert "cannot connect" in message and secret not in message and "\n" not in message


def test_a_database_of_another_program_is_refused_and_left_alone(pg_url: str) -> None:
    _sql(pg_url, "CREATE TABLE contacts (name TEXT)", "INSERT INTO contacts VALUES ('Bob')")
    with pytest.raises(ProjectError, match="another program"):
        open_project(pg_url)
    assert _sql(pg_url, "SELECT table_name FROM information_schema.tables "
                        "WHERE table_schema = current_schema()") == [("contacts",)]


def test_an_empty_database_without_create_and_a_newer_project_are_sentences(pg_url: str) -> None:
    with pytest.raises(ProjectError, match="no project in"):
        open_project(pg_url, create=False)
    assert _sql(pg_url, "SELECT COUNT(*) FROM information_schema.tables "
                        "WHERE table_schema = current_schema()") == [(0,)]
    open_project(pg_url).close()
    _sql(pg_url, "UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(ProjectError, match="newer version"):
        open_project(pg_url)


def test_other_databases_and_postgresql_urls_without_a_driver(pg_url: str) -> None:
    with pytest.raises(ProjectError, match="PostgreSQL database"):
        open_project("mysql://shop:pw@localhost/shop")
    plain = make_url(pg_url).set(drivername="postgresql").render_as_string(False)
    project = open_project(plain)  # as libpq writes it: psycopg drives it
    try:
        assert project.engine.url.drivername == "postgresql+psycopg"
    finally:
        project.close()


def test_a_writer_holds_the_lock_from_its_start_and_others_wait(pg_url: str) -> None:
    """Project.begin() takes the advisory lock first: a second writer waits for the first to
    commit, so the duplicate check it makes first sees the first import."""
    project = open_project(pg_url)
    other = open_project(pg_url)
    seen: list[int] = []
    try:
        with project.begin() as conn:
            writer = start_batch(conn, file_name="a.csv", sha256="same", fmt="csv",
                                 encoding="utf-8", mapping={}, pseudonymized=False)

            def second() -> None:
                with other.begin() as conn2:
                    seen.append(len(batches_with_sha(conn2, "same")))

            thread = threading.Thread(target=second)
            thread.start()
            time.sleep(0.5)
            assert thread.is_alive(), "the second writer did not wait"
            free = _sql(pg_url, f"SELECT pg_try_advisory_lock({dialect.WRITE_LOCK_KEY})")
            assert free == [(False,)]
            writer.finish(lines_read=0, imported=0, rejected=0, seconds=0.0)
        thread.join(timeout=20)
        assert seen == [1]  # the first import, committed before the second writer read
        # Readers are never kept out.
        with project.begin():
            assert len(batches_with_sha(other, "same")) == 1
    finally:
        project.close()
        other.close()


def test_a_writer_kept_out_too_long_is_told_in_one_sentence(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = open_project(pg_url)
    monkeypatch.setattr(sp, "WRITE_LOCK_WAIT_S", 0.2)
    monkeypatch.setattr(dialect, "WRITE_WAIT_MS", 200)
    try:
        with project.begin():
            with pytest.raises(ProjectError, match="in use by another program"):
                open_project(pg_url, writable=True)
            other = open_project(pg_url)
            try:
                with pytest.raises(ProjectError, match="kept the project busy"), other.begin():
                    pass
            finally:
                other.close()
    finally:
        project.close()


def test_bulk_rows_go_by_copy_and_nul_characters_are_stored_as_replacements(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg

    copies: list[str] = []
    original = psycopg.Cursor.copy

    def spy(self: psycopg.Cursor[Any], statement: Any, *args: Any, **kwargs: Any) -> Any:
        copies.append(str(statement))
        return original(self, statement, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "copy", spy)
    with project.begin() as conn:
        writer = start_batch(conn, file_name="a.csv", sha256="nul", fmt="csv", encoding="utf-8",
                             mapping={}, pseudonymized=False)
        ids = writer.customer_ids(["a\x00b", "plain"])
        item = writer.item_ids(["sku\x001"], ["Toys\x00"], [None], [2.5])
        writer.add_events({"customer_id": ids, "time_ms": [1, 2], "event": ["view", "view"],
                           "item_id": item * 2, "category": ["Toys\x00", None],
                           "query": ["x\x00y", None]}, 2)
        writer.add_rejected([(3, "bad\x00line", "no time")])
        writer.finish(lines_read=3, imported=2, rejected=1, seconds=0.0)
    tables = {c.split()[1] for c in copies}
    assert {"customers", "items", "events", "rejected_rows"} <= tables
    assert any(t.startswith("intentlens_stage_summary") for t in tables)  # running totals
    with project.connect() as conn:
        keys = conn.execute(text("SELECT key FROM customers ORDER BY id")).scalars().all()
        assert keys == ["a\ufffdb", "plain"]
        assert conn.execute(text("SELECT query FROM events WHERE query IS NOT NULL")
                            ).scalar_one() == "x\ufffdy"
        assert conn.execute(text("SELECT raw FROM rejected_rows")).scalar_one() == "bad\ufffdline"
        assert conn.execute(text("SELECT category, events FROM summary_categories")).all() == [
            ("Toys\ufffd", 1)]


def test_a_run_is_saved_by_copy_and_read_back(project: Project) -> None:
    import pandas as pd

    with project.begin() as conn:
        conn.execute(schema.customers.insert(), [{"id": 1, "key": "a"}, {"id": 2, "key": "b"}])
    outputs = pd.DataFrame({"customer_id": [1, 2], "score": [0.25, None], "rank": [1, 2]})
    weights = bytes(range(256)) * 40
    rid = save_run(project, "intent", status="done", settings={"k": 1}, history={"loss": [1.0]},
                   metrics={"auc": 0.7}, summary="fine", seconds=1.5, warm_started=False,
                   weights=weights, outputs=outputs)
    run = get_run(project, rid)
    assert run is not None and run.active and run.settings == {"k": 1}
    assert run_weights(project, rid) == weights
    read = run_outputs(project, rid, names=("score", "rank")).set_index("customer_id")
    assert read.loc[1, "score"] == 0.25 and read.loc[2, "rank"] == 2.0
    assert pd.isna(read.loc[2, "score"])


def test_a_read_only_user_opens_it_for_reading_only(pg_url: str) -> None:
    open_project(pg_url).close()
    role = "intentlens_reader_" + make_url(pg_url).query["options"].split("=")[-1]
    _sql(pg_url, f"DROP ROLE IF EXISTS {role}", f"CREATE ROLE {role} LOGIN",
         f"GRANT USAGE ON SCHEMA {role.removeprefix('intentlens_reader_')} TO {role}",
         f"GRANT SELECT ON ALL TABLES IN SCHEMA {role.removeprefix('intentlens_reader_')} "
         f"TO {role}")
    reader = make_url(pg_url).set(username=role).render_as_string(False)
    try:
        project = open_project(reader)
        try:
            assert project.read_only
            assert project.get_meta("absent", "ok") == "ok"
        finally:
            project.close()
        with pytest.raises(ProjectError, match="read-only for this database user"):
            open_project(reader, writable=True)
        looking = open_project(pg_url, writable=False)  # a user who may write, reading only
        try:
            assert looking.read_only
            with pytest.raises(ProjectError, match="read-only"):
                looking.set_meta("x", "y")
        finally:
            looking.close()
    finally:
        _sql(pg_url, f"DROP OWNED BY {role}", f"DROP ROLE {role}")


def test_forgetting_vacuums_the_tables(project: Project, project_location: str) -> None:
    from storage.forget import forget_customer

    with project.begin() as conn:
        writer = start_batch(conn, file_name="a.csv", sha256="f", fmt="csv", encoding="utf-8",
                             mapping={}, pseudonymized=False)
        ids = writer.customer_ids(["gone", "kept"])
        writer.add_events({"customer_id": ids * 50, "time_ms": list(range(100)),
                           "event": ["view"] * 100}, 100)
        writer.add_rejected([(101, "gone,broken", "no time")])
        writer.finish(lines_read=101, imported=100, rejected=1, seconds=0.0)
    done = forget_customer(project, "GONE")  # rejected lines match in any case, as in SQLite
    assert done is None
    done = forget_customer(project, "gone")
    assert done is not None and (done.events, done.rejected_lines) == (50, 1)
    vacuumed = _sql(project_location, "SELECT n_dead_tup FROM pg_stat_user_tables "
                                      "WHERE relname = 'events'")
    assert vacuumed in ([(0,)], [])  # statistics may lag; no dead rows once they are in
    assert _sql(project_location, "SELECT COUNT(*) FROM events") == [(50,)]
