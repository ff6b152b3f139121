"""Model runs can be marked stale: trained on a customer who was forgotten since.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add model_runs.stale."""
    with op.batch_alter_table("model_runs") as batch:
        batch.add_column(sa.Column("stale", sa.Integer, nullable=False, server_default="0"))


def downgrade() -> None:
    """Drop model_runs.stale."""
    with op.batch_alter_table("model_runs") as batch:
        batch.drop_column("stale")
