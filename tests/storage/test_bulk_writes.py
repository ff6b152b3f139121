"""Bulk writes store exactly the rows they are given: the many-row INSERTs of SQLite (full
statements and the rest) and COPY on PostgreSQL, column by column or row by row, with the
constant batch id; and the running totals, added up in memory between writes, still equal a
fresh count."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sqlalchemy import text

from storage import dialect, summary
from storage.imports import start_batch
from storage.project import Project
from tests.storage.test_summary import _assert_fresh, _events, _import

PER = dialect.SQLITE_ROWS_PER_STATEMENT


def _batch(conn: Any) -> int:
    return start_batch(conn, file_name="log.csv", sha256="x", fmt="csv", encoding="utf-8",
                       mapping={}, pseudonymized=False).batch_id


def _rows(n: int) -> dict[str, Any]:
    """Columns of ``n`` rows: numpy ints, text with NULLs, floats with NULLs."""
    return {
        "line_no": np.arange(1, n + 1, dtype=np.int64) * 7,
        "raw": [None if i % 5 == 0 else f"line {i} ‘quoted’" for i in range(n)],
        "reason": np.array([f"r{i % 3}" for i in range(n)], dtype=object),
    }


@pytest.mark.parametrize("n", [0, 1, PER - 1, PER, PER + 1, 2 * PER + 3])
def test_insert_columns_stores_every_row_in_order(project: Project, n: int) -> None:
    columns = _rows(n)
    with project.begin() as conn:
        batch = _batch(conn)
        # rejected_rows.raw is NOT NULL: a NULL-free copy of the column for it.
        columns["raw"] = [r or "" for r in columns["raw"]]
        dialect.insert_columns(conn, "rejected_rows", columns, n, same={"batch_id": batch})
    with project.connect() as conn:
        stored = conn.execute(
            text("SELECT batch_id, line_no, raw, reason FROM rejected_rows ORDER BY id")
        ).all()
    expected = [
        (batch, int(line), raw, reason)
        for line, raw, reason in zip(
            columns["line_no"].tolist(), columns["raw"], columns["reason"].tolist(), strict=True
        )
    ]
    assert [tuple(r) for r in stored] == expected


@pytest.mark.parametrize("n", [1, PER + 1])
def test_insert_rows_and_upsert_rows_store_every_row(project: Project, n: int) -> None:
    with project.begin() as conn:
        dialect.insert_rows(
            conn, "summary_days", ("day", "event", "events", "unpriced"),
            [(i, "view", 1, 0) for i in range(n)],
        )
        # Each key again in one call (distinct keys per call, as PostgreSQL needs them).
        dialect.upsert_rows(
            conn, "summary_days", ("day", "event", "events", "unpriced"), ["day", "event"],
            ["events = summary_days.events + excluded.events"],
            [(i, "view", 2, 0) for i in range(n)] + [(0, "cart", 7, 0)],
        )
    with project.connect() as conn:
        stored = conn.execute(
            text("SELECT day, event, events FROM summary_days ORDER BY 1, 2")
        ).all()
    assert [tuple(r) for r in stored] == sorted([(i, "view", 3) for i in range(n)] + [(0, "cart", 7)])


def test_a_column_of_the_wrong_length_stores_nothing(project: Project) -> None:
    with pytest.raises(ValueError, match="column"), project.begin() as conn:
        dialect.insert_columns(
            conn, "rejected_rows", {"line_no": [1, 2, 3], "raw": ["a", "b"], "reason": ["x"] * 3},
            3, same={"batch_id": _batch(conn)},
        )
    with project.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM rejected_rows")).scalar_one() == 0


def test_totals_added_up_in_memory_equal_a_fresh_computation(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small enough that the chunks' totals are added up in memory several times, large enough
    # that what is added up is not written at once: the tables are written only by finish.
    monkeypatch.setattr(summary, "FLUSH_ROWS", 1_500)
    writes: list[str] = []
    upsert = summary._upsert

    def counting(conn: Any, table: Any, keys: list[str], frame: Any) -> None:
        writes.append(table.name)
        upsert(conn, table, keys, frame)

    monkeypatch.setattr(summary, "_upsert", counting)
    _import(project, _events(5, 2_000, customers=20), chunk=100)
    _assert_fresh(project)
    assert writes.count("summary_customers") == 1, "the totals were written before the end"
    # Past the limit even when added up (many customers): written during the import as well.
    writes.clear()
    _import(project, _events(6, 3_000, customers=2_000), chunk=100)
    _assert_fresh(project)
    assert writes.count("summary_customers") > 1
