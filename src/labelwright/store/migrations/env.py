"""Alembic environment: runs on the connection handed over by `store.migrate`."""

from __future__ import annotations

from alembic import context

from labelwright.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only via labelwright.store.migrate
    raise RuntimeError("Run migrations through `labelwright migrate`.")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
