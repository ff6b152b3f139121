"""Import batches keep their warnings (JSON list of {code, message, column, rows}).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add import_batches.warnings."""
    with op.batch_alter_table("import_batches") as batch:
        batch.add_column(sa.Column("warnings", sa.Text))


def downgrade() -> None:
    """Drop import_batches.warnings."""
    with op.batch_alter_table("import_batches") as batch:
        batch.drop_column("warnings")
