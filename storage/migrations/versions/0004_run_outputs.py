"""Run outputs in one long table, declared by each task: (run, customer, item, period, name, value).

The fixed columns of ``customer_scores`` (score, rank, segment, x, y) become rows of
``run_outputs``: every existing run keeps its outputs, and a new kind of model stores its own
names without a migration. Reading one customer's outputs is one indexed query.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_NAMES = ("score", "rank", "segment", "x", "y")


def upgrade() -> None:
    """Create run_outputs, copy every non-empty customer_scores cell into it, drop the old table."""
    op.create_table(
        "run_outputs",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("model_runs.id"), nullable=False),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id")),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("items.id")),
        sa.Column("period", sa.Text),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("value", sa.Float),
    )
    op.create_index(
        "ix_run_outputs_run_customer", "run_outputs", ["run_id", "customer_id", "name"]
    )
    op.create_index("ix_run_outputs_customer", "run_outputs", ["customer_id"])
    for name in _NAMES:
        op.execute(
            "INSERT INTO run_outputs (run_id, customer_id, name, value) "
            f"SELECT run_id, customer_id, '{name}', {name} FROM customer_scores "
            f"WHERE {name} IS NOT NULL"
        )
    op.drop_table("customer_scores")


def downgrade() -> None:
    """Back to customer_scores (customer-level outputs of the five old names only)."""
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
    cells = ", ".join(
        f"MAX(CASE WHEN name = '{n}' THEN value END)" for n in _NAMES
    )
    op.execute(
        "INSERT INTO customer_scores (run_id, customer_id, score, rank, segment, x, y) "
        f"SELECT run_id, customer_id, {cells} FROM run_outputs "
        "WHERE customer_id IS NOT NULL AND item_id IS NULL AND period IS NULL "
        "GROUP BY run_id, customer_id"
    )
    op.drop_index("ix_run_outputs_customer", "run_outputs")
    op.drop_index("ix_run_outputs_run_customer", "run_outputs")
    op.drop_table("run_outputs")
