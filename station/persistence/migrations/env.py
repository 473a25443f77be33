"""Alembic environment: runs on a connection handed over by station.persistence.schema."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from station.persistence.models import metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things in place; batch mode copies the table.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through station.persistence.schema, not the alembic CLI")
_run(connection)
