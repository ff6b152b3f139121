"""Two programs writing one project at once (issue 11): writers are serialized across
processes, so the same file imported twice at the same moment is counted once, and two first
imports into a new project both succeed (neither trips over the other's creation of it). On an
SQLite file and on a PostgreSQL database (an advisory lock there: tests/storage/test_server.py).
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.project import open_project
from tests.pg import project_args

REPO = Path(__file__).resolve().parents[2]
DUPLICATE = "was already imported"


def _log(path: Path, rows: int, tag: str) -> Path:
    lines = ["customer,time,event,item"]
    lines += [
        f"{tag}{i % 700},2024-05-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d}:00,view,sku{i % 90}"
        for i in range(rows)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def _import(project: str, log: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(REPO / "main.py"), "import", *project_args(project), str(log),
         "--json"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _events(project: str) -> tuple[int, int]:
    prj = open_project(project, create=False)
    try:
        with prj.connect() as conn:
            events = conn.execute(text("SELECT COUNT(*) FROM events")).scalar_one()
            batches = conn.execute(
                text("SELECT COUNT(*) FROM import_batches WHERE status = 'done'")
            ).scalar_one()
    finally:
        prj.close()
    return int(events), int(batches)


def test_a_write_transaction_holds_the_write_lock_from_its_start(tmp_path: Path) -> None:
    """Project.begin() is BEGIN IMMEDIATE: another writer is kept out before the first write,
    so what the transaction reads first (the duplicate check) cannot change under it."""
    path = tmp_path / "p.intentlens"
    project = open_project(path)
    try:
        with project.begin() as conn:
            conn.execute(text("SELECT COUNT(*) FROM import_batches")).scalar_one()
            other = sqlite3.connect(path, timeout=0)
            try:
                with pytest.raises(sqlite3.OperationalError, match="locked"):
                    other.execute("BEGIN IMMEDIATE")
            finally:
                other.close()
        # Readers are never kept out, not even by a writer.
        with project.connect() as conn:
            assert conn.execute(text("SELECT COUNT(*) FROM events")).scalar_one() == 0
    finally:
        project.close()


@pytest.mark.parametrize("attempt", range(3))
def test_the_same_file_imported_twice_at_once_is_counted_once(
    tmp_path: Path, any_location: str, attempt: int
) -> None:
    project = any_location
    open_project(project).close()
    log = _log(tmp_path / "events.csv", 20_000, "u")
    first, second = _import(project, log), _import(project, log)
    results = [(p.wait(timeout=120), *p.communicate()) for p in (first, second)]
    codes = sorted(rc for rc, _, _ in results)
    assert codes == [0, 2], results
    refused = next(err for rc, _, err in results if rc == 2)
    assert DUPLICATE in refused and "Traceback" not in refused
    assert _events(project) == (20_000, 1)


@pytest.mark.parametrize("attempt", range(3))
def test_two_first_imports_into_a_new_project_both_succeed(
    tmp_path: Path, any_location: str, attempt: int
) -> None:
    project = any_location
    one = _log(tmp_path / "one.csv", 3_000, "a")
    two = _log(tmp_path / "two.csv", 2_000, "b")
    procs = [_import(project, one), _import(project, two)]
    results = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    assert [rc for rc, _, _ in results] == [0, 0], results
    assert _events(project) == (5_000, 2)
