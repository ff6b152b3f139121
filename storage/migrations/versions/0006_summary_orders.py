"""Each customer's distinct orders, kept at import: the Customers page counted them from every
purchase event on each open (about 10 s on a 2.3-million-event project).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# A frozen copy of storage.summary's computation: a migration must not change later.
_BUILD = (
    "INSERT INTO summary_orders (customer_id, order_key) SELECT DISTINCT customer_id, "
    "COALESCE(session, CAST(time_ms AS TEXT)) FROM events WHERE event = 'purchase'"
)


def upgrade() -> None:
    """Create the orders table and fill it from the purchases."""
    op.create_table(
        "summary_orders",
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), primary_key=True),
        sa.Column("order_key", sa.Text, primary_key=True),
    )
    op.execute(_BUILD)


def downgrade() -> None:
    """Drop the orders table (an older version counts orders from the events)."""
    op.drop_table("summary_orders")
