"""Telemetry chunks are unique per infusion and first sample time.

A flush whose commit reached the database but whose answer was lost is written again by
the station; with this key the second insert is skipped (ON CONFLICT DO NOTHING), so no
sample is stored twice (docs/unit.md, "A commit whose answer was lost"). The index of
0001 on the same columns becomes unique. Copies of one chunk stored twice before this
revision (same infusion, first time and sample count: the lost-answer duplicates) are
removed first, keeping the oldest row; two different chunks with one key make the
upgrade fail rather than lose a sample.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEX = "ix_telemetry_chunks_infusion_t0"


def upgrade() -> None:
    op.execute(
        "DELETE FROM telemetry_chunks WHERE EXISTS (SELECT 1 FROM telemetry_chunks AS older"
        " WHERE older.infusion_id = telemetry_chunks.infusion_id"
        " AND older.t0_us = telemetry_chunks.t0_us"
        " AND older.n_samples = telemetry_chunks.n_samples"
        " AND older.id < telemetry_chunks.id)"
    )
    op.drop_index(_INDEX, table_name="telemetry_chunks")
    op.create_index(_INDEX, "telemetry_chunks", ["infusion_id", "t0_us"], unique=True)


def downgrade() -> None:
    op.drop_index(_INDEX, table_name="telemetry_chunks")
    op.create_index(_INDEX, "telemetry_chunks", ["infusion_id", "t0_us"], unique=False)
