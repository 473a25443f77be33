"""PostgreSQL: vacuum telemetry_chunks after a fixed number of dead rows, not 20 %.

The telemetry writer deletes about 24 fragment rows a second (24 chairs at 1 Hz)
when it merges them into full chunks. With the default scale factor autovacuum
would wait for 20 % of a growing table to be dead (hours, after a year), leaving
that space unused; a fixed threshold reclaims it within a minute or two.
SQLite reuses freed pages by itself: nothing to do there.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE telemetry_chunks SET "
            "(autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 2000)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE telemetry_chunks RESET "
            "(autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold)"
        )
