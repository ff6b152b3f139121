"""A full disk during an import or a training save: one sentence, and the project unchanged.

SQLite's ``max_page_count`` makes the database file unable to grow, which SQLite reports exactly
as it reports a full disk ("database or disk is full")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from engine.ingest import FileProblem, ImportOptions, run_import
from storage.project import Project, ProjectError, open_project
from storage.run_writes import save_run


def _fill_the_disk(project: Project) -> None:
    with project.connect() as conn:
        pages = int(conn.exec_driver_sql("PRAGMA page_count").scalar_one())
    project.engine.dispose()

    def cap(dbapi_connection: Any, _record: Any) -> None:
        cur = dbapi_connection.cursor()
        cur.execute(f"PRAGMA max_page_count={pages + 1}")
        cur.close()

    event.listen(project.engine, "connect", cap)


def _snapshot(project: Project) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    with project.connect() as conn:
        for (name,) in conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        )):
            out[name] = sorted(tuple(r) for r in conn.execute(text(f"SELECT * FROM {name}")))
    return out


def _log(path: Path, n: int, prefix: str) -> Path:
    path.write_text(
        "customer,time,event,item\n"
        + "".join(f"{prefix}{i},2024-01-01 10:{i % 60:02d},view,item-{i}\n" for i in range(n)),
        encoding="utf-8",
    )
    return path


def test_a_full_disk_during_an_import_is_one_sentence_and_changes_nothing(tmp_path: Path) -> None:
    project = open_project(tmp_path / "p.intentlens")
    try:
        run_import(project, _log(tmp_path / "first.csv", 20, "a"))
        before = _snapshot(project)
        _fill_the_disk(project)
        with pytest.raises((ProjectError, FileProblem)) as info:
            run_import(project, _log(tmp_path / "big.csv", 20_000, "b"),
                       ImportOptions(chunk_rows=2_000))
        message = str(info.value)
        assert "disk is full" in message and "unchanged" in message and "\n" not in message
        assert _snapshot(project) == before
    finally:
        project.close()


def test_a_full_disk_while_saving_a_run_is_one_sentence_and_changes_nothing(
    tmp_path: Path,
) -> None:
    project = open_project(tmp_path / "p.intentlens")
    try:
        run_import(project, _log(tmp_path / "first.csv", 50, "a"))
        before = _snapshot(project)
        _fill_the_disk(project)
        with pytest.raises(ProjectError, match="disk is full"):
            save_run(
                project, "intent", status="done", settings={}, history={}, metrics={},
                summary="", seconds=1.0, warm_started=False, weights=b"x" * 2_000_000,
                outputs=None, activate=True,
            )
        assert _snapshot(project) == before
    finally:
        project.close()
