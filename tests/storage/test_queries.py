"""Read queries over import batches: the stored warnings the Data page lists."""

from __future__ import annotations

import json

from sqlalchemy import insert

from storage import schema
from storage.imports import start_batch
from storage.project import Project
from storage.queries import BatchWarnings, import_warnings
from storage.summary import rebuild


def _batch(project: Project, name: str, finished_at: str | None, warnings: object,
           status: str = "done") -> None:
    with project.begin() as conn:
        conn.execute(
            insert(schema.import_batches).values(
                file_name=name, sha256=name, status=status, started_at="2024-01-01T00:00:00+00:00",
                finished_at=finished_at,
                warnings=None if warnings is None else (
                    warnings if isinstance(warnings, str) else json.dumps(warnings)
                ),
            )
        )


def _warning(code: str, message: str) -> dict[str, object]:
    return {"code": code, "message": message, "column": "date", "rows": None}


def test_import_warnings_lists_finished_imports_newest_first(project: Project) -> None:
    _batch(project, "january.csv", "2024-02-01T10:00:00+00:00",
           [_warning("date_order_ambiguous", "Dates could be read either way.")])
    _batch(project, "clean.csv", "2024-02-02T10:00:00+00:00", None)
    _batch(project, "march.csv", "2024-04-01T10:00:00+00:00",
           [_warning("rounded_ids", "Ids were rounded."), _warning("x", "Second one.")])
    # Still running (or left by a crash): its warnings are not the project's.
    _batch(project, "running.csv", None, [_warning("x", "Not finished.")], status="running")
    # Same second as march.csv but imported later: the later batch comes first.
    _batch(project, "march-2.csv", "2024-04-01T10:00:00+00:00", [_warning("y", "Later.")])

    found = import_warnings(project)

    assert [b.file_name for b in found] == ["march-2.csv", "march.csv", "january.csv"]
    assert found[1] == BatchWarnings(
        "march.csv",
        "2024-04-01T10:00:00+00:00",
        [_warning("rounded_ids", "Ids were rounded."), _warning("x", "Second one.")],
    )
    assert found[2].warnings[0]["code"] == "date_order_ambiguous"


def test_import_warnings_skips_damaged_text_instead_of_failing(project: Project) -> None:
    _batch(project, "broken.csv", "2024-02-01T10:00:00+00:00", "{not json")
    _batch(project, "object.csv", "2024-02-01T10:00:00+00:00", '{"message": "not a list"}')
    _batch(project, "good.csv", "2024-02-01T10:00:00+00:00", [_warning("z", "Fine.")])
    assert [b.file_name for b in import_warnings(project)] == ["good.csv"]


def test_import_warnings_reads_what_the_import_writer_stores(project: Project) -> None:
    with project.begin() as conn:
        writer = start_batch(conn, file_name="orders.csv", sha256="abc", fmt="csv",
                             encoding="utf-8", mapping={}, pseudonymized=False)
        writer.finish(lines_read=2, imported=2, rejected=0, seconds=0.1,
                      warnings=[_warning("unknown_status", "Status “on hold” is unknown.")])
    (batch,) = import_warnings(project)
    assert batch.file_name == "orders.csv" and batch.finished_at
    assert batch.warnings == [_warning("unknown_status", "Status “on hold” is unknown.")]


def test_busy_buyers_are_customers_and_busy_browsers_are_bots(project: Project) -> None:
    from storage.queries import health

    _batch(project, "log.csv", "2024-01-02T00:00:00+00:00", None)
    with project.begin() as conn:
        conn.execute(insert(schema.customers), [{"id": 1, "key": "wholesaler"},
                                                {"id": 2, "key": "crawler"}])
        start = 1_700_000_000_000
        rows = [{"customer_id": 1, "time_ms": start + i, "event": "purchase", "batch_id": 1}
                for i in range(30)]
        rows += [{"customer_id": 2, "time_ms": start + i, "event": "view", "batch_id": 1}
                 for i in range(30)]
        conn.execute(insert(schema.events), rows)
        # Written past the importer: the running totals are computed as an import keeps them.
        rebuild(conn)
    found = health(project, busy_per_day=20)
    assert found.busy_customers == 1  # only the one who views 30 times a day


def test_purchases_count_orders_not_lines(project: Project) -> None:
    from storage.runs import customer_summary

    _batch(project, "orders.csv", "2024-01-02T00:00:00+00:00", None)
    start = 1_700_000_000_000
    with project.begin() as conn:
        conn.execute(insert(schema.customers), [{"id": 1, "key": "wholesaler"}])
        lines = [{"customer_id": 1, "time_ms": start + i, "event": "purchase", "session": "#1001",
                  "batch_id": 1} for i in range(3)]  # one order of three lines
        lines += [{"customer_id": 1, "time_ms": start + 99, "event": "purchase", "session": None,
                   "batch_id": 1}
                  for _ in range(2)]  # two lines without an order id, at the same moment
        lines += [{"customer_id": 1, "time_ms": start + 5, "event": "view", "session": None,
                   "batch_id": 1}]
        conn.execute(insert(schema.events), lines)
        rebuild(conn)  # written directly, not imported: the totals computed afresh
    row = customer_summary(project, 1).iloc[0]
    assert (row["events"], row["purchases"]) == (6, 2)
