"""Every storage test that uses the ``project`` fixture runs on an SQLite file and on a
PostgreSQL database (the latter skipped without a server: tests/pg.py)."""

from __future__ import annotations

import pytest


@pytest.fixture
def project_location(any_location: str) -> str:
    """The project of the ``project`` fixture: once on each database."""
    return any_location
