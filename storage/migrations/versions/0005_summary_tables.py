"""Running totals for the Data page: events per day and type, per customer, per customer and
day (browsing), per category and per item.

The Data page read them from the events table on every open: about 30 s on a 2.3-million-event
project. The totals are built once here from the events (seconds per million events) and from
now on kept up to date by imports and by forgetting a customer (``storage.summary``).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_TABLES = ("summary_days", "summary_customers", "summary_browse", "summary_categories",
           "summary_items")

# A frozen copy of storage.summary's full computation: a migration must not change later.
_BUILD = (
    "INSERT INTO summary_days (day, event, events, unpriced) SELECT time_ms / 86400000, event, "
    "COUNT(*), SUM(CASE WHEN amount IS NULL AND price IS NULL THEN 1 ELSE 0 END) FROM events "
    "GROUP BY time_ms / 86400000, event",
    "INSERT INTO summary_customers (customer_id, events, first_ms, last_ms, revenue, duplicates) "
    "SELECT customer_id, COUNT(*), MIN(time_ms), MAX(time_ms), COALESCE(SUM(amount), 0.0), 0 "
    "FROM events GROUP BY customer_id",
    "INSERT INTO summary_browse (customer_id, day, events) SELECT customer_id, "
    "time_ms / 86400000, COUNT(*) FROM events WHERE event IN ('view', 'click', 'search') "
    "GROUP BY customer_id, time_ms / 86400000",
    "INSERT INTO summary_categories (category, events, purchases, revenue) SELECT category, "
    "COUNT(*), SUM(CASE WHEN event = 'purchase' THEN 1 ELSE 0 END), COALESCE(SUM(amount), 0.0) "
    "FROM events WHERE category IS NOT NULL GROUP BY category",
    "INSERT INTO summary_items (item_id, events, purchases, revenue) SELECT item_id, "
    "COUNT(*), SUM(CASE WHEN event = 'purchase' THEN 1 ELSE 0 END), COALESCE(SUM(amount), 0.0) "
    "FROM events WHERE item_id IS NOT NULL GROUP BY item_id",
)
# Exact duplicates per customer, among the (customer, time) pairs the index shows twice or more.
_DUPLICATES = (
    "SELECT customer_id, SUM(n - 1) FROM (SELECT e.customer_id, COUNT(*) AS n FROM events e "
    "JOIN (SELECT customer_id AS c, time_ms AS t FROM events GROUP BY customer_id, time_ms "
    "HAVING COUNT(*) > 1) p ON e.customer_id = p.c AND e.time_ms = p.t "
    "GROUP BY e.customer_id, e.time_ms, e.event, e.item_id, e.quantity HAVING COUNT(*) > 1) d "
    "GROUP BY customer_id"
)


def _count(name: str) -> list[sa.Column[int]]:
    return [sa.Column(name, sa.BigInteger, nullable=False)]


def upgrade() -> None:
    """Create the summary tables and fill them from the events."""
    op.create_table(
        "summary_days",
        sa.Column("day", sa.BigInteger, primary_key=True),
        sa.Column("event", sa.Text, primary_key=True),
        *_count("events"), *_count("unpriced"),
    )
    op.create_table(
        "summary_customers",
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), primary_key=True),
        *_count("events"), *_count("first_ms"), *_count("last_ms"),
        sa.Column("revenue", sa.Float, nullable=False),
        *_count("duplicates"),
    )
    op.create_table(
        "summary_browse",
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), primary_key=True),
        sa.Column("day", sa.BigInteger, primary_key=True),
        *_count("events"),
    )
    op.create_table(
        "summary_categories",
        sa.Column("category", sa.Text, primary_key=True),
        *_count("events"), *_count("purchases"),
        sa.Column("revenue", sa.Float, nullable=False),
    )
    op.create_table(
        "summary_items",
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id"), primary_key=True),
        *_count("events"), *_count("purchases"),
        sa.Column("revenue", sa.Float, nullable=False),
    )
    for sql in _BUILD:
        op.execute(sql)
    conn = op.get_bind()
    rows = conn.execute(sa.text(_DUPLICATES)).all()
    if rows:
        conn.execute(
            sa.text("UPDATE summary_customers SET duplicates = :n WHERE customer_id = :c"),
            [{"c": int(c), "n": int(n)} for c, n in rows],
        )


def downgrade() -> None:
    """Drop the summary tables (the Data page of an older version scans the events)."""
    for name in reversed(_TABLES):
        op.drop_table(name)
