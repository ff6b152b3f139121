"""What tests check about a project file: its migration revision and its tables."""

from __future__ import annotations

from typing import Any

from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from storage.project import Project


def schema_revision(project: Project) -> str | None:
    """The migration revision the project file is at."""
    with project.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def table_names(project: Project) -> set[str]:
    """Names of the tables in the project."""
    return set(inspect(project.engine).get_table_names())


def segments_of(project: Project) -> list[dict[str, Any]] | None:
    """The active profiles run's segments, or None without one."""
    from storage.runs import active_run

    run = active_run(project, "profiles")
    if run is None:
        return None
    segments: list[dict[str, Any]] = run.metrics.get("segments", [])
    return segments
