"""Forgetting a customer: every row about them leaves the project, and so do their bytes.

Events (and their share of the Data page's running totals), per-customer model outputs,
rejected lines that mention them and the customer row are deleted in one transaction; runs
trained on them are marked stale; then the file is vacuumed and the write-ahead log truncated,
so nothing of theirs stays in the file's free pages (in a PostgreSQL database: the tables are
vacuumed, ``storage.dialect.compact``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select, update

from storage import dialect, schema, summary
from storage.project import Project


@dataclass(frozen=True)
class Forgotten:
    """What forgetting one customer removed."""

    customer: str
    events: int
    outputs: int
    rejected_lines: int
    stale_runs: int


def forget_customer(project: Project, key: str) -> Forgotten | None:
    """Delete everything about the customer with this key; None when there is no such customer."""
    c, e, s, r = schema.customers, schema.events, schema.run_outputs, schema.rejected_rows
    with project.begin() as conn:
        cid = conn.execute(select(c.c.id).where(c.c.key == key)).scalar_one_or_none()
        if cid is None:
            return None
        runs = [row[0] for row in conn.execute(select(s.c.run_id).where(s.c.customer_id == cid))]
        summary.forget_customer_totals(conn, cid)
        n_events = conn.execute(delete(e).where(e.c.customer_id == cid)).rowcount
        n_outputs = conn.execute(delete(s).where(s.c.customer_id == cid)).rowcount
        # Rejected lines keep their raw text: any that holds the key goes too, in any case
        # of letters (SQLite's LIKE ignores the case of ASCII letters; ILIKE on PostgreSQL).
        pattern = "%" + key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        n_rejected = conn.execute(
            delete(r).where(r.c.raw.ilike(pattern, escape="\\"))
        ).rowcount
        conn.execute(delete(c).where(c.c.id == cid))
        n_stale = 0
        if runs:
            n_stale = conn.execute(
                update(schema.model_runs).where(schema.model_runs.c.id.in_(runs))
                .values(stale=1)
            ).rowcount
        assert conn.execute(select(func.count()).select_from(e).where(e.c.customer_id == cid)
                            ).scalar_one() == 0
    compact(project)
    return Forgotten(key, int(n_events), int(n_outputs), int(n_rejected), int(n_stale))


#: The tables forgetting deletes from (and their running totals).
FORGET_TABLES = ("events", "run_outputs", "rejected_rows", "customers", "summary_days",
                 "summary_customers", "summary_browse", "summary_categories", "summary_items",
                 "summary_orders")


def compact(project: Project) -> None:
    """Rewrite the file without free pages and empty the write-ahead log (on PostgreSQL:
    vacuum the tables forgetting deletes from)."""
    dialect.compact(project.engine, FORGET_TABLES)
