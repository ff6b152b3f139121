"""Fixtures shared by every test: headless Qt, isolated settings, the real logs, a fresh project
(an SQLite file, or, where a test runs on both databases, a PostgreSQL database too).

The environment is set at import time, before any test module can import Qt, so no test ever
opens a window or writes the user's settings.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

os.environ["QT_QPA_PLATFORM"] = "offscreen"
# The CLI follows the locale's language: tests read its English sentences, whatever the machine.
os.environ["LANGUAGE"] = "en"
_HOME = tempfile.mkdtemp(prefix="intentlens-test-home-")
os.environ["INTENTLENS_HOME"] = _HOME
atexit.register(shutil.rmtree, _HOME, ignore_errors=True)

from collections.abc import Callable, Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from storage.project import Project, open_project  # noqa: E402
from tests import pg  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
DATASETS = (REPO_ROOT / ".." / "shared" / "datasets").resolve()


@pytest.fixture(scope="session")
def datasets() -> Path:
    """The real behavior logs (../shared/datasets); tests that need them skip without them."""
    if not DATASETS.is_dir():
        pytest.skip(f"real datasets not found at {DATASETS} (see GUIDE.md section 6)")
    return DATASETS


#: The databases a project can live in; tests that run on both are parametrized by these ids.
DATABASES = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[pg.Server | None]:
    """The PostgreSQL server of ``INTENTLENS_TEST_PG_URL`` (None without one). A server named
    but not reachable fails the tests that need it: CI must run them, not skip them."""
    url = pg.server_url()
    if url is None:
        yield None
        return
    server = pg.Server(url)
    try:
        yield server
    finally:
        server.close()


def _location(database: str, folder: Path, server: pg.Server | None) -> Iterator[str]:
    """A new project's location on ``database``: a file in ``folder``, or a fresh place on the
    test server (dropped afterwards; skips without a server)."""
    if database == "sqlite":
        yield str(folder / "test.intentlens")
        return
    if server is None:
        pytest.skip(f"no PostgreSQL server: set {pg.ENV} (bash .ci/postgres start prints it)")
    url = server.create()
    try:
        yield url
    finally:
        server.drop(url)


@pytest.fixture
def pg_url(pg_server: pg.Server | None, tmp_path: Path) -> Iterator[str]:
    """The URL of a new, empty PostgreSQL project (skips without a server)."""
    yield from _location("postgresql", tmp_path, pg_server)


@pytest.fixture(params=DATABASES)
def any_location(
    request: pytest.FixtureRequest, tmp_path: Path, pg_server: pg.Server | None
) -> Iterator[str]:
    """Where a new project lives, once on each database: an SQLite file in the test's folder,
    then a new PostgreSQL project (skipped without a server)."""
    yield from _location(request.param, tmp_path, pg_server)


@pytest.fixture(scope="module", params=DATABASES)
def shared_location(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    pg_server: pg.Server | None,
) -> Iterator[Callable[[str], str]]:
    """Makes locations of projects a whole test module shares (a trained demo project), once on
    each database: ``shared_location("demo")`` is a new file or a new PostgreSQL project."""
    made: list[Iterator[str]] = []

    def make(name: str) -> str:
        places = _location(request.param, tmp_path_factory.mktemp(name), pg_server)
        made.append(places)
        return next(places)

    try:
        yield make
    finally:
        for places in made:
            next(places, None)  # drops the PostgreSQL project


@pytest.fixture
def project_location(tmp_path: Path) -> str:
    """Where the ``project`` fixture's project lives: a file in the test's folder. Test folders
    and modules that run on both databases override it with ``any_location``
    (tests/storage/conftest.py)."""
    return str(tmp_path / "test.intentlens")


@pytest.fixture
def project(project_location: str) -> Iterator[Project]:
    """A new, empty, migrated project (a file in the test's folder, or where
    ``project_location`` says)."""
    prj = open_project(project_location)
    try:
        yield prj
    finally:
        prj.close()
