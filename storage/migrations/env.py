"""Alembic environment: migrations run on the connection the project factory hands over."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - migrations only run through storage.project
    raise RuntimeError("IntentLens migrations run through storage.project.open_project().")

context.configure(connection=connection, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
