"""A PostgreSQL server for the tests: a fresh, empty place for a project per test (or per
module) on the server that ``INTENTLENS_TEST_PG_URL`` names.

``bash .ci/postgres start`` starts a throwaway server and prints that variable (CI does so);
without it the PostgreSQL half of the tests skips. With it, a server that cannot be reached is
an error, not a skip: CI must run them.

The session makes one database of its own on that server and drops it at the end; each project
gets a schema of its own in it (``search_path`` in its URL), dropped after its test: making a
schema takes milliseconds, a database a third of a second.
"""

from __future__ import annotations

import itertools
import os
import uuid

from sqlalchemy import Engine, create_engine, make_url
from sqlalchemy.pool import NullPool

#: The environment variable with the URL of a server (and a database on it) the tests may
#: create a database on, e.g. postgresql+psycopg://postgres@localhost:5432/postgres.
ENV = "INTENTLENS_TEST_PG_URL"


class Server:
    """The test server: one database for the session, a schema per project."""

    def __init__(self, url: str) -> None:
        admin = make_url(url)
        self._admin: Engine = create_engine(admin, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self.database = f"intentlens_test_{uuid.uuid4().hex[:10]}"
        with self._admin.connect() as conn:  # reachable now, or the session fails here
            conn.exec_driver_sql(f'CREATE DATABASE "{self.database}"')
        self.url = admin.set(database=self.database)
        self._engine: Engine = create_engine(
            self.url, isolation_level="AUTOCOMMIT", poolclass=NullPool
        )
        self._numbers = itertools.count(1)

    def create(self) -> str:
        """A new, empty schema; returns the URL of a project in it."""
        schema = f"project_{next(self._numbers)}"
        with self._engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        url = self.url.update_query_dict({"options": f"-csearch_path={schema}"})
        return url.render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        """Drop a project's schema made by ``create``, with everything in it."""
        options = str(make_url(url).query["options"])
        schema = options.removeprefix("-csearch_path=")
        assert schema.startswith("project_")
        with self._engine.connect() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    def close(self) -> None:
        """Drop the session's database (ending connections left open) and disconnect."""
        self._engine.dispose()
        with self._admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        self._admin.dispose()


def server_url() -> str | None:
    """The test server's URL, or None when the environment names none."""
    return os.environ.get(ENV) or None


def project_args(location: str) -> list[str]:
    """How the command line names a project: ``--db URL`` for a database on a server, the
    file's path otherwise."""
    return ["--db", location] if "://" in location else [location]
