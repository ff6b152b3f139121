"""First project schema: customers, items, events, import batches, rejected rows, model runs.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

#: BIGINT ids (PostgreSQL: BIGSERIAL) for the tables that grow with the lines imported.
_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create every table of the first release."""
    op.create_table(
        "meta",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "customers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.Text, nullable=False, unique=True),
    )
    op.create_table(
        "items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.Text, nullable=False, unique=True),
        sa.Column("category", sa.Text),
        sa.Column("name", sa.Text),
        sa.Column("price", sa.Float),
    )
    op.create_table(
        "import_batches",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("sha256", sa.Text, nullable=False, index=True),
        sa.Column("format", sa.Text),
        sa.Column("encoding", sa.Text),
        sa.Column("mapping", sa.Text),
        sa.Column("pseudonymized", sa.Integer, nullable=False, server_default="0"),
        sa.Column("lines_read", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("imported", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("rejected", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("started_at", sa.Text, nullable=False),
        sa.Column("finished_at", sa.Text),
        sa.Column("seconds", sa.Float),
    )
    op.create_table(
        "events",
        # A server's events table may outgrow 32-bit ids; an SQLite file's row id is 64-bit
        # already (and must be declared INTEGER to be the row id).
        sa.Column("id", _BIG_ID, primary_key=True),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("time_ms", sa.BigInteger, nullable=False),
        sa.Column("event", sa.Text, nullable=False),
        sa.Column("raw_event", sa.Text),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id")),
        sa.Column("category", sa.Text),
        sa.Column("price", sa.Float),
        sa.Column("quantity", sa.Float),
        sa.Column("amount", sa.Float),
        sa.Column("session", sa.Text),
        sa.Column("query", sa.Text),
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("import_batches.id"), nullable=False),
    )
    op.create_index("ix_events_customer_time", "events", ["customer_id", "time_ms"])
    op.create_table(
        "rejected_rows",
        sa.Column("id", _BIG_ID, primary_key=True),
        sa.Column(
            "batch_id", sa.Integer, sa.ForeignKey("import_batches.id"), nullable=False, index=True
        ),
        sa.Column("line_no", sa.BigInteger, nullable=False),
        sa.Column("raw", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_table(
        "model_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("task", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("active", sa.Integer, nullable=False, server_default="0"),
        sa.Column("settings", sa.Text, nullable=False),
        sa.Column("history", sa.Text, nullable=False),
        sa.Column("metrics", sa.Text, nullable=False),
        sa.Column("summary", sa.Text),
        sa.Column("seconds", sa.Float),
        sa.Column("warm_started", sa.Integer, nullable=False, server_default="0"),
        sa.Column("weights", sa.LargeBinary),
    )
    op.create_table(
        "customer_scores",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("model_runs.id"), primary_key=True),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), primary_key=True),
        sa.Column("score", sa.Float),
        sa.Column("rank", sa.Integer),
        sa.Column("segment", sa.Integer),
        sa.Column("x", sa.Float),
        sa.Column("y", sa.Float),
    )


def downgrade() -> None:
    """Drop every table of the first release."""
    for table in (
        "customer_scores",
        "model_runs",
        "rejected_rows",
        "events",
        "import_batches",
        "items",
        "customers",
        "meta",
    ):
        op.drop_table(table)
