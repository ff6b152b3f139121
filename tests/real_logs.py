"""A real behavior log imported as a user imports it, for the tests that measure on real logs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from engine.ingest import ImportOptions, run_import
from storage.project import open_project
from storage.queries import events_frame


def imported_log(datasets: Path, name: str, fmt: str,
                 tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """The log ``datasets / name`` imported with format ``fmt`` into a new project, read back as
    the models read it; the test is skipped when the file is not there."""
    path = datasets / name
    if not path.is_file():
        pytest.skip(f"{name} is not in {datasets}")
    project = open_project(tmp_path_factory.mktemp("real-log") / f"{fmt}.intentlens")
    try:
        run_import(project, path, ImportOptions(format=fmt))
        return events_frame(project)
    finally:
        project.close()
