"""Station-wide alarms name the station that raised them.

`storage_unavailable`, `spool_unavailable` and `sound_device_missing` are stored with no
chair and no pump; with several stations on one database, a restarted station could not
tell its own open ones from another's, so they were never taken up and stayed open in
the log. `alarms.station` (the station's name in the unit, `INFUSION_STATION_NAME`) is
set on them from now on; chair alarms leave it empty. Rows stored before this revision
keep it empty: nobody knows any more which station raised them, so none is taken up.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEX = "ix_alarms_station"


def upgrade() -> None:
    op.add_column("alarms", sa.Column("station", sa.String(length=64), nullable=True))
    op.create_index(op.f(_INDEX), "alarms", ["station"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f(_INDEX), table_name="alarms")
    with op.batch_alter_table("alarms") as batch:  # SQLite copies the table
        batch.drop_column("station")
